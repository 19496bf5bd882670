// Types shared by several kinds (OpenKruise apis/apps/pub): lifecycle hooks, update priority,
// in-place update strategy, IntOrString.
import type { V1LabelSelector } from '@kubernetes/client-node';

/** An integer or a string such as "20%" (Kubernetes intstr.IntOrString). */
export type IntOrString = number | string;

/** A lifecycle hook: a pod is "hooked" while it carries these labels / finalizers. */
export interface LifecycleHook {
  labelsHandler?: Record<string, string>;
  finalizersHandler?: string[];
  /** Effective for preDelete and inPlaceUpdate: mark the pod not ready (KruisePodReady) while hooked. */
  markPodNotReady?: boolean;
}

export interface Lifecycle {
  preDelete?: LifecycleHook;
  inPlaceUpdate?: LifecycleHook;
  preNormal?: LifecycleHook;
}

export interface UpdatePriorityWeightTerm {
  /** 0..100 (validation rejects <0 and >100). */
  weight: number;
  matchSelector: V1LabelSelector;
}

export interface UpdatePriorityOrderTerm {
  orderedKey: string;
}

/** Only one of the two lists may be set. */
export interface UpdatePriorityStrategy {
  orderPriority?: UpdatePriorityOrderTerm[];
  weightPriority?: UpdatePriorityWeightTerm[];
}

export interface InPlaceUpdateStrategy {
  /** Seconds between marking the pod not ready and patching its images. */
  gracePeriodSeconds?: number;
}

/** Kubernetes ConditionStatus. */
export type ConditionStatus = 'True' | 'False' | 'Unknown';
