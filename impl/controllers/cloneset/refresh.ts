// Update step 1 (refreshPodState + fixPodTemplateHashLabel): per-pod housekeeping done on every
// reconcile before any update is planned. If it changes a pod's lifecycle state or labels, the
// reconcile stops there and the next one plans updates from the refreshed pods.
import { isPodAllHooked, stateAfterInPlaceUpdate } from './lifecycle.ts';
import { shortHash, isAtRevision } from './revision.ts';
import { LABEL_POD_TEMPLATE_HASH, type Lifecycle, type LifecycleState, type PodView } from './types.ts';

export interface PodRefresh {
  readonly pod: string;
  /**
   * Set the InPlaceUpdateReady condition True: no in-place update is pending. (The in-place
   * engine's own work, finishing grace periods and launching later container batches, is not
   * planned here.) This alone does not block the update step.
   */
  readonly setInPlaceUpdateReady: boolean;
  /** Move to this lifecycle state; markPodNotReady comes from the inPlaceUpdate hook. */
  readonly lifecycle?: { readonly state: LifecycleState; readonly markPodNotReady: boolean };
  /** Add the pod-template-hash label (pods created before kruise 1.1 lack it). */
  readonly podTemplateHash?: string;
}

export interface RefreshPlan {
  readonly refreshes: readonly PodRefresh[];
  /** A lifecycle or label patch is planned, so Update stops after applying the refreshes. */
  readonly blocksUpdate: boolean;
}

type RefreshFacts = Pick<PodView, 'name' | 'revision' | 'labels' | 'finalizers' | 'lifecycleState' | 'inPlaceUpdateReady' | 'inPlaceUpdate'>;

/** The in-place engine's completion check: not in grace, and no state or a completed one. */
export function isInPlaceUpdateDone(pod: Pick<PodView, 'inPlaceUpdate'>): boolean {
  return pod.inPlaceUpdate === undefined || (!pod.inPlaceUpdate.inGracePeriod && pod.inPlaceUpdate.completed);
}

/** The lifecycle transition refreshPodState makes, if any (spec §2.9). */
export function nextLifecycleState(pod: RefreshFacts, lifecycle: Lifecycle | undefined, updateRevision: string): LifecycleState | undefined {
  switch (pod.lifecycleState) {
    case 'PreparingNormal':
      return lifecycle?.preNormal === undefined || isPodAllHooked(lifecycle.preNormal, pod) ? 'Normal' : undefined;
    case 'PreparingUpdate':
      // Rolled back before the in-place update started: nothing to update, just finish.
      return isAtRevision(pod, updateRevision) ? stateAfterInPlaceUpdate(lifecycle, pod) : undefined;
    case 'Updating':
      return isInPlaceUpdateDone(pod) ? stateAfterInPlaceUpdate(lifecycle, pod) : undefined;
    case 'Updated':
      return lifecycle?.inPlaceUpdate === undefined || isPodAllHooked(lifecycle.inPlaceUpdate, pod) ? 'Normal' : undefined;
    default:
      return undefined;
  }
}

export function planPodRefresh(pod: RefreshFacts, lifecycle: Lifecycle | undefined, updateRevision: string): PodRefresh | undefined {
  // CloneSet pods always carry the InPlaceUpdateReady readiness gate (spec §2.5).
  const setInPlaceUpdateReady = isInPlaceUpdateDone(pod) && pod.inPlaceUpdateReady !== true;
  const state = nextLifecycleState(pod, lifecycle, updateRevision);
  const needsHash = !Object.hasOwn(pod.labels, LABEL_POD_TEMPLATE_HASH);
  if (!setInPlaceUpdateReady && state === undefined && !needsHash) return undefined;
  return {
    pod: pod.name,
    setInPlaceUpdateReady,
    ...(state !== undefined && { lifecycle: { state, markPodNotReady: lifecycle?.inPlaceUpdate?.markPodNotReady === true } }),
    ...(needsHash && { podTemplateHash: shortHash(pod.revision) }),
  };
}

export function planRefresh(pods: readonly RefreshFacts[], lifecycle: Lifecycle | undefined, updateRevision: string): RefreshPlan {
  const refreshes = pods.flatMap((p) => planPodRefresh(p, lifecycle, updateRevision) ?? []);
  return { refreshes, blocksUpdate: refreshes.some((r) => r.lifecycle !== undefined || r.podTemplateHash !== undefined) };
}
