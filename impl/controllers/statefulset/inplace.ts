// The Advanced StatefulSet's binding of the shared in-place engine (../shared/inplace, spec §1.3):
// the default revision adapter (controller-revision-hash holds the revision name) and lifecycle
// Updating only for pods that have a lifecycle label.
import type { V1Pod, V1PodTemplateSpec, V1ResourceRequirements } from '@kubernetes/client-node';
import { calculateInPlaceSpec as calculate, type InPlaceDecision, type InPlaceSpec } from '../shared/inplace/diff.ts';
import { graceStep as finishGrace, labelIsRevision, planInPlaceUpdate, type GraceStep } from '../shared/inplace/apply.ts';
import { pendingImagesStep, type ImagesStep } from '../shared/inplace/sequence.ts';
import { LABEL_REVISION } from './types.ts';

/** defaultCalculateInPlaceUpdateSpec between two revisions' templates. */
export const calculateInPlaceSpec = (from: V1PodTemplateSpec, to: V1PodTemplateSpec, verticalScaling: boolean): InPlaceDecision => calculate(from, to, { verticalScaling });

export interface InPlaceApplyOptions {
  readonly revision: string;
  readonly now: Date;
  /** Set lifecycle state Updating (the pod had a lifecycle label). */
  readonly setUpdating: boolean;
  /** inPlaceUpdateStrategy.gracePeriodSeconds: above 0 images and resizes wait in the grace annotation. */
  readonly gracePeriodSeconds?: number;
}

export interface InPlaceApplication {
  /** The pod to write with a normal update: revision label, state annotation, labels, images. */
  readonly pod: V1Pod;
  /** Per container, the resources to send through the pods/resize subresource (empty: no resize). */
  readonly resize: Readonly<Record<string, V1ResourceRequirements>>;
  /** Set InPlaceUpdateReady=False before updating (the pod has the readiness gate). */
  readonly markUnready: boolean;
}

/**
 * The pod after an in-place update. `verticalScaling` is implied by the spec (it only carries
 * resources with the gate on); the parameter stays for the callers.
 */
export function applyInPlaceUpdate(pod: V1Pod, spec: InPlaceSpec, _verticalScaling: boolean, opts: InPlaceApplyOptions): InPlaceApplication {
  const plan = planInPlaceUpdate(pod, spec, {
    revision: opts.revision,
    revisionLabels: { [LABEL_REVISION]: opts.revision },
    setUpdating: opts.setUpdating,
    now: opts.now.getTime(),
    gracePeriodSeconds: opts.gracePeriodSeconds ?? 0,
  });
  return { pod: plan.mutate(pod), resize: plan.resize, markUnready: plan.markUnready };
}

/** finishGracePeriod for a StatefulSet pod. */
export const graceStep = (pod: V1Pod, now: number): GraceStep => finishGrace(pod, now, labelIsRevision);

/** The images an update held until the pod's resize is done, for a StatefulSet pod. */
export const heldImagesStep = (pod: V1Pod, now: number): ImagesStep => pendingImagesStep(pod, now, labelIsRevision);
