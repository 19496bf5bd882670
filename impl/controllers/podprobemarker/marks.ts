// What probe results do to a pod. Node agent (OpenKruise nodepodprobe updatePodProbeStatus): each
// state of a PodProbeStatus becomes the probe's pod condition and applies the matching state's
// marks while deleting the opposite state's keys. Serverless (podprobemarker markServerlessPod):
// each pod condition of a probe with a markerPolicy applies that state's marks, adding or
// overwriting only. Pure.
import type { V1Pod, V1PodCondition } from '@kubernetes/client-node';
import type { PodProbeMarker, PodProbeStatus, ProbeMarkerPolicy } from '../../api/podprobemarker.ts';
import { splitProbeName } from './node-probes.ts';

/** Key → value to set, or null to delete. */
export type MarkChanges = Map<string, string | null>;

export interface ProbeResultPlan {
  conditions: V1PodCondition[];
  labels: MarkChanges;
  annotations: MarkChanges;
}

/** The markers a pod's states refer to (by name in the pod's namespace); undefined when gone or deleting. */
export type MarkerLookup = (name: string) => PodProbeMarker | undefined;

function addMarks(changes: { labels: MarkChanges; annotations: MarkChanges }, policy: ProbeMarkerPolicy | undefined, remove: boolean): void {
  if (!policy) return;
  for (const [k, v] of Object.entries(policy.labels ?? {})) changes.labels.set(k, remove ? null : v);
  for (const [k, v] of Object.entries(policy.annotations ?? {})) changes.annotations.set(k, remove ? null : v);
}

/** Conditions and marks of one pod's reported states; a condition type already set by an earlier state is not set again. */
export function planProbeResults(status: PodProbeStatus, marker: MarkerLookup): ProbeResultPlan {
  const plan: ProbeResultPlan = { conditions: [], labels: new Map(), annotations: new Map() };
  const seen = new Set<string>();
  for (const state of status.probeStates ?? []) {
    if (!state.state) continue;
    const names = splitProbeName(state.name);
    const ppm = marker(names.marker);
    if (!ppm || ppm.metadata?.deletionTimestamp) continue;
    const probe = ppm.spec?.probes?.find((p) => p.name === names.probe);
    const type = probe?.podConditionType ?? '';
    if (type && !seen.has(type)) {
      seen.add(type);
      plan.conditions.push({
        type,
        status: state.state === 'Succeeded' ? 'True' : 'False',
        ...(state.lastProbeTime ? { lastProbeTime: state.lastProbeTime as unknown as Date } : {}),
        ...(state.lastTransitionTime ? { lastTransitionTime: state.lastTransitionTime as unknown as Date } : {}),
        ...(state.message ? { message: state.message } : {}),
      });
    }
    const policies = probe?.markerPolicy ?? [];
    addMarks(plan, policies.find((p) => p.state !== state.state), true);
    addMarks(plan, policies.find((p) => p.state === state.state), false);
  }
  return plan;
}

function applyChanges(current: Record<string, string> | undefined, changes: MarkChanges): Record<string, string> {
  const out = { ...current };
  for (const [k, v] of changes) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The pod with the plan's labels and annotations; undefined when they are already so. */
export function podWithMarks(pod: V1Pod, labels: MarkChanges, annotations: MarkChanges): V1Pod | undefined {
  const nextLabels = applyChanges(pod.metadata?.labels, labels);
  const nextAnnotations = applyChanges(pod.metadata?.annotations, annotations);
  if (same(nextLabels, pod.metadata?.labels ?? {}) && same(nextAnnotations, pod.metadata?.annotations ?? {})) return undefined;
  return { ...pod, metadata: { ...pod.metadata, labels: nextLabels, annotations: nextAnnotations } };
}

/** The pod with the plan's conditions (one is replaced only when its status or message changes); undefined when nothing changes. */
export function podWithConditions(pod: V1Pod, conditions: readonly V1PodCondition[]): V1Pod | undefined {
  let current = pod.status?.conditions ?? [];
  let changed = false;
  for (const c of conditions) {
    const i = current.findIndex((x) => x.type === c.type);
    if (i < 0) current = [...current, c];
    else if (current[i]!.status !== c.status || (current[i]!.message ?? '') !== (c.message ?? '')) current = current.map((x, j) => (j === i ? c : x));
    else continue;
    changed = true;
  }
  return changed ? { ...pod, status: { ...pod.status, conditions: current } } : undefined;
}

/** Serverless: the marks of each probe with a condition and a markerPolicy whose condition the pod reports; only sets keys. */
export function planServerlessMarks(pod: V1Pod, ppm: PodProbeMarker): { labels: MarkChanges; annotations: MarkChanges } {
  const changes = { labels: new Map<string, string | null>(), annotations: new Map<string, string | null>() };
  for (const probe of ppm.spec?.probes ?? []) {
    if (!probe.podConditionType || !probe.markerPolicy?.length) continue;
    const cond = pod.status?.conditions?.find((c) => c.type === probe.podConditionType);
    if (!cond) continue;
    const state = cond.status === 'True' ? 'Succeeded' : cond.status === 'False' ? 'Failed' : undefined;
    for (const policy of probe.markerPolicy) if (policy.state === state) addMarks(changes, policy, false);
  }
  return changes;
}
