/**
 * Partition (spec digest §1.1 CalculatePartitionReplicas, §2.4, §2.8 scaleDownNumOld, §2.13
 * CloneSetPartitionRollback; OpenKruise e2e 'CloneSet partition="99%", replicas=4, make sure one
 * pod is upgraded'): partition is the number (or percent, rounded up) of pods kept at the old
 * revision; any percent below 100% still updates at least one pod; lowering it mid-rollout
 * continues, raising it does not roll back (unless the rollback gate is on); scaling in removes
 * old-revision pods first so the partition still holds.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, expect, it } from 'vitest';
import { type InvariantMonitor, isPodReady, startInvariantMonitor } from '../../harness/kube/invariants.ts';
import { CLONESET, createObject, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, runEnv, timeouts } from '../lib/context.ts';
import type { CloneSet, CloneSetSpec } from '../lib/kinds.ts';
import { IMAGE_V2, cloneSetSettled, podsOf, renderStatus, waitForCloneSet } from '../lib/workloads.ts';
import { cloneSetWith, describePods, expectPodsHold, listPods, revisionOf, setImage, split, uidsOf, waitPods, watched } from './fixtures.ts';

let monitor: InvariantMonitor | undefined;
afterEach(async () => {
  await monitor?.stop().catch(() => {});
  monitor = undefined;
});

type Strategy = NonNullable<CloneSetSpec['updateStrategy']>;

/** Create, settle, change the image; returns the old and the new revision. */
async function startRollout(ns: string, name: string, replicas: number, updateStrategy: Strategy): Promise<{ oldRev: string; newRev: string }> {
  await createObject(CLONESET, ns, cloneSetWith(name, { replicas, updateStrategy }));
  const first = await waitForCloneSet(ns, name, cloneSetSettled(replicas), `${replicas} pods Ready`, timeouts().podsReady);
  await setImage(ns, name, IMAGE_V2);
  const cs = await waitForCloneSet(ns, name, (c) => !!c.status?.updateRevision && c.status.updateRevision !== first.status?.updateRevision, 'a new updateRevision');
  return { oldRev: first.status!.updateRevision!, newRev: cs.status!.updateRevision! };
}

/** Wait for `updated` Ready pods at `rev` and `old` Ready pods at other revisions, nothing terminating. */
function waitSplit(ns: string, name: string, rev: string, old: number, updated: number): Promise<V1Pod[]> {
  return waitPods(
    ns,
    name,
    (pods) => {
      const s = split(pods, rev);
      return s.terminating === 0 && s.old === old && s.updated === updated && s.oldReady === old && s.updatedReady === updated;
    },
    `${old} old + ${updated} updated pods, all Ready`,
  );
}

// expectedUpdatedReplicas is `omitempty` in OpenKruise's CloneSetStatus: absent means 0.
const counts = (cs: CloneSet) => ({ replicas: cs.status?.replicas, updatedReplicas: cs.status?.updatedReplicas, updatedReadyReplicas: cs.status?.updatedReadyReplicas, expectedUpdatedReplicas: cs.status?.expectedUpdatedReplicas ?? 0 });

