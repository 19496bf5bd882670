// How a pod is rewritten for an in-place update (kruise's Update -> updatePodInPlace ->
// defaultPatchUpdateSpecToPod, and Refresh -> finishGracePeriod), as plans the controllers carry
// out: an optional InPlaceUpdateReady=False first, then a pods/resize, then a pod update through a
// `mutate` applied to whatever version of the pod is live. Pure.
//
// On purpose unlike kruise 1.8: cpu/memory go through the pods/resize subresource (Kubernetes
// >= 1.33 refuses them in a plain pod update), and template label/annotation changes are applied
// at once even when the images wait for a grace period.
//
// Why the order: an update that changes images AND cpu/memory goes in two steps. First the
// pods/resize, with the pod update recording the new images in the state's nextContainerImages
// (kruise's field for a later container batch) instead of writing them; the images follow only
// once the kubelet reports the resize done (sequence.ts pendingImagesStep). Both at once break on
// a cgroup v1 kubelet (v1.34, measured on kind): it restarts the container for the new image with
// the new cpu limit before it raises the pod cgroup's quota, runc refuses the child quota
// (`cpu.cfs_quota_us: invalid argument`) and the container stays in CrashLoopBackOff; a resize
// first and the image after works. The revision label moves with the first step, as with kruise's
// batches; the update counts as completed (InPlaceUpdateReady, lifecycle) only after the second.
import type { V1Pod, V1ResourceRequirements } from '@kubernetes/client-node';
import {
  ANNOTATION_INPLACE_UPDATE_GRACE,
  ANNOTATION_INPLACE_UPDATE_STATE,
  ANNOTATION_INPLACE_UPDATE_STATE_OLD,
  ANNOTATION_LIFECYCLE_TIMESTAMP,
  CONDITION_INPLACE_UPDATE_READY,
  LABEL_CONTROLLER_REVISION_HASH,
  LABEL_LIFECYCLE_STATE,
} from '../../../api/constants.ts';
import type { InPlaceSpec, ResourceChange } from './diff.ts';
import { readGraceSpec, readInPlaceState, rfc3339, type GraceSpec, type InPlaceUpdateState } from './state.ts';

/**
 * defaultCheckPodNeedsBeUnready: a pod with the InPlaceUpdateReady readiness gate goes unready,
 * except for a resources-only update in which no changed resource's resizePolicy restarts its
 * container. (Upstream also checks the vertical-scaling gate; without it a spec has no resources.)
 */
export function needsUnready(pod: V1Pod, spec: InPlaceSpec): boolean {
  if (!(pod.spec?.readinessGates ?? []).some((g) => g.conditionType === CONDITION_INPLACE_UPDATE_READY)) return false;
  const resized = Object.entries(spec.containerResources);
  if (resized.length === 0 || Object.keys(spec.containerImages).length > 0) return true;
  return resized.some(([name, change]) => {
    const changed = new Set([...Object.keys(change.limits), ...Object.keys(change.requests)]);
    const c = (pod.spec?.containers ?? []).find((x) => x.name === name);
    return (c?.resizePolicy ?? []).some((p) => p.restartPolicy === 'RestartContainer' && changed.has(p.resourceName));
  });
}

/** Per changed container, the full resources to send through pods/resize: the pod's current ones with the changes over them. */
export function resizeFor(pod: V1Pod, changes: Readonly<Record<string, ResourceChange>>): Record<string, V1ResourceRequirements> {
  const out: Record<string, V1ResourceRequirements> = {};
  for (const c of pod.spec?.containers ?? []) {
    const change = changes[c.name];
    if (!change) continue;
    out[c.name] = {
      ...((c.resources?.limits || Object.keys(change.limits).length > 0) && { limits: { ...(c.resources?.limits ?? {}), ...change.limits } }),
      ...((c.resources?.requests || Object.keys(change.requests).length > 0) && { requests: { ...(c.resources?.requests ?? {}), ...change.requests } }),
    };
  }
  return out;
}

/** Write these images into the pod's containers (in place). */
export function setImages(pod: V1Pod, images: Readonly<Record<string, string>>): void {
  for (const c of pod.spec?.containers ?? []) {
    const image = images[c.name];
    if (image !== undefined) c.image = image;
  }
}

