/**
 * Shared pieces of the PodProbeMarker suites (spec §6): the cluster-scoped NodePodProbe resource,
 * nodes the suites add for themselves (a node labelled type=virtual-kubelet stands for a
 * serverless platform; a plain one is a node whose agent the test plays), pods pinned to them,
 * and the two writes a test makes in place of a node component: a NodePodProbe status (the node
 * agent) and a pod condition (the serverless platform). The simulated nodes of the local provider
 * run no node agent, so nothing else writes either.
 */
import { PatchStrategy, setHeaderOptions, type V1Node, type V1Pod, type V1PodCondition } from '@kubernetes/client-node';
import { type Obj, POD, type Resource, httpCode, waitForOne } from '../lib/api.ts';
import { kube, timeouts } from '../lib/context.ts';
import { IMAGE_V1 } from '../lib/workloads.ts';

export const NODEPODPROBE: Resource = { group: 'apps.kruise.io', version: 'v1alpha1', plural: 'nodepodprobes', kind: 'NodePodProbe', namespaced: false };

/** Node label that makes a node serverless for the PodProbeMarker controller (spec §6.3). */
export const VIRTUAL_KUBELET = { type: 'virtual-kubelet' } as const;
export const PPM_FINALIZER = 'kruise.io/node-pod-probe-cleanup';
export const PROBE_ANNOTATION = 'kruise.io/podprobe';
export const PPM_LIST_ANNOTATION = 'kruise.io/podprobemarker-list';

const TAINT = { key: 'kruise-conformance.io/ppm-node', value: 'reserved', effect: 'NoSchedule' } as const;
/** What lets a pod land on a node added by `addNode`. */
export const nodeTolerations = [{ key: TAINT.key, operator: 'Exists' }];

export interface ContainerProbe {
  name: string;
  containerName: string;
  probe: Record<string, unknown> & { exec?: { command: string[] }; tcpSocket?: { port: number | string; host?: string } };
}
export interface PodProbe {
  name: string;
  namespace: string;
  uid: string;
  IP?: string;
  probes?: ContainerProbe[];
}
export interface ProbeState {
  name: string;
  state: 'Succeeded' | 'Failed';
  message?: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
}
export interface PodProbeStatus {
  name: string;
  namespace: string;
  uid: string;
  probeStates?: ProbeState[];
}
export interface NodePodProbe extends Obj {
  spec?: { podProbes?: PodProbe[] };
  status?: { podProbeStatuses?: PodProbeStatus[] };
}

/** The `kruise.io/podprobe` entries: a PodProbeMarker probe without its markerPolicy. */
export interface AnnotatedProbe {
  name: string;
  containerName: string;
  podConditionType?: string;
  probe?: ContainerProbe['probe'];
  markerPolicy?: unknown;
}

/**
 * Add a node of our own, simulated by the provider's kwok (it manages every node), reserved with a
 * NoSchedule taint so that only pods pinned to it land there. Returns once the node is Ready.
 */
export async function addNode(name: string, labels: Record<string, string> = {}): Promise<void> {
  const { core } = kube();
  await core.createNode({
    body: {
      metadata: {
        name,
        labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', ...labels },
        annotations: { 'kwok.x-k8s.io/node': 'fake' },
      },
      spec: { taints: [TAINT] },
    } as V1Node,
  });
  await waitForOne<V1Node & Obj>({ group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false }, undefined, name, (n) => n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true, {
    timeoutMs: timeouts().podsReady,
    describe: `node ${name} Ready (simulated by the provider)`,
  });
}

export async function removeNode(name: string): Promise<void> {
  try {
    await kube().core.deleteNode({ name });
  } catch (err) {
    if (httpCode(err) !== 404) throw err;
  }
}

/** A bare pod bound to `node` (no scheduler involved), with container `main` and optional extras. */
export function pinnedPod(name: string, labels: Record<string, string>, node: string, spec: Record<string, unknown> = {}): V1Pod {
  return {
    metadata: { name, labels },
    spec: {
      nodeName: node,
      tolerations: nodeTolerations,
      containers: [{ name: 'main', image: IMAGE_V1 }],
      terminationGracePeriodSeconds: 1,
      ...spec,
    },
  } as V1Pod;
}

