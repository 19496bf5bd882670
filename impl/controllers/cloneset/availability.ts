// Readiness and availability as CloneSet counts them (status, maxUnavailable, deletion limits).
// Beyond upstream's Running+Ready(+minReadySeconds), kruise requires the InPlaceUpdateReady
// condition (when present) to be True, and for "available" a lifecycle state of Normal or none.
import type { PodView } from './types.ts';

type AvailabilityFacts = Pick<PodView, 'phase' | 'ready' | 'readySince' | 'inPlaceUpdateReady' | 'lifecycleState'>;

/** Active pods are the ones the controller counts: not Succeeded/Failed and not being deleted. */
export function isPodActive(pod: Pick<PodView, 'phase' | 'terminating'>): boolean {
  return pod.phase !== 'Succeeded' && pod.phase !== 'Failed' && !pod.terminating;
}

/** Running, Ready, and Ready for longer than minReadySeconds (strictly, as podutil.IsPodAvailable). */
export function isRunningAndAvailable(pod: AvailabilityFacts, minReadySeconds: number, now: number): boolean {
  if (pod.phase !== 'Running' || !pod.ready) return false;
  if (minReadySeconds === 0) return true;
  return pod.readySince !== undefined && pod.readySince + minReadySeconds * 1000 < now;
}

/** IsPodUpdateReady: running and available, and InPlaceUpdateReady not False. Counts readyReplicas with minReadySeconds 0. */
export function isPodUpdateReady(pod: AvailabilityFacts, minReadySeconds: number, now: number): boolean {
  return isRunningAndAvailable(pod, minReadySeconds, now) && pod.inPlaceUpdateReady !== false;
}

/** IsPodAvailable: update-ready for minReadySeconds and in lifecycle state Normal (or none). */
export function isPodAvailable(pod: AvailabilityFacts, minReadySeconds: number, now: number): boolean {
  if (pod.lifecycleState !== undefined && pod.lifecycleState !== 'Normal') return false;
  return isPodUpdateReady(pod, minReadySeconds, now);
}

/** Scale's "ready" test for deleteReadyLimit: available with minReadySeconds 0. */
export function isPodReadyToServe(pod: AvailabilityFacts): boolean {
  return isPodAvailable(pod, 0, 0);
}
