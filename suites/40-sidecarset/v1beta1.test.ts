/**
 * SidecarSet at apps.kruise.io/v1beta1 (OpenKruise 1.9: apis/apps/v1beta1/sidecarset_types.go,
 * apis/apps/v1alpha1/sidecarset_conversion.go). Both versions are served and are one object: what
 * is written at one reads back at the other with every field the two share unchanged. v1beta1 has
 * no spec.namespace: a v1alpha1 namespace reads at v1beta1 as the namespaceSelector
 * {kubernetes.io/metadata.name: <namespace>}. v1beta1's spec.customVersion is v1alpha1's
 * apps.kruise.io/sidecarset-custom-version label. Injection, validation and status do not depend
 * on the version a SidecarSet was written at.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { SIDECARSET, SIDECARSET_V1BETA1, createObject, getObject, patchObject, waitForOne } from '../lib/api.ts';
import { expectRejected } from '../lib/admission.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import { EXIT_AT_ONCE, IMAGE_V1, IMAGE_V2, IMAGE_V3 } from '../lib/workloads.ts';
import {
  CUSTOM_VERSION_LABEL,
  HASH_ANNOTATION,
  HASH_WITHOUT_IMAGE_ANNOTATION,
  INJECTED_LIST,
  type SidecarSetObj,
  bareOrOwnedPod,
  counts,
  createSidecarSet,
  observed,
  podHashEntry,
  sidecarSet,
  track,
  waitForSidecarPods,
} from './fixtures.ts';

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A v1beta1 SidecarSet confined to `namespace` the v1beta1 way, by a namespaceSelector. */
function betaSidecarSet(name: string, namespace: string, app: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const body = sidecarSet(name, namespace, app, extra);
  const { namespace: _none, ...spec } = body.spec as Record<string, unknown>;
  return { ...body, spec: { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } }, ...spec } };
}

/** Create at v1beta1, track, and wait until the controller has observed it (read at v1alpha1). */
async function createBeta(body: Record<string, unknown>): Promise<SidecarSetObj> {
  const name = (body.metadata as { name: string }).name;
  await createObject(SIDECARSET_V1BETA1, undefined, body);
  track(name);
  return observed(name);
}

/** The object at both versions, read at the same resourceVersion (the controller may write between two reads). */
async function readBoth(name: string): Promise<{ alpha: SidecarSetObj; beta: SidecarSetObj }> {
  for (let attempt = 0; ; attempt++) {
    const alpha = await getObject<SidecarSetObj>(SIDECARSET, undefined, name);
    const beta = await getObject<SidecarSetObj>(SIDECARSET_V1BETA1, undefined, name);
    if (alpha.metadata.resourceVersion === beta.metadata.resourceVersion || attempt >= 10) return { alpha, beta };
  }
}

function without<T extends Record<string, unknown>>(o: T | undefined, ...keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(o ?? {}) };
  for (const k of keys) delete out[k];
  return out;
}

const podBody = (name: string, app: string) => bareOrOwnedPod(name, app, { automountServiceAccountToken: false, initContainers: [{ name: 'app-init', image: IMAGE_V1, args: EXIT_AT_ONCE }] }) as V1Pod;

