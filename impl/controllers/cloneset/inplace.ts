// The CloneSet's binding of the shared in-place engine (../shared/inplace, spec §1.3, §2.12): its
// revision labels (controller-revision-hash, short with CloneSetShortHash, plus pod-template-hash),
// lifecycle Updating on every in-place update, and the planners' view of a pod's progress.
import type { V1Pod } from '@kubernetes/client-node';
import { LABEL_CONTROLLER_REVISION_HASH, LABEL_POD_TEMPLATE_HASH } from '../../api/constants.ts';
import type { InPlaceSpec } from '../shared/inplace/diff.ts';
import { graceStep, planInPlaceUpdate, type GraceStep, type InPlaceUpdatePlan, type RevisionMatcher } from '../shared/inplace/apply.ts';
import { inPlaceProgress, isInPlaceCompleted } from '../shared/inplace/progress.ts';
import { pendingImagesStep, type ImagesStep } from '../shared/inplace/sequence.ts';
import { shortHash } from './revision.ts';
import type { InPlaceUpdateView } from './types.ts';

export interface InPlaceWriteOptions {
  /** Full revision name (state annotation) and the label value (short hash with CloneSetShortHash). */
  readonly revision: string;
  readonly revisionLabel: string;
  readonly now: number;
  /** updateStrategy.inPlaceUpdateStrategy.gracePeriodSeconds. */
  readonly gracePeriodSeconds: number;
}

/** updatePodInPlace for a CloneSet pod. */
export function planInPlaceWrite(cached: V1Pod, spec: InPlaceSpec, opts: InPlaceWriteOptions): InPlaceUpdatePlan {
  return planInPlaceUpdate(cached, spec, {
    revision: opts.revision,
    revisionLabels: { [LABEL_CONTROLLER_REVISION_HASH]: opts.revisionLabel, [LABEL_POD_TEMPLATE_HASH]: shortHash(opts.revision) },
    setUpdating: true,
    now: opts.now,
    gracePeriodSeconds: opts.gracePeriodSeconds,
  });
}

/** The CloneSet revision adapter's EqualToRevisionHash: the full name or its short hash. */
const atRevision: RevisionMatcher = (pod, revision) => {
  const label = pod.metadata?.labels?.[LABEL_CONTROLLER_REVISION_HASH] ?? '';
  return label === revision || shortHash(label) === shortHash(revision);
};

/** finishGracePeriod for a CloneSet pod. */
export const graceProgress = (pod: V1Pod, now: number): GraceStep => graceStep(pod, now, atRevision);

/** The images an update held until the pod's resize is done, for a CloneSet pod. */
export const heldImagesProgress = (pod: V1Pod, now: number): ImagesStep => pendingImagesStep(pod, now, atRevision);

/**
 * The planners' view of an in-place update; undefined when the pod was never updated in place.
 * Resized containers are always checked: podView has no gates, and the state only says
 * updateResources when InPlaceWorkloadVerticalScaling was on for the update.
 */
export function inPlaceView(pod: V1Pod): InPlaceUpdateView | undefined {
  const progress = inPlaceProgress(pod, true);
  return progress && { inGracePeriod: progress.inGrace, completed: isInPlaceCompleted(progress) };
}

export { withPodCondition } from '../shared/lifecycle.ts';
