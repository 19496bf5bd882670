// Lifecycle hooks (spec §1.2, §3.7) and the per-pod refresh every reconcile performs
// (refreshPodState + the in-place engine's Refresh): set InPlaceUpdateReady=True once nothing is
// pending, and move pods along PreparingNormal/PreparingUpdate/Updating/Updated -> Normal.
import { isInPlaceUpdateCompleted } from './availability.ts';
import type { Lifecycle, LifecycleState, PodView } from './types.ts';

import { type HookFacts, isPodAllHooked } from '../shared/lifecycle.ts';
export { isPodAllHooked, isPodHooked } from '../shared/lifecycle.ts';

/** The state a new pod is created in: PreparingNormal while a preNormal hook is not all-hooked. */
export function initialLifecycleState(lifecycle: Lifecycle | undefined, pod: HookFacts): 'Normal' | 'PreparingNormal' {
  if (lifecycle?.preNormal === undefined || isPodAllHooked(lifecycle.preNormal, pod)) return 'Normal';
  return 'PreparingNormal';
}

/** After an in-place update: Updated while the inPlaceUpdate hook must still be re-applied, else Normal. */
function stateAfterUpdate(lifecycle: Lifecycle | undefined, pod: HookFacts): 'Updated' | 'Normal' {
  return lifecycle !== undefined && !isPodAllHooked(lifecycle.inPlaceUpdate, pod) ? 'Updated' : 'Normal';
}

/** refreshPodState's lifecycle transition, if any. */
export function nextLifecycleState(
  pod: Pick<PodView, 'labels' | 'finalizers' | 'lifecycleState' | 'revision' | 'inPlace'>,
  lifecycle: Lifecycle | undefined,
  updateRevision: string,
): LifecycleState | undefined {
  switch (pod.lifecycleState) {
    case 'PreparingNormal':
      return lifecycle?.preNormal === undefined || isPodAllHooked(lifecycle.preNormal, pod) ? 'Normal' : undefined;
    case 'PreparingUpdate':
      // Rolled back while waiting for the hook: already at the update revision, just finish.
      return pod.revision === updateRevision ? stateAfterUpdate(lifecycle, pod) : undefined;
    case 'Updating':
      return isInPlaceUpdateCompleted(pod) ? stateAfterUpdate(lifecycle, pod) : undefined;
    case 'Updated':
      return lifecycle?.inPlaceUpdate === undefined || isPodAllHooked(lifecycle.inPlaceUpdate, pod) ? 'Normal' : undefined;
    default:
      return undefined;
  }
}

export interface PodRefresh {
  readonly pod: string;
  /** Set condition InPlaceUpdateReady=True (the pod has the readiness gate and nothing is pending). */
  readonly setInPlaceUpdateReady: boolean;
  /** Move to this lifecycle state; markPodNotReady comes from the inPlaceUpdate hook. */
  readonly lifecycle?: { readonly state: LifecycleState; readonly markPodNotReady: boolean };
}

type RefreshFacts = Pick<PodView, 'name' | 'labels' | 'finalizers' | 'lifecycleState' | 'revision' | 'inPlace' | 'hasInPlaceReadinessGate' | 'inPlaceUpdateReady' | 'phase' | 'terminating'>;

/**
 * The refresh of one pod, or undefined when nothing changes. The in-place engine's Refresh marks
 * the pod ready for traffic when it has the InPlaceUpdateReady gate, is not in a grace period, has
 * no later container batch, and its containers finished the last update. (Grace periods are
 * finished by the reconciler before planning, see inplace.ts graceStep; container launch priority
 * batches are not implemented.)
 */
export function planPodRefresh(pod: RefreshFacts, lifecycle: Lifecycle | undefined, updateRevision: string): PodRefresh | undefined {
  if (pod.phase === '') return undefined;
  const setInPlaceUpdateReady =
    pod.hasInPlaceReadinessGate === true && isInPlaceUpdateCompleted(pod) && pod.inPlaceUpdateReady !== true && !pod.terminating;
  const state = nextLifecycleState(pod, lifecycle, updateRevision);
  if (!setInPlaceUpdateReady && state === undefined) return undefined;
  return {
    pod: pod.name,
    setInPlaceUpdateReady,
    ...(state !== undefined && { lifecycle: { state, markPodNotReady: lifecycle?.inPlaceUpdate?.markPodNotReady === true } }),
  };
}
