// Pure planners of the pod webhook's WorkloadSpread work: which subset a new pod gets (and the
// creatingPods / missingReplicas bookkeeping that reserves its place in the versioned status),
// the deletingPods bookkeeping of a deletion or eviction, and the pod with its subset injected
// (tolerations, node affinity, patch, annotation).
import type { V1NodeSelectorTerm, V1Pod } from '@kubernetes/client-node';
import { strategicMergePod } from '../../api/strategic-merge.ts';
import { SUBSET_SCHEDULABLE, type InjectedWorkloadSpread, type WorkloadSpread, type WorkloadSpreadStatus, type WorkloadSpreadSubsetStatus } from '../../api/workloadspread.ts';
import { subsetMaxReplicas } from './replicas.ts';
import { conditionOf, injectedValue, MATCHED_ANNOTATION, rfc3339 } from './types.ts';

const MAX_INT32 = 2 ** 31 - 1;

/** Fresh per-subset statuses of a version nobody has counted yet: the full quota of each subset. */
export function initialSubsetStatuses(ws: WorkloadSpread, workloadReplicas: number): WorkloadSpreadSubsetStatus[] {
  return ws.spec.subsets.map((s) => ({ name: s.name, replicas: 0, missingReplicas: subsetMaxReplicas(s.maxReplicas, workloadReplicas) ?? 0 }));
}

function recordedIn(statuses: readonly WorkloadSpreadSubsetStatus[], podKey: string): WorkloadSpreadSubsetStatus | undefined {
  return statuses.find((s) => Object.hasOwn(s.creatingPods ?? {}, podKey) || Object.hasOwn(s.deletingPods ?? {}, podKey));
}

/** The first subset in spec order that is not Schedulable=False and still has room (or is unlimited). */
export function firstSuitableSubset(statuses: readonly WorkloadSpreadSubsetStatus[]): WorkloadSpreadSubsetStatus | undefined {
  return statuses.find((s) => conditionOf(s, SUBSET_SCHEDULABLE)?.status !== 'False' && (s.missingReplicas > 0 || s.missingReplicas === -1));
}

export interface CreationPlan {
  /** The subset to inject; undefined leaves the pod unmodified. */
  subset?: string;
  /** Set when the pod had no name and its creatingPods entry is keyed by this uid. */
  uid?: string;
  /** The status to write back, when the bookkeeping changed it. */
  status?: WorkloadSpreadStatus;
}

export interface CreationInput {
  ws: WorkloadSpread;
  pod: V1Pod;
  version: string;
  /** Replicas of the workload (only read when a version's statuses are initialised and a subset uses a percentage). */
  workloadReplicas: number;
  now: number;
  newUid: () => string;
}

/**
 * Subset choice at pod CREATE (OpenKruise acquireSuitableSubset): one unlimited subset needs no
 * bookkeeping; StatefulSet pods go by ordinal; others take the first suitable subset of their
 * version's status, and a limited subset records the pod in creatingPods and lowers missingReplicas.
 */
export function planCreation(input: CreationInput): CreationPlan {
  const { ws, pod, version, now } = input;
  const subsets = ws.spec.subsets;
  if (subsets.length === 1 && (subsets[0]?.maxReplicas === undefined || subsets[0]?.maxReplicas === null)) return { subset: subsets[0]?.name };
  if (ws.spec.targetRef.kind === 'StatefulSet') {
    const subset = statefulSetSubset(ws, pod.metadata?.name ?? '');
    return subset ? { subset } : {};
  }
  const status: WorkloadSpreadStatus = structuredClone(ws.status ?? {});
  const versioned = { ...(status.versionedSubsetStatuses ?? {}) };
  let statuses = versioned[version] ?? [];
  if (statuses.length === 0) {
    statuses = initialSubsetStatuses(ws, input.workloadReplicas);
    versioned[version] = statuses;
  }
  const name = pod.metadata?.name ?? '';
  if (name) {
    const recorded = recordedIn(statuses, name);
    if (recorded) return { subset: recorded.name };
  }
  const chosen = firstSuitableSubset(statuses);
  if (!chosen) return {};
  if (chosen.missingReplicas === -1) return { subset: chosen.name };
  const key = name || input.newUid();
  chosen.creatingPods = { ...(chosen.creatingPods ?? {}), [key]: rfc3339(now) };
  if (chosen.missingReplicas > 0) chosen.missingReplicas--;
  return { subset: chosen.name, ...(name ? {} : { uid: key }), status: { ...status, versionedSubsetStatuses: versioned } };
}

