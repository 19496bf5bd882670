// Pure deletion-cost planner (OpenKruise update_pod_deletion_cost.go): for N subsets and subset
// index i (reversed for pods of a version other than the workload's latest), pods within the
// subset's quota get 100 x (N - i), the least valuable pods beyond it get -100 x (i + 1), and pods
// in no subset get -100 x (N + 1). Only ReplicaSet, Deployment and CloneSet targets read it.
import type { V1Pod } from '@kubernetes/client-node';
import type { WorkloadSpread, WorkloadSpreadSubset } from '../../api/workloadspread.ts';
import { activePodsLess, comparatorFromLess, type ActivePodFacts, type PodPhase } from '../shared/active-pods.ts';
import { subsetMaxReplicas } from './replicas.ts';
import { FAKE_SUBSET, isPodActive, parseTime } from './types.ts';

export const DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';
export const DELETION_COST_KINDS: ReadonlySet<string> = new Set(['ReplicaSet', 'Deployment', 'CloneSet']);

export function podFacts(pod: V1Pod): ActivePodFacts {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const restarts = Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
  return {
    nodeName: pod.spec?.nodeName ?? '',
    phase: (pod.status?.phase ?? 'Pending') as PodPhase,
    ready: ready?.status === 'True',
    ...(ready?.lastTransitionTime ? { readySince: parseTime(String(ready.lastTransitionTime as unknown as string)) as number } : {}),
    restartCount: restarts,
    ...(pod.metadata?.creationTimestamp ? { creationTime: parseTime(String(pod.metadata.creationTimestamp as unknown as string)) as number } : {}),
  };
}

/** Desired cost per pod of one subset (subset undefined = the fake subset of unmatched pods). */
function subsetCosts(subset: WorkloadSpreadSubset | undefined, index: number, n: number, pods: readonly V1Pod[], workloadReplicas: number, out: Map<V1Pod, string>): void {
  const active = pods.filter(isPodActive);
  const positive = String(100 * (n - index));
  const negative = String(-100 * (index + 1));
  if (!subset) {
    for (const p of active) out.set(p, negative);
    return;
  }
  const max = subsetMaxReplicas(subset.maxReplicas, workloadReplicas);
  if (max === undefined) return;
  if (max === -1 || active.length <= max) {
    for (const p of active) out.set(p, positive);
    return;
  }
  const ranked = [...active].sort((a, b) => comparatorFromLess(activePodsLess)(podFacts(a), podFacts(b)));
  ranked.forEach((p, i) => out.set(p, i < active.length - max ? negative : positive));
}

/** Pod → desired deletion cost, for every version's grouping. */
export function planDeletionCosts(ws: WorkloadSpread, versioned: ReadonlyMap<string, ReadonlyMap<string, readonly V1Pod[]>>, latestVersion: string, workloadReplicas: number): Map<V1Pod, string> {
  const out = new Map<V1Pod, string>();
  const n = ws.spec.subsets.length;
  for (const [version, podMap] of versioned) {
    const reverse = version !== latestVersion;
    ws.spec.subsets.forEach((s, i) => subsetCosts(s, reverse ? n - i - 1 : i, n, podMap.get(s.name) ?? [], workloadReplicas, out));
    const fake = podMap.get(FAKE_SUBSET) ?? [];
    if (fake.length) subsetCosts(undefined, n, n, fake, workloadReplicas, out);
  }
  return out;
}

/** The pods whose annotation differs from the plan (a missing annotation planned as "0" is left alone). */
export function costChanges(plan: ReadonlyMap<V1Pod, string>): Array<{ pod: V1Pod; cost: string }> {
  const changes: Array<{ pod: V1Pod; cost: string }> = [];
  for (const [pod, cost] of plan) {
    const current = pod.metadata?.annotations?.[DELETION_COST];
    if (current === cost || (current === undefined && cost === '0')) continue;
    changes.push({ pod, cost });
  }
  return changes;
}
