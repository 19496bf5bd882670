/**
 * Which new pods a SidecarSet reaches (spec §5.2, §5.4; OpenKruise e2e "sidecarSet upgrade cold
 * sidecar container image only", which scopes by namespaceSelector): `spec.namespace` limits
 * injection to one namespace, `spec.namespaceSelector` to namespaces whose labels match (checked at
 * pod creation, so pods created before the namespace was labelled keep no sidecar), and
 * `injectionStrategy.paused` stops injection without affecting the SidecarSet otherwise.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, POD, SIDECARSET, createObject, patchObject, waitForAll } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import { IMAGE_V1, IMAGE_V2, cloneSet, podsOf } from '../lib/workloads.ts';
import {
  INJECTED_LIST,
  UPGRADABLE_CONDITION,
  bareOrOwnedPod,
  counts,
  createSidecarSet,
  imageIn,
  observed,
  renderSidecarPods,
  retryWebhookDecision,
  sidecarSet,
  statusCounts,
  upgradableCondition,
  waitForSidecarPods,
  waitForSidecarSet,
} from './fixtures.ts';

const names = (p: V1Pod) => p.spec?.containers.map((c) => c.name) ?? [];

describeFeature('SidecarSet.Scope', 'namespace, namespaceSelector and injectionStrategy.paused scope injection', () => {
  const ns = useNamespace('ss-scope');

  it('spec.namespace: only the SidecarSet scoped to the pod\'s namespace injects', async () => {
    const here = `${ns.name}-here`;
    const elsewhere = `${ns.name}-elsewhere`;
    await createSidecarSet(sidecarSet(here, ns.name, 'scoped', { containers: [{ name: 'sidecar-here', image: IMAGE_V1 }], volumes: [] }));
    // Same selector, scoped to a namespace that is not the pod's.
    await createSidecarSet(sidecarSet(elsewhere, `${ns.name}-other`, 'scoped', { containers: [{ name: 'sidecar-elsewhere', image: IMAGE_V1 }], volumes: [] }));
    const pod = await kube().core.createNamespacedPod({ namespace: ns.name, body: bareOrOwnedPod('p-scoped', 'scoped') as V1Pod });
    expect(names(pod), `containers: ${JSON.stringify(pod.spec?.containers.map((c) => c.name))}`).toEqual(['sidecar-here', 'main']);
    expect(pod.metadata?.annotations?.[INJECTED_LIST], 'injected-list names only the SidecarSet of this namespace').toBe(here);
    await waitForSidecarSet(elsewhere, (s) => s.status?.matchedPods === 0, 'matches no pod', timeouts().statusSync);
    await waitForSidecarSet(here, (s) => s.status?.matchedPods === 1, 'matches the pod', timeouts().statusSync);
  });

  it('spec.namespaceSelector: pods created after the namespace is labelled get the sidecar, which then upgrades in place', async () => {
    const { core } = kube();
    const scopeLabel = 'kruise-conformance.io/sidecar-scope';
    const name = `${ns.name}-nssel`;
    const body = sidecarSet(name, ns.name, 'nssel', {
      containers: [{ name: 'sidecar', image: IMAGE_V1 }],
      volumes: [],
      updateStrategy: { type: 'RollingUpdate', maxUnavailable: 2 },
      // The probe pods share the SidecarSet but not the CloneSet's selector.
      selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['nssel', 'nssel-probe'] }] },
      namespaceSelector: { matchLabels: { [scopeLabel]: ns.name } },
    });
    delete (body.spec as Record<string, unknown>).namespace;
    await createSidecarSet(body);

    await createObject(CLONESET, ns.name, cloneSet('nssel', { replicas: 2 }));
    const before = await waitForSidecarPods(ns.name, podsOf('nssel'), 2, isPodReady, '2 Ready pods', timeouts().podsReady);
    for (const p of before) expect(names(p), `${p.metadata?.name} was created before the namespace matched`).toEqual(['main']);

    await core.patchNamespace({ name: ns.name, body: { metadata: { labels: { [scopeLabel]: ns.name } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    // The pod webhook reads namespace labels from its cache: probe until it has seen the label.
    let probes = 0;
    const probe = await retryWebhookDecision(
      async () => {
        const p = await core.createNamespacedPod({ namespace: ns.name, body: bareOrOwnedPod(`probe-${probes++}`, 'nssel-probe') as V1Pod });
        if (!names(p).includes('sidecar')) await core.deleteNamespacedPod({ namespace: ns.name, name: p.metadata!.name!, gracePeriodSeconds: 0 });
        return p;
      },
      (p) => names(p).includes('sidecar'),
    );
    expect(names(probe), 'a pod created once the namespace is labelled gets the sidecar').toEqual(['sidecar', 'main']);
    await core.deleteNamespacedPod({ namespace: ns.name, name: probe.metadata!.name!, gracePeriodSeconds: 0 });
    await waitForAll(POD, ns.name, podsOf('nssel-probe'), (items) => items.length === 0, { timeoutMs: timeouts().podsReady, describe: 'probe pods gone', namespace: ns.name });

    // Pods that existed keep their spec: recreate them (the CloneSet replaces deleted pods).
    for (const p of before) await core.deleteNamespacedPod({ namespace: ns.name, name: p.metadata!.name! });
    const old = new Set(before.map((p) => p.metadata!.uid));
    const injected = await waitForSidecarPods(ns.name, podsOf('nssel'), 2, (p) => !old.has(p.metadata!.uid) && isPodReady(p) && imageIn(p) === IMAGE_V1, '2 new Ready pods with the sidecar');
    for (const p of injected) expect(names(p), `${p.metadata?.name}`).toEqual(['sidecar', 'main']);
    await waitForSidecarSet(name, counts({ matched: 2, updated: 2, ready: 2, updatedReady: 2 }), 'matched 2, all updated and ready');

    await patchObject(SIDECARSET, undefined, name, { spec: { containers: [{ name: 'sidecar', image: IMAGE_V2 }] } });
    const done = await waitForSidecarSet(name, counts({ matched: 2, updated: 2, ready: 2, updatedReady: 2 }), 'the new image rolled out to both pods');
    const upgraded = await waitForSidecarPods(ns.name, podsOf('nssel'), 2, (p) => isPodReady(p) && imageIn(p) === IMAGE_V2 && upgradableCondition(p)?.status === 'True', `both pods at ${IMAGE_V2} with ${UPGRADABLE_CONDITION}=True`);
    for (const p of upgraded) {
      expect(injected.some((q) => q.metadata!.uid === p.metadata!.uid), `${p.metadata?.name} upgraded in place (same UID)`).toBe(true);
      expect(upgradableCondition(p)?.reason, `${UPGRADABLE_CONDITION} reason on ${p.metadata?.name}`).toBe('AllSidecarsetUpgradable');
    }
    expect(statusCounts(done)).toEqual({ matched: 2, updated: 2, ready: 2, updatedReady: 2 });
  });

  it('injectionStrategy.paused: new pods get no sidecar until it is lifted', async () => {
    const name = `${ns.name}-paused`;
    await createSidecarSet(sidecarSet(name, ns.name, 'inj-paused', { containers: [{ name: 'sidecar', image: IMAGE_V1 }], volumes: [], injectionStrategy: { paused: true } }));
    const { core } = kube();
    const p1 = await core.createNamespacedPod({ namespace: ns.name, body: bareOrOwnedPod('p-paused', 'inj-paused') as V1Pod });
    expect(names(p1), 'containers while injection is paused').toEqual(['main']);
    expect(p1.metadata?.annotations?.[INJECTED_LIST], 'no injected-list annotation').toBeUndefined();

    await patchObject(SIDECARSET, undefined, name, { spec: { injectionStrategy: { paused: false } } });
    await observed(name);
    const p2 = await core.createNamespacedPod({ namespace: ns.name, body: bareOrOwnedPod('p-resumed', 'inj-paused') as V1Pod });
    expect(names(p2), 'containers once injection resumed').toEqual(['sidecar', 'main']);
    const s = await waitForSidecarSet(name, (o) => o.status?.matchedPods === 1, 'matches only the injected pod', timeouts().statusSync);
    const pods = await waitForSidecarPods(ns.name, podsOf('inj-paused'), 2, () => true, 'both pods');
    expect(names(pods.find((p) => p.metadata?.name === 'p-paused')!), `p-paused stays without sidecar:\n${renderSidecarPods(pods)}`).toEqual(['main']);
    expect(s.status?.matchedPods, 'matchedPods').toBe(1);
  });
});
