// Injection of SidecarSets into a pod at creation (OpenKruise pkg/webhook/pod/mutating/sidecarset.go
// and sidecarset_hotupgrade.go): patchPodMetadata, sidecar initContainers and containers placed by
// podInjectPolicy, IS_INJECTED, transferEnv, shared volume mounts, the SidecarSet volumes a sidecar
// mounts (a pod volume of the same name wins), imagePullSecrets, hot-upgrade pairs and the pod
// annotations that record what was injected. Pure: the caller picks the SidecarSets (and the
// revision of each) and the clock.
import type { V1Container, V1EnvVar, V1LocalObjectReference, V1ObjectMeta, V1Pod, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { isNativeSidecar } from '../../api/sidecarset-defaults.ts';
import {
  ANNOTATION_SIDECARSET_HASH,
  ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE,
  ANNOTATION_SIDECARSET_INJECTED_LIST,
  ANNOTATION_WORKING_HOT_CONTAINER,
  ENV_IS_INJECTED,
  ENV_SIDECARSET_VERSION,
  ENV_SIDECARSET_VERSION_ALT,
  type SidecarContainer,
  type SidecarSet,
  type SidecarSetPatchPodMetadata,
  versionAltAnnotation,
  versionAnnotation,
} from '../../api/sidecarset.ts';
import { hotNames, injectedList, isHotUpgrade, isInjectedContainer, type PodHashEntry, podHashes, sidecarSetHash, sidecarSetHashWithoutImage, workingHotContainers } from './pod-records.ts';

// ---- merges (pkg/util MergeVolumeMounts / MergeEnvVar / MergeVolumes) ----

/** `extra` mounts whose mountPath is free. */
export function mergeMounts(own: readonly V1VolumeMount[], extra: readonly V1VolumeMount[]): V1VolumeMount[] {
  const out = [...own];
  const paths = new Set(own.map((m) => m.mountPath));
  for (const m of extra) if (!paths.has(m.mountPath)) (out.push(m), paths.add(m.mountPath));
  return out;
}

/** `extra` envs whose name is free. */
export function mergeEnv(own: readonly V1EnvVar[], extra: readonly V1EnvVar[]): V1EnvVar[] {
  const out = [...own];
  const names = new Set(own.map((e) => e.name));
  for (const e of extra) if (!names.has(e.name)) (out.push(e), names.add(e.name));
  return out;
}

/** The pod's volumes, then the sidecar ones of a free name: a pod volume wins a clash. */
export function mergeVolumes(pod: readonly V1Volume[], sidecar: readonly V1Volume[]): V1Volume[] {
  return mergeByName(pod, sidecar);
}

function mergeByName<T extends { name?: string }>(first: readonly T[], second: readonly T[]): T[] {
  const out: T[] = [];
  const names = new Set<string | undefined>();
  for (const x of [...first, ...second]) if (!names.has(x.name)) (out.push(x), names.add(x.name));
  return out;
}

// ---- patchPodMetadata ----

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch. */
export function jsonMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Record<string, unknown> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = jsonMergePatch(out[k], v);
  }
  return out;
}

/** Applies the patches to the metadata's annotations; returns whether anything changed. Throws on an unparsable MergePatchJson. */
export function patchPodMetadata(meta: V1ObjectMeta, patches: readonly SidecarSetPatchPodMetadata[]): boolean {
  const annotations = (meta.annotations ??= {});
  const before = JSON.stringify(annotations);
  for (const p of patches) {
    for (const [k, v] of Object.entries(p.annotations ?? {})) {
      switch (p.patchPolicy ?? 'Retain') {
        case 'Retain':
        case '':
          if (!(k in annotations)) annotations[k] = v;
          break;
        case 'Overwrite':
          annotations[k] = v;
          break;
        case 'MergePatchJson': {
          const origin = annotations[k];
          annotations[k] = origin ? JSON.stringify(jsonMergePatch(JSON.parse(origin) as unknown, JSON.parse(v) as unknown)) : v;
          break;
        }
      }
    }
  }
  return JSON.stringify(annotations) !== before;
}

// ---- per-container building blocks ----

const SUBPATH_ENV = /\$\(([-._a-zA-Z][-._a-zA-Z0-9]*)\)/g;

