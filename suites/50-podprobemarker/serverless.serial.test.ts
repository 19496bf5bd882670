/**
 * The serverless protocol (1.8, gate EnablePodProbeMarkerOnServerless; spec §6.3): at pod creation
 * the probes with a podConditionType are written to the pod's annotations for the platform to
 * run; when the platform reports a condition on a pod of a virtual-kubelet node, the marker policy
 * of that state is applied. The test plays the serverless platform: it adds a node labelled
 * type=virtual-kubelet and sets the pod condition itself. Serial: it creates a cluster-scoped Node.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { afterAll, expect, it } from 'vitest';
import { PODPROBEMARKER, POD, createObject, waitForOne, type Obj } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import { IMAGE_V1 } from '../lib/workloads.ts';

const NODE = 'kc-virtual-kubelet';
const CONDITION = 'game.kruise.io/healthy';

describeFeature('PodProbeMarker.Serverless', 'probes for serverless pods travel through pod annotations and conditions', () => {
  const ns = useNamespace('ppm-serverless');
  afterAll(async () => {
    await kube().core.deleteNode({ name: NODE }).catch(() => undefined);
  });

  it('writes kruise.io/podprobe at creation and marks the pod from the condition the platform reports', async () => {
    const { core } = kube();
    await createObject(PODPROBEMARKER, ns.name, {
      metadata: { name: 'ppm-1' },
      spec: {
        selector: { matchLabels: { app: 'game' } },
        probes: [
          {
            name: 'healthy',
            containerName: 'main',
            probe: { exec: { command: ['/bin/sh', '-c', 'true'] } },
            podConditionType: CONDITION,
            markerPolicy: [
              { state: 'Succeeded', labels: { 'game.kruise.io/healthy': 'true' } },
              { state: 'Failed', labels: { 'game.kruise.io/healthy': 'false' } },
            ],
          },
        ],
      },
    });
    await core.createNode({
      body: {
        metadata: { name: NODE, labels: { type: 'virtual-kubelet', 'kubernetes.io/hostname': NODE }, annotations: { 'kwok.x-k8s.io/node': 'fake' } },
        spec: { taints: [{ key: 'virtual-kubelet.io/provider', value: 'conformance', effect: 'NoSchedule' }] },
      } as V1Node,
    });
    const pod = await core.createNamespacedPod({
      namespace: ns.name,
      body: {
        metadata: { name: 'game-0', labels: { app: 'game' } },
        spec: {
          nodeName: NODE,
          tolerations: [{ key: 'virtual-kubelet.io/provider', operator: 'Exists' }],
          containers: [{ name: 'main', image: IMAGE_V1 }],
        },
      } as V1Pod,
    });
    const probes = JSON.parse(pod.metadata?.annotations?.['kruise.io/podprobe'] ?? '[]') as { name: string; containerName: string; podConditionType: string; markerPolicy?: unknown }[];
    expect(probes.map((p) => ({ name: p.name, containerName: p.containerName, podConditionType: p.podConditionType })), `kruise.io/podprobe: ${pod.metadata?.annotations?.['kruise.io/podprobe']}`).toEqual([
      { name: 'healthy', containerName: 'main', podConditionType: CONDITION },
    ]);
    expect(probes[0]?.markerPolicy, 'markerPolicy is not part of the annotation').toBeUndefined();
    expect(pod.metadata?.annotations?.['kruise.io/podprobemarker-list'], 'podprobemarker-list').toBe('ppm-1');

    // The platform reports the probe result as a pod condition.
    const current = await core.readNamespacedPodStatus({ namespace: ns.name, name: 'game-0' });
    const conditions = [...(current.status?.conditions ?? []).filter((c) => c.type !== CONDITION), { type: CONDITION, status: 'True', lastTransitionTime: new Date() }];
    await core.replaceNamespacedPodStatus({ namespace: ns.name, name: 'game-0', body: { ...current, status: { ...current.status, conditions } } });
    await waitForOne<V1Pod & Obj>(POD, ns.name, 'game-0', (p) => p?.metadata.labels?.['game.kruise.io/healthy'] === 'true', {
      timeoutMs: timeouts().statusSync,
      describe: 'the Succeeded marker label game.kruise.io/healthy=true on the pod',
      namespace: ns.name,
      render: (items) => JSON.stringify(items.map((i) => ({ labels: i.metadata.labels, conditions: (i as V1Pod).status?.conditions })), null, 2),
    });
  });
});
