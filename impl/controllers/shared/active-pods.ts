// Upstream controller.ActivePods ordering ("least valuable first"), which kruise uses as the
// default order of update candidates (CloneSet, SidecarSet) and as the base of its own scale-in
// ranking. Timestamps are milliseconds since the epoch; undefined stands for Go's zero time.

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

/** What the ordering looks at. */
export interface ActivePodFacts {
  /** Empty or undefined while unscheduled. */
  readonly nodeName?: string;
  readonly phase: PodPhase;
  /** The pod's Ready condition is True. */
  readonly ready: boolean;
  /** lastTransitionTime of the Ready condition. */
  readonly readySince?: number;
  /** Highest restartCount among the pod's containers. */
  readonly restartCount?: number;
  readonly creationTime?: number;
}

// Succeeded and Failed are absent from upstream's table, so they rank with Pending.
const PHASE_ORDINAL: Readonly<Record<PodPhase, number>> = { Pending: 0, Unknown: 1, Running: 2, Succeeded: 0, Failed: 0 };

export function phaseOrdinal(phase: PodPhase): number {
  return PHASE_ORDINAL[phase];
}

/** Go's afterOrZero: t1 is after t2, where a zero time counts as after any real time. */
export function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

const scheduled = (p: ActivePodFacts): boolean => (p.nodeName ?? '') !== '';

/** controller.ActivePods.Less: true when `a` is less valuable than `b`. */
export function activePodsLess(a: ActivePodFacts, b: ActivePodFacts): boolean {
  // 1. unassigned < assigned
  if ((a.nodeName ?? '') !== (b.nodeName ?? '') && (!scheduled(a) || !scheduled(b))) return !scheduled(a);
  // 2. Pending < Unknown < Running
  if (phaseOrdinal(a.phase) !== phaseOrdinal(b.phase)) return phaseOrdinal(a.phase) < phaseOrdinal(b.phase);
  // 3. not ready < ready
  if (a.ready !== b.ready) return !a.ready;
  // 4. ready for a shorter time < longer
  if (a.ready && b.ready && a.readySince !== b.readySince) return afterOrZero(a.readySince, b.readySince);
  // 5. more restarts < fewer
  if ((a.restartCount ?? 0) !== (b.restartCount ?? 0)) return (a.restartCount ?? 0) > (b.restartCount ?? 0);
  // 6. newer (or no creation time) < older
  if (a.creationTime !== b.creationTime) return afterOrZero(a.creationTime, b.creationTime);
  return false;
}

/** Turn a Go-style Less into a comparator for Array.prototype.sort (which is stable). */
export function comparatorFromLess<T>(less: (a: T, b: T) => boolean): (a: T, b: T) => number {
  return (a, b) => (less(a, b) ? -1 : less(b, a) ? 1 : 0);
}
