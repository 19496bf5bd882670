/**
 * SidecarSet injection at pod creation (spec §5.4; OpenKruise e2e "sidecarSet inject pod sidecar
 * container", "sidecarset with volumes.downwardAPI", "pods don't have matched sidecarSet"):
 * BeforeAppContainer sidecars go before the app containers and AfterAppContainer ones after them;
 * sidecar initContainers follow the pod's own; every injected container carries IS_INJECTED; the
 * SidecarSet's volumes come along (the pod's own volume wins a name clash) and its imagePullSecrets
 * are merged in; the pod records what was injected. Pods that do not match are untouched.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { SIDECARSET, createObject, getObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube } from '../lib/context.ts';
import { IMAGE_V1, IMAGE_V2, IMAGE_V3 } from '../lib/workloads.ts';
import { HASH_ANNOTATION, HASH_WITHOUT_IMAGE_ANNOTATION, INJECTED_LIST, type SidecarSetObj, bareOrOwnedPod, createSidecarSet, observed, podHashEntry, sidecarSet, track } from './fixtures.ts';

const names = (p: V1Pod) => p.spec?.containers.map((c) => c.name) ?? [];
const isInjected = (c: { env?: { name: string; value?: string }[] }) => c.env?.find((e) => e.name === 'IS_INJECTED')?.value === 'true';

describeFeature(['SidecarSet.Injection', 'SidecarSet.VolumeMerge'], 'sidecar containers injected at pod creation', () => {
  const ns = useNamespace('ss-inject');

  it('injects before the app container with IS_INJECTED, its volume, and the injection annotations', async () => {
    const name = `${ns.name}-log`;
    const ss = await createSidecarSet(sidecarSet(name, ns.name, 'inject'));
    const pod = await kube().core.createNamespacedPod({ namespace: ns.name, body: bareOrOwnedPod('p1', 'inject') as V1Pod });
    expect(names(pod), `containers of the created pod: ${JSON.stringify(pod.spec?.containers)}`).toEqual(['sidecar', 'main']);
    const sidecar = pod.spec!.containers[0]!;
    expect(sidecar.env?.find((e) => e.name === 'IS_INJECTED')?.value, 'env IS_INJECTED on the sidecar').toBe('true');
    expect(pod.spec?.volumes?.some((v) => v.name === 'shared' && v.emptyDir), `SidecarSet volume "shared" added: ${JSON.stringify(pod.spec?.volumes)}`).toBe(true);
    expect(pod.metadata?.annotations?.[INJECTED_LIST], 'injected-list annotation').toBe(name);
    const hash = podHashEntry(pod, name);
    expect(hash?.sidecarList, `${HASH_ANNOTATION} entry for ${name}: ${pod.metadata?.annotations?.[HASH_ANNOTATION]}`).toEqual(['sidecar']);
    // The pod records the SidecarSet's hashes (the webhook stamps them on the SidecarSet) and its latest revision.
    expect(hash?.hash, 'recorded hash = the SidecarSet\'s kruise.io/sidecarset-hash').toBe(ss.metadata.annotations?.[HASH_ANNOTATION]);
    expect(podHashEntry(pod, name, HASH_WITHOUT_IMAGE_ANNOTATION)?.hash, 'recorded hash without image').toBe(ss.metadata.annotations?.[HASH_WITHOUT_IMAGE_ANNOTATION]);
    expect(hash?.controllerRevision, 'recorded controllerRevision = status.latestRevision').toBe(ss.status?.latestRevision);
  });

  it('AfterAppContainer appends the sidecar', async () => {
    const name = `${ns.name}-after`;
    await createSidecarSet(sidecarSet(name, ns.name, 'after', { containers: [{ name: 'sidecar', image: IMAGE_V1, podInjectPolicy: 'AfterAppContainer' }], volumes: [] }));
    const pod = await kube().core.createNamespacedPod({ namespace: ns.name, body: bareOrOwnedPod('p2', 'after') as V1Pod });
    expect(names(pod), 'containers of the created pod (AfterAppContainer: the sidecar after the app container)').toEqual(['main', 'sidecar']);
  });

  it('places Before/After sidecars around the app containers and appends sidecar initContainers after the pod\'s own', async () => {
    const name = `${ns.name}-both`;
    const ss = await createSidecarSet(
      sidecarSet(name, ns.name, 'both', {
        initContainers: [{ name: 'init-sidecar', image: IMAGE_V3 }],
        containers: [
          { name: 'before-sidecar', image: IMAGE_V1 },
          { name: 'after-sidecar', image: IMAGE_V2, podInjectPolicy: 'AfterAppContainer' },
        ],
        volumes: [],
      }),
    );
    const policies = (list: unknown) => (list as { podInjectPolicy?: string }[]).map((c) => c.podInjectPolicy);
    expect(policies(ss.spec?.containers), 'podInjectPolicy of containers (default BeforeAppContainer)').toEqual(['BeforeAppContainer', 'AfterAppContainer']);
    expect(policies(ss.spec?.initContainers), 'podInjectPolicy of initContainers (default AfterAppContainer)').toEqual(['AfterAppContainer']);
    const pod = await kube().core.createNamespacedPod({
      namespace: ns.name,
      body: bareOrOwnedPod('p-both', 'both', {
        initContainers: [{ name: 'app-init', image: IMAGE_V1 }],
        containers: [
          { name: 'main', image: IMAGE_V1 },
          { name: 'helper', image: IMAGE_V1 },
        ],
      }) as V1Pod,
    });
    expect(names(pod), 'containers').toEqual(['before-sidecar', 'main', 'helper', 'after-sidecar']);
    expect(pod.spec?.initContainers?.map((c) => c.name), 'initContainers').toEqual(['app-init', 'init-sidecar']);
    expect(pod.spec?.containers.filter(isInjected).map((c) => c.name), 'containers with IS_INJECTED=true').toEqual(['before-sidecar', 'after-sidecar']);
    expect(pod.spec?.initContainers?.filter(isInjected).map((c) => c.name), 'initContainers with IS_INJECTED=true').toEqual(['init-sidecar']);
    expect(podHashEntry(pod, name)?.sidecarList?.sort(), 'sidecarList: the containers (a plain initContainer is not upgraded, so not listed)').toEqual(['after-sidecar', 'before-sidecar']);
  });

  it('adds a downwardAPI volume the sidecar mounts', async () => {
    const name = `${ns.name}-dapi`;
    const podinfo = {
      name: 'podinfo',
      downwardAPI: {
        items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
        ],
      },
    };
    await createSidecarSet(sidecarSet(name, ns.name, 'dapi', { containers: [{ name: 'sidecar', image: IMAGE_V1, volumeMounts: [{ name: 'podinfo', mountPath: '/etc/podinfo' }] }], volumes: [podinfo] }));
    const pod = await kube().core.createNamespacedPod({ namespace: ns.name, body: bareOrOwnedPod('p-dapi', 'dapi', { automountServiceAccountToken: false }) as V1Pod });
    const volume = pod.spec?.volumes?.find((v) => v.name === 'podinfo');
    expect(volume?.downwardAPI?.items?.map((i) => [i.path, i.fieldRef?.fieldPath]), `volume podinfo: ${JSON.stringify(volume)}`).toEqual([
      ['labels', 'metadata.labels'],
      ['annotations', 'metadata.annotations'],
    ]);
    expect(pod.spec?.containers[0]?.volumeMounts?.map((m) => [m.name, m.mountPath]), 'sidecar mounts').toEqual([['podinfo', '/etc/podinfo']]);
  });

  it('merges the SidecarSet\'s imagePullSecrets into the pod, without duplicates', async () => {
    const name = `${ns.name}-secrets`;
    await createSidecarSet(sidecarSet(name, ns.name, 'secrets', { imagePullSecrets: [{ name: 'shared-secret' }, { name: 'sidecar-secret' }] }));
    const pod = await kube().core.createNamespacedPod({
      namespace: ns.name,
      body: bareOrOwnedPod('p-secrets', 'secrets', { imagePullSecrets: [{ name: 'app-secret' }, { name: 'shared-secret' }] }) as V1Pod,
    });
    expect(pod.spec?.imagePullSecrets?.map((s) => s.name), 'imagePullSecrets: the pod\'s, then the SidecarSet\'s new ones').toEqual(['app-secret', 'shared-secret', 'sidecar-secret']);
  });

  it('a pod volume with the same name as a SidecarSet volume wins', async () => {
    const name = `${ns.name}-clash`;
    await createSidecarSet(sidecarSet(name, ns.name, 'clash'));
    const pod = await kube().core.createNamespacedPod({
      namespace: ns.name,
      body: bareOrOwnedPod('p3', 'clash', { volumes: [{ name: 'shared', configMap: { name: 'pod-own', optional: true } }] }) as V1Pod,
    });
    const shared = pod.spec?.volumes?.filter((v) => v.name === 'shared') ?? [];
    expect(shared.length, `volumes named shared: ${JSON.stringify(pod.spec?.volumes)}`).toBe(1);
    expect(shared[0]?.configMap?.name, 'the pod\'s own definition is kept').toBe('pod-own');
    expect(names(pod), 'containers of the created pod').toContain('sidecar');
  });

  it('pods that match no SidecarSet are not changed', async () => {
    const pod = await kube().core.createNamespacedPod({ namespace: ns.name, body: bareOrOwnedPod('p4', 'nobody') as V1Pod });
    expect(names(pod), 'containers of a pod no SidecarSet selects').toEqual(['main']);
    expect(pod.metadata?.annotations?.[INJECTED_LIST], `${INJECTED_LIST} annotation of a pod no SidecarSet selects (annotations: ${JSON.stringify(pod.metadata?.annotations)})`).toBeUndefined();
  });

  it('a SidecarSet created after a pod does not change that pod', async () => {
    await kube().core.createNamespacedPod({ namespace: ns.name, body: bareOrOwnedPod('p5', 'late') as V1Pod });
    const name = track(`${ns.name}-late`);
    await createObject(SIDECARSET, undefined, sidecarSet(name, ns.name, 'late', { containers: [{ name: 'sidecar', image: IMAGE_V2 }], volumes: [] }));
    const ss = await observed(name);
    expect(ss.status?.matchedPods ?? 0, 'matchedPods counts only pods the SidecarSet was injected into').toBe(0);
    const pod = await kube().core.readNamespacedPod({ namespace: ns.name, name: 'p5' });
    expect(names(pod), 'containers of the pod created before the SidecarSet').toEqual(['main']);
    expect((await getObject<SidecarSetObj>(SIDECARSET, undefined, name)).metadata.name).toBe(name);
  });
});
