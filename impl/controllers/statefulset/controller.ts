// The Advanced StatefulSet controller (apps.kruise.io/v1beta1 StatefulSet): watches the sets, their
// pods, PVCs and ControllerRevisions through the Manager's shared caches, and runs
// StatefulSetReconciler with a port backed by the typed clients.
import {
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
  type V1ControllerRevision,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1StorageClass,
} from '@kubernetes/client-node';
import { forObject, isConflict, isNotFound, ownedBy, watch, type Controller, type ControllerFactory, type FeatureName, type Manager } from '../../runtime/index.ts';
import { ADVANCED_STATEFULSET, GROUP, STATEFULSET_VERSION, STATEFULSETS_PATH } from '../../api/group.ts';
import { setsSelecting } from './claim.ts';
import { StatefulSetReconciler, type StatefulSetPort } from './reconcile.ts';
import type { StatefulSetStatus } from './status.ts';
import { ANNOTATION_OWNED_BY_ASTS, ASTS_API_VERSION, ASTS_KIND } from './types.ts';
import { gatesFrom, type AdvancedStatefulSet } from './views.ts';

const VERSION = STATEFULSET_VERSION;
const PLURAL = ADVANCED_STATEFULSET.plural;
export { STATEFULSETS_PATH };
const PODS = '/api/v1/pods';
const PVCS = '/api/v1/persistentvolumeclaims';
const REVISIONS = '/apis/apps/v1/controllerrevisions';
const STORAGE_CLASSES = '/apis/storage.k8s.io/v1/storageclasses';

const MAX_CONFLICT_RETRIES = 5;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategicPatch = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

/** Read-modify-write with retries on conflict (client-go's RetryOnConflict). */
async function retryOnConflict(fn: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isConflict(err) || attempt >= MAX_CONFLICT_RETRIES) throw err;
    }
  }
}

