// Pod health as the Advanced StatefulSet controller counts it (stateful_set_utils.go). Unlike
// CloneSet, the InPlaceUpdateReady condition is not read directly: it only matters through the
// pod's own Ready condition (readiness gate).
import type { PodView } from './types.ts';

type HealthFacts = Pick<PodView, 'phase' | 'ready' | 'readySince' | 'terminating' | 'lifecycleState'>;

export const isCreated = (p: Pick<PodView, 'phase'>): boolean => p.phase !== '';
export const isRunningAndReady = (p: Pick<PodView, 'phase' | 'ready'>): boolean => p.phase === 'Running' && p.ready;

/** Lifecycle state absent or Normal. */
export const isLifecycleNormal = (p: Pick<PodView, 'lifecycleState'>): boolean => p.lifecycleState === undefined || p.lifecycleState === 'Normal';

/** isHealthy: lifecycle Normal (or none), Running and Ready, not terminating. */
export function isHealthy(p: HealthFacts): boolean {
  return isLifecycleNormal(p) && isRunningAndReady(p) && !p.terminating;
}

export interface Availability {
  readonly available: boolean;
  /** When not yet available only because of minReadySeconds: ms until it will be (> 0). */
  readonly waitMs: number;
}

/**
 * isRunningAndAvailable: lifecycle Normal, Running+Ready, and Ready for minReadySeconds. Without a
 * Ready transition time the pod waits the full minReadySeconds.
 */
export function runningAndAvailable(p: HealthFacts, minReadySeconds: number, now: number): Availability {
  if (!isLifecycleNormal(p) || !isRunningAndReady(p)) return { available: false, waitMs: 0 };
  if (minReadySeconds === 0) return { available: true, waitMs: 0 };
  if (p.readySince === undefined) return { available: false, waitMs: minReadySeconds * 1000 };
  const waitMs = p.readySince + minReadySeconds * 1000 - now;
  return waitMs > 0 ? { available: false, waitMs } : { available: true, waitMs: 0 };
}

/** The in-place engine's CheckPodUpdateCompleted: not in grace, no later batch, containers done. */
export function isInPlaceUpdateCompleted(p: Pick<PodView, 'inPlace'>): boolean {
  return p.inPlace === undefined || (!p.inPlace.inGrace && !p.inPlace.pendingBatches && p.inPlace.containersCompleted);
}
