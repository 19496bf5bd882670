/**
 * The node-agent protocol of PodProbeMarker (spec §6.2), seen through the API: the controller
 * writes the probes of every matched pod into the cluster-scoped NodePodProbe named after the
 * pod's node, and turns the probe states the node agent reports in NodePodProbe.status into a pod
 * condition (podConditionType) and marks (markerPolicy: the matching state's labels/annotations
 * set, the opposite state's removed). The test plays the node agent, as the OpenKruise e2e
 * "pod probe marker exec test" relies on kruise-daemon to; the execution of probes on a real node
 * is PodProbeMarker.NodeProbes.
 *
 * Serial: it adds two nodes (one an agent node whose NodePodProbe only this file's pods use, one
 * labelled type=virtual-kubelet) and writes NodePodProbe status, both cluster-scoped.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Obj, POD, PODPROBEMARKER, createObject, deleteObject, getObject, waitForOne } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import { IMAGE_V1 } from '../lib/workloads.ts';
import {
  NODEPODPROBE,
  type NodePodProbe,
  PPM_FINALIZER,
  VIRTUAL_KUBELET,
  addNode,
  conditionOf,
  pinnedPod,
  podEntry,
  removeNode,
  renderMarks,
  reportProbeStates,
  runPod,
} from './fixtures.ts';

const AGENT_NODE = 'kc-ppm-agent';
const VK_NODE = 'kc-ppm-agent-vk';
const HEALTHY = 'game.kruise.io/healthy';
const HEALTH_COMMAND = ['/bin/sh', '-c', 'test -f /tmp/healthy'];

interface PodProbeMarker extends Obj {
  spec?: unknown;
  status?: { observedGeneration?: number; matchedPods?: number };
}

const agentMarker = {
  metadata: { name: 'agent' },
  spec: {
    selector: { matchLabels: { app: 'game' } },
    probes: [
      {
        name: 'healthy',
        containerName: 'main',
        probe: { exec: { command: HEALTH_COMMAND }, periodSeconds: 5 },
        podConditionType: HEALTHY,
        markerPolicy: [
          { state: 'Succeeded', labels: { 'game.kruise.io/healthy': 'true', 'game.kruise.io/serving': 'true' }, annotations: { 'game.kruise.io/probe-result': 'ok' } },
          { state: 'Failed', labels: { 'game.kruise.io/healthy': 'false' }, annotations: { 'game.kruise.io/probe-failed': 'true' } },
        ],
      },
      // Marks only, no condition; its port is the container's named port.
      { name: 'port', containerName: 'main', probe: { tcpSocket: { port: 'http' } }, markerPolicy: [{ state: 'Succeeded', labels: { 'game.kruise.io/port-open': 'true' } }] },
    ],
  },
};

const gamePod = (name: string, node: string) => pinnedPod(name, { app: 'game' }, node, { containers: [{ name: 'main', image: IMAGE_V1, ports: [{ name: 'http', containerPort: 8080 }] }] });

const probeNames = (npp: NodePodProbe | undefined, uid: string) => (podEntry(npp, uid)?.probes ?? []).map((p) => p.name).sort();

describeFeature('PodProbeMarker.NodeAgentProtocol', 'the controller and the node agent meet in the NodePodProbe of the node', () => {
  // Registered before the namespace so that it runs after the namespace (and its pods) are gone.
  afterAll(async () => {
    await removeNode(AGENT_NODE);
    await removeNode(VK_NODE);
  });
  const ns = useNamespace('ppm-agent');
  let pod: V1Pod;

  beforeAll(async () => {
    await addNode(AGENT_NODE);
    await addNode(VK_NODE, VIRTUAL_KUBELET);
  });

  const waitNodePodProbe = (predicate: (npp: NodePodProbe | undefined) => boolean, describe: string) =>
    waitForOne<NodePodProbe>(NODEPODPROBE, undefined, AGENT_NODE, predicate, {
      timeoutMs: timeouts().statusSync,
      describe,
      render: (items) => JSON.stringify(items.map((n) => ({ name: n.metadata.name, spec: (n as NodePodProbe).spec })), null, 2),
    });

  const waitPod = (predicate: (p: V1Pod | undefined) => boolean, describe: string) =>
    waitForOne<V1Pod & Obj>(POD, ns.name, pod.metadata!.name!, predicate, { timeoutMs: timeouts().statusSync, describe, namespace: ns.name, render: renderMarks([HEALTHY]) });

  it('writes the probes of each matched pod into its node\'s NodePodProbe as <ppm>#<probe>, skipping unmatched pods and pods on virtual-kubelet nodes', async () => {
    await waitNodePodProbe((npp) => npp !== undefined, `a NodePodProbe named after node ${AGENT_NODE}`);
    await createObject(PODPROBEMARKER, ns.name, agentMarker);
    await waitForOne<PodProbeMarker>(PODPROBEMARKER, ns.name, 'agent', (m) => m?.metadata.finalizers?.includes(PPM_FINALIZER) === true, {
      timeoutMs: timeouts().statusSync,
      describe: `finalizer ${PPM_FINALIZER} on PodProbeMarker agent`,
      namespace: ns.name,
    });

    // The pods that must not be written run first, so the pass that writes game-0 has seen them.
    const serverless = await runPod(ns.name, gamePod('game-vk', VK_NODE));
    const other = await runPod(ns.name, pinnedPod('other-0', { app: 'other' }, AGENT_NODE));
    pod = await runPod(ns.name, gamePod('game-0', AGENT_NODE));

    const npp = await waitNodePodProbe(
      (n) => probeNames(n, pod.metadata!.uid!).length === 2 && podEntry(n, pod.metadata!.uid!)?.IP === pod.status!.podIP,
      `NodePodProbe ${AGENT_NODE} listing pod game-0 (uid ${pod.metadata!.uid}, IP ${pod.status!.podIP}) with probes agent#healthy and agent#port`,
    );
    const entry = podEntry(npp, pod.metadata!.uid!)!;
    expect({ name: entry.name, namespace: entry.namespace, uid: entry.uid, IP: entry.IP }, 'the pod entry identifies the pod').toEqual({
      name: 'game-0',
      namespace: ns.name,
      uid: pod.metadata!.uid,
      IP: pod.status!.podIP,
    });
    const byName = Object.fromEntries((entry.probes ?? []).map((p) => [p.name, p]));
    expect(byName['agent#healthy'], `agent#healthy in ${JSON.stringify(entry)}`).toMatchObject({ containerName: 'main', probe: { exec: { command: HEALTH_COMMAND }, periodSeconds: 5 } });
    // The named port is resolved against the pod's container.
    expect(byName['agent#port'], `agent#port in ${JSON.stringify(entry)}`).toMatchObject({ containerName: 'main', probe: { tcpSocket: { port: 8080 } } });

    const all = (await kube().custom.listClusterCustomObject({ group: NODEPODPROBE.group, version: NODEPODPROBE.version, plural: NODEPODPROBE.plural })) as { items: NodePodProbe[] };
    const stray = all.items.filter((n) => podEntry(n, other.metadata!.uid!) || podEntry(n, serverless.metadata!.uid!)).map((n) => n.metadata.name);
    expect(stray, 'NodePodProbes listing the unmatched pod other-0 or the virtual-kubelet pod game-vk').toEqual([]);

    // Both matched pods count, the serverless one included.
    await waitForOne<PodProbeMarker>(PODPROBEMARKER, ns.name, 'agent', (m) => m?.status?.matchedPods === 2 && m.status.observedGeneration === m.metadata.generation, {
      timeoutMs: timeouts().statusSync,
      describe: 'PodProbeMarker agent status.matchedPods 2 (game-0 and game-vk) at the current generation',
      namespace: ns.name,
      render: (items) => JSON.stringify(items.map((m) => ({ generation: m.metadata.generation, status: (m as PodProbeMarker).status })), null, 2),
    });
  });

  it('turns a Succeeded state into condition True with the reported message, and applies the Succeeded marks', async () => {
    await reportProbeStates(AGENT_NODE, pod, [
      { name: 'agent#healthy', state: 'Succeeded', message: 'healthy: ok' },
      { name: 'agent#port', state: 'Succeeded' },
    ]);
    const marked = await waitPod((p) => {
      const l = p?.metadata?.labels ?? {};
      return conditionOf(p, HEALTHY)?.status === 'True' && l['game.kruise.io/healthy'] === 'true' && l['game.kruise.io/serving'] === 'true' && l['game.kruise.io/port-open'] === 'true' && p?.metadata?.annotations?.['game.kruise.io/probe-result'] === 'ok';
    }, `condition ${HEALTHY}=True, labels healthy=true serving=true port-open=true and annotation probe-result=ok on game-0`);
    expect(conditionOf(marked, HEALTHY)?.message, 'the condition carries the message the agent reported').toBe('healthy: ok');
    expect(marked!.metadata!.annotations?.['game.kruise.io/probe-failed'], 'no Failed mark while Succeeded').toBeUndefined();
  });

  it('turns a later Failed state into condition False, applies the Failed marks and removes the Succeeded ones', async () => {
    await reportProbeStates(AGENT_NODE, pod, [
      { name: 'agent#healthy', state: 'Failed', message: 'healthy: exit status 1' },
      // A probe with only a Succeeded policy: failing removes its marks and sets nothing.
      { name: 'agent#port', state: 'Failed', message: 'connection refused' },
    ]);
    const failed = await waitPod((p) => conditionOf(p, HEALTHY)?.status === 'False' && p?.metadata?.annotations?.['game.kruise.io/probe-failed'] === 'true', `condition ${HEALTHY}=False and annotation probe-failed=true on game-0`);
    const labels = failed!.metadata!.labels ?? {};
    const annotations = failed!.metadata!.annotations ?? {};
    expect(
      {
        healthy: labels['game.kruise.io/healthy'],
        serving: labels['game.kruise.io/serving'],
        portOpen: labels['game.kruise.io/port-open'],
        probeResult: annotations['game.kruise.io/probe-result'],
        message: conditionOf(failed, HEALTHY)?.message,
      },
      `marks after Failed (label healthy=false; labels serving and port-open and annotation probe-result, the Succeeded marks, removed; the reported message): ${renderMarks([HEALTHY])([failed as V1Pod & Obj])}`,
    ).toEqual({ healthy: 'false', serving: undefined, portOpen: undefined, probeResult: undefined, message: 'healthy: exit status 1' });
  });

  it('on deletion of a PodProbeMarker removes its probes, and only its, from the NodePodProbe before the object goes', async () => {
    await createObject(PODPROBEMARKER, ns.name, {
      metadata: { name: 'agent-extra' },
      spec: { selector: { matchLabels: { app: 'game' } }, probes: [{ name: 'extra', containerName: 'main', probe: { exec: { command: ['/bin/true'] } }, podConditionType: 'game.kruise.io/extra' }] },
    });
    const uid = pod.metadata!.uid!;
    await waitNodePodProbe((n) => probeNames(n, uid).join() === 'agent#healthy,agent#port,agent-extra#extra', 'game-0 listed with the probes of both PodProbeMarkers');

    await deleteObject(PODPROBEMARKER, ns.name, 'agent');
    await waitForOne<PodProbeMarker>(PODPROBEMARKER, ns.name, 'agent', (m) => m === undefined, {
      timeoutMs: timeouts().statusSync,
      describe: `PodProbeMarker agent gone (its finalizer ${PPM_FINALIZER} released)`,
      namespace: ns.name,
    });
    // The finalizer is released only after the probes are gone: read once, no waiting.
    const npp = (await getObject<NodePodProbe>(NODEPODPROBE, undefined, AGENT_NODE)) as NodePodProbe;
    expect(probeNames(npp, uid), `probes left for game-0 once agent is gone: ${JSON.stringify(podEntry(npp, uid))}`).toEqual(['agent-extra#extra']);
  });
});
