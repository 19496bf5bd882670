// The SidecarSet controller (apps.kruise.io/v1alpha1 SidecarSet, cluster-scoped): watches
// SidecarSets, pods (keyed by their kruise.io/sidecarset-injected-list), namespaces (for
// namespaceSelector scopes) and ControllerRevisions, and runs SidecarSetReconciler with a port over
// the Manager's shared caches. Revisions live in the manager namespace (POD_NAMESPACE, default
// kruise-system), created at start when missing.
import { PatchStrategy, setHeaderOptions, type KubernetesObject, type V1ControllerRevision, type V1Namespace, type V1Pod } from '@kubernetes/client-node';
import { GROUP, SIDECARSET, SIDECARSET_API_VERSION, SIDECARSET_VERSION, SIDECARSETS_PATH } from '../../api/group.ts';
import { LABEL_SIDECARSET_NAME, type SidecarSet } from '../../api/sidecarset.ts';
import { labelSelectorAsPredicate } from '../../api/validation-common.ts';
import { writeWithRetry } from '../shared/write-retry.ts';
import { forObject, isAlreadyExists, isNotFound, watch, type Controller, type ControllerFactory, type Manager } from '../../runtime/index.ts';
import { SidecarSetReconciler, sidecarSetOfRevision, sidecarSetsOfPod, type PodMutation, type SidecarSetPort } from './reconcile.ts';

export { SIDECARSETS_PATH };
export const PODS_PATH = '/api/v1/pods';
export const NAMESPACES_PATH = '/api/v1/namespaces';
export const REVISIONS_PATH = '/apis/apps/v1/controllerrevisions';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The namespace the manager keeps SidecarSet revisions and its configuration in. */
export function managerNamespace(): string {
  return process.env.POD_NAMESPACE || 'kruise-system';
}

export function managerPort(mgr: Manager, namespace = managerNamespace()): SidecarSetPort {
  const sets = mgr.informer<SidecarSet & KubernetesObject>(SIDECARSETS_PATH);
  const pods = mgr.informer<V1Pod>(PODS_PATH);
  const namespaces = mgr.informer<V1Namespace>(NAMESPACES_PATH);
  const revisions = mgr.informer<V1ControllerRevision>(REVISIONS_PATH);
  const recorder = mgr.eventRecorder('sidecarset-controller');
  const { core, apps, custom } = mgr;
  const crd = { group: GROUP, version: SIDECARSET_VERSION, plural: SIDECARSET.plural };
  return {
    managerNamespace: namespace,
    getSidecarSet: (name) => sets.get(undefined, name),
    listSidecarSets: () => sets.list(),
    listPods: (ns) => pods.list(ns),
    namespaceLabels: (name) => namespaces.get(undefined, name)?.metadata?.labels,
    namespacesMatching(s) {
      const sel = labelSelectorAsPredicate(s.spec?.namespaceSelector);
      if (!sel.ok) return [];
      return namespaces.list().filter((n) => sel.matches(n.metadata?.labels ?? {})).map((n) => n.metadata?.name ?? '');
    },
    listRevisions: (name) => revisions.list(namespace, { matchLabels: { [LABEL_SIDECARSET_NAME]: name } }),
    createRevision: (body) => apps.createNamespacedControllerRevision({ namespace, body }),
    async renumberRevision(name, revision) {
      const written = await writeWithRetry(
        revisions.get(namespace, name),
        () => apps.readNamespacedControllerRevision({ name, namespace }),
        (r) => ({ ...r, revision }),
        (body) => apps.replaceNamespacedControllerRevision({ name, namespace, body }),
        { skipNotFound: true },
      );
      if (!written) throw new Error(`ControllerRevision ${namespace}/${name} vanished while being renumbered`);
      return written;
    },
    async labelRevision(name, labels) {
      await apps.patchNamespacedControllerRevision({ name, namespace, body: { metadata: { labels } } }, mergePatch);
    },
    async deleteRevision(name) {
      await apps.deleteNamespacedControllerRevision({ name, namespace }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    },
    async writeStatus(name, status) {
      await custom.patchClusterCustomObjectStatus({ ...crd, name, body: { status } }, mergePatch).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    },
    updatePod: (ns, name, mutate: PodMutation) =>
      writeWithRetry(pods.get(ns, name), () => core.readNamespacedPod({ name, namespace: ns }), mutate, (body) => core.replaceNamespacedPod({ name, namespace: ns, body }), { skipNotFound: true }),
    updatePodStatus: (ns, name, mutate: PodMutation) =>
      writeWithRetry(pods.get(ns, name), () => core.readNamespacedPod({ name, namespace: ns }), mutate, (body) => core.replaceNamespacedPodStatus({ name, namespace: ns, body }), { skipNotFound: true }),
    event(s, type, reason, message) {
      recorder.event({ ...s, apiVersion: SIDECARSET_API_VERSION, kind: SIDECARSET.kind } as KubernetesObject, type, reason, message);
    },
    now: () => new Date(),
  };
}

export function newSidecarSetController(mgr: Manager, port: SidecarSetPort = managerPort(mgr)): Controller {
  const reconciler = new SidecarSetReconciler(port);
  const withNamespaceSelector = () => port.listSidecarSets().filter((s) => s.spec?.namespaceSelector).map((s) => s.metadata?.name ?? '');
  return {
    name: 'sidecarset-controller',
    watches: [
      forObject(SIDECARSETS_PATH),
      watch<V1Pod>(PODS_PATH, (ev) => [...new Set([...sidecarSetsOfPod(ev.object), ...(ev.type === 'update' ? sidecarSetsOfPod(ev.old) : [])])]),
      watch<V1ControllerRevision>(REVISIONS_PATH, (ev) => (ev.object.metadata?.namespace === port.managerNamespace ? sidecarSetOfRevision(ev.object) : undefined)),
      watch<V1Namespace>(NAMESPACES_PATH, (ev) => (ev.type === 'add' ? undefined : withNamespaceSelector())),
    ],
    reconcile: (key) => reconciler.reconcile(key),
    async start() {
      try {
        await mgr.core.createNamespace({ body: { metadata: { name: port.managerNamespace } } });
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    },
  };
}

export const sidecarSetController: ControllerFactory = (mgr) => newSidecarSetController(mgr);
