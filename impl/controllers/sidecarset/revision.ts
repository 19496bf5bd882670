// SidecarSet revision history (OpenKruise pkg/control/sidecarcontrol/history_control.go and
// pkg/controller/sidecarset/sidecarset_processor.go registerLatestRevision / truncateHistory), and
// the choice of the revision a new pod is injected from (pkg/webhook/pod/mutating/sidecarset.go
// getSuitableRevisionSidecarSet). Revisions live in the manager's namespace, labelled with the
// SidecarSet's name; their data records the injected parts of the spec. Pure.
import type { V1ControllerRevision, V1Pod } from '@kubernetes/client-node';
import { canonicalJson } from '../../api/sidecarset-defaults.ts';
import { ANNOTATION_SIDECARSET_HASH, ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE, LABEL_SIDECARSET_CUSTOM_VERSION, LABEL_SIDECARSET_NAME, type SidecarSet } from '../../api/sidecarset.ts';
import { SIDECARSET, SIDECARSET_API_VERSION } from '../../api/group.ts';
import { labelSelectorAsPredicate } from '../../api/validation-common.ts';
import { podControllerRevision } from './pod-records.ts';

const RECORDED = ['volumes', 'containers', 'initContainers', 'imagePullSecrets', 'patchPodMetadata'] as const;

/** data of a revision: the recorded spec fields (null when unset), replacing the spec when restored. */
export function revisionData(s: SidecarSet): { spec: Record<string, unknown> } {
  const spec: Record<string, unknown> = { $patch: 'replace' };
  const src = (s.spec ?? {}) as Record<string, unknown>;
  for (const k of RECORDED) spec[k] = src[k] ?? null;
  return { spec };
}

/** 32-bit FNV-1a. */
function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(text, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';
const safeEncode = (s: string): string => [...s].map((c) => SAFE[c.charCodeAt(0) % SAFE.length]).join('');

/** `<set>-<hash of the data and the collision count>`. */
export function revisionName(setName: string, data: unknown, collisionCount: number): string {
  return `${setName}-${safeEncode(String(fnv32a(canonicalJson(data) + (collisionCount ? String(collisionCount) : ''))))}`;
}

export const sortRevisions = (revs: readonly V1ControllerRevision[]): V1ControllerRevision[] =>
  [...revs].sort((a, b) => a.revision - b.revision || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));

export const sameData = (a: V1ControllerRevision, b: V1ControllerRevision): boolean => canonicalJson(a.data) === canonicalJson(b.data);

/** The revision the current spec would get, numbered `revision`. */
export function newRevision(s: SidecarSet, namespace: string, revision: number, collisionCount: number): V1ControllerRevision {
  const name = s.metadata?.name ?? '';
  const data = revisionData(s);
  const custom = s.metadata?.labels?.[LABEL_SIDECARSET_CUSTOM_VERSION];
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(name, data, collisionCount),
      namespace,
      labels: { ...s.metadata?.labels, ...(custom ? { [LABEL_SIDECARSET_CUSTOM_VERSION]: custom } : {}), [LABEL_SIDECARSET_NAME]: name },
      annotations: { ...s.metadata?.annotations },
      ...(s.metadata?.uid
        ? { ownerReferences: [{ apiVersion: SIDECARSET_API_VERSION, kind: SIDECARSET.kind, name, uid: s.metadata.uid, controller: true, blockOwnerDeletion: true }] }
        : {}),
    },
    data,
    revision,
  };
}

export type LatestRevisionPlan =
  | { action: 'keep'; latest: V1ControllerRevision }
  | { action: 'renumber'; latest: V1ControllerRevision; revision: number }
  | { action: 'create'; latest: V1ControllerRevision };

/**
 * What registering the current spec takes: nothing when the newest revision records it, a new
 * number for an older revision that records it (a rollback), or a new revision.
 */
export function planLatestRevision(s: SidecarSet, existing: readonly V1ControllerRevision[], namespace: string, collisionCount: number): LatestRevisionPlan {
  const revs = sortRevisions(existing);
  const next = (revs[revs.length - 1]?.revision ?? 0) + 1;
  const wanted = newRevision(s, namespace, next, collisionCount);
  const equal = revs.filter((r) => sameData(r, wanted));
  const lastEqual = equal[equal.length - 1];
  if (lastEqual && lastEqual === revs[revs.length - 1]) return { action: 'keep', latest: lastEqual };
  if (lastEqual) return { action: 'renumber', latest: lastEqual, revision: next };
  return { action: 'create', latest: wanted };
}

