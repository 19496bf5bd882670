// The WorkloadSpread controller: watches WorkloadSpreads, pods and the target kinds through the
// Manager's shared caches and runs WorkloadSpreadReconciler with a port over them.
import { PatchStrategy, setHeaderOptions, type KubernetesObject, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { GROUP, WORKLOADSPREAD, WORKLOADSPREAD_API_VERSION, WORKLOADSPREAD_VERSION, WORKLOADSPREADS_PATH } from '../../api/group.ts';
import { parseGroup } from '../../api/workloadspread-validation.ts';
import type { WorkloadSpread } from '../../api/workloadspread.ts';
import { forObject, isNotFound, watch, type Controller, type ControllerFactory, type InformerCache, type Manager } from '../../runtime/index.ts';
import { WorkloadSpreadReconciler, type WorkloadSpreadPort } from './reconcile.ts';
import { processWhitelistValue, sharedStore, type WorkloadSpreadStore } from './store.ts';
import { BUILTIN_PATHS, cachedWorkloadSource, NODES_PATH, PODS_PATH } from './targets.ts';
import { controllerOf, injectedOf } from './types.ts';

const strategicPatch = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

/** Keys of the WorkloadSpreads in the namespace whose target is group/kind/name (version ignored). */
export function targetingKeys(all: readonly WorkloadSpread[], group: string, kind: string, name: string): string[] {
  return all
    .filter((w) => {
      const ref = w.spec?.targetRef;
      if (!ref || w.metadata.deletionTimestamp) return false;
      const g = parseGroup(ref.apiVersion ?? '');
      return g.ok && g.group === group && ref.kind === kind && ref.name === name;
    })
    .map((w) => `${w.metadata.namespace}/${w.metadata.name}`);
}

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

export function managerPort(mgr: Manager, store: WorkloadSpreadStore = sharedStore): WorkloadSpreadPort {
  const spreads = mgr.informer<WorkloadSpread & KubernetesObject>(WORKLOADSPREADS_PATH);
  const nodes = mgr.informer<V1Node>(NODES_PATH);
  const recorder = mgr.eventRecorder('workloadspread-controller');
  const crd = { group: GROUP, version: WORKLOADSPREAD_VERSION, plural: WORKLOADSPREAD.plural };
  return {
    getWorkloadSpread: (ns, name) => store.freshest(spreads.get(ns, name), ns, name),
    source: cachedWorkloadSource((p) => mgr.informer(p), mgr.kc),
    whitelist: processWhitelistValue,
    node: (name) => nodes.get(undefined, name),
    async patchPod(namespace, name, body) {
      try {
        await mgr.core.patchNamespacedPod({ namespace, name, body }, strategicPatch);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
    async deletePod(namespace, name, uid) {
      try {
        await mgr.core.deleteNamespacedPod({ namespace, name, body: { preconditions: { uid } } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
    async writeStatus(ws, status) {
      const { namespace = '', name = '' } = ws.metadata;
      await store.withLock(ws.metadata.uid ?? `${namespace}/${name}`, async () => {
        const body = { ...ws, apiVersion: WORKLOADSPREAD_API_VERSION, kind: WORKLOADSPREAD.kind, status };
        try {
          store.remember((await mgr.custom.replaceNamespacedCustomObjectStatus({ ...crd, namespace, name, body })) as WorkloadSpread);
        } catch (err) {
          // Deleted meanwhile (e.g. with its namespace): nothing left to report on.
          if (!isNotFound(err)) throw err;
        }
      });
    },
    forget: (ns, name) => store.forget(ns, name),
    event: (ws, type, reason, message) => recorder.event({ ...ws, apiVersion: WORKLOADSPREAD_API_VERSION, kind: WORKLOADSPREAD.kind } as KubernetesObject, type, reason, message),
    now: () => Date.now(),
  };
}

export function newWorkloadSpreadController(mgr: Manager, port: WorkloadSpreadPort = managerPort(mgr)): Controller {
  const spreads = mgr.informer<WorkloadSpread & KubernetesObject>(WORKLOADSPREADS_PATH);
  const rss = mgr.informer(BUILTIN_PATHS['apps/ReplicaSet'] as string) as InformerCache;
  const reconciler = new WorkloadSpreadReconciler(port, mgr.logger.child('workloadspread'));
  const keysForOwner = (ns: string, ref: { apiVersion: string; kind: string; name: string } | undefined): string[] => {
    if (!ref) return [];
    const all = spreads.list(ns);
    const keys = targetingKeys(all, groupOf(ref.apiVersion), ref.kind, ref.name);
    if (ref.kind === 'ReplicaSet' && groupOf(ref.apiVersion) === 'apps') {
      const dep = controllerOf(rss.get(ns, ref.name) ?? {});
      if (dep?.kind === 'Deployment') keys.push(...targetingKeys(all, 'apps', 'Deployment', dep.name));
    }
    return keys;
  };
  const podKeys = (pod: V1Pod): string[] => {
    const ns = pod.metadata?.namespace ?? '';
    const inj = injectedOf(pod);
    return [...new Set([...(inj?.name ? [`${ns}/${inj.name}`] : []), ...keysForOwner(ns, controllerOf(pod))])];
  };
  const workloadWatch = (path: string) =>
    watch<KubernetesObject>(path, (ev) => {
      const o = ev.object;
      const ns = o.metadata?.namespace ?? '';
      return keysForOwner(ns, { apiVersion: o.apiVersion ?? apiVersionOf(path), kind: o.kind ?? kindOf(path), name: o.metadata?.name ?? '' });
    });
  mgr.informer<V1Node>(NODES_PATH);
  return {
    name: 'workloadspread-controller',
    watches: [
      forObject(WORKLOADSPREADS_PATH),
      watch<V1Pod>(PODS_PATH, (ev) => [...new Set([...podKeys(ev.object), ...(ev.type === 'update' ? podKeys(ev.old) : [])])]),
      ...Object.values(BUILTIN_PATHS).map(workloadWatch),
      // Whitelisted custom workloads found at startup: their replicas path may change.
      ...port.whitelist().workloads.flatMap((w) => (w.listPath ? [workloadWatch(w.listPath)] : [])),
    ],
    // The gate (default on) also switches the controller off, as OpenKruise does not add it.
    reconcile: async (key) => (mgr.gates.enabled('WorkloadSpread') ? reconciler.reconcile(key) : undefined),
  };
}

/** apiVersion and kind of the objects a built-in list path serves (list items may omit them). */
function apiVersionOf(path: string): string {
  const m = /^\/apis\/([^/]+)\/([^/]+)\//.exec(path);
  return m ? `${m[1]}/${m[2]}` : 'v1';
}
function kindOf(path: string): string {
  const plural = path.slice(path.lastIndexOf('/') + 1);
  return ({ deployments: 'Deployment', replicasets: 'ReplicaSet', statefulsets: 'StatefulSet', jobs: 'Job', clonesets: 'CloneSet' } as Record<string, string>)[plural] ?? '';
}

export const workloadSpreadController: ControllerFactory = (mgr) => newWorkloadSpreadController(mgr);
