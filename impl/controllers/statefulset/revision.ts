// ControllerRevisions of an Advanced StatefulSet (spec §1.4): the revision data is the pod template
// only, so volumeClaimTemplates changes never make a new revision. Names are <set>-<hash> with the
// upstream hash (FNV-1 32 over the data and the collision count, SafeEncodeString).
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import type { PodView, StatefulSetSpecView } from './types.ts';

/** JSON with object keys sorted, so equal templates give equal bytes whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    const obj = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
  });
}

/** The revision data: {"spec":{"template":{...,"$patch":"replace"}}}. */
export function revisionData(template: V1PodTemplateSpec): { spec: { template: Record<string, unknown> } } {
  const plain = JSON.parse(JSON.stringify(template ?? {})) as Record<string, unknown>;
  return { spec: { template: { ...plain, $patch: 'replace' } } };
}

/** The pod template stored in revision data (without the "$patch" directive). */
export function templateFromData(data: unknown): V1PodTemplateSpec | undefined {
  const template = (data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template;
  if (template === undefined || typeof template !== 'object') return undefined;
  const { $patch: _patch, ...rest } = template;
  return rest as V1PodTemplateSpec;
}

/** Whether two revision data values hold the same template (key order ignored). */
export function sameData(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** FNV-1 (not 1a) 32-bit, as Go's hash/fnv New32. */
export function fnv1_32(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h >>> 0;
}

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** k8s rand.SafeEncodeString: map every byte onto a vowel-free alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of Buffer.from(s, 'utf8')) out += ALPHANUMS[ch % ALPHANUMS.length];
  return out;
}

/** history.HashControllerRevision over canonical data bytes plus the collision count. */
export function revisionHash(data: unknown, collisionCount: number): string {
  const bytes = Buffer.concat([Buffer.from(canonicalJson(data), 'utf8'), Buffer.from(String(collisionCount), 'utf8')]);
  return safeEncodeString(String(fnv1_32(bytes)));
}

export function revisionName(setName: string, data: unknown, collisionCount: number): string {
  return `${setName}-${revisionHash(data, collisionCount)}`;
}

/** One existing ControllerRevision. */
export interface RevisionView {
  readonly name: string;
  readonly revision: number;
  readonly data: unknown;
}

export type UpdateRevisionPlan =
  /** The newest revision already holds this template. */
  | { readonly kind: 'latest'; readonly name: string }
  /** An older revision holds it: roll back by giving it the next revision number. */
  | { readonly kind: 'bump'; readonly name: string; readonly revision: number }
  /** Create a new one (on a name collision with other data, retry with collisionCount + 1). */
  | { readonly kind: 'create'; readonly name: string; readonly revision: number; readonly data: unknown };

/** Sort like history.SortControllerRevisions: by revision number, then name. */
export function sortRevisions(revisions: readonly RevisionView[]): RevisionView[] {
  return [...revisions].sort((a, b) => a.revision - b.revision || a.name.localeCompare(b.name));
}

/** getStatefulSetRevisions: which revision is the update revision for `template`. */
export function planUpdateRevision(setName: string, template: V1PodTemplateSpec, existing: readonly RevisionView[], collisionCount: number): UpdateRevisionPlan {
  const sorted = sortRevisions(existing);
  const data = revisionData(template);
  const next = (sorted.at(-1)?.revision ?? 0) + 1;
  const equal = sorted.filter((r) => sameData(r.data, data));
  const last = equal.at(-1);
  if (last !== undefined) {
    if (last.name === sorted.at(-1)?.name) return { kind: 'latest', name: last.name };
    return { kind: 'bump', name: last.name, revision: next };
  }
  return { kind: 'create', name: revisionName(setName, data, collisionCount), revision: next, data };
}

/** status.currentRevision if that revision still exists, else the update revision. */
export function resolveCurrentRevision(statusCurrent: string | undefined, existing: readonly string[], updateRevision: string): string {
  return statusCurrent !== undefined && statusCurrent !== '' && existing.includes(statusCurrent) ? statusCurrent : updateRevision;
}

/**
 * truncateHistory: revisions not live (current, update, or worn by some pod), oldest first,
 * beyond revisionHistoryLimit; these are deleted.
 */
export function revisionsToDelete(existing: readonly RevisionView[], live: ReadonlySet<string>, limit: number): string[] {
  const history = sortRevisions(existing).filter((r) => !live.has(r.name));
  return history.length <= limit ? [] : history.slice(0, history.length - limit).map((r) => r.name);
}

/**
 * isCurrentRevisionNeeded: is a new pod at this ordinal created at the current revision?
 * Ordered rolling update: iff the pods in the slots before it (reserved slots are empty and not
 * counted) plus this one are within the partition. Unordered: while fewer than `partition`
 * other pods are not updated. OnDelete: never.
 */
export function isCurrentRevisionNeeded(
  spec: Pick<StatefulSetSpecView, 'updateStrategyType' | 'rollingUpdate'>,
  slots: readonly (Pick<PodView, 'revision' | 'ordinal'> | undefined)[],
  slotIndex: number,
  updateRevision: string,
): boolean {
  if (spec.updateStrategyType !== 'RollingUpdate') return false;
  const partition = spec.rollingUpdate?.partition ?? 0;
  if (spec.rollingUpdate?.unorderedUpdate === undefined) {
    let before = 0;
    for (let i = 0; i < slotIndex; i++) if (slots[i] !== undefined) before++;
    return before + 1 <= partition;
  }
  let notUpdated = 0;
  slots.forEach((pod, i) => {
    if (pod !== undefined && i !== slotIndex && pod.revision !== updateRevision) notUpdated++;
  });
  return notUpdated < partition;
}
