// calculateDiffsWithExpectation: the one place that decides how many pods to create, delete and
// update, and how far to surge (spec §2.8). Scale and Update both call it, each reading only its
// own fields; the controller never scales and updates in the same reconcile.
import { isPodAvailable } from './availability.ts';
import { isAtRevision, isPodUpdatedForScaling } from './revision.ts';
import { resolveRolloutParams } from './rollout-params.ts';
import type { CloneSetFlags, CloneSetSpecView, PodView, Revisions } from './types.ts';

/** The plan's numbers. Every field is 0 unless stated; counts are of pods. */
export interface ExpectationDiffs {
  /** Pods to create (> 0 means scale out). */
  readonly scaleUpNum: number;
  /** How many of the creations should be at the current revision; may exceed scaleUpNum. */
  readonly scaleUpNumOldRevision: number;
  /** Pods to delete beyond those already specified to delete (> 0 means scale in). */
  readonly scaleDownNum: number;
  /** How many of the scale-in deletions should be current-revision pods; may exceed scaleDownNum. */
  readonly scaleDownNumOldRevision: number;
  /** Creations allowed now by scaleStrategy.maxUnavailable (only set when scaleUpNum > 0). */
  readonly scaleUpLimit: number;
  /** Ready pods that may be deleted now (only set when something is to be deleted). */
  readonly deleteReadyLimit: number;
  /** Pods temporarily wanted above replicas. */
  readonly useSurge: number;
  /** The part of useSurge that should be at the current revision. */
  readonly useSurgeOldRevision: number;
  /** > 0: pods to move to updateRevision; < 0: pods to roll back to currentRevision. */
  readonly updateNum: number;
  /** Bound on unavailable pods while updating (only set when updateNum != 0). */
  readonly updateMaxUnavailable: number;
}

/** Pod tallies per revision group ("new" = at the update revision). */
export interface RevisionCounts {
  readonly newTotal: number;
  readonly oldTotal: number;
  /** Not in PreparingDelete. */
  readonly newActive: number;
  readonly oldActive: number;
  readonly newPreDeleting: number;
  readonly oldPreDeleting: number;
  /** Active and specified to delete (label or podsToDelete). */
  readonly newToDelete: number;
  readonly oldToDelete: number;
  /** Active, not specified to delete, and not available. */
  readonly newUnavailable: number;
  readonly oldUnavailable: number;
}

/**
 * Scale counts a pod as new with revision.IsPodUpdate (PreparingUpdate counts under the
 * PreparingUpdateAsUpdate gate); Update uses plain revision equality.
 */
export type DiffPurpose = 'scale' | 'update';

export interface DiffInput {
  readonly spec: CloneSetSpecView;
  /** Active owned pods. */
  readonly pods: readonly PodView[];
  readonly revisions: Revisions;
  readonly purpose: DiffPurpose;
  readonly flags?: CloneSetFlags;
  /** Clock for minReadySeconds, in milliseconds. */
  readonly now: number;
}

/** The pod is marked for deletion: apps.kruise.io/specified-delete label, or named in podsToDelete. */
export function isSpecifiedDelete(pod: Pick<PodView, 'name' | 'specifiedDelete'>, podsToDelete: readonly string[] | undefined): boolean {
  return pod.specifiedDelete === true || (podsToDelete ?? []).includes(pod.name);
}

export function countByRevision(input: DiffInput): RevisionCounts {
  const { spec, revisions, flags, now } = input;
  const minReadySeconds = spec.minReadySeconds ?? 0;
  const podsToDelete = spec.scaleStrategy?.podsToDelete;
  const isNew = (p: PodView): boolean =>
    input.purpose === 'scale'
      ? isPodUpdatedForScaling(p, revisions.update, flags?.preparingUpdateAsUpdate ?? false)
      : isAtRevision(p, revisions.update);

  const tally = () => ({ total: 0, active: 0, preDeleting: 0, toDelete: 0, unavailable: 0 });
  const groups = { new: tally(), old: tally() };
  for (const pod of input.pods) {
    const g = isNew(pod) ? groups.new : groups.old;
    g.total++;
    if (pod.lifecycleState === 'PreparingDelete') {
      g.preDeleting++;
      continue;
    }
    g.active++;
    if (isSpecifiedDelete(pod, podsToDelete)) g.toDelete++;
    else if (!isPodAvailable(pod, minReadySeconds, now)) g.unavailable++;
  }
  const { new: n, old: o } = groups;
  return {
    newTotal: n.total, oldTotal: o.total, newActive: n.active, oldActive: o.active,
    newPreDeleting: n.preDeleting, oldPreDeleting: o.preDeleting, newToDelete: n.toDelete, oldToDelete: o.toDelete,
    newUnavailable: n.unavailable, oldUnavailable: o.unavailable,
  };
}

