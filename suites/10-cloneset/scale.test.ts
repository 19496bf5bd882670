/**
 * Scaling and pod identity (spec digest §2.1 scale subresource, §2.5 pod identity, §2.7 claiming,
 * Appendix B.2; OpenKruise e2e "scales in normal cases"): a CloneSet creates `replicas` pods named
 * <cloneset>-<instance-id> carrying the instance-id, revision and lifecycle labels and the
 * InPlaceUpdateReady / KruisePodReady readiness gates; scaling in keeps the surviving pods; the
 * /scale subresource reads and writes replicas; pods whose labels stop matching are released and
 * replaced, and a matching pod the CloneSet did not create is not adopted.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, createObject, getObject, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import type { CloneSet } from '../lib/kinds.ts';
import { IMAGE_V1, cloneSetSettled, container, renderStatus, waitForCloneSet } from '../lib/workloads.ts';
import {
  INPLACE_READY,
  INSTANCE_ID_LABEL,
  KRUISE_POD_READY,
  LIFECYCLE_STATE_LABEL,
  REVISION_LABEL,
  TEMPLATE_HASH_LABEL,
  cloneSetWith,
  conditionOf,
  describePods,
  expectCloneSetHolds,
  hashSuffix,
  listPods,
  patchPod,
  settledPods,
  uidsOf,
  waitPods,
} from './fixtures.ts';

describeFeature('CloneSet.Scale', 'scaling out and in, and the identity of the pods', () => {
  const ns = useNamespace('cs-scale');

  it('creates replicas pods that become Ready, and status counts them', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('web', { replicas: 3 }));
    const cs = await waitForCloneSet(ns.name, 'web', cloneSetSettled(3), '3 pods Ready', timeouts().podsReady);
    expect(cs.status, renderStatus(cs)).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 3 });
    const pods = await waitPods(ns.name, 'web', settledPods(3, isPodReady), '3 Ready pods');
    expect(pods.length).toBe(3);
  });

  it('pods carry name <cloneset>-<id>, the instance-id, revision and lifecycle labels, both readiness gates and a controller ownerReference', async () => {
    const cs = await getObject<CloneSet>(CLONESET, ns.name, 'web');
    // A created pod starts PreparingNormal; wait for the controller to move it on.
    const pods = await waitPods(ns.name, 'web', settledPods(3, (p) => p.metadata?.labels?.[LIFECYCLE_STATE_LABEL] === 'Normal'), '3 pods in lifecycle state Normal', timeouts().statusSync);
    const rev = cs.status!.updateRevision!;
    const ids = new Set<string>();
    for (const p of pods) {
      const labels = p.metadata?.labels ?? {};
      const id = labels[INSTANCE_ID_LABEL];
      const where = `pod ${p.metadata?.name}: labels ${JSON.stringify(labels)}`;
      expect(id, `${where}: instance-id label`).toBeTruthy();
      ids.add(id!);
      expect(p.metadata?.name, `${where}: name is <cloneset>-<instance-id>`).toBe(`web-${id}`);
      expect(labels[REVISION_LABEL], `${where}: controller-revision-hash is status.updateRevision`).toBe(rev);
      expect(labels[TEMPLATE_HASH_LABEL], `${where}: pod-template-hash is the suffix of ${rev}`).toBe(hashSuffix(rev));
      expect(labels[LIFECYCLE_STATE_LABEL], `${where}: lifecycle state of a running pod`).toBe('Normal');
      expect(labels.app, `${where}: template labels kept`).toBe('web');
      expect(p.metadata?.annotations?.['lifecycle.apps.kruise.io/timestamp'], `${where}: lifecycle timestamp annotation`).toBeTruthy();
      const gates = (p.spec?.readinessGates ?? []).map((g) => g.conditionType);
      expect(gates, `pod ${p.metadata?.name}: readiness gates`).toEqual(expect.arrayContaining([INPLACE_READY, KRUISE_POD_READY]));
      expect(conditionOf(p, INPLACE_READY)?.status, `pod ${p.metadata?.name}: ${INPLACE_READY} condition`).toBe('True');
      expect(conditionOf(p, KRUISE_POD_READY)?.status, `pod ${p.metadata?.name}: ${KRUISE_POD_READY} condition`).toBe('True');
      const owners = (p.metadata?.ownerReferences ?? []).filter((o) => o.controller);
      expect(owners.map((o) => ({ kind: o.kind, name: o.name, uid: o.uid, apiVersion: o.apiVersion, blockOwnerDeletion: o.blockOwnerDeletion })), `pod ${p.metadata?.name}: controller ownerReference`).toEqual([
        { kind: 'CloneSet', name: 'web', uid: cs.metadata.uid, apiVersion: 'apps.kruise.io/v1alpha1', blockOwnerDeletion: true },
      ]);
    }
    expect(ids.size, `distinct instance ids:\n${describePods(pods)}`).toBe(3);
  });

  it('scales out 3 -> 5 keeping the existing pods, then in 5 -> 2 keeping a subset of them', async () => {
    const before = uidsOf(await listPods(ns.name, 'web'));
    await patchObject(CLONESET, ns.name, 'web', { spec: { replicas: 5 } });
    await waitForCloneSet(ns.name, 'web', cloneSetSettled(5), '5 pods Ready');
    const five = await waitPods(ns.name, 'web', settledPods(5, isPodReady), '5 Ready pods');
    expect([...before].filter((u) => !uidsOf(five).has(u)), `original pods still present after scaling out:\n${describePods(five)}`).toEqual([]);
    expect(new Set(five.map((p) => p.metadata?.labels?.[INSTANCE_ID_LABEL])).size, 'instance ids stay distinct').toBe(5);

    await patchObject(CLONESET, ns.name, 'web', { spec: { replicas: 2 } });
    const cs = await waitForCloneSet(ns.name, 'web', cloneSetSettled(2), '2 pods Ready');
    const two = await waitPods(ns.name, 'web', settledPods(2, isPodReady), '2 Ready pods, none terminating');
    expect([...uidsOf(two)].every((u) => uidsOf(five).has(u)), `scale-in only deletes: the 2 left were among the 5:\n${describePods(two)}`).toBe(true);
    expect(cs.status, renderStatus(cs)).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2, updatedReadyReplicas: 2 });
  });

  it('scales to 0 and back to 1', async () => {
    await patchObject(CLONESET, ns.name, 'web', { spec: { replicas: 0 } });
    const zero = await waitForCloneSet(ns.name, 'web', (c) => c.status?.replicas === 0, 'status.replicas 0');
    await waitPods(ns.name, 'web', (pods) => pods.length === 0, 'no pods left');
    expect(zero.status, renderStatus(zero)).toMatchObject({ replicas: 0, readyReplicas: 0, availableReplicas: 0, updatedReplicas: 0 });
    await patchObject(CLONESET, ns.name, 'web', { spec: { replicas: 1 } });
    await waitForCloneSet(ns.name, 'web', cloneSetSettled(1), '1 pod Ready', timeouts().podsReady);
  });

  it('releases a pod whose labels no longer match the selector and creates a replacement', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('rel', { replicas: 2 }));
    await waitForCloneSet(ns.name, 'rel', cloneSetSettled(2), '2 pods Ready', timeouts().podsReady);
    const [victim] = await listPods(ns.name, 'rel');
    const name = victim!.metadata!.name!;
    await patchPod(ns.name, name, { metadata: { labels: { app: 'released' } } });
    await waitPods(ns.name, 'rel', settledPods(2, (p) => isPodReady(p) && p.metadata?.uid !== victim!.metadata!.uid), '2 matching Ready pods again, one of them a replacement');
    await waitForCloneSet(ns.name, 'rel', cloneSetSettled(2), 'status counts 2 pods again');
    const { core } = kube();
    const released = await waitPods(ns.name, 'released', (pods) => pods.length === 1 && !(pods[0]!.metadata?.ownerReferences ?? []).some((o) => o.controller), 'the released pod has no controller ownerReference');
    expect(released[0]!.metadata?.uid, 'the released pod is the same object').toBe(victim!.metadata!.uid);
    await core.deleteNamespacedPod({ namespace: ns.name, name });
  });

  it('does not adopt a pod that matches the selector but was not created by it', async () => {
    const { core } = kube();
    await core.createNamespacedPod({ namespace: ns.name, body: { metadata: { name: 'stray', labels: { app: 'web' } }, spec: { containers: [container({ image: IMAGE_V1 })] } } });
    // The stray pod must stay unowned and uncounted; the CloneSet keeps its own single pod.
    await expectCloneSetHolds(ns.name, 'web', (c) => c.status?.replicas === 1, 'status.replicas stays 1 with a stray matching pod');
    const stray = await core.readNamespacedPod({ namespace: ns.name, name: 'stray' });
    expect(stray.metadata?.ownerReferences ?? [], 'ownerReferences of the stray pod').toEqual([]);
    const owned = (await listPods(ns.name, 'web')).filter((p: V1Pod) => p.metadata?.name !== 'stray');
    expect(owned.length, `pods the CloneSet owns:\n${describePods(owned)}`).toBe(1);
    await core.deleteNamespacedPod({ namespace: ns.name, name: 'stray' });
  });
});

describeFeature('CloneSet.ScaleSubresource', 'the scale subresource', () => {
  const ns = useNamespace('cs-scalesub');
  const scaleArgs = (name: string) => ({ group: CLONESET.group, version: CLONESET.version, namespace: ns.name, plural: CLONESET.plural, name });

  it('reads spec.replicas, status.replicas and the label selector through /scale', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('sub', { replicas: 2 }));
    await waitForCloneSet(ns.name, 'sub', cloneSetSettled(2), '2 pods Ready', timeouts().podsReady);
    const scale = (await kube().custom.getNamespacedCustomObjectScale(scaleArgs('sub'))) as { kind?: string; spec?: { replicas?: number }; status?: { replicas?: number; selector?: string } };
    expect({ kind: scale.kind, spec: scale.spec, status: scale.status }, 'GET /scale').toEqual({ kind: 'Scale', spec: { replicas: 2 }, status: { replicas: 2, selector: 'app=sub' } });
  });

  it('writes replicas through /scale and the CloneSet follows', async () => {
    const { custom } = kube();
    const current = (await custom.getNamespacedCustomObjectScale(scaleArgs('sub'))) as Record<string, unknown> & { spec: { replicas: number } };
    await custom.replaceNamespacedCustomObjectScale({ ...scaleArgs('sub'), body: { ...current, spec: { replicas: 4 } } });
    const cs = await waitForCloneSet(ns.name, 'sub', cloneSetSettled(4), '4 pods Ready after PUT /scale');
    expect(cs.spec.replicas, 'spec.replicas after PUT /scale').toBe(4);
    await waitPods(ns.name, 'sub', settledPods(4, isPodReady), '4 Ready pods');
  });
});