describeFeature('SidecarSet.V1beta1', 'SidecarSet served at v1beta1 and v1alpha1', () => {
  const ns = useNamespace('ss-beta');

  it('a SidecarSet created at v1beta1 reads back at v1alpha1 with every shared field, and a v1alpha1 update reads back at v1beta1', async () => {
    const name = `${ns.name}-rt`;
    const written = betaSidecarSet(name, ns.name, 'rt', {
      initContainers: [{ name: 'init-sidecar', image: IMAGE_V3 }],
      containers: [
        { name: 'sidecar', image: IMAGE_V1, volumeMounts: [{ name: 'shared', mountPath: '/shared' }] },
        { name: 'after', image: IMAGE_V2, podInjectPolicy: 'AfterAppContainer' },
      ],
      updateStrategy: { type: 'RollingUpdate', maxUnavailable: 2, partition: '20%' },
      imagePullSecrets: [{ name: 'pull-secret' }],
      revisionHistoryLimit: 5,
      customVersion: 'rt-v1',
    });
    await createBeta(written);
    const { alpha, beta } = await readBoth(name);
    // Defaults may be added (podInjectPolicy, upgradeStrategy, ...); nothing written may be lost or changed.
    const shared = without(written.spec as Record<string, unknown>, 'customVersion');
    expect(beta.spec, 'the v1beta1 spec keeps every field written at v1beta1').toMatchObject(written.spec as Record<string, unknown>);
    expect(alpha.spec, 'the v1alpha1 spec keeps every field written at v1beta1 that v1alpha1 has').toMatchObject(shared);
    expect(alpha.apiVersion, 'apiVersion of the v1alpha1 read').toBe('apps.kruise.io/v1alpha1');
    expect(beta.apiVersion, 'apiVersion of the v1beta1 read').toBe('apps.kruise.io/v1beta1');
    expect(alpha.metadata.uid, 'one object at two versions').toBe(beta.metadata.uid);
    expect(beta.spec?.customVersion, 'v1beta1 spec.customVersion').toBe('rt-v1');
    expect(alpha.metadata.labels?.[CUSTOM_VERSION_LABEL], `v1alpha1 has customVersion as the ${CUSTOM_VERSION_LABEL} label`).toBe('rt-v1');
    expect(alpha.spec?.customVersion, 'v1alpha1 has no spec.customVersion').toBeUndefined();
    expect(alpha.spec?.namespace, 'v1alpha1 namespace of a SidecarSet written without one').toBeUndefined();
    expect(without(alpha.spec, 'customVersion'), 'the spec at v1alpha1 = the spec at v1beta1 (every field both versions have)').toEqual(without(beta.spec, 'customVersion'));
    expect(alpha.metadata.annotations?.[HASH_ANNOTATION], 'the SidecarSet hash annotation, at both versions').toBeTruthy();
    expect(alpha.metadata.annotations, 'annotations at both versions').toEqual(beta.metadata.annotations);
    expect(without(alpha.metadata.labels, CUSTOM_VERSION_LABEL), 'labels at both versions (but the custom-version one)').toEqual(without(beta.metadata.labels, CUSTOM_VERSION_LABEL));

    await patchObject(SIDECARSET, undefined, name, { spec: { revisionHistoryLimit: 7, updateStrategy: { paused: true } } });
    await observed(name);
    const after = await readBoth(name);
    expect(after.beta.spec?.revisionHistoryLimit, 'v1alpha1 update of revisionHistoryLimit, read at v1beta1').toBe(7);
    expect((after.beta.spec?.updateStrategy as { paused?: boolean })?.paused, 'v1alpha1 update of updateStrategy.paused, read at v1beta1').toBe(true);
    expect(after.beta.spec?.customVersion, 'customVersion survives a v1alpha1 update').toBe('rt-v1');
    expect(without(after.alpha.spec, 'customVersion'), 'the specs still agree').toEqual(without(after.beta.spec, 'customVersion'));
  });

  it('a v1alpha1 spec.namespace reads at v1beta1 as the namespaceSelector on kubernetes.io/metadata.name', async () => {
    const name = `${ns.name}-nsconv`;
    await createSidecarSet(sidecarSet(name, ns.name, 'nsconv'));
    const { alpha, beta } = await readBoth(name);
    expect(beta.spec?.namespace, 'v1beta1 has no spec.namespace').toBeUndefined();
    expect(beta.spec?.namespaceSelector, 'v1beta1 namespaceSelector').toEqual({ matchLabels: { [NAMESPACE_NAME_LABEL]: ns.name } });
    // At v1alpha1 the scope is the same one namespace, whichever of the two fields says it.
    const scope = alpha.spec?.namespace ?? JSON.stringify(alpha.spec?.namespaceSelector);
    expect([ns.name, JSON.stringify({ matchLabels: { [NAMESPACE_NAME_LABEL]: ns.name } })], `v1alpha1 scope after the v1beta1 read: ${JSON.stringify(alpha.spec)}`).toContain(scope);
  });

  it('a v1beta1 SidecarSet injects into its pods exactly what the same v1alpha1 SidecarSet injects: containers, initContainers, volumes, hashes', async () => {
    const spec = {
      initContainers: [{ name: 'init-sidecar', image: IMAGE_V3 }],
      containers: [
        { name: 'sidecar', image: IMAGE_V1, volumeMounts: [{ name: 'shared', mountPath: '/shared' }], env: [{ name: 'A', value: '1' }] },
        { name: 'after', image: IMAGE_V2, podInjectPolicy: 'AfterAppContainer' },
      ],
    };
    const alphaName = `${ns.name}-inj-a`;
    const betaName = `${ns.name}-inj-b`;
    const alphaSet = await createSidecarSet(sidecarSet(alphaName, ns.name, 'inj-a', spec));
    const betaSet = await createBeta(betaSidecarSet(betaName, ns.name, 'inj-b', spec));
    const a = await kube().core.createNamespacedPod({ namespace: ns.name, body: podBody('p-a', 'inj-a') });
    const b = await kube().core.createNamespacedPod({ namespace: ns.name, body: podBody('p-b', 'inj-b') });
    expect(b.spec?.containers.map((c) => c.name), 'containers of the pod of the v1beta1 SidecarSet').toEqual(['sidecar', 'main', 'after']);
    expect(b.spec?.containers, 'containers: v1beta1 = v1alpha1').toEqual(a.spec?.containers);
    expect(b.spec?.initContainers, 'initContainers: v1beta1 = v1alpha1').toEqual(a.spec?.initContainers);
    expect(b.spec?.volumes, 'volumes: v1beta1 = v1alpha1').toEqual(a.spec?.volumes);
    expect(b.metadata?.annotations?.[INJECTED_LIST], 'injected-list').toBe(betaName);
    for (const key of [HASH_ANNOTATION, HASH_WITHOUT_IMAGE_ANNOTATION]) {
      const ea = podHashEntry(a, alphaName, key);
      const eb = podHashEntry(b, betaName, key);
      expect(eb?.hash, `${key} of the v1beta1 pod = its SidecarSet's annotation`).toBe(betaSet.metadata.annotations?.[key]);
      expect(eb?.hash, `${key}: same containers, same hash at either version`).toBe(ea?.hash);
      expect(eb?.sidecarList?.sort(), `${key} sidecarList`).toEqual(ea?.sidecarList?.sort());
    }
    expect(podHashEntry(b, betaName)?.controllerRevision, 'recorded controllerRevision = status.latestRevision').toBe(betaSet.status?.latestRevision);
    expect(podHashEntry(a, alphaName)?.controllerRevision).toBe(alphaSet.status?.latestRevision);
  });

  it('invalid SidecarSets written at v1beta1 are rejected with the field named', async () => {
    const dry = (body: Record<string, unknown>) => () => createObject(SIDECARSET_V1BETA1, undefined, body, { dryRun: true });
    const base = (suffix: string, extra: Record<string, unknown> = {}) => betaSidecarSet(`${ns.name}-v-${suffix}`, ns.name, `v-${suffix}`, extra);
    const noSelector = base('nosel');
    delete (noSelector.spec as Record<string, unknown>).selector;
    await expectRejected(dry(noSelector), 'selector', 'v1beta1 SidecarSet without a selector');
    await expectRejected(dry(base('policy', { containers: [{ name: 'sidecar', image: IMAGE_V1, podInjectPolicy: 'Somewhere' }], volumes: [] })), 'podInjectPolicy', 'v1beta1 podInjectPolicy Somewhere');
    await expectRejected(dry(base('part', { updateStrategy: { type: 'RollingUpdate', partition: '50.5%' } })), 'partition', 'v1beta1 partition 50.5%');
    await expectRejected(dry(base('mount', { volumes: [] })), /volumeMounts|shared/, 'v1beta1 mount of an undeclared volume');
    // A conflict with a SidecarSet written at v1alpha1 for the same pods.
    const first = `${ns.name}-v-first`;
    await createSidecarSet(sidecarSet(first, ns.name, 'v-overlap'));
    const clash = betaSidecarSet(`${ns.name}-v-clash`, ns.name, 'v-overlap', { containers: [{ name: 'sidecar', image: IMAGE_V1 }], volumes: [] });
    const message = await expectRejected(dry(clash), 'sidecar', 'v1beta1 container "sidecar" again for the pods of a v1alpha1 SidecarSet');
    expect(message, 'the message names the SidecarSet that has it').toContain(first);
  });

  it('status (matchedPods, updatedPods, readyPods, updatedReadyPods, latestRevision) is served at both versions', async () => {
    const name = `${ns.name}-status`;
    await createBeta(betaSidecarSet(name, ns.name, 'st', { containers: [{ name: 'sidecar', image: IMAGE_V1 }], volumes: [] }));
    for (const p of ['st-0', 'st-1']) await kube().core.createNamespacedPod({ namespace: ns.name, body: podBody(p, 'st') });
    await waitForSidecarPods(ns.name, 'app=st', 2, (p) => isPodReady(p), '2 Ready pods with the sidecar', timeouts().podsReady);
    const want = counts({ matched: 2, updated: 2, ready: 2, updatedReady: 2 });
    // Watched at v1beta1: every event of the watch is converted.
    await waitForOne<SidecarSetObj>(SIDECARSET_V1BETA1, undefined, name, (s) => !!s && s.status?.observedGeneration === s.metadata.generation && want(s), {
      timeoutMs: timeouts().statusSync,
      describe: `SidecarSet ${name} at v1beta1: matched, updated, ready and updatedReady 2`,
      render: (items) => items.map((s) => `${s.metadata.name} generation=${s.metadata.generation} status=${JSON.stringify((s as SidecarSetObj).status)}`).join('\n'),
    });
    const { alpha, beta } = await readBoth(name);
    expect(beta.status?.latestRevision, 'status.latestRevision at v1beta1').toBeTruthy();
    expect(beta.status, 'status at v1beta1 = status at v1alpha1').toEqual(alpha.status);
  });
});