export interface InPlaceUpdateOptions {
  /** The target revision's name, recorded in the state and grace annotations. */
  readonly revision: string;
  /** WriteRevisionHash: the labels marking the pod as at `revision` (workload specific). */
  readonly revisionLabels: Readonly<Record<string, string>>;
  /** Move the lifecycle state to Updating (and stamp it), as the workload's AdditionalFuncs do. */
  readonly setUpdating: boolean;
  readonly now: number;
  /** inPlaceUpdateStrategy.gracePeriodSeconds: above 0 the image and resource changes are parked. */
  readonly gracePeriodSeconds: number;
}

/** How to carry out one in-place update. */
export interface InPlaceUpdatePlan {
  /** Set InPlaceUpdateReady=False (reason StartInPlaceUpdate) before touching the pod. */
  readonly markUnready: boolean;
  /** Per container, the resources to send through pods/resize before the pod update (empty: none). */
  readonly resize: Readonly<Record<string, V1ResourceRequirements>>;
  /** The pod update: revision labels, lifecycle, template metadata, state (and grace) annotation, images. */
  readonly mutate: (live: V1Pod) => V1Pod;
}

/** updatePodInPlace: decided from the cached pod; `mutate` records the live pod's imageIDs. */
export function planInPlaceUpdate(cached: V1Pod, spec: InPlaceSpec, opts: InPlaceUpdateOptions): InPlaceUpdatePlan {
  const stamp = rfc3339(opts.now);
  const resourceNames = Object.keys(spec.containerResources);
  const grace = (live: V1Pod): boolean => opts.gracePeriodSeconds > 0 && touchedContainers(live, spec).length > 0;

  const mutate = (live: V1Pod): V1Pod => {
    const next = structuredClone(live);
    const labels = ((next.metadata ??= {}).labels ??= {});
    const annotations = (next.metadata.annotations ??= {});
    // Revision and lifecycle first, then the template's own metadata, in kruise's order.
    Object.assign(labels, opts.revisionLabels);
    if (opts.setUpdating) {
      labels[LABEL_LIFECYCLE_STATE] = 'Updating';
      annotations[ANNOTATION_LIFECYCLE_TIMESTAMP] = stamp;
    }
    for (const k of spec.metadata.removeLabels) delete labels[k];
    for (const k of spec.metadata.removeAnnotations) delete annotations[k];
    Object.assign(labels, spec.metadata.labels);
    Object.assign(annotations, spec.metadata.annotations);

    const parking = grace(live);
    const touched = touchedContainers(live, spec);
    const images = imagesFor(live, spec.containerImages);
    // Images and resources together: this write goes with the resize, the images wait for it.
    const held = !parking && holdsImages(live, spec.containerImages, spec.containerResources);
    const state: InPlaceUpdateState = {
      revision: opts.revision,
      updateTimestamp: stamp,
      ...(Object.keys(images).length > 0 && { updateImages: true }),
      ...(resourceNames.length > 0 && { updateResources: true }),
    };
    if (held) {
      state.nextContainerImages = images;
      state.containerBatchesRecord = [{ timestamp: stamp, containers: touched.filter((n) => spec.containerResources[n] !== undefined) }];
    } else {
      for (const cs of live.status?.containerStatuses ?? []) {
        if (images[cs.name] !== undefined) (state.lastContainerStatuses ??= {})[cs.name] = { imageID: cs.imageID ?? '' };
      }
      state.containerBatchesRecord = [{ timestamp: stamp, containers: touched }];
    }
    annotations[ANNOTATION_INPLACE_UPDATE_STATE] = JSON.stringify(state);
    delete annotations[ANNOTATION_INPLACE_UPDATE_STATE_OLD];

    if (parking) {
      const parked: GraceSpec = { revision: opts.revision, containerImages: spec.containerImages, containerResources: spec.containerResources, graceSeconds: opts.gracePeriodSeconds };
      annotations[ANNOTATION_INPLACE_UPDATE_GRACE] = JSON.stringify(parked);
    } else {
      delete annotations[ANNOTATION_INPLACE_UPDATE_GRACE];
      if (!held) setImages(next, spec.containerImages);
    }
    return next;
  };
  return { markUnready: needsUnready(cached, spec), resize: grace(cached) ? {} : resizeFor(cached, spec.containerResources), mutate };
}

