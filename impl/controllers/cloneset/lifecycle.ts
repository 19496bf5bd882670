// Lifecycle hooks (spec §1.2): a hook holds a pod in a Preparing* state while the pod carries the
// hook's labels or finalizers; the user releases the pod by removing them.
import type { Lifecycle, LifecycleHook, PodView } from './types.ts';

type HookFacts = Pick<PodView, 'labels' | 'finalizers'>;

// A missing label reads as "", so a handler label with value "" matches a pod without it (as in Go).
const labelMatches = (pod: HookFacts, key: string, value: string): boolean => (pod.labels[key] ?? '') === value;

/** IsPodHooked: ANY of the hook's finalizers is present, or ANY of its labels has its value. */
export function isPodHooked(hook: LifecycleHook | undefined, pod: HookFacts): boolean {
  if (!hook) return false;
  if ((hook.finalizersHandler ?? []).some((f) => (pod.finalizers ?? []).includes(f))) return true;
  return Object.entries(hook.labelsHandler ?? {}).some(([k, v]) => labelMatches(pod, k, v));
}

/** IsPodAllHooked: ALL finalizers present and ALL labels matching; false for an unset hook. */
export function isPodAllHooked(hook: LifecycleHook | undefined, pod: HookFacts): boolean {
  if (!hook) return false;
  if (!(hook.finalizersHandler ?? []).every((f) => (pod.finalizers ?? []).includes(f))) return false;
  return Object.entries(hook.labelsHandler ?? {}).every(([k, v]) => labelMatches(pod, k, v));
}

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
