// Advanced StatefulSet (apps.kruise.io/v1beta1 storage, v1alpha1 served): TypeScript shape of the
// resource as OpenKruise 1.8 serves it.
import type { V1LabelSelector, V1ObjectMeta, V1PersistentVolumeClaim, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { ConditionStatus, InPlaceUpdateStrategy, IntOrString, Lifecycle, UpdatePriorityStrategy } from './pub.ts';

export type { IntOrString, Lifecycle, LifecycleHook, UpdatePriorityStrategy, InPlaceUpdateStrategy } from './pub.ts';

export type PodManagementPolicyType = 'OrderedReady' | 'Parallel';
export const POD_MANAGEMENT_POLICIES: readonly PodManagementPolicyType[] = ['OrderedReady', 'Parallel'];

export type StatefulSetUpdateStrategyType = 'RollingUpdate' | 'OnDelete';
export const STATEFULSET_UPDATE_STRATEGY_TYPES: readonly StatefulSetUpdateStrategyType[] = ['RollingUpdate', 'OnDelete'];

export type PodUpdateStrategyType = 'ReCreate' | 'InPlaceIfPossible' | 'InPlaceOnly';
export const POD_UPDATE_POLICIES: readonly PodUpdateStrategyType[] = ['ReCreate', 'InPlaceIfPossible', 'InPlaceOnly'];

export type VolumeClaimUpdateStrategyType = 'OnPodRollingUpdate' | 'OnDelete';
export const VOLUME_CLAIM_UPDATE_STRATEGY_TYPES: readonly VolumeClaimUpdateStrategyType[] = ['OnPodRollingUpdate', 'OnDelete'];

export type PersistentVolumeClaimRetentionPolicyType = 'Retain' | 'Delete';
export const PVC_RETENTION_POLICY_TYPES: readonly PersistentVolumeClaimRetentionPolicyType[] = ['Retain', 'Delete'];

export interface UnorderedUpdateStrategy {
  priorityStrategy?: UpdatePriorityStrategy;
}

export interface RollingUpdateStatefulSetStrategy {
  /** Number of pods NOT updated (ordinal-index based). Default 0. */
  partition?: number;
  /** Default 1; percent → floor, min 1; other than 1 only with Parallel. */
  maxUnavailable?: IntOrString;
  /** Default ReCreate. */
  podUpdatePolicy?: PodUpdateStrategyType;
  paused?: boolean;
  /** Requires Parallel. */
  unorderedUpdate?: UnorderedUpdateStrategy;
  inPlaceUpdateStrategy?: InPlaceUpdateStrategy;
  /** Default 0, max 300. */
  minReadySeconds?: number;
}

export interface StatefulSetUpdateStrategy {
  /** Default RollingUpdate. */
  type?: StatefulSetUpdateStrategyType;
  rollingUpdate?: RollingUpdateStatefulSetStrategy;
}

export interface VolumeClaimUpdateStrategy {
  /** Defaulted to OnDelete only when gate StatefulSetAutoResizePVCGate is on. */
  type?: VolumeClaimUpdateStrategyType;
}

export interface StatefulSetScaleStrategy {
  /** Percent → floor, min 1; other than 1 only with Parallel. */
  maxUnavailable?: IntOrString;
}

export interface StatefulSetPersistentVolumeClaimRetentionPolicy {
  whenDeleted?: PersistentVolumeClaimRetentionPolicyType;
  whenScaled?: PersistentVolumeClaimRetentionPolicyType;
}

export interface StatefulSetOrdinals {
  /** Honoured only with gate StatefulSetStartOrdinal. */
  start: number;
}

export interface StatefulSetSpec {
  /** Default 1. */
  replicas?: number;
  selector: V1LabelSelector;
  template: V1PodTemplateSpec;
  volumeClaimTemplates?: V1PersistentVolumeClaim[];
  volumeClaimUpdateStrategy?: VolumeClaimUpdateStrategy;
  serviceName?: string;
  /** Default OrderedReady; immutable. */
  podManagementPolicy?: PodManagementPolicyType;
  updateStrategy?: StatefulSetUpdateStrategy;
  /** Default 10. */
  revisionHistoryLimit?: number;
  /** Ordinals to skip: ints, or inclusive "a-b" ranges. */
  reserveOrdinals?: IntOrString[];
  lifecycle?: Lifecycle;
  scaleStrategy?: StatefulSetScaleStrategy;
  persistentVolumeClaimRetentionPolicy?: StatefulSetPersistentVolumeClaimRetentionPolicy;
  ordinals?: StatefulSetOrdinals;
}

/** Compatibility of existing PVCs with one volumeClaimTemplate. */
export interface VolumeClaimStatus {
  volumeClaimName: string;
  compatibleReplicas: number;
  compatibleReadyReplicas: number;
}

export type StatefulSetConditionType = 'FailedCreatePod' | 'FailedUpdatePod';

/** apps/v1 StatefulSetCondition. */
export interface StatefulSetCondition {
  type: StatefulSetConditionType | string;
  status: ConditionStatus;
  /** RFC3339. */
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  updatedReadyReplicas?: number;
  updatedAvailableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  conditions?: StatefulSetCondition[];
  labelSelector?: string;
  volumeClaims?: VolumeClaimStatus[];
}

/** The Advanced StatefulSet (kind StatefulSet in apps.kruise.io). */
export interface StatefulSet {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec: StatefulSetSpec;
  status?: StatefulSetStatus;
}

export interface StatefulSetList {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items: StatefulSet[];
}
