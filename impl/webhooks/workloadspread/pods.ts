// The pod webhooks' WorkloadSpread hooks (OpenKruise HandlePodCreation / HandlePodDeletion).
// CREATE: find the WorkloadSpread whose target is the pod's owner or an ancestor (Pod →
// ReplicaSet → Deployment) and whose targetFilter selects it, reserve a subset in the versioned
// status under the WorkloadSpread's lock (retrying on conflicts from a fresh read), and inject
// the subset. DELETE / eviction: record the pod in its subset's deletingPods. Reads come from the
// shared informer caches; only a conflict, an eviction of an uncached pod, and custom kinds read live.
import type { KubeConfig, KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { GROUP, WORKLOADSPREAD, WORKLOADSPREAD_API_VERSION, WORKLOADSPREAD_VERSION, WORKLOADSPREADS_PATH } from '../../api/group.ts';
import { labelSelectorAsPredicate } from '../../api/validation-common.ts';
import { BUILTIN_TARGETS, parseGroup } from '../../api/workloadspread-validation.ts';
import type { TargetFilter, WorkloadSpread, WorkloadSpreadStatus } from '../../api/workloadspread.ts';
import { injectSubset, planCreation, planDeletion } from '../../controllers/workloadspread/injection.ts';
import type { WorkloadSpreadStore } from '../../controllers/workloadspread/store.ts';
import { cachedWorkloadSource, PODS_PATH, replicasForQuota, type InformerFactory, type WorkloadSource } from '../../controllers/workloadspread/targets.ts';
import { controllerOf, injectedOf, isPodActive, podVersion } from '../../controllers/workloadspread/types.ts';
import { type Whitelist, whitelistedOwnerKinds } from '../../controllers/workloadspread/whitelist.ts';
import type { InformerCache } from '../../runtime/informer.ts';
import type { Logger } from '../../runtime/logger.ts';
import { getJson, KubeHttpError } from '../../runtime/kube-http.ts';
import { statusCodeOf } from '../../runtime/controller.ts';
import type { AdmissionRequest } from '../admission.ts';
import type { WorkloadSpreadPodHooks } from './index.ts';

const MAX_ATTEMPTS = 6;

export interface PodHookOptions {
  kc: KubeConfig;
  informer: InformerFactory;
  whitelist: () => Whitelist;
  store: WorkloadSpreadStore;
  logger: Logger;
  now?: () => number;
  newUid?: () => string;
}

type OwnerRef = { apiVersion: string; kind: string; name: string };

/** The owner kinds whose pods may be spread: the built-in targets plus whitelisted kinds and their subresources. */
export function knownOwnerKind(ref: OwnerRef, whitelist: Whitelist): boolean {
  const g = parseGroup(ref.apiVersion);
  if (!g.ok) return false;
  if (BUILTIN_TARGETS[ref.kind]?.includes(g.group)) return true;
  return whitelistedOwnerKinds(whitelist).some((k) => k.group === g.group && k.kind === ref.kind);
}

/** IsPodSelected: no filter selects every pod; a filter without a selector selects none (as OpenKruise). */
export function selectedBy(filter: TargetFilter | undefined, labels: Record<string, string>): boolean {
  if (!filter) return true;
  if (!filter.selector) return false;
  const sel = labelSelectorAsPredicate(filter.selector);
  return sel.ok && sel.matches(labels);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function workloadSpreadPodHooks(o: PodHookOptions): WorkloadSpreadPodHooks {
  const spreads = o.informer<WorkloadSpread & KubernetesObject>(WORKLOADSPREADS_PATH);
  const pods = o.informer<V1Pod>(PODS_PATH);
  const source: WorkloadSource = cachedWorkloadSource(o.informer, o.kc);
  const custom = o.kc.makeApiClient(CustomObjectsApi);
  const now = o.now ?? (() => Date.now());
  const newUid = o.newUid ?? (() => crypto.randomUUID());
  const log = o.logger.child('workloadspread');
  const crd = { group: GROUP, version: WORKLOADSPREAD_VERSION, plural: WORKLOADSPREAD.plural };

  const synced = async (cache: InformerCache) => {
    if (!cache.hasSynced()) await cache.waitForSync(AbortSignal.timeout(10_000));
  };

  /** isReferenceEqual: the target is the owner or, through known kinds, one of its ancestors. */
  const refersTo = async (ws: WorkloadSpread, owner: OwnerRef | undefined, namespace: string, depth = 0): Promise<boolean> => {
    if (!owner || depth > 4) return false;
    const target = ws.spec.targetRef;
    const tg = parseGroup(target.apiVersion);
    const og = parseGroup(owner.apiVersion);
    if (tg.ok && og.ok && tg.group === og.group && target.kind === owner.kind && target.name === owner.name) return true;
    if (!knownOwnerKind(owner, o.whitelist())) return false;
    const obj = await source.get(owner.apiVersion, owner.kind, namespace, owner.name);
    return obj ? refersTo(ws, controllerOf(obj), namespace, depth + 1) : false;
  };

  const readLive = async (namespace: string, name: string): Promise<WorkloadSpread | undefined> => {
    try {
      return (await custom.getNamespacedCustomObject({ ...crd, namespace, name })) as WorkloadSpread;
    } catch (err) {
      if (statusCodeOf(err) === 404) return undefined;
      throw err;
    }
  };

  /** Read-plan-write of the status under the WorkloadSpread's lock; a conflict re-reads from the apiserver. */
  const updateStatus = async <R>(ws: WorkloadSpread, plan: (fresh: WorkloadSpread) => Promise<{ result: R; status?: WorkloadSpreadStatus }>): Promise<R | undefined> => {
    const { namespace = '', name = '' } = ws.metadata;
    return o.store.withLock(ws.metadata.uid ?? `${namespace}/${name}`, async () => {
      let refresh = false;
      for (let attempt = 1; ; attempt++) {
        const fresh = refresh ? await readLive(namespace, name) : o.store.freshest(spreads.get(namespace, name), namespace, name);
        if (!fresh) return undefined;
        const { result, status } = await plan(fresh);
        if (!status) return result;
        try {
          const body = { ...fresh, apiVersion: WORKLOADSPREAD_API_VERSION, kind: WORKLOADSPREAD.kind, status };
          o.store.remember((await custom.replaceNamespacedCustomObjectStatus({ ...crd, namespace, name, body })) as WorkloadSpread);
          return result;
        } catch (err) {
          if (statusCodeOf(err) !== 409 || attempt >= MAX_ATTEMPTS) throw err;
          refresh = true;
          await new Promise((r) => setTimeout(r, 10 * attempt));
        }
      }
    });
  };

  return {
    async mutateCreate(req: AdmissionRequest, pod: V1Pod): Promise<V1Pod | undefined> {
      if (req.subResource || req.resource?.resource !== 'pods' || req.dryRun) return undefined;
      if (!isPodActive(pod)) return undefined;
      const owner = controllerOf(pod);
      if (!owner || !knownOwnerKind(owner, o.whitelist())) return undefined;
      const namespace = pod.metadata?.namespace || req.namespace || '';
      await synced(spreads as unknown as InformerCache);
      let matched: WorkloadSpread | undefined;
      for (const ws of spreads.list(namespace)) {
        if (!ws.spec?.targetRef || ws.metadata.deletionTimestamp) continue;
        if ((await refersTo(ws, owner, namespace)) && selectedBy(ws.spec.targetFilter, pod.metadata?.labels ?? {})) {
          matched = ws;
          break;
        }
      }
      if (!matched) return undefined;
      const started = now();
      const choice = await updateStatus(matched, async (fresh) => {
        const workloadReplicas = await replicasForQuota(fresh, source, o.whitelist());
        const plan = planCreation({ ws: fresh, pod, version: podVersion(pod), workloadReplicas, now: now(), newUid });
        return { result: { plan, ws: fresh }, ...(plan.status ? { status: plan.status } : {}) };
      });
      if (!choice?.plan.subset) {
        log.info('no suitable subset for pod', { workloadSpread: `${namespace}/${matched.metadata.name}`, pod: pod.metadata?.name || pod.metadata?.generateName });
        return undefined;
      }
      log.debug('pod injected', { workloadSpread: `${namespace}/${matched.metadata.name}`, subset: choice.plan.subset, ms: now() - started });
      return injectSubset(choice.ws, choice.plan.subset, pod, choice.plan.uid);
    },

    async recordDeletion(req: AdmissionRequest): Promise<void> {
      let pod: V1Pod | undefined;
      if (req.operation === 'DELETE') {
        if (req.subResource || req.dryRun || !isObj(req.oldObject)) return;
        pod = req.oldObject as V1Pod;
      } else if (req.operation === 'CREATE' && req.subResource === 'eviction') {
        const eviction = isObj(req.object) ? (req.object as { deleteOptions?: { dryRun?: string[] } }) : undefined;
        if (req.dryRun || (eviction?.deleteOptions?.dryRun ?? []).length > 0) return;
        const ns = req.namespace ?? '';
        pod = pods.get(ns, req.name ?? '');
        if (!pod) {
          try {
            pod = await getJson<V1Pod>(o.kc, `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(req.name ?? '')}`);
          } catch (err) {
            if (err instanceof KubeHttpError && err.statusCode === 404) return;
            throw err;
          }
        }
      } else return;
      const injected = injectedOf(pod);
      if (!injected || !isPodActive(pod) || !controllerOf(pod)) return;
      const namespace = pod.metadata?.namespace ?? req.namespace ?? '';
      await synced(spreads as unknown as InformerCache);
      const ws = spreads.get(namespace, injected.name);
      if (!ws) return;
      const podName = pod.metadata?.name ?? '';
      const version = podVersion(pod);
      await updateStatus(ws, async (fresh) => {
        const workloadReplicas = await replicasForQuota(fresh, source, o.whitelist());
        const status = planDeletion({ ws: fresh, podName, injected, version, workloadReplicas, now: now() });
        return { result: undefined, ...(status ? { status } : {}) };
      });
    },
  };
}
