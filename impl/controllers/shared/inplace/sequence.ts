// The second step of an in-place update that changes images and cpu/memory together (why: the
// comment at the top of apply.ts). The first step resized the pod and left the new images in the
// state's nextContainerImages; once the kubelet reports the resize done they go onto the pod. A
// resize the kubelet refuses or postpones keeps the update pending, and says so. Pure.
import type { V1Pod } from '@kubernetes/client-node';
import { ANNOTATION_INPLACE_UPDATE_STATE } from '../../../api/constants.ts';
import { setImages, type RevisionMatcher } from './apply.ts';
import { resizeProgress } from './progress.ts';
import { inGracePeriod, readInPlaceState, rfc3339, type InPlaceUpdateState } from './state.ts';

/** The event reason for blockedResize (a Warning on the workload). */
export const REASON_RESIZE_BLOCKED = 'InPlaceUpdateResizeBlocked';

export type ImagesStep =
  | { readonly kind: 'none' }
  /** The resize is not done yet (in progress or blocked, see blockedResize): the images wait. */
  | { readonly kind: 'wait' }
  /** Write the pod: `mutate` the live pod, undefined when it no longer needs this step. */
  | { readonly kind: 'apply'; readonly mutate: (live: V1Pod) => V1Pod | undefined };

const heldImages = (state: InPlaceUpdateState | undefined): Readonly<Record<string, string>> => state?.nextContainerImages ?? {};
const sameImages = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/**
 * The images held in nextContainerImages: none to apply; wait while the kubelet has not finished
 * the resize (resizeProgress); then write them, recording the imageIDs they replace (as the first
 * step does for an image-only update) and the batch. Held for a revision the pod has left: the
 * stale images are dropped, not written. `mutate` checks the live pod again and writes nothing if
 * the held images, the revision or the finished resize are not what was planned.
 */
export function pendingImagesStep(pod: V1Pod, now: number, isAtRevision: RevisionMatcher): ImagesStep {
  const state = readInPlaceState(pod);
  const images = heldImages(state);
  if (state === undefined || Object.keys(images).length === 0 || inGracePeriod(pod)) return { kind: 'none' };
  const still = (live: V1Pod): InPlaceUpdateState | undefined => {
    const s = readInPlaceState(live);
    return s !== undefined && s.revision === state.revision && sameImages(heldImages(s), images) && !inGracePeriod(live) ? s : undefined;
  };
  const write = (live: V1Pod, s: InPlaceUpdateState): V1Pod => {
    const next = structuredClone(live);
    (next.metadata ??= {}).annotations = { ...(next.metadata.annotations ?? {}), [ANNOTATION_INPLACE_UPDATE_STATE]: JSON.stringify(s) };
    return next;
  };
  if (!isAtRevision(pod, state.revision)) {
    return {
      kind: 'apply',
      mutate: (live) => {
        const s = still(live);
        if (s === undefined || isAtRevision(live, s.revision)) return undefined;
        const { nextContainerImages: _stale, ...rest } = s;
        return write(live, rest);
      },
    };
  }
  if (resizeProgress(pod).kind !== 'done') return { kind: 'wait' };
  return {
    kind: 'apply',
    mutate: (live) => {
      const s = still(live);
      if (s === undefined || !isAtRevision(live, s.revision) || resizeProgress(live).kind !== 'done') return undefined;
      const { nextContainerImages: _applied, ...rest } = s;
      const last: Record<string, { imageID: string }> = {};
      for (const cs of live.status?.containerStatuses ?? []) if (images[cs.name] !== undefined) last[cs.name] = { imageID: cs.imageID ?? '' };
      const batch = { timestamp: rfc3339(now), containers: Object.keys(images).sort() };
      const next = write(live, { ...rest, lastContainerStatuses: last, containerBatchesRecord: [...(s.containerBatchesRecord ?? []), batch] });
      setImages(next, images);
      return next;
    },
  };
}

/** Why a pod's in-place update does not move: its resize is blocked (see blockedResize). */
export interface BlockedResize {
  /** The kubelet's reason: Infeasible, Deferred or Error. */
  readonly reason: string;
  /** For an event or a log line: which pod, what the kubelet says, what waits. */
  readonly message: string;
}

/**
 * An in-place update that resized the pod (state updateResources, not in a grace period) whose
 * resize the kubelet refuses, postpones or failed: the update stays pending (the pod keeps
 * InPlaceUpdateReady=False, held images stay held), and this says why. Undefined otherwise.
 */
export function blockedResize(pod: V1Pod): BlockedResize | undefined {
  const state = readInPlaceState(pod);
  if (state?.updateResources !== true || inGracePeriod(pod)) return undefined;
  const progress = resizeProgress(pod);
  if (progress.kind !== 'blocked') return undefined;
  const held = Object.keys(heldImages(state)).sort();
  const said = progress.message === '' ? '' : `: ${progress.message}`;
  const waits = held.length > 0 ? `; the new images of ${held.join(', ')} wait for it` : '';
  return {
    reason: progress.reason,
    message: `in-place update of pod ${pod.metadata?.name ?? ''} (revision ${state.revision}) is pending: the kubelet reports its resize ${progress.reason}${said}${waits}`,
  };
}
