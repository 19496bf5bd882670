// SidecarSet admission: the SidecarSet mutating (defaults, hashes) and validating webhooks, and the
// SidecarSet part of the pod mutating webhook (injection at CREATE). Every read comes from the
// manager's informer caches through SidecarSetCaches, so a pod admission makes no API call.
import type { V1ControllerRevision, V1Pod } from '@kubernetes/client-node';
import { invalidObjectMessage } from '../api/field-errors.ts';
import { GROUP, SIDECARSET } from '../api/group.ts';
import type { SidecarSet } from '../api/sidecarset.ts';
import { KRUISE_CONFIGURATION, PATCH_METADATA_WHITELIST_KEY } from '../api/sidecarset.ts';
import { defaultSidecarSet } from '../api/sidecarset-defaults.ts';
import { type PatchMetadataWhitelistRule, validateSidecarSet } from '../api/sidecarset-validation.ts';
import { injectSidecarSets } from '../controllers/sidecarset/inject.ts';
import { isActivePod, podMatchesSidecarSet } from '../controllers/sidecarset/pod-records.ts';
import { chooseInjection, findRevision, restoreRevision } from '../controllers/sidecarset/revision.ts';
import { type AdmissionRequest, allow, createJsonPatch, deny, denyInvalid, type Verdict } from './admission.ts';

/** The cached objects SidecarSet admission reads. */
export interface SidecarSetCaches {
  sidecarSets(): SidecarSet[];
  /** ControllerRevisions in the manager namespace. */
  revisions(): V1ControllerRevision[];
  namespaceLabels(name: string): Record<string, string> | undefined;
  /** data of ConfigMap kruise-configuration in the manager namespace. */
  kruiseConfiguration(): Record<string, string> | undefined;
  /** Resolves once every cache has listed. */
  synced(): Promise<void>;
  /** Uniform in [0, 1): the draw of a Partial injection with a percent partition. */
  random(): number;
}

export interface SidecarSetAdmissionDeps {
  caches: SidecarSetCaches;
  patchMetadataDefaultsAllowed: boolean;
  now(): Date;
}

function parseWhitelist(caches: SidecarSetCaches): PatchMetadataWhitelistRule[] | undefined {
  const raw = caches.kruiseConfiguration()?.[PATCH_METADATA_WHITELIST_KEY];
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as { rules?: PatchMetadataWhitelistRule[] };
    return v.rules ?? [];
  } catch {
    return [];
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function mutateSidecarSet(req: AdmissionRequest): Promise<Verdict> {
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return allow();
  if (!isObject(req.object)) return deny(400, 'request has no SidecarSet object');
  const obj = req.object as SidecarSet;
  return allow(createJsonPatch(obj, defaultSidecarSet(obj)));
}

export async function validateSidecarSetRequest(req: AdmissionRequest, deps: SidecarSetAdmissionDeps): Promise<Verdict> {
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return allow();
  if (!isObject(req.object)) return deny(400, 'request has no SidecarSet object');
  const obj = req.object as SidecarSet;
  const old = req.operation === 'UPDATE' && isObject(req.oldObject) ? (req.oldObject as SidecarSet) : undefined;
  if (req.operation === 'UPDATE' && !old) return deny(400, 'update request has no old SidecarSet object');
  await deps.caches.synced();
  const errors = validateSidecarSet(obj, old, {
    sidecarSets: () => deps.caches.sidecarSets(),
    revisionExists: (set, rev) => findRevision(set, rev, deps.caches.revisions()) !== undefined,
    patchMetadataWhitelist: () => parseWhitelist(deps.caches),
    namespaceLabels: (n) => deps.caches.namespaceLabels(n),
    patchMetadataDefaultsAllowed: deps.patchMetadataDefaultsAllowed,
  });
  if (!errors.length) return allow();
  const name = obj.metadata?.name ?? req.name ?? '';
  return denyInvalid(SIDECARSET.kind, GROUP, name, invalidObjectMessage(SIDECARSET.kind, GROUP, name, errors), errors);
}

/** The SidecarSet `pod` gets: the latest, or the revision injectionStrategy.revision pins. */
function revisionFor(s: SidecarSet, pod: V1Pod, caches: SidecarSetCaches): SidecarSet {
  if (chooseInjection(s, pod.metadata?.labels ?? {}, () => caches.random()) === 'latest') return s;
  const rev = findRevision(s, s.spec!.injectionStrategy!.revision!, caches.revisions());
  // A pinned revision that is gone (truncated or never recorded): inject the latest spec.
  return rev ? restoreRevision(s, rev) : s;
}

/**
 * Pod CREATE: the pod with every matching, not injection-paused SidecarSet injected; undefined when
 * none applies. Dry runs get the same answer (the apiserver shows what would be created).
 */
export async function injectSidecarSetsAtCreate(req: AdmissionRequest, pod: V1Pod, deps: SidecarSetAdmissionDeps): Promise<V1Pod | undefined> {
  if (req.operation !== 'CREATE' || req.subResource || !isActivePod(pod)) return undefined;
  await deps.caches.synced();
  const namespace = pod.metadata?.namespace || req.namespace || 'default';
  const forMatching: V1Pod = { ...pod, metadata: { ...pod.metadata, namespace } };
  const matched = deps.caches
    .sidecarSets()
    .filter((s) => !s.spec?.injectionStrategy?.paused && podMatchesSidecarSet(forMatching, s, (n) => deps.caches.namespaceLabels(n)))
    .sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1))
    .map((s) => revisionFor(s, forMatching, deps.caches));
  return injectSidecarSets(pod, matched, deps.now().toISOString());
}
