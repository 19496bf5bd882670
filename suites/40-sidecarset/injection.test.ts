/**
 * SidecarSet injection at pod creation (spec §5.4; OpenKruise e2e "sidecarSet inject pod sidecar
 * container", "...volumeMounts", "pods don't have matched sidecarSet"): sidecars go before the
 * app containers by default, carry IS_INJECTED, bring their volumes (the pod's own volume wins a
 * name clash), and the pod records what was injected. Pods that do not match are untouched.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { SIDECARSET, createObject, getObject, type Obj, waitForOne } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import { IMAGE_V1, IMAGE_V2 } from '../lib/workloads.ts';
import { HASH_ANNOTATION, INJECTED_LIST, bareOrOwnedPod, sidecarSet, track } from './fixtures.ts';

interface SidecarSetObj extends Obj {
  status?: { observedGeneration?: number; matchedPods?: number; updatedPods?: number; readyPods?: number; latestRevision?: string };
}

const names = (p: V1Pod) => p.spec?.containers.map((c) => c.name) ?? [];

describeFeature(['SidecarSet.Injection', 'SidecarSet.VolumeMerge'], 'sidecar containers injected at pod creation', () => {
  const ns = useNamespace('ss-inject');

  it('injects before the app container with IS_INJECTED, its volume, and the injection annotations', async () => {
    const name = track(`${ns.name}-log`);
    await createObject(SIDECARSET, undefined, sidecarSet(name, ns.name, 'inject'));
    // The webhook serves the SidecarSet from its informer: wait until it is observed (status written).
    await waitForOne<SidecarSetObj>(SIDECARSET, undefined, name, (o) => o?.status?.observedGeneration === o?.metadata.generation, { timeoutMs: timeouts().statusSync, describe: `SidecarSet ${name} observed` });
    const pod = await kube().core.createNamespacedPod({ namespace: ns.name, body: bareOrOwnedPod('p1', 'inject') as V1Pod });
    expect(names(pod), `containers of the created pod: ${JSON.stringify(pod.spec?.containers)}`).toEqual(['sidecar', 'main']);
    const sidecar = pod.spec!.containers[0]!;
    expect(sidecar.env?.find((e) => e.name === 'IS_INJECTED')?.value, 'env IS_INJECTED on the sidecar').toBe('true');
    expect(pod.spec?.volumes?.some((v) => v.name === 'shared' && v.emptyDir), `SidecarSet volume "shared" added: ${JSON.stringify(pod.spec?.volumes)}`).toBe(true);
    expect(pod.metadata?.annotations?.[INJECTED_LIST], 'injected-list annotation').toBe(name);
    const hash = JSON.parse(pod.metadata?.annotations?.[HASH_ANNOTATION] ?? '{}') as Record<string, { sidecarList?: string[] }>;
    expect(hash[name]?.sidecarList, `${HASH_ANNOTATION} entry for ${name}: ${pod.metadata?.annotations?.[HASH_ANNOTATION]}`).toEqual(['sidecar']);
  });

  it('AfterAppContainer appends the sidecar', async () => {
    const name = track(`${ns.name}-after`);
    await createObject(SIDECARSET, undefined, sidecarSet(name, ns.name, 'after', { containers: [{ name: 'sidecar', image: IMAGE_V1, podInjectPolicy: 'AfterAppContainer' }], volumes: [] }));
    await waitForOne<SidecarSetObj>(SIDECARSET, undefined, name, (o) => o?.status?.observedGeneration === o?.metadata.generation, { timeoutMs: timeouts().statusSync, describe: `SidecarSet ${name} observed` });
    const pod = await kube().core.createNamespacedPod({ namespace: ns.name, body: bareOrOwnedPod('p2', 'after') as V1Pod });
    expect(names(pod)).toEqual(['main', 'sidecar']);
  });

  it('a pod volume with the same name as a SidecarSet volume wins', async () => {
    const name = track(`${ns.name}-clash`);
    await createObject(SIDECARSET, undefined, sidecarSet(name, ns.name, 'clash'));
    await waitForOne<SidecarSetObj>(SIDECARSET, undefined, name, (o) => o?.status?.observedGeneration === o?.metadata.generation, { timeoutMs: timeouts().statusSync, describe: `SidecarSet ${name} observed` });
    const pod = await kube().core.createNamespacedPod({
      namespace: ns.name,
      body: bareOrOwnedPod('p3', 'clash', { volumes: [{ name: 'shared', configMap: { name: 'pod-own', optional: true } }] }) as V1Pod,
    });
    const shared = pod.spec?.volumes?.filter((v) => v.name === 'shared') ?? [];
    expect(shared.length, `volumes named shared: ${JSON.stringify(pod.spec?.volumes)}`).toBe(1);
    expect(shared[0]?.configMap?.name, 'the pod\'s own definition is kept').toBe('pod-own');
    expect(names(pod)).toContain('sidecar');
  });

  it('pods that match no SidecarSet are not changed', async () => {
    const pod = await kube().core.createNamespacedPod({ namespace: ns.name, body: bareOrOwnedPod('p4', 'nobody') as V1Pod });
    expect(names(pod)).toEqual(['main']);
    expect(pod.metadata?.annotations?.[INJECTED_LIST]).toBeUndefined();
  });

  it('a SidecarSet created after a pod does not change that pod', async () => {
    await kube().core.createNamespacedPod({ namespace: ns.name, body: bareOrOwnedPod('p5', 'late') as V1Pod });
    const name = track(`${ns.name}-late`);
    await createObject(SIDECARSET, undefined, sidecarSet(name, ns.name, 'late', { containers: [{ name: 'sidecar', image: IMAGE_V2 }], volumes: [] }));
    const ss = await waitForOne<SidecarSetObj>(SIDECARSET, undefined, name, (o) => o?.status?.observedGeneration === o?.metadata.generation, { timeoutMs: timeouts().statusSync, describe: `SidecarSet ${name} observed` });
    expect(ss?.status?.matchedPods ?? 0, 'matchedPods counts only pods the SidecarSet was injected into').toBe(0);
    const pod = await kube().core.readNamespacedPod({ namespace: ns.name, name: 'p5' });
    expect(names(pod)).toEqual(['main']);
    expect((await getObject<SidecarSetObj>(SIDECARSET, undefined, name)).metadata.name).toBe(name);
  });
});