/** The port over the Manager: reads from shared caches, writes through the typed clients. */
export function managerPort(mgr: Manager): StatefulSetPort {
  const sets = mgr.informer<AdvancedStatefulSet>(STATEFULSETS_PATH);
  const pods = mgr.informer<V1Pod>(PODS);
  const pvcs = mgr.informer<V1PersistentVolumeClaim>(PVCS);
  const revisions = mgr.informer<V1ControllerRevision>(REVISIONS);
  const storageClasses = mgr.informer<V1StorageClass>(STORAGE_CLASSES);
  const recorder = mgr.eventRecorder('statefulset-controller');
  const { core, apps, custom } = mgr;

  return {
    getSet: (namespace, name) => sets.get(namespace, name),
    listPods: (namespace) => pods.list(namespace),
    listClaims: (namespace) => pvcs.list(namespace),
    listRevisions: (namespace) => revisions.list(namespace),
    listStorageClasses: () => storageClasses.list(),

    createPod: (namespace, body) => core.createNamespacedPod({ namespace, body }),
    async deletePod(namespace, name, uid) {
      try {
        await core.deleteNamespacedPod({ name, namespace, body: { ...(uid && { preconditions: { uid } }) } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
    updatePod: (namespace, name, mutate) =>
      retryOnConflict(async () => {
        const next = mutate(await core.readNamespacedPod({ name, namespace }));
        if (next) await core.replaceNamespacedPod({ name, namespace, body: next });
      }),
    updatePodStatus: (namespace, name, mutate) =>
      retryOnConflict(async () => {
        const next = mutate(await core.readNamespacedPod({ name, namespace }));
        if (next) await core.replaceNamespacedPodStatus({ name, namespace, body: next });
      }),
    async resizePod(namespace, name, containers) {
      await core.patchNamespacedPodResize({ name, namespace, body: { spec: { containers } } }, strategicPatch);
    },
    createClaim: (namespace, body) => core.createNamespacedPersistentVolumeClaim({ namespace, body }),
    updateClaim: (namespace, name, mutate) =>
      retryOnConflict(async () => {
        const next = mutate(await core.readNamespacedPersistentVolumeClaim({ name, namespace }));
        if (next) await core.replaceNamespacedPersistentVolumeClaim({ name, namespace, body: next });
      }),
    createRevision: (namespace, body) => apps.createNamespacedControllerRevision({ namespace, body }),
    async readRevision(namespace, name) {
      try {
        return await apps.readNamespacedControllerRevision({ name, namespace });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async setRevisionNumber(namespace, name, revision) {
      await apps.patchNamespacedControllerRevision({ name, namespace, body: { revision } }, mergePatch);
    },
    async deleteRevision(namespace, name) {
      await apps.deleteNamespacedControllerRevision({ name, namespace });
    },
    writeStatus: (namespace, name, status: StatefulSetStatus) =>
      retryOnConflict(async () => {
        const live = (await custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name })) as AdvancedStatefulSet;
        const body = { ...live, status: status as unknown as AdvancedStatefulSet['status'] };
        await custom.replaceNamespacedCustomObjectStatus({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body });
      }),
    event(set, type, reason, message) {
      // Cached list items may lack apiVersion/kind; the event's involvedObject needs them.
      const obj: KubernetesObject = { ...set, apiVersion: ASTS_API_VERSION, kind: ASTS_KIND };
      recorder.event(obj, type, reason, message);
    },
    now: () => Date.now(),
  };
}

/** The StatefulSets a PVC belongs to: the owned-by-asts annotation, or a name <vct>-<set>-<ordinal>. */
function setsForClaim(claim: V1PersistentVolumeClaim, sets: readonly AdvancedStatefulSet[]): string[] {
  const ns = claim.metadata?.namespace ?? '';
  const name = claim.metadata?.name ?? '';
  const keys = new Set<string>();
  const owner = claim.metadata?.annotations?.[ANNOTATION_OWNED_BY_ASTS];
  if (owner) keys.add(`${ns}/${owner}`);
  for (const set of sets) {
    const setName = set.metadata?.name ?? '';
    for (const t of set.spec?.volumeClaimTemplates ?? []) {
      const prefix = `${t.metadata?.name ?? ''}-${setName}-`;
      if (name.startsWith(prefix) && /^[0-9]+$/.test(name.slice(prefix.length))) keys.add(`${ns}/${setName}`);
    }
  }
  return [...keys];
}

const controllerOwnerKey = (obj: KubernetesObject): string | undefined => {
  const ref = obj.metadata?.ownerReferences?.find((r) => r.controller && r.kind === ASTS_KIND && r.apiVersion.startsWith(`${GROUP}/`));
  return ref ? `${obj.metadata?.namespace}/${ref.name}` : undefined;
};

export function newStatefulSetController(mgr: Manager, port: StatefulSetPort = managerPort(mgr)): Controller {
  const enabled = (name: string): boolean => mgr.gates.enabled(name as FeatureName);
  const reconciler = new StatefulSetReconciler(port, {
    gates: gatesFrom(enabled),
    podIndexLabel: enabled('PodIndexLabel'),
    logger: mgr.logger.child('statefulset'),
  });
  const sets = mgr.informer<AdvancedStatefulSet>(STATEFULSETS_PATH);
  // The storage classes cache is read by the port; register it so it syncs before workers start.
  mgr.informer<V1StorageClass>(STORAGE_CLASSES);
  return {
    name: 'statefulset-controller',
    watches: [
      forObject(STATEFULSETS_PATH),
      watch<V1Pod>(PODS, (ev) => {
        const keys = new Set<string>();
        for (const obj of ev.type === 'update' ? [ev.object, ev.old] : [ev.object]) {
          const key = controllerOwnerKey(obj);
          if (key) keys.add(key);
        }
        const owner = controllerOwnerKey(ev.object);
        if (owner) reconciler.observePod(owner, ev.object, ev.type);
        // An orphan (now, or before this update) wakes every set whose selector matches its labels,
        // old and new, so it can be adopted (updatePod/addPod for orphans in upstream).
        const orphans = (ev.type === 'update' ? [ev.object, ev.old] : [ev.object]).filter((p) => !p.metadata?.ownerReferences?.some((r) => r.controller));
        if (orphans.length > 0) {
          const inNamespace = sets.list(ev.object.metadata?.namespace);
          for (const p of ev.type === 'update' ? [ev.object, ev.old] : [ev.object]) for (const key of setsSelecting(p.metadata?.labels ?? {}, inNamespace)) keys.add(key);
        }
        return [...keys];
      }),
      watch<V1PersistentVolumeClaim>(PVCS, (ev) => setsForClaim(ev.object, sets.list(ev.object.metadata?.namespace))),
      ownedBy(REVISIONS, ASTS_KIND, GROUP),
    ],
    reconcile: (key) => reconciler.reconcile(key),
  };
}

export const statefulSetController: ControllerFactory = (mgr) => newStatefulSetController(mgr);