/** With shareVolumePolicy enabled: every mount of the pod's app containers, and the envs their subPathExpr expands. */
export function sharedMountsAndEnvs(c: SidecarContainer, pod: V1Pod): { mounts: V1VolumeMount[]; envs: V1EnvVar[] } {
  if (c.shareVolumePolicy?.type !== 'enabled') return { mounts: [], envs: [] };
  const mounts: V1VolumeMount[] = [];
  const envs: V1EnvVar[] = [];
  for (const app of pod.spec?.containers ?? []) {
    if (isInjectedContainer(app)) continue;
    for (const m of app.volumeMounts ?? []) {
      mounts.push(m);
      for (const match of (m.subPathExpr ?? '').matchAll(SUBPATH_ENV)) {
        const env = app.env?.find((e) => e.name === match[1]);
        if (env) envs.push(env);
      }
    }
  }
  return { mounts, envs };
}

/** The container a transferEnv names through a fieldRef on a pod label or annotation. */
function sourceFromFieldRef(fieldPath: string, pod: V1Pod): string | undefined {
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
  if (!m) return undefined;
  return (m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2] as string] ?? '';
}

/** transferEnv: the named envs of the source app container (missing ones skipped). */
export function transferredEnvs(c: SidecarContainer, pod: V1Pod): V1EnvVar[] {
  const out: V1EnvVar[] = [];
  for (const t of c.transferEnv ?? []) {
    const names = [...new Set([...(t.envName ? [t.envName] : []), ...(t.envNames ?? [])])].sort();
    let source = t.sourceContainerName ?? '';
    const ref = t.sourceContainerNameFrom?.fieldRef;
    if (ref) {
      const named = sourceFromFieldRef(ref.fieldPath, pod);
      if (named === undefined) continue;
      source = named;
    }
    const from = pod.spec?.containers.find((x) => x.name === source);
    for (const n of names) {
      const env = from?.env?.find((e) => e.name === n);
      if (env) out.push(env);
    }
  }
  return out;
}

/** The sidecar as it goes into this pod: shared mounts, IS_INJECTED, transferred and subPathExpr envs. */
export function preparedSidecar(c: SidecarContainer, pod: V1Pod): SidecarContainer {
  const shared = sharedMountsAndEnvs(c, pod);
  const extraEnv = mergeEnv(transferredEnvs(c, pod), shared.envs);
  return {
    ...structuredClone(c),
    volumeMounts: mergeMounts(c.volumeMounts ?? [], shared.mounts),
    env: mergeEnv([...(c.env ?? []), { name: ENV_IS_INJECTED, value: 'true' }], extraEnv),
  };
}

