// The minimal model the CloneSet planners read. The reconciler builds these views from the
// CloneSet object, its owned pods and its ControllerRevisions; the planners never see Kubernetes
// objects, so they stay pure and table-testable.
import type { ActivePodFacts } from '../shared/active-pods.ts';
import type { IntOrString } from '../shared/intstr.ts';
import type { Labels } from '../shared/label-selector.ts';
import type { UpdatePriorityStrategy } from '../shared/priority-sort.ts';
import type { ScatterTerm } from '../shared/scatter-sort.ts';

export type { PodPhase } from '../shared/active-pods.ts';
export type { IntOrString } from '../shared/intstr.ts';
export type { Labels } from '../shared/label-selector.ts';

export type UpdateStrategyType = 'ReCreate' | 'InPlaceIfPossible' | 'InPlaceOnly';

import type { Lifecycle, LifecycleState } from '../shared/lifecycle.ts';
export type { Lifecycle, LifecycleHook, LifecycleState } from '../shared/lifecycle.ts';

export interface CloneSetUpdateStrategy {
  /** Defaults to ReCreate. */
  readonly type?: UpdateStrategyType;
  /** Pods (or percent of replicas) to keep at the current revision. */
  readonly partition?: IntOrString;
  /** Unset means "20%". */
  readonly maxUnavailable?: IntOrString;
  readonly maxSurge?: IntOrString;
  readonly paused?: boolean;
  readonly priorityStrategy?: UpdatePriorityStrategy;
  readonly scatterStrategy?: readonly ScatterTerm[];
}

export interface CloneSetScaleStrategy {
  readonly podsToDelete?: readonly string[];
  /** Limits creations only; unset means unlimited. */
  readonly maxUnavailable?: IntOrString;
}

/** The parts of a CloneSet spec the planners read (replicas already defaulted). */
export interface CloneSetSpecView {
  readonly replicas: number;
  readonly minReadySeconds?: number;
  readonly updateStrategy?: CloneSetUpdateStrategy;
  readonly scaleStrategy?: CloneSetScaleStrategy;
  readonly lifecycle?: Lifecycle;
  /** topologyKey of each template.spec.topologySpreadConstraints entry (scale-in ranking). */
  readonly topologySpreadKeys?: readonly string[];
}

/** Feature gates and manager flags that change planning. All default to off. */
export interface CloneSetFlags {
  /** Gate CloneSetPartitionRollback: raising partition rolls pods back to currentRevision. */
  readonly partitionRollback?: boolean;
  /** Gate PreparingUpdateAsUpdate: while scaling, a PreparingUpdate pod counts as updated. */
  readonly preparingUpdateAsUpdate?: boolean;
  /** --cloneset-scaling-exclude-preparing-delete, or the CloneSet label apps.kruise.io/cloneset-scaling-exclude-preparing-delete=true. */
  readonly scalingExcludePreparingDelete?: boolean;
}

/** In-place update progress, present once the pod carries apps.kruise.io/inplace-update-state. */
export interface InPlaceUpdateView {
  /** apps.kruise.io/inplace-update-grace is set: images not yet patched. */
  readonly inGracePeriod: boolean;
  /** No later container batch is pending and every updated container runs its new image/resources. */
  readonly completed: boolean;
}

/** One owned pod. The planners expect active pods only (see isPodActive). */
export interface PodView extends ActivePodFacts {
  readonly name: string;
  /** apps.kruise.io/cloneset-instance-id */
  readonly instanceId: string;
  /** controller-revision-hash label: a full revision name or a short hash. */
  readonly revision: string;
  /** All pod labels (priority, scatter, lifecycle hooks and pod-template-hash read them). */
  readonly labels: Labels;
  readonly finalizers?: readonly string[];
  /** lifecycle.apps.kruise.io/state; undefined when the label is absent. */
  readonly lifecycleState?: LifecycleState;
  /** The apps.kruise.io/specified-delete label is present (any value). */
  readonly specifiedDelete?: boolean;
  /** InPlaceUpdateReady condition status; undefined when the condition is absent. */
  readonly inPlaceUpdateReady?: boolean;
  /** Raw controller.kubernetes.io/pod-deletion-cost annotation. */
  readonly deletionCost?: string;
  readonly inPlaceUpdate?: InPlaceUpdateView;
  /** deletionTimestamp is set. */
  readonly terminating?: boolean;
}

/** currentRevision (what status says is stable) and updateRevision (the latest template). */
export interface Revisions {
  readonly current: string;
  readonly update: string;
}

export const LABEL_POD_TEMPLATE_HASH = 'pod-template-hash';
