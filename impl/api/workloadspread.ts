// WorkloadSpread (apps.kruise.io/v1alpha1): TypeScript shape of the resource as OpenKruise 1.8
// serves it. Field names, enums and status layout follow apis/apps/v1alpha1/workloadspread_types.go.
import type { V1LabelSelector, V1NodeSelectorTerm, V1ObjectMeta, V1PreferredSchedulingTerm, V1Toleration } from '@kubernetes/client-node';
import type { ConditionStatus, IntOrString } from './pub.ts';

/** The workload whose pods are spread. Group + kind + name identify it; the version is ignored. */
export interface TargetReference {
  apiVersion: string;
  kind: string;
  name: string;
}

/** Manage only part of the workload's pods, and read its replica count from these paths. */
export interface TargetFilter {
  /** Only pods matching it are injected and counted. */
  selector?: V1LabelSelector;
  /** Dot paths (numeric parts index arrays) whose integer values sum to the workload's replicas. */
  replicasPathList?: string[];
}

export type WorkloadSpreadScheduleStrategyType = 'Adaptive' | 'Fixed' | '';
export const SCHEDULE_STRATEGY_TYPES: readonly WorkloadSpreadScheduleStrategyType[] = ['Adaptive', 'Fixed', ''];

export interface AdaptiveWorkloadSpreadStrategy {
  /** In the API, unused by OpenKruise 1.8. */
  disableSimulationSchedule?: boolean;
  /** A pod unschedulable for longer than this is deleted so the workload recreates it in the next subset. */
  rescheduleCriticalSeconds?: number;
}

export interface WorkloadSpreadScheduleStrategy {
  /** Default (empty) behaves as Fixed. */
  type?: WorkloadSpreadScheduleStrategyType;
  adaptive?: AdaptiveWorkloadSpreadStrategy;
}

export interface WorkloadSpreadSubset {
  name: string;
  requiredNodeSelectorTerm?: V1NodeSelectorTerm;
  preferredNodeSelectorTerms?: V1PreferredSchedulingTerm[];
  tolerations?: V1Toleration[];
  /** Unset = unlimited. Percent of the workload's replicas, rounded up. */
  maxReplicas?: IntOrString;
  /** Strategic-merge patch applied to the pod. */
  patch?: Record<string, unknown>;
}

export interface WorkloadSpreadSpec {
  targetRef: TargetReference;
  targetFilter?: TargetFilter;
  subsets: WorkloadSpreadSubset[];
  scheduleStrategy?: WorkloadSpreadScheduleStrategy;
}

export const SUBSET_SCHEDULABLE = 'Schedulable';

export interface WorkloadSpreadSubsetCondition {
  type: string;
  status: ConditionStatus;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface WorkloadSpreadSubsetStatus {
  name: string;
  replicas: number;
  /** -1 when the subset is unlimited. */
  missingReplicas: number;
  conditions?: WorkloadSpreadSubsetCondition[];
  /** Pod name (or generated uid) → RFC 3339 time the webhook admitted its creation. */
  creatingPods?: Record<string, string>;
  /** Pod name → RFC 3339 time the webhook admitted its deletion. */
  deletingPods?: Record<string, string>;
}

export interface WorkloadSpreadStatus {
  observedGeneration?: number;
  subsetStatuses?: WorkloadSpreadSubsetStatus[];
  /** Pod version (pod-template-hash, or "versionIgnored") → per-subset status of that version's pods. */
  versionedSubsetStatuses?: Record<string, WorkloadSpreadSubsetStatus[]>;
}

export interface WorkloadSpread {
  apiVersion?: string;
  kind?: string;
  metadata: V1ObjectMeta;
  spec: WorkloadSpreadSpec;
  status?: WorkloadSpreadStatus;
}

/** The JSON of the pod annotation apps.kruise.io/matched-workloadspread. */
export interface InjectedWorkloadSpread {
  name: string;
  subset: string;
  /** Set when the pod had only a generateName at admission. */
  uid?: string;
}
