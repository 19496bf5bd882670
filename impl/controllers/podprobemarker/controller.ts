// The PodProbeMarker and NodePodProbe controllers (apps.kruise.io/v1alpha1), over one ProbePort on
// the Manager's shared caches. podprobemarker: keyed by marker, woken by markers, by the pod
// changes that matter (Initialized, IP, node, labels, conditions) and by NodePodProbes appearing.
// nodepodprobe: keyed by node, woken by nodes joining and leaving, by NodePodProbe changes and by
// pods that stop running. Both run only with gate PodProbeMarkerGate (nodepodprobe also needs
// KruiseDaemon), as OpenKruise adds them only then; marking serverless pods needs
// EnablePodProbeMarkerOnServerless.
import { PatchStrategy, setHeaderOptions, type KubernetesObject, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { GROUP, NODEPODPROBE, NODEPODPROBES_PATH, PODPROBEMARKER, PODPROBEMARKER_API_VERSION, PODPROBEMARKER_VERSION, PODPROBEMARKERS_PATH } from '../../api/group.ts';
import type { NodePodProbe, PodProbeMarker } from '../../api/podprobemarker.ts';
import { isAlreadyExists, isNotFound, watch, type Controller, type ControllerFactory, type Manager } from '../../runtime/index.ts';
import { writeWithRetry } from '../shared/write-retry.ts';
import { PodProbeMarkerReconciler } from './marker-reconcile.ts';
import { isActivePod, isInitialized, isVirtualKubelet, markersOfPod } from './matching.ts';
import { NodePodProbeReconciler } from './node-reconcile.ts';
import type { ProbePort } from './types.ts';

export const PODS_PATH = '/api/v1/pods';
export const NODES_PATH = '/api/v1/nodes';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const version = PODPROBEMARKER_VERSION;

export function managerPort(mgr: Manager): ProbePort {
  const markers = mgr.informer<PodProbeMarker & KubernetesObject>(PODPROBEMARKERS_PATH);
  const npps = mgr.informer<NodePodProbe & KubernetesObject>(NODEPODPROBES_PATH);
  const pods = mgr.informer<V1Pod>(PODS_PATH);
  const nodes = mgr.informer<V1Node>(NODES_PATH);
  const { core, custom } = mgr;
  const nppCrd = { group: GROUP, version, plural: NODEPODPROBE.plural };
  const ppmCrd = { group: GROUP, version, plural: PODPROBEMARKER.plural };
  const readNpp = async (name: string) => (await custom.getClusterCustomObject({ ...nppCrd, name })) as NodePodProbe;
  const readPpm = async (namespace: string, name: string) => (await custom.getNamespacedCustomObject({ ...ppmCrd, namespace, name })) as PodProbeMarker;
  const ignoreNotFound = (err: unknown) => {
    if (!isNotFound(err)) throw err;
  };
  return {
    getMarker: (ns, name) => markers.get(ns, name),
    listMarkers: (ns) => markers.list(ns),
    listPods: (ns) => pods.list(ns),
    getPod: (ns, name) => pods.get(ns, name),
    node: (name) => nodes.get(undefined, name),
    getNodePodProbe: (name) => npps.get(undefined, name),
    listNodePodProbes: () => npps.list(),
    updateNodePodProbe: (name, mutate, opts) =>
      writeWithRetry(opts?.fresh ? undefined : npps.get(undefined, name), () => readNpp(name), mutate, async (body) => (await custom.replaceClusterCustomObject({ ...nppCrd, name, body })) as NodePodProbe, { skipNotFound: true }),
    async createNodePodProbe(name) {
      const body: NodePodProbe = { apiVersion: PODPROBEMARKER_API_VERSION, kind: NODEPODPROBE.kind, metadata: { name }, spec: {} };
      await custom.createClusterCustomObject({ ...nppCrd, body }).catch((err: unknown) => {
        if (!isAlreadyExists(err)) throw err;
      });
    },
    deleteNodePodProbe: (name) => custom.deleteClusterCustomObject({ ...nppCrd, name }).then(() => undefined, ignoreNotFound),
    updateMarker: (namespace, name, mutate) =>
      writeWithRetry(markers.get(namespace, name), () => readPpm(namespace, name), mutate, async (body) => (await custom.replaceNamespacedCustomObject({ ...ppmCrd, namespace, name, body })) as PodProbeMarker, {
        skipNotFound: true,
      }),
    async writeMarkerStatus(namespace, name, status) {
      await custom.patchNamespacedCustomObjectStatus({ ...ppmCrd, namespace, name, body: { status } }, mergePatch).catch(ignoreNotFound);
    },
    updatePod: (ns, name, mutate) =>
      writeWithRetry(pods.get(ns, name), () => core.readNamespacedPod({ name, namespace: ns }), mutate, (body) => core.replaceNamespacedPod({ name, namespace: ns, body }), { skipNotFound: true }),
    updatePodStatus: (ns, name, mutate) =>
      writeWithRetry(pods.get(ns, name), () => core.readNamespacedPod({ name, namespace: ns }), mutate, (body) => core.replaceNamespacedPodStatus({ name, namespace: ns, body }), { skipNotFound: true }),
    serverless: () => mgr.gates.enabled('EnablePodProbeMarkerOnServerless'),
  };
}

const conditionsOf = (p: V1Pod): string => JSON.stringify((p.status?.conditions ?? []).map((c) => [c.type, c.status]).sort());

/** Whether a pod update can change what a marker does with the pod. */
export function podChangeMatters(old: V1Pod, pod: V1Pod): boolean {
  return (
    isInitialized(old) !== isInitialized(pod) ||
    old.status?.podIP !== pod.status?.podIP ||
    old.spec?.nodeName !== pod.spec?.nodeName ||
    JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(pod.metadata?.labels ?? {}) ||
    conditionsOf(old) !== conditionsOf(pod)
  );
}

const markerKey = (m: PodProbeMarker): string => `${m.metadata?.namespace}/${m.metadata?.name}`;

export function newPodProbeMarkerController(mgr: Manager, port: ProbePort = managerPort(mgr)): Controller {
  const reconciler = new PodProbeMarkerReconciler(port);
  const keysOfPod = (pod: V1Pod) => markersOfPod(pod, port.listMarkers(pod.metadata?.namespace ?? '')).map(markerKey);
  return {
    name: 'podprobemarker-controller',
    watches: [
      watch<PodProbeMarker & KubernetesObject>(PODPROBEMARKERS_PATH, (ev) => (ev.type === 'delete' ? undefined : markerKey(ev.object))),
      watch<V1Pod>(PODS_PATH, (ev) => {
        if (ev.type === 'delete' || (ev.type === 'update' && !podChangeMatters(ev.old, ev.object))) return undefined;
        return [...new Set([...keysOfPod(ev.object), ...(ev.type === 'update' ? keysOfPod(ev.old) : [])])];
      }),
      // A node's NodePodProbe appearing (or coming back): write the probes of its pods.
      watch<NodePodProbe & KubernetesObject>(NODEPODPROBES_PATH, (ev) => (ev.type === 'add' ? port.listMarkers().map(markerKey) : undefined)),
    ],
    reconcile: async (key) => (mgr.gates.enabled('PodProbeMarkerGate') ? reconciler.reconcile(key) : undefined),
  };
}

export function newNodePodProbeController(mgr: Manager, port: ProbePort = managerPort(mgr)): Controller {
  const reconciler = new NodePodProbeReconciler(port);
  const listedNode = (pod: V1Pod): string | undefined => {
    const node = pod.spec?.nodeName;
    const npp = node ? port.getNodePodProbe(node) : undefined;
    return npp?.spec?.podProbes?.some((e) => e.namespace === pod.metadata?.namespace && e.name === pod.metadata?.name) ? node : undefined;
  };
  return {
    name: 'nodepodprobe-controller',
    watches: [
      // Spec changes too: an entry written for a pod that went meanwhile is pruned at once.
      watch<NodePodProbe & KubernetesObject>(NODEPODPROBES_PATH, (ev) => ev.object.metadata?.name),
      watch<V1Node>(NODES_PATH, (ev) => {
        const n = ev.object;
        if (isVirtualKubelet(n)) return undefined;
        const name = n.metadata?.name;
        // A node update matters only while its NodePodProbe is missing, or when it is going.
        if (ev.type === 'update' && name && port.getNodePodProbe(name) && !n.metadata?.deletionTimestamp) return undefined;
        return name;
      }),
      watch<V1Pod>(PODS_PATH, (ev) => {
        if (ev.type === 'add') return undefined;
        if (ev.type === 'update' && (!isActivePod(ev.old) || isActivePod(ev.object))) return undefined;
        return listedNode(ev.object);
      }),
    ],
    reconcile: async (key) => (mgr.gates.enabled('PodProbeMarkerGate') && mgr.gates.enabled('KruiseDaemon') ? reconciler.reconcile(key) : undefined),
  };
}

export const podProbeMarkerController: ControllerFactory = (mgr) => newPodProbeMarkerController(mgr);
export const nodePodProbeController: ControllerFactory = (mgr) => newNodePodProbeController(mgr);
