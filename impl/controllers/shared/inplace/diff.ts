// Can a pod move from one revision's template to another without being recreated, and what
// changes if it does (kruise's defaultCalculateInPlaceUpdateSpec, spec §1.3). Pure.
//
// Not modelled: env-from-metadata restarts and container launch priority batches, both of which
// need kruise-daemon; label and annotation changes go onto the pod without restarting anything.
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { jsonDiff } from './json-diff.ts';
import { podQoS } from './qos.ts';

/** New cpu/memory quantities of one container (only the keys that change). */
export interface ResourceChange {
  readonly limits: Readonly<Record<string, string>>;
  readonly requests: Readonly<Record<string, string>>;
}

/** Template labels/annotations to set on the pod, and keys to remove. */
export interface MetadataChange {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly removeLabels: readonly string[];
  readonly removeAnnotations: readonly string[];
}

/** What an in-place update changes (kruise's UpdateSpec, without batches). */
export interface InPlaceSpec {
  /** New image per container name. */
  readonly containerImages: Readonly<Record<string, string>>;
  /** New cpu/memory quantities per container name (gate InPlaceWorkloadVerticalScaling). */
  readonly containerResources: Readonly<Record<string, ResourceChange>>;
  readonly metadata: MetadataChange;
}

export type InPlaceDecision = { readonly possible: true; readonly spec: InPlaceSpec } | { readonly possible: false; readonly reason: string };

export interface InPlaceOptions {
  /** Gate InPlaceWorkloadVerticalScaling: cpu/memory value changes may go in place. */
  readonly verticalScaling: boolean;
  /**
   * kruise.io/cloneset-volumeclaimtemplate-hash of both revisions (CloneSet with gate
   * RecreatePodWhenChangeVCTInCloneSetGate, not InPlaceOnly): a difference forces recreation.
   */
  readonly vctHashes?: { readonly from: string | undefined; readonly to: string | undefined };
}

const IMAGE_PATH = /^\/spec\/containers\/(\d+)\/image$/;
const RESOURCE_PATH = /^\/spec\/containers\/(\d+)\/resources\/(limits|requests)\/([^/]+)$/;
const IN_PLACE_RESOURCES: readonly string[] = ['cpu', 'memory'];

/** The template as plain JSON (client-node objects may carry undefined members and Dates). */
const plain = (t: V1PodTemplateSpec | undefined): unknown => JSON.parse(JSON.stringify(t ?? {}));

/**
 * Every change under /spec must be a `replace` of a container image or, with vertical scaling, of
 * an existing cpu/memory quantity with the QoS class unchanged; label and annotation changes always
 * go in place. Identical templates give an empty (but possible) update.
 */
export function calculateInPlaceSpec(from: V1PodTemplateSpec, to: V1PodTemplateSpec, opts: InPlaceOptions): InPlaceDecision {
  const hashes = opts.vctHashes;
  if (hashes?.from !== undefined && hashes.to !== undefined && hashes.from !== hashes.to) return { possible: false, reason: 'volumeClaimTemplates changed' };
  const containers = from.spec?.containers ?? [];
  const containerImages: Record<string, string> = {};
  const containerResources: Record<string, { limits: Record<string, string>; requests: Record<string, string> }> = {};
  for (const op of jsonDiff(plain(from), plain(to))) {
    if (op.path.startsWith('/metadata/')) continue;
    if (!op.path.startsWith('/spec/') || op.op !== 'replace') return { possible: false, reason: `${op.op} ${op.path}` };
    const image = IMAGE_PATH.exec(op.path);
    if (image) {
      const c = containers[Number(image[1])];
      if (!c || typeof op.value !== 'string') return { possible: false, reason: `replace ${op.path}` };
      containerImages[c.name] = op.value;
      continue;
    }
    const resource = opts.verticalScaling ? RESOURCE_PATH.exec(op.path) : null;
    if (resource) {
      const c = containers[Number(resource[1])];
      const kind = resource[2] as 'limits' | 'requests';
      const name = resource[3] as string;
      if (!c || typeof op.value !== 'string') return { possible: false, reason: `replace ${op.path}` };
      if (!IN_PLACE_RESOURCES.includes(name)) return { possible: false, reason: `resource ${name} cannot be resized in place` };
      (containerResources[c.name] ??= { limits: {}, requests: {} })[kind][name] = op.value;
      continue;
    }
    return { possible: false, reason: `replace ${op.path}` };
  }
  if (Object.keys(containerResources).length > 0 && podQoS(from.spec) !== podQoS(to.spec)) {
    return { possible: false, reason: 'the pod QoS class changes' };
  }
  return { possible: true, spec: { containerImages, containerResources, metadata: metadataChange(from, to) } };
}

/** The template label and annotation changes, as sets and removals. */
export function metadataChange(from: V1PodTemplateSpec, to: V1PodTemplateSpec): MetadataChange {
  const diff = (a: Record<string, string> = {}, b: Record<string, string> = {}) => ({
    set: Object.fromEntries(Object.entries(b).filter(([k, v]) => a[k] !== v)),
    remove: Object.keys(a).filter((k) => !Object.hasOwn(b, k)),
  });
  const labels = diff(from.metadata?.labels, to.metadata?.labels);
  const annotations = diff(from.metadata?.annotations, to.metadata?.annotations);
  return { labels: labels.set, annotations: annotations.set, removeLabels: labels.remove, removeAnnotations: annotations.remove };
}
