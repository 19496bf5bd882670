// Has an in-place update finished on the pod (kruise's DefaultCheckInPlaceUpdateCompleted)? Pure.
import type { V1Pod } from '@kubernetes/client-node';
import { compareQuantities } from '../../../api/quantity.ts';
import { inGracePeriod, readInPlaceState, type InPlaceUpdateState } from './state.ts';

/**
 * An image reference with the tag a runtime assumes: `:latest` when it has neither a tag nor a
 * digest. The tag is a ':' after the last '/', so `registry:5000/img` is untagged.
 */
export function withDefaultTag(image: string): string {
  if (image.includes('@')) return image;
  const name = image.slice(image.lastIndexOf('/') + 1);
  return name.includes(':') ? image : `${image}:latest`;
}

function sameQuantities(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  const kb = Object.keys(b ?? {});
  return ka.length === kb.length && ka.every((k) => b?.[k] !== undefined && compareQuantities(a?.[k], b[k]) === 0);
}

/**
 * NativeVerticalUpdate.IsUpdateCompleted: every container reports a status, and each status shows
 * the resources its spec asks for (quantities compared by value).
 */
export function resourcesApplied(pod: V1Pod): boolean {
  const containers = new Map((pod.spec?.containers ?? []).map((c) => [c.name, c]));
  const statuses = pod.status?.containerStatuses ?? [];
  if (statuses.length !== containers.size) return false;
  return statuses.every((s) => {
    const c = containers.get(s.name);
    return c !== undefined && s.resources !== undefined && sameQuantities(c.resources?.limits, s.resources.limits) && sameQuantities(c.resources?.requests, s.resources.requests);
  });
}

/**
 * defaultCheckContainersInPlaceUpdateCompleted without kruise-daemon's runtime-containers-meta:
 * resized containers report their new resources (checked only with InPlaceWorkloadVerticalScaling,
 * as upstream), and each container whose image changed reports a new imageID, or already reports
 * the spec image (same digest under a new name).
 */
export function containersUpdated(pod: V1Pod, state: InPlaceUpdateState, verticalScaling: boolean): boolean {
  // Env-from-metadata restarts need kruise-daemon's runtime metadata, which nothing here provides.
  if (state.updateEnvFromMetadata) return false;
  if (verticalScaling && state.updateResources && !resourcesApplied(pod)) return false;
  const specImage = new Map((pod.spec?.containers ?? []).map((c) => [c.name, withDefaultTag(c.image ?? '')]));
  const pending = new Set(Object.keys(state.lastContainerStatuses ?? {}));
  for (const cs of pod.status?.containerStatuses ?? []) {
    const last = state.lastContainerStatuses?.[cs.name];
    if (last === undefined) continue;
    if (last.imageID === cs.imageID && specImage.get(cs.name) !== withDefaultTag(cs.image ?? '')) return false;
    pending.delete(cs.name);
  }
  return pending.size === 0;
}

/** In-place update progress as read from the pod. */
export interface InPlaceProgress {
  /** apps.kruise.io/inplace-update-grace is set: the update is parked, not applied. */
  readonly inGrace: boolean;
  /** A later container batch is still pending (next* fields of the state). */
  readonly pendingBatches: boolean;
  /** Every container the last update touched runs its new image / resources. */
  readonly containersCompleted: boolean;
}

const nonEmpty = (m: Record<string, unknown> | undefined): boolean => Object.keys(m ?? {}).length > 0;

/** The pod's progress; undefined when it carries no in-place state and is not in a grace period. */
export function inPlaceProgress(pod: V1Pod, verticalScaling: boolean): InPlaceProgress | undefined {
  const inGrace = inGracePeriod(pod);
  const state = readInPlaceState(pod);
  if (state === undefined) return inGrace ? { inGrace, pendingBatches: false, containersCompleted: false } : undefined;
  const pendingBatches = nonEmpty(state.nextContainerImages) || nonEmpty(state.nextContainerRefMetadata) || nonEmpty(state.nextContainerResources);
  return { inGrace, pendingBatches, containersCompleted: containersUpdated(pod, state, verticalScaling) };
}

/** DefaultCheckInPlaceUpdateCompleted: not in grace, no batch pending, every container updated. */
export const isInPlaceCompleted = (p: InPlaceProgress): boolean => !p.inGrace && !p.pendingBatches && p.containersCompleted;

/** How far the kubelet is with a pod's resize (see resizeProgress). */
export type ResizeProgress =
  | { readonly kind: 'done' }
  | { readonly kind: 'inProgress' }
  /** Refused or postponed (Infeasible, Deferred) or failed to actuate (Error): nothing moves until that changes. */
  | { readonly kind: 'blocked'; readonly reason: string; readonly message: string };

const BLOCKED_STATUS: readonly string[] = ['Infeasible', 'Deferred'];

/**
 * Is the pod's last resize done? Done: every container reports the resources its spec asks for
 * (resourcesApplied) and nothing marks a resize pending or in progress: from 1.33 the
 * PodResizePending (reason Infeasible/Deferred) and PodResizeInProgress (reason Error when
 * actuation failed) conditions, before it status.resize (Proposed, InProgress, Deferred, Infeasible).
 */
export function resizeProgress(pod: V1Pod): ResizeProgress {
  const conditions = (pod.status?.conditions ?? []).filter((c) => c.status === 'True');
  const pending = conditions.find((c) => c.type === 'PodResizePending');
  if (pending) return { kind: 'blocked', reason: pending.reason || 'Pending', message: pending.message ?? '' };
  const inProgress = conditions.find((c) => c.type === 'PodResizeInProgress');
  if (inProgress?.reason === 'Error') return { kind: 'blocked', reason: 'Error', message: inProgress.message ?? '' };
  const legacy = pod.status?.resize ?? '';
  if (BLOCKED_STATUS.includes(legacy)) return { kind: 'blocked', reason: legacy, message: '' };
  return inProgress === undefined && legacy === '' && resourcesApplied(pod) ? { kind: 'done' } : { kind: 'inProgress' };
}
