// SidecarSet defaulting (OpenKruise apis/apps/defaults SetDefaultsSidecarSet) and the two hash
// annotations its mutating webhook stamps (pkg/control/sidecarcontrol/hash.go): the hash of the
// sidecar containers, and the same hash with every image blanked.
import { createHash } from 'node:crypto';
import { defaultContainer, defaultVolume } from './defaults.ts';
import { ANNOTATION_SIDECARSET_HASH, ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE, DEFAULT_SIDECARSET_MAX_UNAVAILABLE, type PodInjectPolicy, type SidecarContainer, type SidecarSet } from './sidecarset.ts';
import { DEFAULT_REVISION_HISTORY_LIMIT } from './constants.ts';

function defaultSidecarContainer(c: SidecarContainer, policy: PodInjectPolicy): void {
  if (!c.podInjectPolicy) c.podInjectPolicy = policy;
  c.upgradeStrategy ??= {};
  if (!c.upgradeStrategy.upgradeType) c.upgradeStrategy.upgradeType = 'ColdUpgrade';
  c.shareVolumePolicy ??= {};
  if (!c.shareVolumePolicy.type) c.shareVolumePolicy.type = 'disabled';
  defaultContainer(c, false);
  for (const t of c.transferEnv ?? []) {
    const ref = t.sourceContainerNameFrom?.fieldRef;
    if (ref && !ref.apiVersion) ref.apiVersion = 'v1';
  }
}

/** A defaulted copy with fresh hash annotations. */
export function defaultSidecarSet(obj: SidecarSet): SidecarSet {
  const out = structuredClone(obj);
  const spec = (out.spec ??= {});
  const us = (spec.updateStrategy ??= {});
  if (!us.type) us.type = 'RollingUpdate';
  us.maxUnavailable ??= DEFAULT_SIDECARSET_MAX_UNAVAILABLE;
  us.partition ??= 0;
  for (const c of spec.initContainers ?? []) defaultSidecarContainer(c, 'AfterAppContainer');
  for (const c of spec.containers ?? []) defaultSidecarContainer(c, 'BeforeAppContainer');
  for (const v of spec.volumes ?? []) defaultVolume(v);
  spec.revisionHistoryLimit ??= DEFAULT_REVISION_HISTORY_LIMIT;
  for (const p of spec.patchPodMetadata ?? []) if (!p.patchPolicy) p.patchPolicy = 'Retain';
  const rev = spec.injectionStrategy?.revision;
  if (rev && !rev.policy) rev.policy = 'Always';
  out.metadata ??= {};
  out.metadata.annotations = { ...out.metadata.annotations, ...sidecarSetHashes(out) };
  return out;
}

/** JSON with object keys sorted, so equal values always hash alike. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

// Characters without vowels and look-alikes (apimachinery's rand.SafeEncodeString alphabet).
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';
function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE[s.charCodeAt(i) % SAFE.length];
  return out;
}

/** A native sidecar (restartPolicy Always) initContainer is upgraded like a container. */
export const isNativeSidecar = (c: { restartPolicy?: string }): boolean => c.restartPolicy === 'Always';

function hashOf(containers: readonly SidecarContainer[], initContainers: readonly SidecarContainer[]): string {
  const doc: Record<string, unknown> = { containers };
  if (initContainers.some(isNativeSidecar)) doc.initContainers = initContainers;
  return safeEncode(createHash('sha256').update(canonicalJson(doc)).digest('hex'));
}

/** The two hash annotations of a (defaulted) SidecarSet. */
export function sidecarSetHashes(s: SidecarSet): Record<string, string> {
  const containers = s.spec?.containers ?? [];
  const init = s.spec?.initContainers ?? [];
  const blank = (list: readonly SidecarContainer[]) => list.map((c) => ({ ...c, image: '' }));
  return {
    [ANNOTATION_SIDECARSET_HASH]: hashOf(containers, init),
    [ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE]: hashOf(blank(containers), blank(init)),
  };
}
