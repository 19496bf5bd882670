// The in-place update engine (spec §1.3) as the Advanced StatefulSet uses it: decide from two
// pod templates whether a pod can move between them in place (images; with
// InPlaceWorkloadVerticalScaling also cpu/memory quantities, unless the QoS class changes), read a
// pod's in-place progress, and compute the pod after an in-place update. All pure.
import type { V1Container, V1Pod, V1PodTemplateSpec, V1ResourceRequirements } from '@kubernetes/client-node';
import { readGraceSpec, resizeFor, type GraceSpec } from '../cloneset/inplace.ts';
import { compareQuantityStrings } from './quantity.ts';
import type { InPlaceProgress } from './types.ts';
import {
  ANNOTATION_INPLACE_GRACE,
  ANNOTATION_INPLACE_STATE,
  ANNOTATION_INPLACE_STATE_OLD,
  ANNOTATION_LIFECYCLE_TIMESTAMP,
  CONDITION_INPLACE_UPDATE_READY,
  LABEL_LIFECYCLE_STATE,
  LABEL_REVISION,
} from './types.ts';

// ---- JSON diff (RFC 6902 ops, the shape kruise's jsonpatch.CreatePatch produces) ----

export interface PatchOp {
  readonly op: 'add' | 'remove' | 'replace';
  readonly path: string;
  readonly value?: unknown;
}

const escapePointer = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep equality of JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Ops that turn `a` into `b`: objects key by key, arrays index by index (extra elements removed or
 * added at the end), anything else replaced. Undefined members count as absent.
 */
export function jsonDiff(a: unknown, b: unknown, path = ''): PatchOp[] {
  if (jsonEqual(a, b)) return [];
  if (isObject(a) && isObject(b)) {
    const ops: PatchOp[] = [];
    for (const key of Object.keys(a)) {
      if (a[key] === undefined) continue;
      if (b[key] === undefined) ops.push({ op: 'remove', path: `${path}/${escapePointer(key)}` });
      else ops.push(...jsonDiff(a[key], b[key], `${path}/${escapePointer(key)}`));
    }
    for (const key of Object.keys(b)) {
      if (b[key] !== undefined && a[key] === undefined) ops.push({ op: 'add', path: `${path}/${escapePointer(key)}`, value: b[key] });
    }
    return ops;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const ops: PatchOp[] = [];
    const n = Math.min(a.length, b.length);
    for (let i = a.length - 1; i >= n; i--) ops.push({ op: 'remove', path: `${path}/${i}` });
    for (let i = n; i < b.length; i++) ops.push({ op: 'add', path: `${path}/${i}`, value: b[i] });
    for (let i = 0; i < n; i++) ops.push(...jsonDiff(a[i], b[i], `${path}/${i}`));
    return ops;
  }
  return [{ op: 'replace', path, value: b }];
}

// ---- Pod QoS (k8s qos.GetPodQOS over a template; requests default to limits as on a real pod) ----

export type QoSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';
const QOS_RESOURCES = ['cpu', 'memory'] as const;

export function podQoS(spec: { containers?: readonly V1Container[]; initContainers?: readonly V1Container[] } | undefined): QoSClass {
  const positive = (q: string | undefined): q is string => q !== undefined && compareQuantityStrings(q, '0') > 0;
  let anyRequest = false;
  let anyLimit = false;
  let guaranteed = true;
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    const limits = c.resources?.limits ?? {};
    const requests = { ...limits, ...(c.resources?.requests ?? {}) };
    for (const name of QOS_RESOURCES) {
      const request = requests[name];
      const limit = limits[name];
      if (positive(request)) anyRequest = true;
      if (positive(limit)) anyLimit = true;
      // Guaranteed: every container limits cpu and memory, and each request equals its limit
      // (upstream compares sums, which is the same when requests <= limits as the API demands).
      if (!positive(limit)) guaranteed = false;
      else if (request === undefined || compareQuantityStrings(request, limit) !== 0) guaranteed = false;
    }
  }
  if (!anyRequest && !anyLimit) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

