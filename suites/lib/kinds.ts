/**
 * The shapes of the OpenKruise objects as the suites read them, written from the API documents
 * (spec digest §2-§7), not from any implementation. Only what assertions need; all optional
 * where an implementation may legitimately omit a field.
 */
import type { V1Condition, V1LabelSelector, V1PersistentVolumeClaim, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { Obj } from './api.ts';

export type IntOrString = number | string;

export interface CloneSetSpec {
  replicas?: number;
  selector: V1LabelSelector;
  template: V1PodTemplateSpec;
  volumeClaimTemplates?: V1PersistentVolumeClaim[];
  scaleStrategy?: { podsToDelete?: string[]; maxUnavailable?: IntOrString; disablePVCReuse?: boolean };
  updateStrategy?: {
    type?: 'ReCreate' | 'InPlaceIfPossible' | 'InPlaceOnly';
    partition?: IntOrString;
    maxUnavailable?: IntOrString;
    maxSurge?: IntOrString;
    paused?: boolean;
    inPlaceUpdateStrategy?: { gracePeriodSeconds?: number };
    priorityStrategy?: unknown;
    scatterStrategy?: unknown;
  };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  lifecycle?: unknown;
}

export interface WorkloadStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  updatedReplicas?: number;
  updatedReadyReplicas?: number;
  updatedAvailableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  labelSelector?: string;
  conditions?: V1Condition[];
}

export interface CloneSetStatus extends WorkloadStatus {
  expectedUpdatedReplicas?: number;
}

export interface CloneSet extends Obj {
  spec: CloneSetSpec;
  status?: CloneSetStatus;
}

export interface StatefulSetSpec {
  replicas?: number;
  selector: V1LabelSelector;
  template: V1PodTemplateSpec;
  serviceName?: string;
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
  ordinals?: { start?: number };
  reserveOrdinals?: IntOrString[];
  volumeClaimTemplates?: V1PersistentVolumeClaim[];
  volumeClaimUpdateStrategy?: { type?: 'OnPodRollingUpdate' | 'OnDelete' };
  persistentVolumeClaimRetentionPolicy?: { whenDeleted?: 'Retain' | 'Delete'; whenScaled?: 'Retain' | 'Delete' };
  scaleStrategy?: { maxUnavailable?: IntOrString };
  updateStrategy?: {
    type?: 'RollingUpdate' | 'OnDelete';
    rollingUpdate?: {
      partition?: number;
      maxUnavailable?: IntOrString;
      podUpdatePolicy?: 'ReCreate' | 'InPlaceIfPossible' | 'InPlaceOnly';
      paused?: boolean;
      minReadySeconds?: number;
      inPlaceUpdateStrategy?: { gracePeriodSeconds?: number };
      unorderedUpdate?: unknown;
    };
  };
  revisionHistoryLimit?: number;
  lifecycle?: unknown;
}

export interface StatefulSetStatus extends WorkloadStatus {
  currentReplicas?: number;
  volumeClaims?: { volumeClaimName: string; compatibleReplicas: number; compatibleReadyReplicas: number }[];
}

export interface AdvancedStatefulSet extends Obj {
  spec: StatefulSetSpec;
  status?: StatefulSetStatus;
}

export interface AdvancedDaemonSetSpec {
  selector: V1LabelSelector;
  template: V1PodTemplateSpec;
  updateStrategy?: {
    type?: 'RollingUpdate' | 'OnDelete';
    rollingUpdate?: {
      rollingUpdateType?: 'Standard' | 'Surging' | 'InPlaceIfPossible';
      maxUnavailable?: IntOrString;
      maxSurge?: IntOrString;
      selector?: V1LabelSelector;
      partition?: IntOrString;
      paused?: boolean;
    };
  };
  minReadySeconds?: number;
  burstReplicas?: IntOrString;
  revisionHistoryLimit?: number;
  lifecycle?: unknown;
}

export interface AdvancedDaemonSetStatus {
  currentNumberScheduled?: number;
  numberMisscheduled?: number;
  desiredNumberScheduled?: number;
  numberReady?: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  daemonSetHash?: string;
  conditions?: V1Condition[];
}

export interface AdvancedDaemonSet extends Obj {
  spec: AdvancedDaemonSetSpec;
  status?: AdvancedDaemonSetStatus;
}