/** The new images of the pod's own containers (others are ignored, as setImages does). */
function imagesFor(pod: V1Pod, images: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of pod.spec?.containers ?? []) if (images[c.name] !== undefined) out[c.name] = images[c.name] as string;
  return out;
}

/** Does the update change both images and resources of this pod, so the images must wait for the resize? */
function holdsImages(pod: V1Pod, images: Readonly<Record<string, string>>, resources: Readonly<Record<string, ResourceChange>>): boolean {
  return Object.keys(imagesFor(pod, images)).length > 0 && Object.keys(resizeFor(pod, resources)).length > 0;
}

/** The pod's containers an update changes (image or resources), sorted, as kruise records a batch. */
function touchedContainers(pod: V1Pod, spec: InPlaceSpec): string[] {
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  return names.filter((n) => spec.containerImages[n] !== undefined || spec.containerResources[n] !== undefined).sort();
}

export type GraceStep =
  | { readonly kind: 'none' }
  /** Still inside the grace period: look again after remainingMs (whole seconds, as kruise rounds up). */
  | { readonly kind: 'wait'; readonly remainingMs: number }
  /**
   * Apply now: resize (when resources were parked), then `mutate` the live pod; undefined when the
   * live pod no longer carries the grace annotation. A pod whose revision moved on since only loses
   * the stale grace annotation, so it goes through the normal update again.
   */
  | { readonly kind: 'finish'; readonly resize: Readonly<Record<string, V1ResourceRequirements>>; readonly mutate: (live: V1Pod) => V1Pod | undefined };

/** EqualToRevisionHash: is the pod labelled as at this revision (workload specific)? */
export type RevisionMatcher = (pod: V1Pod, revision: string) => boolean;

/** The default revision adapter: the controller-revision-hash label holds the revision name. */
export const labelIsRevision: RevisionMatcher = (pod, revision) => pod.metadata?.labels?.[LABEL_CONTROLLER_REVISION_HASH] === revision;

/**
 * finishGracePeriod: the parked update is applied once gracePeriodSeconds have passed since the
 * state annotation's updateTimestamp. Without a readable state there is nothing to time it from,
 * so the grace annotation is dropped like a stale one.
 */
export function graceStep(pod: V1Pod, now: number, isAtRevision: RevisionMatcher): GraceStep {
  const parked = readGraceSpec(pod);
  if (parked === undefined) return { kind: 'none' };
  const state = readInPlaceState(pod);
  const revision = parked.revision ?? state?.revision;
  const current = (p: V1Pod): boolean => state !== undefined && revision !== undefined && isAtRevision(p, revision);
  if (current(pod)) {
    const since = Date.parse(state?.updateTimestamp ?? '');
    const due = (Number.isNaN(since) ? now : since) + parked.graceSeconds * 1000;
    if (due > now) return { kind: 'wait', remainingMs: Math.ceil((due - now) / 1000) * 1000 };
  }
  return {
    kind: 'finish',
    resize: current(pod) ? resizeFor(pod, parked.containerResources) : {},
    mutate: (live) => {
      const annotations = live.metadata?.annotations ?? {};
      if ((annotations[ANNOTATION_INPLACE_UPDATE_GRACE] ?? '') === '') return undefined;
      const next = structuredClone(live);
      const rest = { ...annotations };
      delete rest[ANNOTATION_INPLACE_UPDATE_GRACE];
      next.metadata = { ...next.metadata, annotations: rest };
      if (!current(pod) || !current(live)) return next;
      const liveState = readInPlaceState(live);
      if (liveState !== undefined && holdsImages(live, parked.containerImages, parked.containerResources)) {
        // The resize just sent goes first: the images wait in the state, as for an update without grace.
        const { lastContainerStatuses: _recordedWithTheImages, ...held } = liveState;
        rest[ANNOTATION_INPLACE_UPDATE_STATE] = JSON.stringify({ ...held, nextContainerImages: imagesFor(live, parked.containerImages) } satisfies InPlaceUpdateState);
      } else {
        setImages(next, parked.containerImages);
      }
      return next;
    },
  };
}
