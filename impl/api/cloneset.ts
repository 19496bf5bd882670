// CloneSet (apps.kruise.io/v1alpha1): TypeScript shape of the resource as OpenKruise 1.8 serves it.
import type { V1LabelSelector, V1ObjectMeta, V1PersistentVolumeClaim, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { ConditionStatus, InPlaceUpdateStrategy, IntOrString, Lifecycle, UpdatePriorityStrategy } from './pub.ts';

export type { IntOrString, Lifecycle, LifecycleHook, UpdatePriorityStrategy, InPlaceUpdateStrategy } from './pub.ts';

export type CloneSetUpdateStrategyType = 'ReCreate' | 'InPlaceIfPossible' | 'InPlaceOnly';
export const CLONESET_UPDATE_STRATEGY_TYPES: readonly CloneSetUpdateStrategyType[] = ['ReCreate', 'InPlaceIfPossible', 'InPlaceOnly'];

export interface CloneSetScaleStrategy {
  /** Names of owned pods to delete; the controller truncates names that no longer exist. */
  podsToDelete?: string[];
  /** Limits scale-up creations while pods are unavailable; unset = unlimited. Percent → ceil. */
  maxUnavailable?: IntOrString;
  /** Do not reuse PVCs of vanished pods. */
  disablePVCReuse?: boolean;
}

/** One scatter term: pods with label key=value are spread over the update batches. */
export interface UpdateScatterTerm {
  key: string;
  value: string;
}

export type UpdateScatterStrategy = UpdateScatterTerm[];

export interface CloneSetUpdateStrategy {
  /** Default ReCreate. */
  type?: CloneSetUpdateStrategyType;
  /** Pods (or percent) to keep at the current revision. Default 0. */
  partition?: IntOrString;
  /** Default "20%". */
  maxUnavailable?: IntOrString;
  /** Default 0. */
  maxSurge?: IntOrString;
  paused?: boolean;
  priorityStrategy?: UpdatePriorityStrategy;
  scatterStrategy?: UpdateScatterStrategy;
  inPlaceUpdateStrategy?: InPlaceUpdateStrategy;
}

export interface CloneSetSpec {
  /** Default 1. */
  replicas?: number;
  selector: V1LabelSelector;
  template: V1PodTemplateSpec;
  volumeClaimTemplates?: V1PersistentVolumeClaim[];
  scaleStrategy?: CloneSetScaleStrategy;
  updateStrategy?: CloneSetUpdateStrategy;
  /** Default 10. */
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  lifecycle?: Lifecycle;
}

export type CloneSetConditionType = 'FailedScale' | 'FailedUpdate';

export interface CloneSetCondition {
  type: CloneSetConditionType | string;
  status: ConditionStatus;
  /** RFC3339. */
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface CloneSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  updatedReplicas: number;
  updatedReadyReplicas: number;
  updatedAvailableReplicas?: number;
  /** spec.replicas − partition. */
  expectedUpdatedReplicas?: number;
  updateRevision?: string;
  currentRevision?: string;
  collisionCount?: number;
  conditions?: CloneSetCondition[];
  /** Selector as a string (e.g. "app=foo"), for the scale subresource / HPA. */
  labelSelector?: string;
}

export interface CloneSet {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec: CloneSetSpec;
  status?: CloneSetStatus;
}

export interface CloneSetList {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items: CloneSet[];
}