/** Revisions still needed: those pods record and the one injectionStrategy.revision names. */
export function activeRevisions(s: SidecarSet, pods: readonly V1Pod[], revs: readonly V1ControllerRevision[]): Set<string> {
  const name = s.metadata?.name ?? '';
  const active = new Set<string>();
  for (const p of pods) {
    const r = podControllerRevision(p, name);
    if (r) active.add(r);
  }
  const pinned = s.spec?.injectionStrategy?.revision;
  if (pinned?.revisionName) active.add(pinned.revisionName);
  if (pinned?.customVersion !== undefined) {
    const newest = findRevision(s, pinned, revs);
    if (newest?.metadata?.name) active.add(newest.metadata.name);
  }
  return active;
}

/** The oldest unused revisions beyond revisionHistoryLimit (at least 1 kept); never the newest. */
export function revisionsToDelete(s: SidecarSet, revs: readonly V1ControllerRevision[], active: ReadonlySet<string>): V1ControllerRevision[] {
  const limit = Math.max(1, s.spec?.revisionHistoryLimit ?? 10);
  const sorted = sortRevisions(revs);
  let excess = sorted.length - limit;
  const out: V1ControllerRevision[] = [];
  for (let i = 0; i < sorted.length - 1 && excess > 0; i++) {
    const r = sorted[i]!;
    if (!active.has(r.metadata?.name ?? '')) {
      out.push(r);
      excess--;
    }
  }
  return out;
}

/** The revision injectionStrategy.revision names: by name, or the newest carrying the custom version. */
export function findRevision(s: SidecarSet, pinned: { revisionName?: string; customVersion?: string }, revs: readonly V1ControllerRevision[]): V1ControllerRevision | undefined {
  if (pinned.revisionName !== undefined) return revs.find((r) => r.metadata?.name === pinned.revisionName);
  if (pinned.customVersion === undefined) return undefined;
  const own = revs.filter((r) => r.metadata?.labels?.[LABEL_SIDECARSET_NAME] === s.metadata?.name && r.metadata?.labels?.[LABEL_SIDECARSET_CUSTOM_VERSION] === pinned.customVersion);
  const sorted = sortRevisions(own);
  return sorted[sorted.length - 1];
}

/** The SidecarSet as recorded by `rev`: its injected spec fields, hashes, and latestRevision = rev. */
export function restoreRevision(s: SidecarSet, rev: V1ControllerRevision): SidecarSet {
  const out = structuredClone(s);
  const recorded = ((rev.data as { spec?: Record<string, unknown> } | undefined)?.spec ?? {}) as Record<string, unknown>;
  const spec = (out.spec ??= {}) as Record<string, unknown>;
  for (const k of RECORDED) {
    if (recorded[k] === null || recorded[k] === undefined) delete spec[k];
    else spec[k] = structuredClone(recorded[k]);
  }
  out.metadata = { ...out.metadata, annotations: { ...out.metadata?.annotations } };
  for (const k of [ANNOTATION_SIDECARSET_HASH, ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE]) {
    const v = rev.metadata?.annotations?.[k];
    if (v) out.metadata.annotations![k] = v;
  }
  out.status = { matchedPods: 0, updatedPods: 0, readyPods: 0, ...out.status, latestRevision: rev.metadata?.name ?? '' };
  return out;
}

/** What a new pod is injected from: the latest spec or the pinned revision. */
export type InjectionChoice = 'latest' | 'pinned';

/**
 * getSuitableRevisionSidecarSet at CREATE: no pinned revision → latest; updateStrategy.paused or
 * policy Always → pinned; Partial → pinned for pods updateStrategy.selector does not match, else
 * a percent partition p gives pinned with probability p (`random()` in [0, 1) <= p), and an integer
 * or absent partition gives the latest.
 */
export function chooseInjection(s: SidecarSet, podLabels: Record<string, string>, random: () => number): InjectionChoice {
  const pinned = s.spec?.injectionStrategy?.revision;
  if (!pinned || (pinned.revisionName === undefined && pinned.customVersion === undefined)) return 'latest';
  const us = s.spec?.updateStrategy ?? {};
  if (us.paused) return 'pinned';
  if (pinned.policy !== 'Partial') return 'pinned';
  if (us.selector) {
    const sel = labelSelectorAsPredicate(us.selector);
    if (!sel.ok || !sel.matches(podLabels)) return 'pinned';
  }
  const partition = us.partition;
  if (partition === undefined || partition === null || typeof partition === 'number') return 'latest';
  const p = Number.parseFloat(partition.replace(/%$/, '')) / 100;
  if (!Number.isFinite(p)) return 'latest';
  return random() <= p ? 'pinned' : 'latest';
}