describeFeature('CloneSet.Partition', 'partition keeps pods at the old revision', () => {
  const ns = useNamespace('cs-partition');

  it('int partition 2 of 4 updates exactly 2 pods and keeps currentRevision; partition 0 finishes the rollout', async () => {
    const { kc } = kube();
    const { oldRev, newRev } = await startRollout(ns.name, 'int', 4, { partition: 2 });
    monitor = await startInvariantMonitor(kc, { namespace: ns.name, labelSelector: podsOf('int'), bounds: { maxPods: 4, maxUpdated: 2 }, isUpdated: (p) => revisionOf(p) === newRev });
    await watched(monitor, waitSplit(ns.name, 'int', newRev, 2, 2));
    const cs = await watched(monitor, waitForCloneSet(ns.name, 'int', (c) => c.status?.updatedReadyReplicas === 2 && c.status.readyReplicas === 4, 'status: 2 updated and Ready'));
    expect(counts(cs), renderStatus(cs)).toEqual({ replicas: 4, updatedReplicas: 2, updatedReadyReplicas: 2, expectedUpdatedReplicas: 2 });
    expect(cs.status?.currentRevision, 'currentRevision stays at the old revision while the partition holds pods back').toBe(oldRev);
    // Nothing more is updated: the monitor's maxUpdated 2 must hold through a steady period.
    await watched(monitor, expectPodsHold(ns.name, 'int', (pods) => split(pods, newRev).updated <= 2, 'no third pod is updated'));
    await monitor.stop();

    await patchObject(CLONESET, ns.name, 'int', { spec: { updateStrategy: { partition: 0 } } });
    const done = await waitForCloneSet(ns.name, 'int', cloneSetSettled(4), 'all 4 updated and Ready');
    expect(done.status?.currentRevision, 'currentRevision flips once every pod is updated').toBe(newRev);
  });

  it('partition "99%" of 4 updates exactly one pod (InPlaceIfPossible, maxUnavailable 50%)', async () => {
    const { newRev } = await startRollout(ns.name, 'p99', 4, { type: 'InPlaceIfPossible', maxUnavailable: '50%', partition: '99%' });
    monitor = await startInvariantMonitor(kube().kc, { namespace: ns.name, labelSelector: podsOf('p99'), bounds: { maxPods: 4, maxUpdated: 1 }, isUpdated: (p) => revisionOf(p) === newRev });
    await watched(monitor, waitSplit(ns.name, 'p99', newRev, 3, 1));
    await watched(monitor, expectPodsHold(ns.name, 'p99', (pods) => split(pods, newRev).updated === 1, 'exactly one pod stays updated'));
    await monitor.stop();
    const cs = await waitForCloneSet(ns.name, 'p99', (c) => c.status?.updatedReadyReplicas === 1, 'status: 1 updated and Ready');
    expect(counts(cs), renderStatus(cs)).toEqual({ replicas: 4, updatedReplicas: 1, updatedReadyReplicas: 1, expectedUpdatedReplicas: 1 });
  });

  it('percent partition rounds up: "30%" of 5 keeps 2 old pods (ceil 1.5) and updates 3', async () => {
    const { newRev } = await startRollout(ns.name, 'p30', 5, { partition: '30%', maxUnavailable: 2 });
    await waitSplit(ns.name, 'p30', newRev, 2, 3);
    const cs = await waitForCloneSet(ns.name, 'p30', (c) => c.status?.updatedReadyReplicas === 3, 'status: 3 updated and Ready');
    expect(counts(cs), renderStatus(cs)).toEqual({ replicas: 5, updatedReplicas: 3, updatedReadyReplicas: 3, expectedUpdatedReplicas: 3 });
  });

  it('a partition above replicas keeps every pod at the old revision', async () => {
    const { newRev } = await startRollout(ns.name, 'big', 2, { partition: 5 });
    const cs = await waitForCloneSet(ns.name, 'big', (c) => c.status?.updateRevision === newRev, 'status reports the new updateRevision');
    expect(counts(cs), renderStatus(cs)).toEqual({ replicas: 2, updatedReplicas: 0, updatedReadyReplicas: 0, expectedUpdatedReplicas: 0 });
    await expectPodsHold(ns.name, 'big', (pods) => split(pods, newRev).updated === 0 && pods.length === 2, 'no pod is updated');
  });

  it('lowering the partition mid-rollout continues it; raising it back does not roll updated pods back', async () => {
    const { oldRev, newRev } = await startRollout(ns.name, 'move', 4, { partition: 3 });
    await waitSplit(ns.name, 'move', newRev, 3, 1);
    await patchObject(CLONESET, ns.name, 'move', { spec: { updateStrategy: { partition: 1 } } });
    await waitSplit(ns.name, 'move', newRev, 1, 3);
    await patchObject(CLONESET, ns.name, 'move', { spec: { updateStrategy: { partition: 3 } } });
    if (runEnv().implementation.featureGates.CloneSetPartitionRollback) {
      // With the rollback gate on, two updated pods go back to the current revision.
      await waitPods(ns.name, 'move', (pods) => split(pods, oldRev).updated === 3 && pods.length === 4 && pods.every(isPodReady), '3 pods back at the current revision');
    } else {
      const cs = await waitForCloneSet(ns.name, 'move', (c) => c.status?.expectedUpdatedReplicas === 1, 'expectedUpdatedReplicas 1 after raising the partition');
      await expectPodsHold(ns.name, 'move', (pods) => split(pods, newRev).updated === 3, 'the 3 updated pods stay updated');
      expect(counts(cs), renderStatus(cs)).toMatchObject({ replicas: 4, updatedReplicas: 3 });
    }
  });
});

describeFeature(['CloneSet.Partition', 'CloneSet.ScaleInOrder'], 'scaling in under a partition', () => {
  const ns = useNamespace('cs-part-scale');

  it('replicas 4 -> 3 with partition 2 -> 1 removes an old-revision pod and keeps both updated pods', async () => {
    const { newRev } = await startRollout(ns.name, 'shrink', 4, { partition: 2 });
    const before = await waitSplit(ns.name, 'shrink', newRev, 2, 2);
    const updatedUids = uidsOf(before.filter((p) => revisionOf(p) === newRev));
    monitor = await startInvariantMonitor(kube().kc, { namespace: ns.name, labelSelector: podsOf('shrink'), bounds: { maxPods: 4 }, isUpdated: (p) => revisionOf(p) === newRev });
    await patchObject(CLONESET, ns.name, 'shrink', { spec: { replicas: 3, updateStrategy: { partition: 1 } } });
    const after = await watched(monitor, waitSplit(ns.name, 'shrink', newRev, 1, 2));
    await watched(monitor, expectPodsHold(ns.name, 'shrink', (pods) => pods.length === 3 && split(pods, newRev).updated === 2, '3 pods, 2 of them updated'));
    await monitor.stop();
    expect([...updatedUids].every((u) => uidsOf(after).has(u)), `the two updated pods were kept (no pod was deleted and re-created at the new revision):\n${describePods(after)}`).toBe(true);
    const pods = await listPods(ns.name, 'shrink');
    expect(pods.length, describePods(pods)).toBe(3);
  });
});
