// Pure status planner of the WorkloadSpread controller: per subset replicas, missingReplicas,
// the creatingPods / deletingPods entries still in flight, and (Adaptive with
// rescheduleCriticalSeconds) the Schedulable condition and the pods to delete for rescheduling;
// overall (status.subsetStatuses) and per pod version (status.versionedSubsetStatuses).
import type { V1Pod } from '@kubernetes/client-node';
import {
  SUBSET_SCHEDULABLE,
  type WorkloadSpread,
  type WorkloadSpreadStatus,
  type WorkloadSpreadSubset,
  type WorkloadSpreadSubsetCondition,
  type WorkloadSpreadSubsetStatus,
} from '../../api/workloadspread.ts';
import { subsetMaxReplicas } from './replicas.ts';
import { conditionOf, CREATE_POD_TIMEOUT_MS, DELETE_POD_TIMEOUT_MS, injectedOf, isPodActive, MAX_SCHEDULED_FAILED_MS, parseTime, rfc3339 } from './types.ts';

/** Pods grouped by subset name (FAKE_SUBSET for the unmatched). */
export type SubsetPods = ReadonlyMap<string, readonly V1Pod[]>;

export interface StatusEvent {
  type: 'Normal' | 'Warning';
  reason: 'CreatePodFailed' | 'DeletePodFailed' | 'RecoverSchedulable';
  message: string;
}

/** What one pass computes besides the status: events, pods to delete, when to look again. */
export interface StatusEffects {
  events: StatusEvent[];
  /** Subset → unschedulable pods past rescheduleCriticalSeconds (to delete). */
  rescheduled: Map<string, V1Pod[]>;
  /** Shortest wait until an entry expires or a pending pod times out, in ms. */
  requeueAfterMs?: number;
}

const emptyEffects = (): StatusEffects => ({ events: [], rescheduled: new Map() });

function requeue(fx: StatusEffects, ms: number): void {
  if (ms > 0 && (fx.requeueAfterMs === undefined || ms < fx.requeueAfterMs)) fx.requeueAfterMs = ms;
}

/** One subset's status from its pods and its previous status (calculateWorkloadSpreadSubsetStatus). */
export function subsetStatus(
  ws: WorkloadSpread,
  subset: WorkloadSpreadSubset,
  pods: readonly V1Pod[],
  old: WorkloadSpreadSubsetStatus | undefined,
  workloadReplicas: number,
  now: number,
  fx: StatusEffects,
): WorkloadSpreadSubsetStatus | undefined {
  const max = subsetMaxReplicas(subset.maxReplicas, workloadReplicas);
  if (max === undefined) return undefined;
  const out: WorkloadSpreadSubsetStatus = { name: subset.name, replicas: 0, missingReplicas: max };
  const creating: Record<string, string> = {};
  const deleting: Record<string, string> = {};
  const oldCreating = new Map(Object.entries(old?.creatingPods ?? {}));
  const oldDeleting = old?.deletingPods ?? {};
  const ns = ws.metadata.namespace ?? '';
  for (const pod of pods) {
    const injected = injectedOf(pod);
    oldCreating.delete(injected?.uid ? injected.uid : (pod.metadata?.name ?? ''));
    if (!isPodActive(pod)) continue;
    out.replicas++;
    if (out.missingReplicas > 0) out.missingReplicas--;
    const name = pod.metadata?.name ?? '';
    const since = Object.hasOwn(oldDeleting, name) ? parseTime(oldDeleting[name]) : undefined;
    if (since === undefined) continue;
    const expires = since + DELETE_POD_TIMEOUT_MS;
    if (expires < now) {
      fx.events.push({ type: 'Warning', reason: 'DeletePodFailed', message: `Pod ${ns}/${name} was expected to be deleted but it wasn't` });
    } else {
      deleting[name] = oldDeleting[name] as string;
      if (out.missingReplicas < max) out.missingReplicas++;
      requeue(fx, expires - now);
    }
  }
  for (const [id, at] of oldCreating) {
    const since = parseTime(at);
    if (since === undefined) continue;
    const expires = since + CREATE_POD_TIMEOUT_MS;
    if (expires < now) {
      fx.events.push({ type: 'Warning', reason: 'CreatePodFailed', message: `Pod ${ns}/${id} was expected to be created but it wasn't` });
    } else {
      creating[id] = at;
      if (out.missingReplicas > 0) out.missingReplicas--;
      requeue(fx, expires - now);
    }
  }
  if (Object.keys(creating).length) out.creatingPods = creating;
  if (Object.keys(deleting).length) out.deletingPods = deleting;
  return out;
}

/** Pending, unbound, PodScheduled=False/Unschedulable, and older than the critical seconds. */
export function unschedulableTooLong(pod: V1Pod, criticalSeconds: number, now: number, fx?: StatusEffects): boolean {
  if (pod.metadata?.deletionTimestamp || pod.status?.phase !== 'Pending' || pod.spec?.nodeName) return false;
  const cond = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
  if (!cond) return false;
  const created = parseTime(pod.metadata?.creationTimestamp as unknown as string | undefined) ?? now;
  const deadline = created + criticalSeconds * 1000;
  if (deadline < now) return true;
  if (fx) requeue(fx, deadline - now);
  return false;
}