// ---- Can a pod move in place? ----

export interface ResourceChange {
  readonly limits: Readonly<Record<string, string>>;
  readonly requests: Readonly<Record<string, string>>;
}

/** The in-place update between two templates (kruise's UpdateSpec). */
export interface InPlaceSpec {
  /** New image per container name. */
  readonly containerImages: Readonly<Record<string, string>>;
  /** New cpu/memory quantities per container name (vertical scaling only). */
  readonly containerResources: Readonly<Record<string, ResourceChange>>;
  /** Template labels/annotations to set, and keys to remove, on the pod. */
  readonly metadata: {
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
    readonly removeLabels: readonly string[];
    readonly removeAnnotations: readonly string[];
  };
}

export type InPlaceDecision =
  | { readonly possible: true; readonly spec: InPlaceSpec }
  | { readonly possible: false; readonly reason: string };

const IMAGE_PATH = /^\/spec\/containers\/([0-9]+)\/image$/;
const RESOURCE_PATH = /^\/spec\/containers\/([0-9]+)\/resources\//;

const plain = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/**
 * defaultCalculateInPlaceUpdateSpec over two templates. Spec changes must all be `replace` ops of
 * a container image, or (verticalScaling) of an existing cpu/memory quantity in a container's
 * limits or requests, with the QoS class unchanged. Label and annotation changes always go in
 * place. Identical templates give an empty (but possible) update.
 */
export function calculateInPlaceSpec(oldTemplate: V1PodTemplateSpec, newTemplate: V1PodTemplateSpec, verticalScaling: boolean): InPlaceDecision {
  const ops = jsonDiff(plain(oldTemplate) ?? {}, plain(newTemplate) ?? {});
  const oldContainers = oldTemplate.spec?.containers ?? [];
  const containerImages: Record<string, string> = {};
  const containerResources: Record<string, { limits: Record<string, string>; requests: Record<string, string> }> = {};
  for (const op of ops) {
    if (op.path.startsWith('/metadata/')) continue;
    if (!op.path.startsWith('/spec/')) return { possible: false, reason: `${op.op} ${op.path}` };
    if (op.op !== 'replace') return { possible: false, reason: `${op.op} ${op.path}` };
    const image = IMAGE_PATH.exec(op.path);
    if (image) {
      const c = oldContainers[Number(image[1])];
      if (!c || typeof op.value !== 'string') return { possible: false, reason: `replace ${op.path}` };
      containerImages[c.name] = op.value;
      continue;
    }
    if (verticalScaling && RESOURCE_PATH.test(op.path)) {
      // /spec/containers/<i>/resources/<limits|requests>/<name>
      const words = op.path.split('/');
      const c = oldContainers[Number(words[3])];
      const kind = words[5];
      const name = words[6];
      if (words.length !== 7 || !c || (kind !== 'limits' && kind !== 'requests')) return { possible: false, reason: `replace ${op.path}` };
      if (name !== 'cpu' && name !== 'memory') return { possible: false, reason: `resource ${name} cannot be resized in place` };
      if (typeof op.value !== 'string') return { possible: false, reason: `replace ${op.path}` };
      const change = (containerResources[c.name] ??= { limits: {}, requests: {} });
      change[kind][name] = op.value;
      continue;
    }
    return { possible: false, reason: `replace ${op.path}` };
  }
  if (Object.keys(containerResources).length > 0 && podQoS(oldTemplate.spec) !== podQoS(newTemplate.spec)) {
    return { possible: false, reason: 'the pod QoS class changes' };
  }
  return { possible: true, spec: { containerImages, containerResources, metadata: metadataChange(oldTemplate, newTemplate) } };
}

