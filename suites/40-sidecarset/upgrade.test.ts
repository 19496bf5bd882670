/**
 * SidecarSet status and in-place sidecar upgrade (spec §5.5; OpenKruise e2e "sidecarSet upgrade
 * cold sidecar container image only", "sidecarSet upgrade sidecar container (more than image
 * field), no pod should be updated", "multi sidecarSet upgrade sidecar container, check pod
 * condition", "sidecarSet update init sidecar container, and don't upgrade"). Only image changes
 * roll out in place; a pod that would need any other change is left as it is and marked
 * SidecarSetUpgradable=False (reason UpdateImmutableField, the message mapping each SidecarSet to
 * whether it could upgrade the pod). Plain initContainers are never upgraded. Pods are CloneSet pods.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, SIDECARSET, createObject, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { timeouts } from '../lib/context.ts';
import { EXIT_AT_ONCE, IMAGE_V1, IMAGE_V2, IMAGE_V3, cloneSet, podsOf, renderPods } from '../lib/workloads.ts';
import {
  HASH_ANNOTATION,
  UPGRADABLE_CONDITION,
  containerOf,
  counts,
  createSidecarSet,
  holdsSteady,
  imageIn,
  monitorPods,
  observed,
  podHashEntry,
  renderSidecarPods,
  sidecarSet,
  statusCounts,
  upgradableBySidecarSet,
  upgradableCondition,
  waitForSidecarPods,
  waitForSidecarSet,
  watched,
} from './fixtures.ts';

const SHARED_MOUNT = [{ name: 'shared', mountPath: '/shared' }];

describeFeature(['SidecarSet.InPlaceUpgrade', 'SidecarSet.Status'], 'image changes of a sidecar roll out in place', () => {
  const ns = useNamespace('ss-upgrade');

  it('counts matched/updated/ready pods and upgrades the sidecar image in place, keeping pod UIDs, within the partition', async () => {
    const name = `${ns.name}-up`;
    await createSidecarSet(sidecarSet(name, ns.name, 'up', { updateStrategy: { type: 'RollingUpdate', partition: 1, maxUnavailable: 1 } }));
    await createObject(CLONESET, ns.name, cloneSet('up', { replicas: 3 }));
    const before = await waitForSidecarPods(ns.name, podsOf('up'), 3, (p) => isPodReady(p) && imageIn(p) === IMAGE_V1, '3 Ready pods with the sidecar injected', timeouts().podsReady);
    const first = await waitForSidecarSet(name, counts({ matched: 3, updated: 3, ready: 3, updatedReady: 3 }), 'matched 3, updated 3, ready 3');

    await patchObject(SIDECARSET, undefined, name, { spec: { containers: [{ name: 'sidecar', image: IMAGE_V2, volumeMounts: SHARED_MOUNT }] } });
    // partition 1 of 3 matched pods: 2 upgraded, 1 left at the old image.
    const done = await waitForSidecarSet(name, counts({ matched: 3, updated: 2, ready: 3, updatedReady: 2 }), 'partition 1: 2 of 3 pods updated and ready');
    const now = await waitForSidecarPods(ns.name, podsOf('up'), 3, isPodReady, '3 Ready pods after the upgrade');
    const upgraded = now.filter((p) => imageIn(p) === IMAGE_V2);
    expect(upgraded.length, `pods with the new sidecar image:\n${renderPods(now as never)}`).toBe(2);
    const uids = new Set(before.map((p) => p.metadata!.uid));
    for (const p of now) expect(uids.has(p.metadata!.uid), `${p.metadata?.name} kept its UID (in place)`).toBe(true);
    for (const p of upgraded) {
      expect(p.status?.containerStatuses?.find((c) => c.name === 'sidecar')?.restartCount, `sidecar of ${p.metadata?.name} restarted once`).toBe(1);
      expect(p.status?.containerStatuses?.find((c) => c.name === 'main')?.restartCount, `main of ${p.metadata?.name} did not restart`).toBe(0);
      expect(podHashEntry(p, name)?.hash, `${HASH_ANNOTATION} of ${p.metadata?.name} = the SidecarSet's new hash`).toBe(done.metadata.annotations?.[HASH_ANNOTATION]);
      expect(upgradableCondition(p)?.status, `${UPGRADABLE_CONDITION} on ${p.metadata?.name}`).toBe('True');
    }
    expect(done.metadata.annotations?.[HASH_ANNOTATION], 'the SidecarSet hash changed with the image').not.toBe(first.metadata.annotations?.[HASH_ANNOTATION]);
    expect(done.status?.latestRevision, 'status.latestRevision moved to a new revision').not.toBe(first.status?.latestRevision);
  });

  it('a change beyond the image upgrades no pod and marks it not upgradable; pods created later get the new spec', async () => {
    const name = `${ns.name}-env`;
    await createSidecarSet(sidecarSet(name, ns.name, 'env'));
    await createObject(CLONESET, ns.name, cloneSet('env', { replicas: 1 }));
    const [before] = await waitForSidecarPods(ns.name, podsOf('env'), 1, (p) => isPodReady(p) && imageIn(p) === IMAGE_V1, '1 Ready pod with the sidecar', timeouts().podsReady);

    const env = [{ name: 'MODE', value: 'changed' }];
    await patchObject(SIDECARSET, undefined, name, { spec: { containers: [{ name: 'sidecar', image: IMAGE_V3, env, volumeMounts: SHARED_MOUNT }] } });
    await waitForSidecarSet(name, counts({ matched: 1, updated: 0, ready: 1, updatedReady: 0 }), 'matched 1, updated 0 (the change is not image-only)');
    const [marked] = await waitForSidecarPods(ns.name, podsOf('env'), 1, (p) => upgradableCondition(p)?.status === 'False', `the pod marked ${UPGRADABLE_CONDITION}=False`);
    expect(upgradableCondition(marked!)?.reason, `${UPGRADABLE_CONDITION} reason`).toBe('UpdateImmutableField');
    expect(upgradableBySidecarSet(marked!), `${UPGRADABLE_CONDITION} message`).toEqual({ [name]: false });
    // Nothing is rolled out: the sidecar keeps its image for the steady-state window.
    await holdsSteady(ns.name, podsOf('env'), { maxUpdated: 0, keepOriginalPods: true }, (p) => imageIn(p) !== IMAGE_V1);
    expect(imageIn(marked!), 'the sidecar image stays').toBe(IMAGE_V1);
    expect(marked!.metadata!.uid, 'the same pod (not recreated)').toBe(before!.metadata!.uid);

    // Scale out and change the image once more: the new pod is injected with the latest spec.
    await patchObject(CLONESET, ns.name, 'env', { spec: { replicas: 2 } });
    await patchObject(SIDECARSET, undefined, name, { spec: { containers: [{ name: 'sidecar', image: IMAGE_V2, env, volumeMounts: SHARED_MOUNT }] } });
    const s = await waitForSidecarSet(name, counts({ matched: 2, updated: 1, ready: 2, updatedReady: 1 }), 'matched 2: only the new pod is updated');
    const pods = await waitForSidecarPods(ns.name, podsOf('env'), 2, isPodReady, '2 Ready pods');
    const fresh = pods.find((p) => p.metadata!.uid !== before!.metadata!.uid)!;
    const old = pods.find((p) => p.metadata!.uid === before!.metadata!.uid)!;
    expect(imageIn(fresh), `new pod:\n${renderSidecarPods(pods)}`).toBe(IMAGE_V2);
    expect(containerOf(fresh, 'sidecar')?.env?.find((e) => e.name === 'MODE')?.value, 'the new pod has the new env').toBe('changed');
    expect(imageIn(old), `old pod:\n${renderSidecarPods(pods)}`).toBe(IMAGE_V1);
    expect(statusCounts(s)).toEqual({ matched: 2, updated: 1, ready: 2, updatedReady: 1 });
  });

  it('with two SidecarSets on the same pods, the condition stays False until every SidecarSet can upgrade them', async () => {
    const a = `${ns.name}-multi-a`;
    const b = `${ns.name}-multi-b`;
    await createSidecarSet(sidecarSet(a, ns.name, 'multi', { containers: [{ name: 'sidecar-a', image: IMAGE_V1 }], volumes: [] }));
    await createSidecarSet(sidecarSet(b, ns.name, 'multi', { containers: [{ name: 'sidecar-b', image: IMAGE_V1, podInjectPolicy: 'AfterAppContainer' }], volumes: [] }));
    await createObject(CLONESET, ns.name, cloneSet('multi', { replicas: 2 }));
    const before = await waitForSidecarPods(ns.name, podsOf('multi'), 2, isPodReady, '2 Ready pods', timeouts().podsReady);
    for (const p of before) expect(p.spec?.containers.map((c) => c.name), `${p.metadata?.name}`).toEqual(['sidecar-a', 'main', 'sidecar-b']);

    // a: more than the image -> not upgradable.
    await patchObject(SIDECARSET, undefined, a, { spec: { containers: [{ name: 'sidecar-a', image: IMAGE_V1, command: ['sleep', '1000'] }] } });
    await waitForSidecarSet(a, counts({ matched: 2, updated: 0, ready: 2, updatedReady: 0 }), 'no pod updated');
    // b: image only -> both pods upgraded, yet the condition stays False because of a, at every
    // moment of b's rollout (watched: a True that a's next round turns back to False is a breach).
    const trueTooEarly = `${UPGRADABLE_CONDITION}=True while a SidecarSet cannot upgrade the pod`;
    const stillFalse = await monitorPods(
      ns.name,
      podsOf('multi'),
      { keepOriginalPods: true, groups: { noun: 'condition', groupOf: (p) => (upgradableCondition(p)?.status === 'True' && Object.values(upgradableBySidecarSet(p)).includes(false) ? trueTooEarly : undefined), max: { [trueTooEarly]: 0 } } },
      (p) => imageIn(p, 'sidecar-b') === IMAGE_V2,
    );
    await patchObject(SIDECARSET, undefined, b, { spec: { containers: [{ name: 'sidecar-b', image: IMAGE_V2, podInjectPolicy: 'AfterAppContainer' }] } });
    await watched(stillFalse, waitForSidecarSet(b, counts({ matched: 2, updated: 2, ready: 2, updatedReady: 2 }), 'both pods updated and ready'));
    const mixed = await watched(
      stillFalse,
      waitForSidecarPods(
        ns.name,
        podsOf('multi'),
        2,
        (p) => imageIn(p, 'sidecar-b') === IMAGE_V2 && upgradableBySidecarSet(p)[a] === false && upgradableBySidecarSet(p)[b] === true,
        `sidecar-b at ${IMAGE_V2}, ${UPGRADABLE_CONDITION} message {${a}: false, ${b}: true}`,
      ),
    );
    await stillFalse.stop();
    for (const p of mixed) {
      expect(upgradableCondition(p)?.status, `${UPGRADABLE_CONDITION} of ${p.metadata?.name}: ${JSON.stringify(upgradableCondition(p))}`).toBe('False');
      expect(imageIn(p, 'sidecar-a'), 'sidecar-a untouched').toBe(IMAGE_V1);
    }

    // a: back to the injected command, new image -> upgradable again; the condition turns True.
    await patchObject(SIDECARSET, undefined, a, { spec: { containers: [{ name: 'sidecar-a', image: IMAGE_V2 }] } });
    await waitForSidecarSet(a, counts({ matched: 2, updated: 2, ready: 2, updatedReady: 2 }), 'both pods updated and ready');
    const after = await waitForSidecarPods(ns.name, podsOf('multi'), 2, (p) => upgradableCondition(p)?.status === 'True', `${UPGRADABLE_CONDITION}=True on both pods`);
    for (const p of after) {
      expect(upgradableBySidecarSet(p), `${UPGRADABLE_CONDITION} message of ${p.metadata?.name}`).toEqual({ [a]: true, [b]: true });
      expect(upgradableCondition(p)?.reason, `${UPGRADABLE_CONDITION} reason on ${p.metadata?.name}`).toBe('AllSidecarsetUpgradable');
      expect([imageIn(p, 'sidecar-a'), imageIn(p, 'sidecar-b')]).toEqual([IMAGE_V2, IMAGE_V2]);
      expect(before.some((q) => q.metadata!.uid === p.metadata!.uid), `${p.metadata?.name} is an original pod`).toBe(true);
    }
  });

  it('changing a plain sidecar initContainer neither changes the SidecarSet hash nor touches pods', async () => {
    const name = `${ns.name}-init`;
    const initImage = (p: V1Pod) => p.spec?.initContainers?.find((c) => c.name === 'init-sidecar')?.image;
    const ss = await createSidecarSet(sidecarSet(name, ns.name, 'init', { initContainers: [{ name: 'init-sidecar', image: IMAGE_V1, args: EXIT_AT_ONCE }], containers: [{ name: 'sidecar', image: IMAGE_V1 }], volumes: [] }));
    await createObject(CLONESET, ns.name, cloneSet('init', { replicas: 1 }));
    await waitForSidecarPods(ns.name, podsOf('init'), 1, (p) => isPodReady(p) && initImage(p) === IMAGE_V1, '1 Ready pod with the sidecar initContainer', timeouts().podsReady);
    const first = await waitForSidecarSet(name, counts({ matched: 1, updated: 1, ready: 1, updatedReady: 1 }), 'matched 1, updated and ready');

    await patchObject(SIDECARSET, undefined, name, { spec: { initContainers: [{ name: 'init-sidecar', image: IMAGE_V2, args: EXIT_AT_ONCE }] } });
    const changed = await observed(name);
    expect(changed.metadata.annotations?.[HASH_ANNOTATION], 'kruise.io/sidecarset-hash covers containers only').toBe(ss.metadata.annotations?.[HASH_ANNOTATION]);
    await holdsSteady(ns.name, podsOf('init'), { maxUpdated: 0, keepOriginalPods: true }, (p) => initImage(p) !== IMAGE_V1);
    const s = await waitForSidecarSet(name, counts({ matched: 1, updated: 1, ready: 1, updatedReady: 1 }), 'the pod still counts as updated');
    expect(statusCounts(s), 'status counts unchanged').toEqual(statusCounts(first));
  });
});
