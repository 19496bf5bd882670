// The target side of WorkloadSpread: reading a workload (built-in kinds from the shared caches,
// whitelisted custom kinds live through discovery), its pods, its replica count (replicas,
// Job parallelism, scale subresource, targetFilter.replicasPathList or the whitelist's
// ReplicasPath) and its latest pod version (the Deployment's newest ReplicaSet).
import type { KubeConfig, KubernetesObject, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { parseGroup } from '../../api/workloadspread-validation.ts';
import type { TargetReference, WorkloadSpread } from '../../api/workloadspread.ts';
import { labelSelectorAsPredicate } from '../../api/validation-common.ts';
import { getJson, KubeHttpError } from '../../runtime/kube-http.ts';
import type { InformerCache } from '../../runtime/informer.ts';
import { builtinReplicas, hasPercentSubset, sumAtPaths } from './replicas.ts';
import { LABEL_POD_TEMPLATE_HASH, shortHash, VERSION_IGNORED } from './types.ts';
import { type Whitelist, whitelisted } from './whitelist.ts';

export type Obj = KubernetesObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

export const PODS_PATH = '/api/v1/pods';
export const NODES_PATH = '/api/v1/nodes';
/** Informer path of each built-in target, keyed "group/Kind". */
export const BUILTIN_PATHS: Readonly<Record<string, string>> = {
  'apps/Deployment': '/apis/apps/v1/deployments',
  'apps/ReplicaSet': '/apis/apps/v1/replicasets',
  'apps/StatefulSet': '/apis/apps/v1/statefulsets',
  'batch/Job': '/apis/batch/v1/jobs',
  'apps.kruise.io/CloneSet': '/apis/apps.kruise.io/v1alpha1/clonesets',
  'apps.kruise.io/StatefulSet': '/apis/apps.kruise.io/v1beta1/statefulsets',
};
const OWNER_INDEX = 'workloadspread-owner-uid';

/** Reads workloads and pods; the cluster seam of the planners. */
export interface WorkloadSource {
  get(apiVersion: string, kind: string, namespace: string, name: string): Promise<Obj | undefined>;
  /** Scale subresource of a custom kind: undefined when it has none (404). */
  scale(apiVersion: string, kind: string, namespace: string, name: string): Promise<{ replicas: number; selector?: string } | undefined>;
  podsOwnedBy(namespace: string, uid: string): V1Pod[];
  pods(namespace: string): V1Pod[];
  replicaSetsOwnedBy(namespace: string, uid: string): V1ReplicaSet[];
}

export type InformerFactory = <T extends KubernetesObject>(path: string) => InformerCache<T>;

const builtinKey = (apiVersion: string, kind: string): string | undefined => {
  const g = parseGroup(apiVersion);
  return g.ok && BUILTIN_PATHS[`${g.group}/${kind}`] ? `${g.group}/${kind}` : undefined;
};

/** The resource (plural) serving a kind at apiVersion, from discovery; undefined when the group/version is not served (404) or has no such kind. */
export async function discoverPlural(kc: KubeConfig, apiVersion: string, kind: string): Promise<string | undefined> {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  try {
    const list = await getJson<{ resources?: Array<{ name: string; kind: string }> }>(kc, base);
    return (list.resources ?? []).find((x) => x.kind === kind && !x.name.includes('/'))?.name;
  } catch (err) {
    if (err instanceof KubeHttpError && err.statusCode === 404) return undefined;
    throw err;
  }
}

/** Caches for the built-in kinds and pods; live reads (with discovery) for the others. */
export function cachedWorkloadSource(informer: InformerFactory, kc: KubeConfig): WorkloadSource {
  const pods = informer<V1Pod>(PODS_PATH);
  pods.addIndex(OWNER_INDEX, (p) => (p.metadata?.ownerReferences ?? []).map((r) => r.uid));
  const rss = informer<V1ReplicaSet>(BUILTIN_PATHS['apps/ReplicaSet'] as string);
  rss.addIndex(OWNER_INDEX, (p) => (p.metadata?.ownerReferences ?? []).map((r) => r.uid));
  const caches = new Map<string, InformerCache<Obj>>(Object.entries(BUILTIN_PATHS).map(([k, p]) => [k, informer<Obj>(p)]));
  const plurals = new Map<string, string>();
  const pluralOf = async (apiVersion: string, kind: string): Promise<string | undefined> => {
    const key = `${apiVersion}/${kind}`;
    if (plurals.has(key)) return plurals.get(key);
    const plural = await discoverPlural(kc, apiVersion, kind);
    if (plural) plurals.set(key, plural);
    return plural;
  };
  const live = async <T>(path: string): Promise<T | undefined> => {
    try {
      return await getJson<T>(kc, path);
    } catch (err) {
      if (err instanceof KubeHttpError && err.statusCode === 404) return undefined;
      throw err;
    }
  };
  const objectPath = async (apiVersion: string, kind: string, namespace: string, name: string): Promise<string | undefined> => {
    const plural = await pluralOf(apiVersion, kind);
    if (!plural) return undefined;
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return `${base}/namespaces/${encodeURIComponent(namespace)}/${plural}/${encodeURIComponent(name)}`;
  };
  return {
    async get(apiVersion, kind, namespace, name) {
      const key = builtinKey(apiVersion, kind);
      if (key) {
        const cache = caches.get(key) as InformerCache<Obj>;
        if (!cache.hasSynced()) await cache.waitForSync(AbortSignal.timeout(10_000)).catch(() => undefined);
        // A miss can be a watch event not delivered yet (a ReplicaSet created just before its
        // first pods reaches the webhook): ask the apiserver before calling the owner absent.
        return cache.get(namespace, name) ?? live<Obj>(namespacedPath(BUILTIN_PATHS[key] as string, namespace, name));
      }
      const path = await objectPath(apiVersion, kind, namespace, name);
      return path ? live<Obj>(path) : undefined;
    },
    async scale(apiVersion, kind, namespace, name) {
      const path = await objectPath(apiVersion, kind, namespace, name);
      if (!path) return undefined;
      const scale = await live<{ spec?: { replicas?: number }; status?: { selector?: string } }>(`${path}/scale`);
      return scale ? { replicas: scale.spec?.replicas ?? 0, ...(scale.status?.selector ? { selector: scale.status.selector } : {}) } : undefined;
    },
    podsOwnedBy: (namespace, uid) => pods.byIndex(OWNER_INDEX, uid).filter((p) => p.metadata?.namespace === namespace),
    pods: (namespace) => pods.list(namespace),
    replicaSetsOwnedBy: (namespace, uid) => rss.byIndex(OWNER_INDEX, uid).filter((r) => r.metadata?.namespace === namespace),
  };
}

/** /apis/apps/v1/replicasets + ns + name -> /apis/apps/v1/namespaces/<ns>/replicasets/<name>. */
export function namespacedPath(listPath: string, namespace: string, name: string): string {
  const i = listPath.lastIndexOf('/');
  return `${listPath.slice(0, i)}/namespaces/${encodeURIComponent(namespace)}/${listPath.slice(i + 1)}/${encodeURIComponent(name)}`;
}

/** Replicas unknown: a custom workload without a scale subresource. */
export const REPLICAS_UNKNOWN = -1;

export interface TargetView {
  object?: Obj;
  /** The filtered pods the WorkloadSpread manages. */
  pods: V1Pod[];
  /** The workload's replicas after targetFilter (replicasPathList) or the whitelist's ReplicasPath. */
  replicas: number;
}

function matchesSelectorString(selector: string, labels: Record<string, string>): boolean {
  return selector.split(',').every((part) => {
    const [k, v] = part.split('=');
    return k !== undefined && v !== undefined && labels[k.trim()] === v.trim();
  });
}

/** The replicas path of the target: targetFilter.replicasPathList, else the whitelist entry of its group/version/kind. */
export function replicasPaths(ws: WorkloadSpread, whitelist: Whitelist): string[] {
  const list = ws.spec.targetFilter?.replicasPathList ?? [];
  if (list.length) return list;
  const ref = ws.spec.targetRef;
  const g = parseGroup(ref.apiVersion);
  const version = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[1] : ref.apiVersion;
  const entry = whitelist.workloads.find((w) => g.ok && w.group === g.group && w.version === version && w.kind === ref.kind);
  return entry ? [entry.replicasPath] : [];
}

/** getPodsForWorkloadSpread: the target's pods and replicas, then targetFilter applied. */
export async function resolveTarget(ws: WorkloadSpread, source: WorkloadSource, whitelist: Whitelist): Promise<TargetView> {
  const ref: TargetReference = ws.spec.targetRef;
  const ns = ws.metadata.namespace ?? '';
  const obj = await source.get(ref.apiVersion, ref.kind, ns, ref.name);
  if (!obj || obj.metadata?.deletionTimestamp) return { pods: [], replicas: 0 };
  const uid = obj.metadata?.uid ?? '';
  const key = builtinKey(ref.apiVersion, ref.kind);
  const paths = replicasPaths(ws, whitelist);
  let replicas: number;
  let pods: V1Pod[];
  if (key === 'batch/Job') {
    replicas = builtinReplicas('Job', obj);
    const sel = labelSelectorAsPredicate(obj.spec?.selector as never);
    pods = source.podsOwnedBy(ns, uid).filter((p) => sel.ok && sel.matches(p.metadata?.labels ?? {}));
  } else if (key) {
    replicas = builtinReplicas(ref.kind, obj);
    const owners = key === 'apps/Deployment' ? source.replicaSetsOwnedBy(ns, uid).filter((r) => !r.metadata?.deletionTimestamp).map((r) => r.metadata?.uid ?? '') : [];
    pods = replicas === 0 ? [] : (owners.length ? owners : [uid]).flatMap((u) => source.podsOwnedBy(ns, u));
  } else if (paths.length) {
    // The replicas come from a path (below): no scale read, which a least-privilege install may
    // not grant (a 403 on <kind>/scale, where an admin client gets a 404 for a kind without one).
    replicas = REPLICAS_UNKNOWN;
    pods = source.podsOwnedBy(ns, uid);
  } else {
    const scale = await source.scale(ref.apiVersion, ref.kind, ns, ref.name);
    replicas = scale ? scale.replicas : REPLICAS_UNKNOWN;
    pods = replicas === 0 ? [] : source.podsOwnedBy(ns, uid);
    if (pods.length === 0 && scale?.selector) pods = source.pods(ns).filter((p) => matchesSelectorString(scale.selector as string, p.metadata?.labels ?? {}));
  }
  if (paths.length) replicas = sumAtPaths(obj, paths);
  const selector = ws.spec.targetFilter?.selector;
  if (selector) {
    const sel = labelSelectorAsPredicate(selector);
    pods = sel.ok ? pods.filter((p) => sel.matches(p.metadata?.labels ?? {})) : [];
  }
  return { object: obj, pods, replicas };
}

/** Replicas the webhook needs to initialise a version's quota (only when some subset uses a percentage). */
export async function replicasForQuota(ws: WorkloadSpread, source: WorkloadSource, whitelist: Whitelist): Promise<number> {
  if (!hasPercentSubset(ws)) return 0;
  const ref = ws.spec.targetRef;
  const obj = await source.get(ref.apiVersion, ref.kind, ws.metadata.namespace ?? '', ref.name);
  if (!obj) return 0;
  const list = ws.spec.targetFilter?.replicasPathList ?? [];
  if (list.length) return sumAtPaths(obj, list);
  if (builtinKey(ref.apiVersion, ref.kind)) return builtinReplicas(ref.kind, obj);
  const g = parseGroup(ref.apiVersion);
  const entry = g.ok ? whitelisted(whitelist, g.group, ref.kind) : undefined;
  return entry ? sumAtPaths(obj, [entry.replicasPath]) : 0;
}

/** The workload's latest pod version; undefined while it cannot be told (the new ReplicaSet is not cached yet). */
export function latestVersion(ws: WorkloadSpread, obj: Obj | undefined, source: WorkloadSource): string | undefined {
  if (!obj) return VERSION_IGNORED;
  const kind = ws.spec.targetRef.kind;
  // A bare ReplicaSet (no Deployment above it) has no pod-template-hash and neither do its pods,
  // whose version is then VERSION_IGNORED: the workload's must match, or every pod would count as
  // an old version and get reversed costs (OpenKruise returns "" here: reports/known deviation 6).
  if (kind === 'ReplicaSet') return obj.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH] ?? VERSION_IGNORED;
  if (kind === 'CloneSet') {
    // The update revision is known once status has caught up with the spec.
    const status = obj.status as { observedGeneration?: number; updateRevision?: string } | undefined;
    if ((obj.metadata?.generation ?? 0) > (status?.observedGeneration ?? 0) || !status?.updateRevision) return undefined;
    return shortHash(status.updateRevision);
  }
  if (kind !== 'Deployment') return VERSION_IGNORED;
  const revision = obj.metadata?.annotations?.['deployment.kubernetes.io/revision'];
  if (!revision) return undefined;
  const rs = source.replicaSetsOwnedBy(obj.metadata?.namespace ?? '', obj.metadata?.uid ?? '').find((r) => !r.metadata?.deletionTimestamp && r.metadata?.annotations?.['deployment.kubernetes.io/revision'] === revision);
  return rs?.metadata?.labels?.[LABEL_POD_TEMPLATE_HASH];
}