const initialized = (p: V1Pod | undefined) => p?.status?.conditions?.some((c) => c.type === 'Initialized' && c.status === 'True') === true && !!p.status?.podIP;

/** Create a pod and wait until it runs: Initialized with an IP, which is when the controller looks at it. */
export async function runPod(namespace: string, pod: V1Pod): Promise<V1Pod> {
  await kube().core.createNamespacedPod({ namespace, body: pod });
  const running = await waitForOne<V1Pod & Obj>(POD, namespace, pod.metadata!.name!, initialized, {
    timeoutMs: timeouts().podsReady,
    describe: `pod ${pod.metadata!.name} Initialized with an IP`,
    namespace,
  });
  return running!;
}

/**
 * Play the serverless platform: report a probe result as a pod condition. A strategic merge patch
 * of pods/status merges conditions by type, so the kubelet-owned ones are left alone.
 */
export async function reportCondition(namespace: string, name: string, type: string, status: 'True' | 'False'): Promise<void> {
  const condition: V1PodCondition = { type, status, lastProbeTime: new Date(), lastTransitionTime: new Date() };
  await kube().core.patchNamespacedPodStatus({ namespace, name, body: { status: { conditions: [condition] } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
}

/**
 * Play the node agent: set the probe states of one pod in the node's NodePodProbe status, keeping
 * the entries of every other pod. Read-modify-write with the resourceVersion, retried on conflict.
 */
export async function reportProbeStates(node: string, pod: V1Pod, states: ProbeState[]): Promise<void> {
  const { custom } = kube();
  const now = new Date().toISOString();
  const entry: PodProbeStatus = {
    name: pod.metadata!.name!,
    namespace: pod.metadata!.namespace!,
    uid: pod.metadata!.uid!,
    probeStates: states.map((s) => ({ lastProbeTime: now, lastTransitionTime: now, ...s })),
  };
  for (let attempt = 0; ; attempt++) {
    const npp = (await custom.getClusterCustomObject({ group: NODEPODPROBE.group, version: NODEPODPROBE.version, plural: NODEPODPROBE.plural, name: node })) as NodePodProbe;
    const others = (npp.status?.podProbeStatuses ?? []).filter((s) => s.uid !== entry.uid);
    const body = { ...npp, status: { ...npp.status, podProbeStatuses: [...others, entry] } };
    try {
      await custom.replaceClusterCustomObjectStatus({ group: NODEPODPROBE.group, version: NODEPODPROBE.version, plural: NODEPODPROBE.plural, name: node, body });
      return;
    } catch (err) {
      if (httpCode(err) !== 409 || attempt >= 5) throw err;
    }
  }
}

/** The NodePodProbe entry of one pod (by uid), if any. */
export function podEntry(npp: NodePodProbe | undefined, uid: string): PodProbe | undefined {
  return npp?.spec?.podProbes?.find((p) => p.uid === uid);
}

export function conditionOf(pod: V1Pod | undefined, type: string): V1PodCondition | undefined {
  return pod?.status?.conditions?.find((c) => c.type === type);
}

/** Labels, annotations and the named conditions of pods: what marking failures show. */
export function renderMarks(conditionTypes: readonly string[]): (items: Obj[]) => string {
  return (items) =>
    JSON.stringify(
      (items as V1Pod[]).map((p) => ({
        name: p.metadata?.name,
        labels: p.metadata?.labels,
        annotations: Object.fromEntries(Object.entries(p.metadata?.annotations ?? {}).filter(([k]) => k !== PROBE_ANNOTATION)),
        conditions: p.status?.conditions?.filter((c) => conditionTypes.includes(c.type)).map((c) => ({ type: c.type, status: c.status, message: c.message })),
      })),
      null,
      2,
    );
}
