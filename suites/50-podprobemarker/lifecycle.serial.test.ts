/**
 * How NodePodProbes follow the cluster (spec §6.2; OpenKruise e2e "pod probe marker exec test",
 * which scales an Advanced StatefulSet down and up, changes the exec command of a probe, adds a
 * second PodProbeMarker and finally deletes both): one NodePodProbe per node, a pod's entry
 * added when a scale-up creates it and removed when a scale-down deletes it, a probe update
 * written into the entries, the probes of several PodProbeMarkers in one entry, and nothing left
 * once the markers are deleted. The pods come from an apps/v1 ReplicaSet, so that no other
 * apps.kruise.io feature is involved. The test plays the node agent, as in node-agent.serial.test.ts.
 *
 * Serial: it adds and removes nodes and writes NodePodProbe status, both cluster-scoped.
 */
import { PatchStrategy, setHeaderOptions, type V1Pod, type V1ReplicaSet } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Obj, POD, PODPROBEMARKER, createObject, deleteObject, patchObject, waitForAll, waitForOne } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import { IMAGE_V1, activePods } from '../lib/workloads.ts';
import {
  NODEPODPROBE,
  type NodePodProbe,
  PPM_FINALIZER,
  VIRTUAL_KUBELET,
  addNode,
  conditionOf,
  nodeTolerations,
  podEntry,
  removeNode,
  renderMarks,
  reportProbeStates,
} from './fixtures.ts';

const NODE = 'kc-ppm-life';
const JOIN_NODE = 'kc-ppm-join';
const JOIN_VK_NODE = 'kc-ppm-join-vk';
const HEALTHY = 'game.kruise.io/healthy';
const CHECK = 'game.kruise.io/check';
const DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';
const PASSING = ['/bin/sh', '-c', 'ls /'];
const FAILING = ['/bin/sh', '-c', 'failed /'];

/** As the e2e's ppm-nginx: a condition, and a label while Succeeded only. */
const nginxProbes = (command: string[]) => [
  { name: 'healthy', containerName: 'nginx', probe: { exec: { command }, periodSeconds: 2 }, podConditionType: HEALTHY, markerPolicy: [{ state: 'Succeeded', labels: { nginx: 'healthy' } }] },
];
/** As the e2e's ppm-main: a condition, and a deletion cost for each state. */
const mainProbes = [
  {
    name: 'check',
    containerName: 'main',
    probe: { exec: { command: ['/bin/sh', '-c', 'ps -ef'] } },
    podConditionType: CHECK,
    markerPolicy: [
      { state: 'Succeeded', annotations: { [DELETION_COST]: '10' } },
      { state: 'Failed', annotations: { [DELETION_COST]: '-10' } },
    ],
  },
];
const marker = (name: string, probes: unknown[]) => ({ metadata: { name }, spec: { selector: { matchLabels: { app: 'life' } }, probes } });

function replicaSet(replicas: number): V1ReplicaSet {
  return {
    metadata: { name: 'life' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'life' } },
      template: {
        metadata: { labels: { app: 'life' } },
        spec: {
          // Bound to the node directly: nodes added by the suite advertise no pod capacity to the scheduler.
          nodeName: NODE,
          tolerations: nodeTolerations,
          terminationGracePeriodSeconds: 1,
          containers: [
            { name: 'nginx', image: IMAGE_V1 },
            { name: 'main', image: IMAGE_V1 },
          ],
        },
      },
    },
  };
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const initialized = (p: V1Pod) => !p.metadata?.deletionTimestamp && conditionOf(p, 'Initialized')?.status === 'True' && !!p.status?.podIP;
const probeNames = (npp: NodePodProbe | undefined, uid: string) => (podEntry(npp, uid)?.probes ?? []).map((p) => p.name).sort();