function metadataChange(oldTemplate: V1PodTemplateSpec, newTemplate: V1PodTemplateSpec): InPlaceSpec['metadata'] {
  const diff = (a: Record<string, string> = {}, b: Record<string, string> = {}) => ({
    set: Object.fromEntries(Object.entries(b).filter(([k, v]) => a[k] !== v)),
    remove: Object.keys(a).filter((k) => !(k in b)),
  });
  const labels = diff(oldTemplate.metadata?.labels, newTemplate.metadata?.labels);
  const annotations = diff(oldTemplate.metadata?.annotations, newTemplate.metadata?.annotations);
  return { labels: labels.set, annotations: annotations.set, removeLabels: labels.remove, removeAnnotations: annotations.remove };
}

// ---- Progress of an in-place update on a pod ----

/** The apps.kruise.io/inplace-update-state annotation (the fields this implementation reads and writes). */
export interface InPlaceUpdateState {
  revision: string;
  updateTimestamp: string;
  lastContainerStatuses?: Record<string, { imageID: string }>;
  updateImages?: boolean;
  updateResources?: boolean;
  updateEnvFromMetadata?: boolean;
  nextContainerImages?: Record<string, string>;
  nextContainerRefMetadata?: Record<string, unknown>;
  nextContainerResources?: Record<string, unknown>;
  containerBatchesRecord?: { timestamp: string; containers: string[] }[];
}

export function readInPlaceState(pod: V1Pod): InPlaceUpdateState | undefined {
  const raw = pod.metadata?.annotations?.[ANNOTATION_INPLACE_STATE];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as InPlaceUpdateState;
  } catch {
    return undefined;
  }
}

const withTag = (image: string): string => (image.split(':').length <= 1 ? `${image}:latest` : image);
const nonEmpty = (m: Record<string, unknown> | undefined): boolean => Object.keys(m ?? {}).length > 0;

function sameResources(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  const kb = Object.keys(b ?? {});
  return ka.length === kb.length && ka.every((k) => b?.[k] !== undefined && compareQuantityStrings(a?.[k], b[k]) === 0);
}

/** NativeVerticalUpdate.IsUpdateCompleted: every container's status resources equal its spec. */
export function resourcesApplied(pod: V1Pod): boolean {
  const containers = pod.spec?.containers ?? [];
  const statuses = pod.status?.containerStatuses ?? [];
  if (statuses.length !== containers.length) return false;
  return statuses.every((s) => {
    const c = containers.find((x) => x.name === s.name);
    if (!c || !s.resources) return false;
    return sameResources(c.resources?.limits, s.resources.limits) && sameResources(c.resources?.requests, s.resources.requests);
  });
}

/** defaultCheckContainersInPlaceUpdateCompleted (without kruise-daemon's runtime-containers-meta). */
export function containersUpdated(pod: V1Pod, state: InPlaceUpdateState, verticalScaling: boolean): boolean {
  // Env-from-metadata updates need kruise-daemon, which this implementation does not have.
  if (state.updateEnvFromMetadata) return false;
  if (verticalScaling && state.updateResources && !resourcesApplied(pod)) return false;
  const specImages = new Map((pod.spec?.containers ?? []).map((c) => [c.name, withTag(c.image ?? '')]));
  const pending = new Set(Object.keys(state.lastContainerStatuses ?? {}));
  for (const cs of pod.status?.containerStatuses ?? []) {
    const last = state.lastContainerStatuses?.[cs.name];
    if (last === undefined) continue;
    if (last.imageID === cs.imageID && specImages.get(cs.name) !== cs.image) return false;
    pending.delete(cs.name);
  }
  return pending.size === 0;
}

