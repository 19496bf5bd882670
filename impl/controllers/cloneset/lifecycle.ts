// Lifecycle hooks (spec §1.2): a hook holds a pod in a Preparing* state while the pod carries the
// hook's labels or finalizers; the user releases the pod by removing them.
import type { Lifecycle } from './types.ts';
import { type HookFacts, isPodAllHooked } from '../shared/lifecycle.ts';
export { isPodAllHooked, isPodHooked } from '../shared/lifecycle.ts';

/** Some hook marks pods not ready; then a PreparingDelete pod is never taken back. */
export function isLifecycleMarkPodNotReady(lifecycle: Lifecycle | undefined): boolean {
  return lifecycle?.preDelete?.markPodNotReady === true || lifecycle?.inPlaceUpdate?.markPodNotReady === true;
}

/**
 * The state after an in-place update finishes (or is found already done): Updated while the
 * inPlaceUpdate hook still has to be (re)applied by the user, Normal otherwise. With a lifecycle
 * but no inPlaceUpdate hook the pod still passes through Updated once.
 */
export function stateAfterInPlaceUpdate(lifecycle: Lifecycle | undefined, pod: HookFacts): 'Updated' | 'Normal' {
  return lifecycle !== undefined && !isPodAllHooked(lifecycle.inPlaceUpdate, pod) ? 'Updated' : 'Normal';
}
