// The CloneSet controller (apps.kruise.io/v1alpha1 CloneSet): watches CloneSets, their pods, PVCs
// and ControllerRevisions through the Manager's shared caches, and runs CloneSetReconciler with a
// port that reads those caches and writes through the typed clients.
import {
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
  type V1ControllerRevision,
  type V1Node,
  type V1PersistentVolumeClaim,
  type V1Pod,
} from '@kubernetes/client-node';
import type { CloneSet } from '../../api/cloneset.ts';
import { CLONESET, CLONESET_API_VERSION, CLONESET_VERSION, CLONESETS_PATH, GROUP } from '../../api/group.ts';
import { writeWithRetry } from '../shared/write-retry.ts';
import { forObject, isNotFound, ownedBy, watch, type Controller, type ControllerFactory, type FeatureName, type Manager } from '../../runtime/index.ts';
import type { Labels } from '../shared/label-selector.ts';
import { CloneSetReconciler, type CloneSetPort, type PodMutation } from './reconcile.ts';
import { gatesFrom } from './views.ts';

export { CLONESETS_PATH };
const PODS = '/api/v1/pods';
const PVCS = '/api/v1/persistentvolumeclaims';
const REVISIONS = '/apis/apps/v1/controllerrevisions';
const NODES = '/api/v1/nodes';
const PLURAL = CLONESET.plural;
const strategicPatch = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

const ignoreNotFound = (err: unknown): void => {
  if (!isNotFound(err)) throw err;
};

/** The port over the Manager: reads from shared caches, writes through the typed clients. */
export function managerPort(mgr: Manager): CloneSetPort {
  const sets = mgr.informer<CloneSet & KubernetesObject>(CLONESETS_PATH);
  const pods = mgr.informer<V1Pod>(PODS);
  const pvcs = mgr.informer<V1PersistentVolumeClaim>(PVCS);
  const revisions = mgr.informer<V1ControllerRevision>(REVISIONS);
  const nodes = mgr.informer<V1Node>(NODES);
  const recorder = mgr.eventRecorder('cloneset-controller');
  const { core, apps, custom } = mgr;
  const crd = { group: GROUP, version: CLONESET_VERSION, plural: PLURAL };
  const readSet = async (namespace: string, name: string) => (await custom.getNamespacedCustomObject({ ...crd, namespace, name })) as CloneSet;

  return {
    getCloneSet: (namespace, name) => sets.get(namespace, name),
    listPods: (namespace) => pods.list(namespace),
    listClaims: (namespace) => pvcs.list(namespace),
    listRevisions: (namespace) => revisions.list(namespace),
    nodeLabels: () => new Map(nodes.list().map((n): [string, Labels] => [n.metadata?.name ?? '', n.metadata?.labels ?? {}])),

    createPod: (namespace, body) => core.createNamespacedPod({ namespace, body }),
    async deletePod(namespace, name, uid) {
      await core.deleteNamespacedPod({ name, namespace, body: { ...(uid && { preconditions: { uid } }) } }).catch(ignoreNotFound);
    },
    updatePod: (namespace, name, mutate: PodMutation) =>
      writeWithRetry(
        pods.get(namespace, name),
        () => core.readNamespacedPod({ name, namespace }),
        mutate,
        (body) => core.replaceNamespacedPod({ name, namespace, body }),
      ),
    updatePodStatus: (namespace, name, mutate: PodMutation) =>
      writeWithRetry(
        pods.get(namespace, name),
        () => core.readNamespacedPod({ name, namespace }),
        mutate,
        (body) => core.replaceNamespacedPodStatus({ name, namespace, body }),
      ),
    resizePod: (namespace, name, containers) => core.patchNamespacedPodResize({ name, namespace, body: { spec: { containers } } }, strategicPatch),
    createClaim: (namespace, body) => core.createNamespacedPersistentVolumeClaim({ namespace, body }),
    async deleteClaim(namespace, name, uid) {
      await core.deleteNamespacedPersistentVolumeClaim({ name, namespace, body: { ...(uid && { preconditions: { uid } }) } }).catch(ignoreNotFound);
    },
    async updateClaim(namespace, name, mutate) {
      await writeWithRetry(
        pvcs.get(namespace, name),
        () => core.readNamespacedPersistentVolumeClaim({ name, namespace }),
        mutate,
        (body) => core.replaceNamespacedPersistentVolumeClaim({ name, namespace, body }),
      );
    },
    createRevision: (namespace, body) => apps.createNamespacedControllerRevision({ namespace, body }),
    async readRevision(namespace, name) {
      try {
        return await apps.readNamespacedControllerRevision({ name, namespace });
      } catch (err) {
        ignoreNotFound(err);
        return undefined;
      }
    },
    async updateRevision(namespace, name, mutate) {
      await writeWithRetry(
        revisions.get(namespace, name),
        () => apps.readNamespacedControllerRevision({ name, namespace }),
        mutate,
        (body) => apps.replaceNamespacedControllerRevision({ name, namespace, body }),
      );
    },
    async deleteRevision(namespace, name) {
      await apps.deleteNamespacedControllerRevision({ name, namespace }).catch(ignoreNotFound);
    },
    async updateStatus(namespace, name, status) {
      await writeWithRetry(
        sets.get(namespace, name),
        () => readSet(namespace, name),
        (cs) => ({ ...cs, apiVersion: CLONESET_API_VERSION, kind: CLONESET.kind, status }),
        async (body) => (await custom.replaceNamespacedCustomObjectStatus({ ...crd, namespace, name, body })) as CloneSet,
      );
    },
    async updateCloneSet(namespace, name, mutate) {
      await writeWithRetry(
        sets.get(namespace, name),
        () => readSet(namespace, name),
        (cs) => {
          const next = mutate(cs);
          return next && { ...next, apiVersion: CLONESET_API_VERSION, kind: CLONESET.kind };
        },
        async (body) => (await custom.replaceNamespacedCustomObject({ ...crd, namespace, name, body })) as CloneSet,
      );
    },
    event(cs, type, reason, message) {
      // Cached list items may lack apiVersion/kind; the event's involvedObject needs them.
      recorder.event({ ...cs, apiVersion: CLONESET_API_VERSION, kind: CLONESET.kind }, type, reason, message);
    },
    now: () => Date.now(),
  };
}