/** The progress view the planners read; undefined when the pod carries no in-place state. */
export function inPlaceProgress(pod: V1Pod, verticalScaling: boolean): InPlaceProgress | undefined {
  const inGrace = (pod.metadata?.annotations?.[ANNOTATION_INPLACE_GRACE] ?? '') !== '';
  const state = readInPlaceState(pod);
  if (state === undefined) return inGrace ? { inGrace, pendingBatches: false, containersCompleted: false } : undefined;
  const pendingBatches = nonEmpty(state.nextContainerImages) || nonEmpty(state.nextContainerRefMetadata) || nonEmpty(state.nextContainerResources);
  return { inGrace, pendingBatches, containersCompleted: containersUpdated(pod, state, verticalScaling) };
}

// ---- Applying an in-place update ----

export interface InPlaceApplyOptions {
  readonly revision: string;
  readonly now: Date;
  /** Set lifecycle state Updating (the pod had a lifecycle label). */
  readonly setUpdating: boolean;
  /**
   * inPlaceUpdateStrategy.gracePeriodSeconds: above 0, the images (and resizes) wait in the
   * apps.kruise.io/inplace-update-grace annotation until finishGrace applies them.
   */
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

const hasReadinessGate = (pod: V1Pod): boolean => (pod.spec?.readinessGates ?? []).some((g) => g.conditionType === CONDITION_INPLACE_UPDATE_READY);

/**
 * defaultCheckPodNeedsBeUnready: pods with the InPlaceUpdateReady gate go unready for an in-place
 * update, except for a resources-only update where no changed resource's resizePolicy restarts
 * its container.
 */
export function needsUnready(pod: V1Pod, spec: InPlaceSpec, verticalScaling: boolean): boolean {
  if (!hasReadinessGate(pod)) return false;
  const resources = Object.entries(spec.containerResources);
  const verticalOnly = resources.length > 0 && Object.keys(spec.containerImages).length === 0;
  if (!verticalScaling || !verticalOnly) return true;
  return resources.some(([name, change]) => {
    const c = (pod.spec?.containers ?? []).find((x) => x.name === name);
    const changed = new Set([...Object.keys(change.limits), ...Object.keys(change.requests)]);
    return (c?.resizePolicy ?? []).some((p) => p.restartPolicy === 'RestartContainer' && changed.has(p.resourceName));
  });
}

/**
 * The pod after an in-place update (inplace_update.go updatePodInPlace + defaultPatchUpdateSpecToPod,
 * without launch-priority batches): revision label, template metadata changes,
 * new images with the old imageIDs recorded, the state annotation, and the resources to resize.
 */
export function applyInPlaceUpdate(pod: V1Pod, spec: InPlaceSpec, verticalScaling: boolean, opts: InPlaceApplyOptions): InPlaceApplication {
  const next = structuredClone(pod) as V1Pod;
  const meta = (next.metadata ??= {});
  const labels = (meta.labels ??= {});
  const annotations = (meta.annotations ??= {});
  labels[LABEL_REVISION] = opts.revision;
  const stamp = opts.now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (opts.setUpdating) {
    labels[LABEL_LIFECYCLE_STATE] = 'Updating';
    annotations[ANNOTATION_LIFECYCLE_TIMESTAMP] = stamp;
  }
  for (const k of spec.metadata.removeLabels) delete labels[k];
  for (const k of spec.metadata.removeAnnotations) delete annotations[k];
  Object.assign(labels, spec.metadata.labels);
  Object.assign(annotations, spec.metadata.annotations);

  const containers = next.spec?.containers ?? [];
  const changedImages = new Set(containers.filter((c) => spec.containerImages[c.name] !== undefined).map((c) => c.name));
  const touched = [...new Set([...changedImages, ...Object.keys(spec.containerResources)])].sort();
  const grace = (opts.gracePeriodSeconds ?? 0) > 0 && touched.length > 0;
  if (!grace) setImages(next, spec.containerImages);
  const state: InPlaceUpdateState = {
    revision: opts.revision,
    updateTimestamp: stamp,
    ...(changedImages.size > 0 && { updateImages: true }),
    ...(Object.keys(spec.containerResources).length > 0 && { updateResources: true }),
  };
  for (const cs of pod.status?.containerStatuses ?? []) {
    if (changedImages.has(cs.name)) (state.lastContainerStatuses ??= {})[cs.name] = { imageID: cs.imageID ?? '' };
  }
  state.containerBatchesRecord = [{ timestamp: stamp, containers: touched }];
  annotations[ANNOTATION_INPLACE_STATE] = JSON.stringify(state);
  delete annotations[ANNOTATION_INPLACE_STATE_OLD];
  if (grace) {
    const parked: GraceSpec = { containerImages: spec.containerImages, containerResources: verticalScaling ? spec.containerResources : {}, graceSeconds: opts.gracePeriodSeconds ?? 0 };
    annotations[ANNOTATION_INPLACE_GRACE] = JSON.stringify({ revision: opts.revision, ...parked });
  } else delete annotations[ANNOTATION_INPLACE_GRACE];

  const resize: Record<string, V1ResourceRequirements> = {};
  if (verticalScaling && !grace) {
    for (const c of containers) {
      const change = spec.containerResources[c.name];
      if (!change) continue;
      resize[c.name] = {
        limits: { ...(c.resources?.limits ?? {}), ...change.limits },
        requests: { ...(c.resources?.requests ?? {}), ...change.requests },
      };
    }
  }
  return { pod: next, resize, markUnready: needsUnready(pod, spec, verticalScaling) };
}

function setImages(pod: V1Pod, images: Readonly<Record<string, string>>): void {
  for (const c of pod.spec?.containers ?? []) {
    const image = images[c.name];
    if (image !== undefined) c.image = image;
  }
}

// ---- Finishing a grace period (the engine's Refresh -> finishGracePeriod) ----

export type GraceStep =
  | { readonly kind: 'none' }
  /** Still inside the grace period: look again after remainingMs. */
  | { readonly kind: 'wait'; readonly remainingMs: number }
  /**
   * Apply now: resize (when resources were parked), then `mutate` the live pod. `mutate` also
   * covers a pod whose revision label moved on since: it only drops the stale grace annotation,
   * so the pod goes through the normal update again.
   */
  | { readonly kind: 'finish'; readonly resize: Readonly<Record<string, V1ResourceRequirements>>; readonly mutate: (live: V1Pod) => V1Pod | undefined };

/**
 * finishGracePeriod: the update parked in apps.kruise.io/inplace-update-grace is applied once
 * gracePeriodSeconds have passed since the state annotation's updateTimestamp (second precision,
 * so the wait is rounded up to whole seconds).
 */
export function graceStep(pod: V1Pod, now: number): GraceStep {
  const parked = readGraceSpec(pod);
  if (parked === undefined) return { kind: 'none' };
  const state = readInPlaceState(pod);
  const stale = state === undefined || pod.metadata?.labels?.[LABEL_REVISION] !== state.revision;
  if (!stale) {
    const since = Date.parse(state.updateTimestamp);
    const due = (Number.isNaN(since) ? now : since) + parked.graceSeconds * 1000;
    if (due > now) return { kind: 'wait', remainingMs: Math.ceil((due - now) / 1000) * 1000 };
  }
  const expectedRevision = state?.revision;
  return {
    kind: 'finish',
    resize: stale ? {} : resizeFor(pod, parked.containerResources),
    mutate: (live) => {
      const annotations = live.metadata?.annotations ?? {};
      if ((annotations[ANNOTATION_INPLACE_GRACE] ?? '') === '') return undefined;
      const next = structuredClone(live);
      const rest = { ...annotations };
      delete rest[ANNOTATION_INPLACE_GRACE];
      next.metadata = { ...next.metadata, annotations: rest };
      // Apply the parked images only to the revision they were parked for.
      if (!stale && live.metadata?.labels?.[LABEL_REVISION] === expectedRevision) setImages(next, parked.containerImages);
      return next;
    },
  };
}
