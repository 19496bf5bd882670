// Which revision a pod is at. Pods may carry the full revision name ("cs-7d5b8c9f4") or, with the
// CloneSetShortHash gate, only the hash; both compare by the text after the last '-'.
import type { PodView } from './types.ts';

/** The hash part of a revision name: the text after its last '-'. */
export function shortHash(revision: string): string {
  return revision.slice(revision.lastIndexOf('-') + 1);
}

/** EqualToRevisionHash: the pod's controller-revision-hash names this revision. */
export function isAtRevision(pod: Pick<PodView, 'revision'>, revision: string): boolean {
  return pod.revision === revision || shortHash(pod.revision) === shortHash(revision);
}

/**
 * revision.IsPodUpdate, used when counting for scaling: at the update revision, or (gate
 * PreparingUpdateAsUpdate) in PreparingUpdate, i.e. about to be updated in place.
 */
export function isPodUpdatedForScaling(
  pod: Pick<PodView, 'revision' | 'lifecycleState'>,
  updateRevision: string,
  preparingUpdateAsUpdate: boolean,
): boolean {
  if (preparingUpdateAsUpdate && pod.lifecycleState === 'PreparingUpdate') return true;
  return isAtRevision(pod, updateRevision);
}

/**
 * status.currentRevision for this reconcile: the previous one if that revision still exists,
 * otherwise (first reconcile, or history truncated) the update revision.
 */
export function resolveCurrentRevision(previous: string | undefined, existing: readonly string[], updateRevision: string): string {
  return previous !== undefined && existing.includes(previous) ? previous : updateRevision;
}