const oppositeSigns = (a: number, b: number): boolean => (a < 0 && b > 0) || (a > 0 && b < 0);

export function calculateDiffs(input: DiffInput): ExpectationDiffs {
  const { replicas, partition, maxSurge, maxUnavailable, scaleMaxUnavailable } = resolveRolloutParams(input.spec);
  const c = countByRevision(input);
  const podCount = input.pods.length;

  let updateOldDiff = c.oldActive - partition;
  let updateNewDiff = c.newActive - (replicas - partition);
  const totalUnavailable = c.newPreDeleting + c.oldPreDeleting + c.newUnavailable + c.oldUnavailable;
  // Without the rollback gate (or with nothing to roll back to) pods only ever move forward.
  if (input.revisions.update === input.revisions.current || !input.flags?.partitionRollback) {
    updateOldDiff = Math.max(updateOldDiff, 0);
    updateNewDiff = Math.min(updateNewDiff, 0);
  }

  let useSurge = 0;
  let useSurgeOldRevision = 0;
  if (maxSurge > 0) {
    // Surge to replace specified deletions that maxUnavailable would otherwise block.
    const toDelete = c.newToDelete + c.oldToDelete;
    let scaleSurge = 0;
    let scaleOldRevisionSurge = 0;
    if (toDelete > 0) {
      scaleSurge = Math.min(Math.max(totalUnavailable + toDelete - maxUnavailable, 0), toDelete);
      if (scaleSurge > c.newToDelete) scaleOldRevisionSurge = scaleSurge - c.newToDelete;
    }

    // Surge for the update: the smaller side of the old/new imbalance.
    let updateSurge = 0;
    let updateOldRevisionSurge = 0;
    if (oppositeSigns(updateOldDiff, updateNewDiff)) {
      if (Math.abs(updateOldDiff) <= Math.abs(updateNewDiff)) {
        updateSurge = Math.abs(updateOldDiff);
        if (updateOldDiff < 0) updateOldRevisionSurge = updateSurge;
      } else {
        updateSurge = Math.abs(updateNewDiff);
        if (updateNewDiff > 0) updateOldRevisionSurge = updateSurge;
      }
    }

    // One surge serves both purposes, since scale and update never happen in the same reconcile.
    if (scaleSurge >= updateSurge) {
      useSurge = Math.min(maxSurge, scaleSurge);
      useSurgeOldRevision = Math.min(useSurge, scaleOldRevisionSurge);
    } else {
      useSurge = Math.min(maxSurge, updateSurge);
      useSurgeOldRevision = Math.min(useSurge, updateOldRevisionSurge);
    }
  }

  let currentTotal = podCount;
  let currentTotalOld = c.oldTotal;
  if (input.flags?.scalingExcludePreparingDelete) {
    currentTotal -= c.oldPreDeleting + c.newPreDeleting;
    currentTotalOld -= c.oldPreDeleting;
  }
  const expectedTotal = replicas + useSurge;
  const expectedTotalOld = partition + useSurgeOldRevision;

  let scaleUpNum = 0;
  let scaleUpNumOldRevision = 0;
  let scaleUpLimit = 0;
  if (expectedTotal - currentTotal > 0) {
    scaleUpNum = expectedTotal - currentTotal;
    scaleUpNumOldRevision = Math.max(expectedTotalOld - currentTotalOld, 0);
    scaleUpLimit = Math.min(scaleUpNum, Math.max(scaleMaxUnavailable - totalUnavailable, 0));
  }

  // Pods already specified to delete are on their way out; do not pick more for them.
  let scaleDownNum = 0;
  let scaleDownNumOldRevision = 0;
  const excess = currentTotal - c.oldToDelete - c.newToDelete - expectedTotal;
  if (excess > 0) {
    scaleDownNum = excess;
    scaleDownNumOldRevision = Math.max(currentTotalOld - c.oldToDelete - expectedTotalOld, 0);
  }

  let deleteReadyLimit = 0;
  if (c.newToDelete > 0 || c.oldToDelete > 0 || scaleDownNum > 0) {
    deleteReadyLimit = Math.max(maxUnavailable + (podCount - replicas) - totalUnavailable, 0);
  }

  const updateNum = Math.abs(updateOldDiff) <= Math.abs(updateNewDiff) ? updateOldDiff : -updateNewDiff;
  const updateMaxUnavailable = updateNum !== 0 ? maxUnavailable + podCount - replicas : 0;

  return {
    scaleUpNum, scaleUpNumOldRevision, scaleDownNum, scaleDownNumOldRevision, scaleUpLimit,
    deleteReadyLimit, useSurge, useSurgeOldRevision, updateNum: updateNum === 0 ? 0 : updateNum, updateMaxUnavailable,
  };
}
