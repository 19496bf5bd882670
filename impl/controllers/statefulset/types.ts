// The model the Advanced StatefulSet planners read. The reconciler builds these views from the
// StatefulSet, its pods, PVCs, ControllerRevisions and StorageClasses (views.ts); the planners never
// see Kubernetes objects, so they stay pure and table-testable.
import type { PodPhase } from '../shared/active-pods.ts';
import type { IntOrString } from '../shared/intstr.ts';
import type { Labels } from '../shared/label-selector.ts';
import type { UpdatePriorityStrategy } from '../shared/priority-sort.ts';

export type { PodPhase } from '../shared/active-pods.ts';
export type { IntOrString } from '../shared/intstr.ts';
export type { Labels } from '../shared/label-selector.ts';

export type PodManagementPolicy = 'OrderedReady' | 'Parallel';
export type UpdateStrategyType = 'RollingUpdate' | 'OnDelete';
export type PodUpdatePolicy = 'ReCreate' | 'InPlaceIfPossible' | 'InPlaceOnly';
export type VolumeClaimUpdateStrategyType = 'OnPodRollingUpdate' | 'OnDelete';
export type RetentionPolicyType = 'Retain' | 'Delete';

import type { Lifecycle, LifecycleState } from '../shared/lifecycle.ts';
export type { Lifecycle, LifecycleHook, LifecycleState } from '../shared/lifecycle.ts';

export interface RollingUpdateView {
  /** Number of pods NOT updated (slot-index based). Defaults to 0. */
  readonly partition?: number;
  /** Defaults to 1; percent of spec.replicas, floor, minimum 1. */
  readonly maxUnavailable?: IntOrString;
  /** Defaults to ReCreate. */
  readonly podUpdatePolicy?: PodUpdatePolicy;
  readonly paused?: boolean;
  /** Present (even empty) switches to unordered update. */
  readonly unorderedUpdate?: { readonly priorityStrategy?: UpdatePriorityStrategy };
  readonly gracePeriodSeconds?: number;
  /** Seconds; defaults to 0. */
  readonly minReadySeconds?: number;
}

export interface RetentionPolicy {
  readonly whenDeleted?: RetentionPolicyType;
  readonly whenScaled?: RetentionPolicyType;
}

/** What the planners need from one volumeClaimTemplate. Sizes are Kubernetes quantity strings. */
export interface ClaimTemplateView {
  readonly name: string;
  readonly storageClassName?: string;
  readonly accessModes: readonly string[];
  /** spec.resources.requests.storage; undefined reads as zero (Go's ResourceList.Storage()). */
  readonly requestStorage?: string;
}

/** The parts of an Advanced StatefulSet spec the planners read (defaults already applied). */
export interface StatefulSetSpecView {
  readonly replicas: number;
  readonly podManagementPolicy: PodManagementPolicy;
  readonly updateStrategyType: UpdateStrategyType;
  /** Absent only with OnDelete. */
  readonly rollingUpdate?: RollingUpdateView;
  /** spec.reserveOrdinals: ints and "a-b" ranges. */
  readonly reserveOrdinals?: readonly IntOrString[];
  /** spec.ordinals.start; honoured only with the StatefulSetStartOrdinal gate. */
  readonly ordinalsStart?: number;
  /** spec.scaleStrategy.maxUnavailable. */
  readonly scaleMaxUnavailable?: IntOrString;
  readonly lifecycle?: Lifecycle;
  readonly volumeClaimTemplates: readonly ClaimTemplateView[];
  readonly volumeClaimUpdateStrategy?: VolumeClaimUpdateStrategyType;
  readonly retentionPolicy?: RetentionPolicy;
}

/** Feature gates that change planning. */
export interface StatefulSetGates {
  /** StatefulSetStartOrdinal (alpha, default off). */
  readonly startOrdinal: boolean;
  /** StatefulSetAutoResizePVCGate (alpha, default off). */
  readonly autoResizePVC: boolean;
  /** StatefulSetAutoDeletePVC (beta, default on). */
  readonly autoDeletePVC: boolean;
  /** InPlaceWorkloadVerticalScaling (alpha, default off). */
  readonly verticalScaling: boolean;
}

