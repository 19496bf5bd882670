/**
 * volumeClaimTemplates (spec digest §2.5 PVC naming, labels and ownership; §2.8 deletePods removes
 * a pod's PVCs; §2.10 reuse, disablePVCReuse and VCT changes; OpenKruise e2e "CloneSet Update with
 * DisablePVCReuse=true"): each pod gets PVCs <vct>-<cloneset>-<instance-id> owned by the CloneSet;
 * when the controller deletes a pod it deletes its PVCs; when a pod disappears otherwise, its
 * replacement reuses the instance id and the PVCs, unless disablePVCReuse is set; a change of the
 * volumeClaimTemplates alone is not a new revision.
 */
import type { V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { waitForCollection } from '../../harness/kube/wait.ts';
import { CLONESET, type Obj, POD, PVC, collectionPath, createObject, patchObject, waitForAll } from '../lib/api.ts';
import type { CloneSet } from '../lib/kinds.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import { IMAGE_V2, cloneSetSettled, podsOf, waitForCloneSet } from '../lib/workloads.ts';
import { INSTANCE_ID_LABEL, cloneSetWith, patchPod, describePods, expectPodsHold, jsonPatchCloneSet, listPods, setImage, settledPods, uidsOf, waitPods } from './fixtures.ts';

const VCT = { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
const HOLD_FINALIZER = 'kruise-conformance.io/hold';
const idOf = (p: V1Pod) => p.metadata!.labels![INSTANCE_ID_LABEL]!;
const renderPvcs = (items: Obj[]) =>
  (items as V1PersistentVolumeClaim[]).map((c) => `  ${c.metadata?.name} uid=${c.metadata?.uid?.slice(0, 8)} phase=${c.status?.phase}${c.metadata?.deletionTimestamp ? ' terminating' : ''}`).join('\n');

/** Wait until the live PVCs of CloneSet `name` are exactly those of `pods`, all Bound. */
function waitPvcsOf(ns: string, name: string, pods: readonly V1Pod[]): Promise<V1PersistentVolumeClaim[]> {
  const want = pods.map((p) => `data-${name}-${idOf(p)}`).sort();
  return waitForAll<V1PersistentVolumeClaim & Obj>(
    PVC,
    ns,
    podsOf(name),
    (items) => isEqualList(items.filter((c) => !c.metadata?.deletionTimestamp).map((c) => c.metadata!.name!), want) && items.every((c) => !c.metadata?.deletionTimestamp && c.status?.phase === 'Bound'),
    { timeoutMs: timeouts().podsReady, describe: `PVCs of ${name} to be exactly ${want.join(', ')}, all Bound`, namespace: ns, render: renderPvcs },
  );
}

const isEqualList = (a: string[], sortedB: string[]) => a.length === sortedB.length && [...a].sort().every((x, i) => x === sortedB[i]);

describeFeature('CloneSet.VolumeClaimTemplates', 'one PVC per pod from volumeClaimTemplates', () => {
  const ns = useNamespace('cs-vct');
  const spec = (extra: Record<string, unknown> = {}) => ({ replicas: 2, volumeClaimTemplates: [VCT], main: { volumeMounts: [{ name: 'data', mountPath: '/data' }] }, ...extra });

  it('each pod gets a Bound PVC data-<cloneset>-<instance-id>, owned by the CloneSet and mounted as volume data', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('db', spec()));
    const cs = await waitForCloneSet(ns.name, 'db', cloneSetSettled(2), '2 pods Ready', timeouts().podsReady);
    const pods = await listPods(ns.name, 'db');
    const pvcs = await waitPvcsOf(ns.name, 'db', pods);
    for (const p of pods) {
      const claim = `data-db-${idOf(p)}`;
      const volume = p.spec?.volumes?.find((v) => v.name === 'data');
      expect(volume?.persistentVolumeClaim?.claimName, `volume data of ${p.metadata?.name}`).toBe(claim);
      const pvc = pvcs.find((c) => c.metadata?.name === claim)!;
      expect(pvc.metadata?.labels, `labels of ${claim}`).toMatchObject({ app: 'db', [INSTANCE_ID_LABEL]: idOf(p) });
      const owner = pvc.metadata?.ownerReferences?.find((o) => o.controller);
      expect(owner && { kind: owner.kind, name: owner.name, uid: owner.uid }, `controller of ${claim}`).toEqual({ kind: 'CloneSet', name: 'db', uid: cs.metadata.uid });
      expect(pvc.spec?.resources?.requests?.storage, `size of ${claim}`).toBe('1Gi');
    }
  });

  it('a pod deleted by hand is replaced with the same instance id and the same PVC', async () => {
    const pods = await listPods(ns.name, 'db');
    const victim = pods[0]!;
    const claim = `data-db-${idOf(victim)}`;
    const pvcBefore = await kube().core.readNamespacedPersistentVolumeClaim({ namespace: ns.name, name: claim });
    await kube().core.deleteNamespacedPod({ namespace: ns.name, name: victim.metadata!.name! });
    const after = await waitPods(ns.name, 'db', settledPods(2, (p) => isPodReady(p) && p.metadata?.uid !== victim.metadata?.uid), '2 Ready pods, one of them a replacement');
    const replacement = after.find((p) => !uidsOf(pods).has(p.metadata!.uid!))!;
    expect({ name: replacement.metadata?.name, id: idOf(replacement) }, `the replacement reuses the instance id:\n${describePods(after)}`).toEqual({ name: victim.metadata?.name, id: idOf(victim) });
    const pvcs = await waitPvcsOf(ns.name, 'db', after);
    expect(pvcs.find((c) => c.metadata?.name === claim)?.metadata?.uid, `${claim} is the same PVC object`).toBe(pvcBefore.metadata?.uid);
  });

  it('the instance id and PVC are reused even when the deleted pod takes a while to terminate', async () => {
    const { core } = kube();
    const pods = await listPods(ns.name, 'db');
    const victim = pods[1]!;
    const name = victim.metadata!.name!;
    const claim = `data-db-${idOf(victim)}`;
    const pvcBefore = await core.readNamespacedPersistentVolumeClaim({ namespace: ns.name, name: claim });
    // A finalizer keeps the deleted pod (and so its name) around until the controller has reacted.
    await patchPod(ns.name, name, { metadata: { finalizers: [HOLD_FINALIZER] } });
    try {
      await core.deleteNamespacedPod({ namespace: ns.name, name });
      // The controller has reacted once status stops counting the pod, or once a replacement exists.
      const stop = new AbortController();
      const spec = (describe: string) => ({ timeoutMs: timeouts().statusSync, describe, signal: stop.signal });
      await Promise.any([
        waitForCollection<CloneSet>(kube().kc, { path: collectionPath(CLONESET, ns.name), fieldSelector: 'metadata.name=db' }, (cs) => (cs[0]?.status?.replicas ?? 2) <= 1, spec('status.replicas 1')),
        waitForCollection<V1Pod>(kube().kc, { path: collectionPath(POD, ns.name), labelSelector: podsOf('db') }, (ps) => ps.some((p) => !uidsOf(pods).has(p.metadata!.uid!)), spec('a replacement pod')),
      ]).finally(() => stop.abort());
    } finally {
      await patchPod(ns.name, name, { metadata: { finalizers: null } });
    }
    const after = await waitPods(ns.name, 'db', settledPods(2, (p) => isPodReady(p) && p.metadata?.uid !== victim.metadata?.uid), '2 Ready pods, one of them a replacement');
    const replacement = after.find((p) => !uidsOf(pods).has(p.metadata!.uid!))!;
    expect({ name: replacement.metadata?.name, id: idOf(replacement) }, `the replacement reuses the instance id, not leaving ${claim} orphaned:\n${describePods(after)}`).toEqual({ name, id: idOf(victim) });
    const pvcs = await waitPvcsOf(ns.name, 'db', after);
    expect(pvcs.find((c) => c.metadata?.name === claim)?.metadata?.uid, `${claim} is the same PVC object`).toBe(pvcBefore.metadata?.uid);
  });

  it('scaling in deletes the PVC of the removed pod and keeps the PVC of the pod that stays', async () => {
    const before = await listPods(ns.name, 'db');
    await patchObject(CLONESET, ns.name, 'db', { spec: { replicas: 1 } });
    const [left] = await waitPods(ns.name, 'db', settledPods(1, isPodReady), '1 Ready pod, none terminating');
    const removed = before.filter((p) => p.metadata?.uid !== left!.metadata?.uid).map((p) => `data-db-${idOf(p)}`);
    const kept = `data-db-${idOf(left!)}`;
    // Only these claims are judged, so a claim leaked earlier does not fail this step.
    await waitForAll<V1PersistentVolumeClaim & Obj>(
      PVC,
      ns.name,
      podsOf('db'),
      (items) => {
        const live = new Set(items.filter((c) => !c.metadata?.deletionTimestamp).map((c) => c.metadata!.name!));
        return live.has(kept) && removed.every((n) => !live.has(n));
      },
      { timeoutMs: timeouts().podsReady, describe: `${removed.join(', ')} deleted with their pod, ${kept} kept`, namespace: ns.name, render: renderPvcs },
    );
  });

  it('pods recreated by a ReCreate rollout get new instance ids and new PVCs; the old PVCs are deleted', async () => {
    await patchObject(CLONESET, ns.name, 'db', { spec: { replicas: 2 } });
    await waitForCloneSet(ns.name, 'db', cloneSetSettled(2), '2 pods Ready');
    const before = await listPods(ns.name, 'db');
    await setImage(ns.name, 'db', IMAGE_V2);
    await waitPods(ns.name, 'db', settledPods(2, (p) => isPodReady(p) && p.spec?.containers[0]?.image === IMAGE_V2), '2 Ready pods at the new image');
    const after = await listPods(ns.name, 'db');
    const oldIds = new Set(before.map(idOf));
    expect(after.filter((p) => oldIds.has(idOf(p))), `recreated pods have new instance ids:\n${describePods(after)}`).toEqual([]);
    await waitPvcsOf(ns.name, 'db', after);
  });

  it('a change of volumeClaimTemplates alone creates no new revision and touches no pod', async () => {
    const cs = await waitForCloneSet(ns.name, 'db', cloneSetSettled(2), '2 pods Ready');
    const pods = await listPods(ns.name, 'db');
    await jsonPatchCloneSet(ns.name, 'db', [{ op: 'replace', path: '/spec/volumeClaimTemplates/0/spec/resources/requests/storage', value: '2Gi' }]);
    const after = await waitForCloneSet(ns.name, 'db', (c) => c.metadata.generation! > cs.metadata.generation!, 'status observed the VCT change', timeouts().statusSync);
    expect(after.status?.updateRevision, 'updateRevision unchanged').toBe(cs.status?.updateRevision);
    await expectPodsHold(ns.name, 'db', (ps) => ps.length === 2 && ps.every((p) => uidsOf(pods).has(p.metadata!.uid!)), 'the same 2 pods stay');
  });
});