describeFeature('PodProbeMarker.NodePodProbeLifecycle', 'NodePodProbes follow nodes, pods and PodProbeMarkers', () => {
  // Registered before the namespace so that it runs after the namespace (and its pods) are gone.
  afterAll(async () => {
    for (const n of [NODE, JOIN_NODE, JOIN_VK_NODE]) await removeNode(n);
  });
  const ns = useNamespace('ppm-life');
  let pods: V1Pod[] = [];

  const ours = (npp: NodePodProbe | undefined) => (npp?.spec?.podProbes ?? []).filter((p) => p.namespace === ns.name);
  const renderNpp = (items: Obj[]) => JSON.stringify(items.map((n) => ({ name: n.metadata.name, podProbes: ours(n as NodePodProbe) })), null, 2);
  const waitNodePodProbe = (node: string, predicate: (npp: NodePodProbe | undefined) => boolean, describe: string) =>
    waitForOne<NodePodProbe>(NODEPODPROBE, undefined, node, predicate, { timeoutMs: timeouts().statusSync, describe, render: renderNpp });
  const waitPods = (count: number) =>
    waitForAll<V1Pod & Obj>(POD, ns.name, 'app=life', (items) => items.length === count && items.every(initialized), {
      timeoutMs: timeouts().podsReady,
      describe: `exactly ${count} pods of ReplicaSet life, each Initialized with an IP`,
      namespace: ns.name,
    });
  const scale = (replicas: number) => kube().apps.patchNamespacedReplicaSetScale({ name: 'life', namespace: ns.name, body: { spec: { replicas } } }, mergePatch);
  const waitMarks = (pod: V1Pod, predicate: (p: V1Pod | undefined) => boolean, describe: string) =>
    waitForOne<V1Pod & Obj>(POD, ns.name, pod.metadata!.name!, predicate, { timeoutMs: timeouts().statusSync, describe, namespace: ns.name, render: renderMarks([HEALTHY, CHECK]) });

  beforeAll(async () => {
    await addNode(NODE);
    await waitNodePodProbe(NODE, (n) => n !== undefined, `a NodePodProbe named after node ${NODE}`);
  });

  it('creates a NodePodProbe for each node that joins, none for a virtual-kubelet node, and deletes it when its node leaves', async () => {
    // The virtual-kubelet node joins first, so the NodePodProbe of the later node shows that joins were handled.
    await addNode(JOIN_VK_NODE, VIRTUAL_KUBELET);
    await addNode(JOIN_NODE);
    const created = await waitNodePodProbe(JOIN_NODE, (n) => n !== undefined, `a NodePodProbe named after the joining node ${JOIN_NODE}`);
    expect(ours(created), `podProbes of the new NodePodProbe ${JOIN_NODE}`).toEqual([]);
    const all = (await kube().custom.listClusterCustomObject({ group: NODEPODPROBE.group, version: NODEPODPROBE.version, plural: NODEPODPROBE.plural })) as { items: NodePodProbe[] };
    expect(
      all.items.map((n) => n.metadata.name).filter((n) => n === JOIN_VK_NODE),
      `NodePodProbes named after the virtual-kubelet node (of ${all.items.map((n) => n.metadata.name).join(', ')})`,
    ).toEqual([]);

    await removeNode(JOIN_NODE);
    await waitNodePodProbe(JOIN_NODE, (n) => n === undefined, `NodePodProbe ${JOIN_NODE} deleted after its node was removed`);
  });

  it("writes an entry for each of a workload's pods, and adds one for the pod a scale-up creates", async () => {
    await createObject(PODPROBEMARKER, ns.name, marker('nginx', nginxProbes(PASSING)));
    await waitForOne<Obj>(PODPROBEMARKER, ns.name, 'nginx', (m) => m?.metadata.finalizers?.includes(PPM_FINALIZER) === true, {
      timeoutMs: timeouts().statusSync,
      describe: `finalizer ${PPM_FINALIZER} on PodProbeMarker nginx`,
      namespace: ns.name,
    });
    await kube().apps.createNamespacedReplicaSet({ namespace: ns.name, body: replicaSet(2) });
    pods = await waitPods(2);
    const listed = (n: NodePodProbe | undefined, ps: V1Pod[]) => ps.every((p) => probeNames(n, p.metadata!.uid!).join() === 'nginx#healthy' && podEntry(n, p.metadata!.uid!)?.IP === p.status!.podIP);
    await waitNodePodProbe(NODE, (n) => listed(n, pods), `NodePodProbe ${NODE} listing both pods (${pods.map((p) => p.metadata!.name).join(', ')}) with probe nginx#healthy and their IPs`);

    await scale(3);
    const scaled = await waitPods(3);
    const added = scaled.filter((p) => !pods.some((o) => o.metadata!.uid === p.metadata!.uid));
    expect(added.length, 'pods the scale-up created').toBe(1);
    const npp = await waitNodePodProbe(NODE, (n) => listed(n, scaled), `NodePodProbe ${NODE} listing the scaled-up pod ${added[0]!.metadata!.name} (uid ${added[0]!.metadata!.uid}) too`);
    expect(ours(npp).map((e) => e.uid).sort(), 'one entry per pod, no duplicates').toEqual(scaled.map((p) => p.metadata!.uid).sort());
    pods = scaled;
  });

  it('removes the entries of the pods a scale-down deletes, and keeps the remaining one', async () => {
    await scale(1);
    const left = await waitForAll<V1Pod & Obj>(POD, ns.name, 'app=life', (items) => items.length === 1 && activePods(items).length === 1, {
      timeoutMs: timeouts().podsReady,
      describe: 'ReplicaSet life scaled down to a single pod, the others gone',
      namespace: ns.name,
    });
    const uid = left[0]!.metadata!.uid!;
    await waitNodePodProbe(NODE, (n) => ours(n).map((e) => e.uid).join() === uid, `NodePodProbe ${NODE} listing only the remaining pod ${left[0]!.metadata!.name} (uid ${uid})`);
    pods = left;
  });

  it('writes a probe update into the NodePodProbe, and the marks follow the states reported for it (Succeeded, Failed, Succeeded)', async () => {
    const pod = pods[0]!;
    const uid = pod.metadata!.uid!;
    const commandIs = (command: string[]) => (n: NodePodProbe | undefined) => JSON.stringify(podEntry(n, uid)?.probes?.find((p) => p.name === 'nginx#healthy')?.probe.exec?.command) === JSON.stringify(command);
    await reportProbeStates(NODE, pod, [{ name: 'nginx#healthy', state: 'Succeeded', message: 'ls: ok' }]);
    await waitMarks(pod, (p) => p?.metadata?.labels?.nginx === 'healthy' && conditionOf(p, HEALTHY)?.status === 'True', `label nginx=healthy and condition ${HEALTHY}=True`);

    await patchObject(PODPROBEMARKER, ns.name, 'nginx', { spec: { probes: nginxProbes(FAILING) } });
    await waitNodePodProbe(NODE, commandIs(FAILING), `probe nginx#healthy of ${pod.metadata!.name} carrying the updated command ${JSON.stringify(FAILING)}`);
    await reportProbeStates(NODE, pod, [{ name: 'nginx#healthy', state: 'Failed', message: 'failed: not found' }]);
    const failed = await waitMarks(pod, (p) => conditionOf(p, HEALTHY)?.status === 'False', `condition ${HEALTHY}=False after the Failed state`);
    // The probe has a Succeeded policy only: failing removes its label and sets nothing.
    expect(failed!.metadata!.labels?.nginx, `label nginx after Failed: ${renderMarks([HEALTHY])([failed!])}`).toBeUndefined();

    await patchObject(PODPROBEMARKER, ns.name, 'nginx', { spec: { probes: nginxProbes(PASSING) } });
    await waitNodePodProbe(NODE, commandIs(PASSING), `probe nginx#healthy of ${pod.metadata!.name} carrying the restored command ${JSON.stringify(PASSING)}`);
    await reportProbeStates(NODE, pod, [{ name: 'nginx#healthy', state: 'Succeeded', message: 'ls: ok' }]);
    await waitMarks(pod, (p) => p?.metadata?.labels?.nginx === 'healthy' && conditionOf(p, HEALTHY)?.status === 'True', `label nginx=healthy and condition ${HEALTHY}=True again`);
  });

  it("writes a second PodProbeMarker's probes into the same pod entry; each marker's states give its own condition and marks", async () => {
    const pod = pods[0]!;
    const uid = pod.metadata!.uid!;
    await createObject(PODPROBEMARKER, ns.name, marker('main', mainProbes));
    const npp = await waitNodePodProbe(NODE, (n) => probeNames(n, uid).join() === 'main#check,nginx#healthy', `the entry of ${pod.metadata!.name} listing main#check and nginx#healthy`);
    expect(ours(npp).length, `entries for the pod: ${JSON.stringify(ours(npp))}`).toBe(1);
    expect(podEntry(npp, uid)!.probes!.find((p) => p.name === 'main#check'), 'probe main#check').toMatchObject({ containerName: 'main', probe: { exec: { command: ['/bin/sh', '-c', 'ps -ef'] } } });

    await reportProbeStates(NODE, pod, [
      { name: 'nginx#healthy', state: 'Succeeded', message: 'ls: ok' },
      { name: 'main#check', state: 'Succeeded', message: 'ps: ok' },
    ]);
    await waitMarks(pod, (p) => p?.metadata?.annotations?.[DELETION_COST] === '10' && conditionOf(p, CHECK)?.status === 'True', `annotation ${DELETION_COST}=10 and condition ${CHECK}=True`);

    await reportProbeStates(NODE, pod, [
      { name: 'nginx#healthy', state: 'Succeeded', message: 'ls: ok' },
      { name: 'main#check', state: 'Failed', message: 'ps: failed' },
    ]);
    const mixed = await waitMarks(pod, (p) => p?.metadata?.annotations?.[DELETION_COST] === '-10' && conditionOf(p, CHECK)?.status === 'False', `annotation ${DELETION_COST}=-10 and condition ${CHECK}=False`);
    expect(
      { nginx: mixed!.metadata!.labels?.nginx, healthy: conditionOf(mixed, HEALTHY)?.status, check: conditionOf(mixed, CHECK)?.message },
      `the other marker's marks stay: ${renderMarks([HEALTHY, CHECK])([mixed!])}`,
    ).toEqual({ nginx: 'healthy', healthy: 'True', check: 'ps: failed' });
  });

  it('on deletion of the PodProbeMarkers leaves no probe of theirs, and no entry, in the NodePodProbe', async () => {
    await deleteObject(PODPROBEMARKER, ns.name, 'nginx');
    await deleteObject(PODPROBEMARKER, ns.name, 'main');
    for (const name of ['nginx', 'main']) {
      await waitForOne<Obj>(PODPROBEMARKER, ns.name, name, (m) => m === undefined, {
        timeoutMs: timeouts().statusSync,
        describe: `PodProbeMarker ${name} gone (its finalizer ${PPM_FINALIZER} released)`,
        namespace: ns.name,
      });
    }
    await waitNodePodProbe(NODE, (n) => n !== undefined && ours(n).length === 0, `NodePodProbe ${NODE} with no entry of namespace ${ns.name}`);
    const running = await waitPods(1);
    expect(running[0]!.metadata!.uid, 'the pod itself stays').toBe(pods[0]!.metadata!.uid);
  });
});