function setCondition(status: WorkloadSpreadSubsetStatus, cond: WorkloadSpreadSubsetCondition): void {
  const current = conditionOf(status, cond.type);
  if (current && current.status === cond.status && (current.reason ?? '') === (cond.reason ?? '')) return;
  const next = current && current.status === cond.status ? { ...cond, lastTransitionTime: current.lastTransitionTime } : cond;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

const schedulable = (value: 'True' | 'False', now: number): WorkloadSpreadSubsetCondition => ({ type: SUBSET_SCHEDULABLE, status: value, lastTransitionTime: rfc3339(now) });

/** The Schedulable condition of a non-last subset and its pods to reschedule (rescheduleSubset). */
function reschedule(ws: WorkloadSpread, pods: readonly V1Pod[], status: WorkloadSpreadSubsetStatus, old: WorkloadSpreadSubsetStatus | undefined, critical: number, now: number, fx: StatusEffects): V1Pod[] {
  const failed = pods.filter((p) => unschedulableTooLong(p, critical, now, fx));
  const unschedulable = failed.length > 0;
  const oldCond = conditionOf(old, SUBSET_SCHEDULABLE);
  if (!oldCond) {
    setCondition(status, schedulable(unschedulable ? 'False' : 'True', now));
    return failed;
  }
  setCondition(status, { ...oldCond });
  if (unschedulable) setCondition(status, schedulable('False', now));
  else if (oldCond.status === 'False') {
    const recoverAt = (parseTime(oldCond.lastTransitionTime) ?? now) + MAX_SCHEDULED_FAILED_MS;
    if (recoverAt < now) {
      fx.events.push({ type: 'Normal', reason: 'RecoverSchedulable', message: `Subset ${status.name} of WorkloadSpread ${ws.metadata.namespace}/${ws.metadata.name} is recovered from unschedulable to schedulable` });
      setCondition(status, schedulable('True', now));
    } else {
      requeue(fx, recoverAt - now);
    }
  }
  return failed;
}

/** All subsets' statuses for one pod grouping; undefined when a maxReplicas cannot be resolved. */
export function subsetStatuses(
  ws: WorkloadSpread,
  old: readonly WorkloadSpreadSubsetStatus[] | undefined,
  podMap: SubsetPods,
  workloadReplicas: number,
  now: number,
  fx: StatusEffects,
): WorkloadSpreadSubsetStatus[] | undefined {
  const oldByName = new Map((old ?? []).map((s) => [s.name, s]));
  const strategy = ws.spec.scheduleStrategy;
  const critical = strategy?.type === 'Adaptive' ? (strategy.adaptive?.rescheduleCriticalSeconds ?? 0) : 0;
  const out: WorkloadSpreadSubsetStatus[] = [];
  for (const [i, subset] of ws.spec.subsets.entries()) {
    const pods = podMap.get(subset.name) ?? [];
    const prev = oldByName.get(subset.name);
    const st = subsetStatus(ws, subset, pods, prev, workloadReplicas, now, fx);
    if (!st) return undefined;
    if (critical > 0) {
      if (i !== ws.spec.subsets.length - 1) {
        const failed = reschedule(ws, pods, st, prev, critical, now, fx);
        if (failed.length) fx.rescheduled.set(subset.name, failed);
      } else {
        const prevCond = conditionOf(prev, SUBSET_SCHEDULABLE);
        if (prevCond) setCondition(st, { ...prevCond });
        setCondition(st, schedulable('True', now));
      }
    }
    out.push(st);
  }
  return out;
}

function emptyStatuses(statuses: readonly WorkloadSpreadSubsetStatus[]): boolean {
  return statuses.every((s) => s.replicas === 0 && Object.keys(s.creatingPods ?? {}).length === 0 && Object.keys(s.deletingPods ?? {}).length === 0);
}

/**
 * The whole status (calculateWorkloadSpreadStatus): subsetStatuses over every pod, one list per
 * observed version, and the versions the webhook recorded but no pod shows yet while they still
 * hold bookkeeping. Rescheduling decisions come from the overall statuses only.
 */
export function workloadSpreadStatus(
  ws: WorkloadSpread,
  versioned: ReadonlyMap<string, SubsetPods>,
  all: SubsetPods,
  workloadReplicas: number,
  now: number,
): { status: WorkloadSpreadStatus; effects: StatusEffects } | undefined {
  const fx = emptyEffects();
  const overall = subsetStatuses(ws, ws.status?.subsetStatuses, all, workloadReplicas, now, fx);
  if (!overall) return undefined;
  const byVersion: Record<string, WorkloadSpreadSubsetStatus[]> = {};
  const quiet = emptyEffects();
  for (const [version, podMap] of versioned) {
    const st = subsetStatuses(ws, ws.status?.versionedSubsetStatuses?.[version], podMap, workloadReplicas, now, quiet);
    if (st) byVersion[version] = st;
  }
  for (const version of Object.keys(ws.status?.versionedSubsetStatuses ?? {})) {
    if (versioned.has(version)) continue;
    const st = subsetStatuses(ws, ws.status?.versionedSubsetStatuses?.[version], new Map(), workloadReplicas, now, quiet);
    if (st && !emptyStatuses(st)) byVersion[version] = st;
  }
  fx.events.push(...quiet.events);
  if (quiet.requeueAfterMs !== undefined) requeue(fx, quiet.requeueAfterMs);
  const status: WorkloadSpreadStatus = { observedGeneration: ws.metadata.generation ?? 0, subsetStatuses: overall };
  if (Object.keys(byVersion).length) status.versionedSubsetStatuses = byVersion;
  return { status, effects: fx };
}