/** The key of the CloneSet that controls the object, if any. */
export function cloneSetKeyOf(obj: KubernetesObject): string | undefined {
  const ref = obj.metadata?.ownerReferences?.find((r) => r.controller && r.kind === CLONESET.kind && r.apiVersion.startsWith(`${GROUP}/`));
  return ref && obj.metadata?.namespace ? `${obj.metadata.namespace}/${ref.name}` : undefined;
}

export function newCloneSetController(mgr: Manager, port: CloneSetPort = managerPort(mgr)): Controller {
  const reconciler = new CloneSetReconciler(port, {
    gates: gatesFrom((name) => mgr.gates.enabled(name as FeatureName)),
    logger: mgr.logger.child('cloneset'),
  });
  // The nodes cache is read by the port only; register it so it syncs before workers start.
  mgr.informer<V1Node>(NODES);
  /** Keys of the new and (on update) old controller, observing expectations on the way. */
  const owners = <T extends KubernetesObject>(observe: (key: string, obj: T, type: 'add' | 'update' | 'delete') => void) =>
    (ev: { type: 'add' | 'update' | 'delete'; object: T; old?: T }): string[] => {
      const keys = new Set<string>();
      const key = cloneSetKeyOf(ev.object);
      if (key) {
        observe(key, ev.object, ev.type);
        keys.add(key);
      }
      const oldKey = ev.type === 'update' && ev.old ? cloneSetKeyOf(ev.old) : undefined;
      if (oldKey) keys.add(oldKey);
      return [...keys];
    };
  return {
    name: 'cloneset-controller',
    watches: [
      forObject(CLONESETS_PATH),
      watch<V1Pod>(PODS, owners<V1Pod>((k, p, t) => reconciler.observePod(k, p, t))),
      watch<V1PersistentVolumeClaim>(PVCS, owners<V1PersistentVolumeClaim>((k, c, t) => reconciler.observeClaim(k, c, t))),
      ownedBy(REVISIONS, CLONESET.kind, GROUP),
    ],
    reconcile: (key) => reconciler.reconcile(key),
  };
}

export const cloneSetController: ControllerFactory = (mgr) => newCloneSetController(mgr);