describeFeature('CloneSet.VolumeClaimTemplates', 'disablePVCReuse', () => {
  const ns = useNamespace('cs-vct-noreuse');

  it('a pod deleted by hand is replaced with a new instance id and a new PVC; its old PVC is removed', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('fresh', { replicas: 2, volumeClaimTemplates: [VCT], scaleStrategy: { disablePVCReuse: true } }));
    await waitForCloneSet(ns.name, 'fresh', cloneSetSettled(2), '2 pods Ready', timeouts().podsReady);
    const pods = await listPods(ns.name, 'fresh');
    await waitPvcsOf(ns.name, 'fresh', pods);
    const victim = pods[0]!;
    await kube().core.deleteNamespacedPod({ namespace: ns.name, name: victim.metadata!.name! });
    const after = await waitPods(ns.name, 'fresh', settledPods(2, (p) => isPodReady(p) && p.metadata?.uid !== victim.metadata?.uid), '2 Ready pods, one of them a replacement');
    const replacement = after.find((p) => !uidsOf(pods).has(p.metadata!.uid!))!;
    expect(idOf(replacement), `the replacement has a new instance id:\n${describePods(after)}`).not.toBe(idOf(victim));
    await waitPvcsOf(ns.name, 'fresh', after);
    await waitForCloneSet(ns.name, 'fresh', cloneSetSettled(2), 'status counts 2 Ready pods');
  });
});