export const DEFAULT_GATES: StatefulSetGates = { startOrdinal: false, autoResizePVC: false, autoDeletePVC: true, verticalScaling: false };

/** In-place update progress read from the pod (see inplace.ts inPlaceProgress). */
export interface InPlaceProgress {
  /** apps.kruise.io/inplace-update-grace is set: the new images are not applied yet. */
  readonly inGrace: boolean;
  /** A later container batch is still pending. */
  readonly pendingBatches: boolean;
  /** Every container the last update touched runs its new image / resources (true when no update state). */
  readonly containersCompleted: boolean;
}

/** One pod: an owned pod from the cache, or (phase '') a pod this reconcile is about to create. */
export interface PodView {
  readonly name: string;
  /** The trailing integer of the name; -1 when it has none. */
  readonly ordinal: number;
  readonly uid?: string;
  /** controller-revision-hash label; '' when absent. */
  readonly revision: string;
  /** '' = not created yet (Go: isCreated is phase != ""). */
  readonly phase: PodPhase | '';
  /** The Ready condition is True. */
  readonly ready: boolean;
  /** lastTransitionTime of the Ready condition, ms since epoch. */
  readonly readySince?: number;
  readonly terminating: boolean;
  readonly lifecycleState?: LifecycleState;
  readonly labels: Labels;
  readonly finalizers?: readonly string[];
  /** apps.kruise.io/specified-delete label present (any value). */
  readonly specifiedDelete?: boolean;
  /** Name, namespace and pod-name label match the set (identityMatches). */
  readonly identityMatches?: boolean;
  /** Volumes reference every claim of the set (storageMatches). */
  readonly storageMatches?: boolean;
  /** spec.readinessGates contains InPlaceUpdateReady. */
  readonly hasInPlaceReadinessGate?: boolean;
  /** The InPlaceUpdateReady condition status; undefined when absent. */
  readonly inPlaceUpdateReady?: boolean;
  readonly inPlace?: InPlaceProgress;
}

export interface OwnerRefView {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly name: string;
  readonly uid: string;
}

/** One PVC of the set as the planners see it. */
export interface ClaimView {
  readonly name: string;
  readonly storageClassName?: string;
  readonly accessModes: readonly string[];
  readonly requestStorage?: string;
  /** status.capacity.storage */
  readonly capacityStorage?: string;
  readonly fileSystemResizePending?: boolean;
  readonly terminating?: boolean;
  readonly ownerReferences?: readonly OwnerRefView[];
}

/** allowVolumeExpansion of each known StorageClass (null: the field is unset). */
export type StorageClassExpansion = ReadonlyMap<string, boolean | null>;

/** currentRevision (status, what stays at partition) and updateRevision (the latest template). */
export interface Revisions {
  readonly current: string;
  readonly update: string;
}

// Label, annotation and condition names come from the API package, under the names used here.
export {
  ANNOTATION_INPLACE_UPDATE_GRACE as ANNOTATION_INPLACE_GRACE,
  ANNOTATION_INPLACE_UPDATE_STATE as ANNOTATION_INPLACE_STATE,
  ANNOTATION_INPLACE_UPDATE_STATE_OLD as ANNOTATION_INPLACE_STATE_OLD,
  ANNOTATION_LIFECYCLE_TIMESTAMP,
  ANNOTATION_OWNED_BY_ASTS,
  CONDITION_INPLACE_UPDATE_READY,
  CONDITION_KRUISE_POD_READY,
  LABEL_CONTROLLER_REVISION_HASH as LABEL_REVISION,
  LABEL_LIFECYCLE_STATE,
  LABEL_POD_INDEX,
  LABEL_SPECIFIED_DELETE,
  LABEL_STATEFULSET_POD_NAME as LABEL_POD_NAME,
  STATEFULSET_CONDITION_FAILED_CREATE_POD as CONDITION_FAILED_CREATE_POD,
  STATEFULSET_CONDITION_FAILED_UPDATE_POD as CONDITION_FAILED_UPDATE_POD,
} from '../../api/constants.ts';
export { STATEFULSET_API_VERSION as ASTS_API_VERSION } from '../../api/group.ts';
export const ASTS_KIND = 'StatefulSet';