const versionEnv = (name: string, container: string): V1EnvVar => ({
  name,
  valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.annotations['${name === ENV_SIDECARSET_VERSION ? versionAnnotation(container) : versionAltAnnotation(container)}']` } },
});

/** A hot-upgrade sidecar as `<name>-1` (working, its image) and `<name>-2` (hotUpgradeEmptyImage), with their annotations. */
export function hotUpgradePair(c: SidecarContainer): { containers: SidecarContainer[]; annotations: Record<string, string> } {
  const [one, two] = hotNames(c.name);
  const make = (name: string, image: string | undefined): SidecarContainer => ({
    ...structuredClone(c),
    name,
    ...(image !== undefined ? { image } : {}),
    env: [...(c.env ?? []), versionEnv(ENV_SIDECARSET_VERSION, name), versionEnv(ENV_SIDECARSET_VERSION_ALT, name)],
  });
  return {
    containers: [make(one, undefined), make(two, c.upgradeStrategy?.hotUpgradeEmptyImage ?? '')],
    annotations: { [versionAnnotation(one)]: '1', [versionAltAnnotation(one)]: '0', [versionAnnotation(two)]: '0', [versionAltAnnotation(two)]: '1' },
  };
}

/** A sidecar that already exists in the pod replaces it in place; others go before or after the app containers. */
export function placeSidecars(pod: readonly V1Container[], sidecars: readonly SidecarContainer[]): V1Container[] {
  const out = [...pod];
  const before: V1Container[] = [];
  const after: V1Container[] = [];
  for (const s of sidecars) {
    const { podInjectPolicy, upgradeStrategy: _u, shareVolumePolicy: _s, transferEnv: _t, ...core } = s;
    const i = out.findIndex((c) => c.name === s.name);
    if (i >= 0) out[i] = core;
    else (podInjectPolicy === 'BeforeAppContainer' ? before : after).push(core);
  }
  return [...before, ...out, ...after];
}

// ---- the whole injection ----

/** A matched SidecarSet, already resolved to the revision this pod gets. */
export type MatchedSidecarSet = SidecarSet;

/** The pod with every matched SidecarSet injected; `now` is an RFC 3339 timestamp. Undefined when nothing changes. */
export function injectSidecarSets(original: V1Pod, matched: readonly MatchedSidecarSet[], now: string): V1Pod | undefined {
  if (!matched.length) return undefined;
  const pod = structuredClone(original);
  const meta = (pod.metadata ??= {});
  meta.annotations ??= {};
  let changed = false;
  for (const s of matched) changed = patchPodMetadata(meta, s.spec?.patchPodMetadata ?? []) || changed;

  const hashes = podHashes(pod);
  const hashesNoImage = podHashes(pod, ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE);
  const working = workingHotContainers(pod);
  const names = new Set(injectedList(pod));
  const containers: SidecarContainer[] = [];
  const inits: SidecarContainer[] = [];
  const volumes: V1Volume[] = [];
  const secrets: V1LocalObjectReference[] = [];
  const extraAnnotations: Record<string, string> = {};

  for (const s of matched) {
    const name = s.metadata?.name ?? '';
    names.add(name);
    const volumeOf = new Map((s.spec?.volumes ?? []).map((v) => [v.name, v]));
    const list = new Set<string>();
    const take = (c: SidecarContainer, into: SidecarContainer[], hotAllowed: boolean) => {
      for (const m of c.volumeMounts ?? []) {
        const v = volumeOf.get(m.name);
        if (v) volumes.push(v);
      }
      const prepared = preparedSidecar(c, pod);
      if (hotAllowed && isHotUpgrade(c)) {
        const pair = hotUpgradePair(prepared);
        into.push(...pair.containers);
        Object.assign(extraAnnotations, pair.annotations);
        working[c.name] = hotNames(c.name)[0];
        extraAnnotations[ANNOTATION_WORKING_HOT_CONTAINER] = JSON.stringify(working);
      } else into.push(prepared);
    };
    for (const c of s.spec?.initContainers ?? []) {
      if (isNativeSidecar(c)) list.add(c.name);
      take(c, inits, isNativeSidecar(c));
    }
    secrets.push(...(s.spec?.imagePullSecrets ?? []));
    for (const c of s.spec?.containers ?? []) {
      list.add(c.name);
      take(c, containers, true);
    }
    const sidecarList = [...list].sort();
    hashes[name] = { updateTimestamp: now, hash: sidecarSetHash(s), sidecarSetName: name, sidecarList, ...(s.status?.latestRevision ? { controllerRevision: s.status.latestRevision } : {}) };
    hashesNoImage[name] = { updateTimestamp: now, hash: sidecarSetHashWithoutImage(s), sidecarSetName: name, sidecarList } as PodHashEntry;
  }
  if (!containers.length && !inits.length) return changed ? pod : undefined;

  const spec = pod.spec!;
  const sortedInits = [...inits].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const initContainers = placeSidecars(spec.initContainers ?? [], sortedInits);
  if (initContainers.length) spec.initContainers = initContainers;
  spec.containers = placeSidecars(spec.containers ?? [], containers);
  const mergedVolumes = mergeVolumes(spec.volumes ?? [], volumes);
  if (mergedVolumes.length) spec.volumes = mergedVolumes;
  const mergedSecrets = mergeByName(spec.imagePullSecrets ?? [], secrets);
  if (mergedSecrets.length) spec.imagePullSecrets = mergedSecrets;
  Object.assign(meta.annotations, extraAnnotations, {
    [ANNOTATION_SIDECARSET_HASH]: JSON.stringify(hashes),
    [ANNOTATION_SIDECARSET_HASH_WITHOUT_IMAGE]: JSON.stringify(hashesNoImage),
    [ANNOTATION_SIDECARSET_INJECTED_LIST]: [...names].sort().join(','),
  });
  return pod;
}