/** StatefulSet ordinals fill subsets in order: [0, max0) to the first, [max0, max0+max1) to the next, ... */
export function statefulSetSubset(ws: WorkloadSpread, podName: string): string | undefined {
  const m = /^(.*)-([0-9]+)$/.exec(podName);
  const ordinal = m ? Number(m[2]) : -1;
  let threshold = 0;
  for (const subset of ws.spec.subsets) {
    const st = ws.status?.subsetStatuses?.find((s) => s.name === subset.name);
    if (conditionOf(st, SUBSET_SCHEDULABLE)?.status === 'False') continue;
    threshold += typeof subset.maxReplicas === 'number' ? subset.maxReplicas : MAX_INT32;
    if (ordinal < threshold) return subset.name;
  }
  return undefined;
}

export interface DeletionInput {
  ws: WorkloadSpread;
  podName: string;
  injected: InjectedWorkloadSpread;
  version: string;
  workloadReplicas: number;
  now: number;
}

/** Pod DELETE / eviction: the pod joins its subset's deletingPods and, if limited, missingReplicas rises. Undefined: nothing to write. */
export function planDeletion(input: DeletionInput): WorkloadSpreadStatus | undefined {
  const { ws, podName, injected } = input;
  const subsets = ws.spec.subsets;
  if (subsets.length === 1 && (subsets[0]?.maxReplicas === undefined || subsets[0]?.maxReplicas === null)) return undefined;
  if (ws.spec.targetRef.kind === 'StatefulSet') return undefined;
  const status: WorkloadSpreadStatus = structuredClone(ws.status ?? {});
  const versioned = { ...(status.versionedSubsetStatuses ?? {}) };
  let statuses = versioned[input.version] ?? [];
  if (statuses.length === 0) {
    statuses = initialSubsetStatuses(ws, input.workloadReplicas);
    versioned[input.version] = statuses;
  }
  if (recordedIn(statuses, podName)) return undefined;
  const subset = statuses.find((s) => s.name === injected.subset);
  if (!subset || subset.missingReplicas === -1) return undefined;
  subset.deletingPods = { ...(subset.deletingPods ?? {}), [podName]: rfc3339(input.now) };
  if (subset.missingReplicas >= 0) subset.missingReplicas++;
  return { ...status, versionedSubsetStatuses: versioned };
}

function andTerm(term: V1NodeSelectorTerm, extra: V1NodeSelectorTerm): V1NodeSelectorTerm {
  const out: V1NodeSelectorTerm = { ...term };
  if (extra.matchExpressions?.length) out.matchExpressions = [...(term.matchExpressions ?? []), ...extra.matchExpressions];
  if (extra.matchFields?.length) out.matchFields = [...(term.matchFields ?? []), ...extra.matchFields];
  return out;
}

/**
 * The pod with the subset injected: tolerations appended, preferred terms appended, the required
 * term AND-ed into every required term (or made the only one), the patch strategic-merged (a
 * changed priorityClassName clears spec.priority so admission recomputes it), and the
 * matched-workloadspread annotation. Throws when the patch cannot be applied.
 */
export function injectSubset(ws: WorkloadSpread, subsetName: string, pod: V1Pod, uid?: string): V1Pod {
  const subset = ws.spec.subsets.find((s) => s.name === subsetName);
  if (!subset) return pod;
  let out: V1Pod = structuredClone(pod);
  const spec = (out.spec ??= { containers: [] });
  if (subset.tolerations?.length) spec.tolerations = [...(spec.tolerations ?? []), ...subset.tolerations];
  const affinity = (spec.affinity ??= {});
  const node = (affinity.nodeAffinity ??= {});
  if (subset.preferredNodeSelectorTerms?.length) {
    node.preferredDuringSchedulingIgnoredDuringExecution = [...(node.preferredDuringSchedulingIgnoredDuringExecution ?? []), ...subset.preferredNodeSelectorTerms];
  }
  if (subset.requiredNodeSelectorTerm) {
    const required = (node.requiredDuringSchedulingIgnoredDuringExecution ??= { nodeSelectorTerms: [] });
    required.nodeSelectorTerms = required.nodeSelectorTerms?.length
      ? required.nodeSelectorTerms.map((t) => andTerm(t, subset.requiredNodeSelectorTerm as V1NodeSelectorTerm))
      : [subset.requiredNodeSelectorTerm];
  }
  if (subset.patch !== undefined && subset.patch !== null) {
    const patched = strategicMergePod(out, subset.patch);
    if (patched.spec?.priorityClassName !== out.spec?.priorityClassName && patched.spec) delete patched.spec.priority;
    out = patched;
  }
  const injected: InjectedWorkloadSpread = { name: ws.metadata.name ?? '', subset: subsetName, ...(uid ? { uid } : {}) };
  out.metadata = { ...(out.metadata ?? {}), labels: out.metadata?.labels ?? {}, annotations: { ...(out.metadata?.annotations ?? {}), [MATCHED_ANNOTATION]: injectedValue(injected) } };
  return out;
}
