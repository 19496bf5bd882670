// ControllerRevisions of a CloneSet (spec §1.4, §2.6, §2.10): one revision per pod template, named
// <cloneset>-<hash>; data is the template only ({"spec":{"template":{...,"$patch":"replace"}}}), so
// volumeClaimTemplates never make a revision of their own, they only stamp a hash annotation.
// Pure: the reconciler lists and writes the revisions, these functions decide.
import type { V1PersistentVolumeClaim, V1PodTemplateSpec } from '@kubernetes/client-node';
import { shortHash } from './revision.ts';

/** Annotation on CloneSet revisions: hash of spec.volumeClaimTemplates ("" without any). */
export const ANNOTATION_VCT_HASH = 'kruise.io/cloneset-volumeclaimtemplate-hash';
/** Label upstream's history.NewControllerRevision puts on every revision. */
export const LABEL_REVISION_HASH = 'controller.kubernetes.io/hash';

export interface RevisionData {
  readonly spec: { readonly template: Record<string, unknown> };
}

/** One existing ControllerRevision, as the planner sees it. */
export interface RevisionView {
  readonly name: string;
  readonly revision: number;
  readonly data: unknown;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** JSON with object keys sorted, so equal templates give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    const obj = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
  });
}

/** The revision data of a template: a strategic-merge patch that replaces the whole template. */
export function revisionData(template: V1PodTemplateSpec | undefined): RevisionData {
  const plain = JSON.parse(JSON.stringify(template ?? {})) as Record<string, unknown>;
  return { spec: { template: { ...plain, $patch: 'replace' } } };
}

/** The pod template stored in revision data, without the "$patch" directive. */
export function templateFromData(data: unknown): V1PodTemplateSpec | undefined {
  const template = (data as { spec?: { template?: unknown } } | undefined)?.spec?.template;
  if (template === undefined || template === null || typeof template !== 'object') return undefined;
  const { $patch: _directive, ...rest } = template as Record<string, unknown>;
  return rest as V1PodTemplateSpec;
}

export function sameData(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** FNV-1 32-bit (Go's hash/fnv New32, which upstream's HashControllerRevision uses). */
export function fnv1(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h >>> 0;
}

/** The alphabet of k8s rand.String / SafeEncodeString: no vowels, no confusable digits. */
export const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** k8s rand.SafeEncodeString. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of Buffer.from(s, 'utf8')) out += SAFE_ALPHABET[ch % SAFE_ALPHABET.length];
  return out;
}

/** HashControllerRevision over the canonical data and the collision count. */
export function revisionHash(data: unknown, collisionCount: number): string {
  const bytes = Buffer.from(canonicalJson(data) + String(collisionCount), 'utf8');
  return safeEncodeString(String(fnv1(bytes)));
}

/** ControllerRevisionName: <parent>-<hash>, the parent part cut to 223 characters. */
export function revisionName(parent: string, hash: string): string {
  return `${parent.length > 223 ? parent.slice(0, 223) : parent}-${hash}`;
}

/**
 * The kruise.io/cloneset-volumeclaimtemplate-hash value: "" without templates, else a decimal
 * 64-bit hash of the templates' canonical JSON (two FNV-1 halves; only equality matters).
 */
export function volumeClaimTemplatesHash(templates: readonly V1PersistentVolumeClaim[] | undefined): string {
  if (!templates || templates.length === 0) return '';
  const bytes = Buffer.from(canonicalJson(templates), 'utf8');
  const hi = BigInt(fnv1(bytes));
  const lo = BigInt(fnv1(bytes, 0x050c5d1f));
  return ((hi << 32n) | lo).toString(10);
}

/** history.SortControllerRevisions: by revision number, then by name. */
export function sortRevisions<T extends RevisionView>(revisions: readonly T[]): T[] {
  return [...revisions].sort((a, b) => a.revision - b.revision || a.name.localeCompare(b.name));
}

export type UpdateRevisionPlan =
  /** The newest revision holds this template already. */
  | { readonly kind: 'latest'; readonly name: string }
  /**
   * An older revision holds it (a rollback to an earlier template): it gets the next revision
   * number and a refreshed VCT hash annotation.
   */
  | { readonly kind: 'bump'; readonly name: string; readonly revision: number; readonly vctHash: string }
  /** A new revision. On a name taken by other data, plan again with collisionCount + 1. */
  | { readonly kind: 'create'; readonly name: string; readonly revision: number; readonly data: RevisionData; readonly hash: string; readonly vctHash: string };

/** getActiveRevisions: which revision is the update revision for the CloneSet's template. */
export function planUpdateRevision(
  parent: string,
  template: V1PodTemplateSpec | undefined,
  vcts: readonly V1PersistentVolumeClaim[] | undefined,
  existing: readonly RevisionView[],
  collisionCount: number,
): UpdateRevisionPlan {
  const sorted = sortRevisions(existing);
  const data = revisionData(template);
  const next = (sorted.at(-1)?.revision ?? 0) + 1;
  const vctHash = volumeClaimTemplatesHash(vcts);
  const equal = sorted.filter((r) => sameData(r.data, data)).at(-1);
  if (equal !== undefined) {
    if (equal.name === sorted.at(-1)?.name) return { kind: 'latest', name: equal.name };
    return { kind: 'bump', name: equal.name, revision: next, vctHash };
  }
  const hash = revisionHash(data, collisionCount);
  return { kind: 'create', name: revisionName(parent, hash), revision: next, data, hash, vctHash };
}

/**
 * truncateHistory: revisions that are neither current, update, nor worn by a pod (by full name or
 * short hash, since pods may carry either), oldest first, beyond revisionHistoryLimit.
 */
export function revisionsToDelete(existing: readonly RevisionView[], live: readonly string[], limit: number): string[] {
  const liveHashes = new Set(live.filter((l) => l !== '').map(shortHash));
  const history = sortRevisions(existing).filter((r) => !liveHashes.has(shortHash(r.name)));
  return history.length <= limit ? [] : history.slice(0, history.length - Math.max(limit, 0)).map((r) => r.name);
}
