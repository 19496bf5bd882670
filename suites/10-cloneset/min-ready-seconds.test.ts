/**
 * minReadySeconds (spec digest §2.6 availability and the requeue after minReadySeconds, §2.8
 * limitUpdateIndexes counts unavailable pods): a pod is Ready at once but available only after
 * being Ready for minReadySeconds, and a ReCreate rollout waits for availability before taking
 * the next pod down. Kubernetes timestamps have second precision, so bounds allow one second.
 */
import { expect, it } from 'vitest';
import { CLONESET, createObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { timeouts } from '../lib/context.ts';
import { IMAGE_V2, cloneSetSettled, renderStatus, waitForCloneSet } from '../lib/workloads.ts';
import { cloneSetWith, conditionOf, describePods, listPods, revisionOf, setImage, waitPods } from './fixtures.ts';

const at = (t: unknown) => Date.parse(String(t));

describeFeature('CloneSet.MinReadySeconds', 'minReadySeconds delays availability', () => {
  const ns = useNamespace('cs-minready');

  it('a Ready pod is counted available only after minReadySeconds', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('avail', { replicas: 1, minReadySeconds: 5 }));
    const early = await waitForCloneSet(ns.name, 'avail', (c) => c.status?.readyReplicas === 1 && c.status.availableReplicas === 0, 'Ready but not yet available', timeouts().podsReady);
    expect(early.status, renderStatus(early)).toMatchObject({ replicas: 1, readyReplicas: 1, availableReplicas: 0, updatedReadyReplicas: 1 });
    const late = await waitForCloneSet(ns.name, 'avail', (c) => c.status?.availableReplicas === 1, 'available after minReadySeconds', timeouts().podsReady);
    const observedAt = Date.now();
    const [pod] = await listPods(ns.name, 'avail');
    const readyAt = at(conditionOf(pod, 'Ready')?.lastTransitionTime);
    expect(observedAt - readyAt, `ms from Ready (${conditionOf(pod, 'Ready')?.lastTransitionTime}) to available; ${renderStatus(late)}`).toBeGreaterThanOrEqual(4000);
    expect(late.status?.updatedAvailableReplicas, renderStatus(late)).toBe(1);
  });

  it('a ReCreate rollout takes the next pod down only after the previous replacement has been Ready for minReadySeconds', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('roll', { replicas: 2, minReadySeconds: 3, updateStrategy: { maxUnavailable: 1 } }));
    const first = await waitForCloneSet(ns.name, 'roll', (c) => cloneSetSettled(2)(c) && c.status?.availableReplicas === 2, '2 pods available', timeouts().rolloutProgress);
    const originals = await listPods(ns.name, 'roll');
    await setImage(ns.name, 'roll', IMAGE_V2);
    const cs = await waitForCloneSet(ns.name, 'roll', (c) => c.status?.updateRevision !== first.status?.updateRevision, 'a new updateRevision');
    const rev = cs.status!.updateRevision!;

    // Record when each original pod is first seen terminating (deletionTimestamp itself is the
    // end of the grace period, not the moment of the delete).
    const deletedAt = new Map<string, number>();
    const end = await waitPods(
      ns.name,
      'roll',
      (pods) => {
        for (const p of pods) if (p.metadata?.deletionTimestamp && !deletedAt.has(p.metadata.uid!)) deletedAt.set(p.metadata.uid!, Date.now());
        return pods.length === 2 && pods.every((p) => revisionOf(p) === rev && conditionOf(p, 'Ready')?.status === 'True');
      },
      '2 Ready pods at the new revision',
      timeouts().rolloutComplete,
    );
    const order = originals.map((p) => ({ name: p.metadata!.name!, deleted: deletedAt.get(p.metadata!.uid!) })).sort((a, b) => (a.deleted ?? 0) - (b.deleted ?? 0));
    expect(order.every((o) => o.deleted !== undefined), `both originals seen terminating: ${JSON.stringify(order)}`).toBe(true);
    const firstReplacement = end.map((p) => ({ name: p.metadata!.name, readyAt: at(conditionOf(p, 'Ready')?.lastTransitionTime) })).sort((a, b) => a.readyAt - b.readyAt)[0]!;
    const gap = order[1]!.deleted! - firstReplacement.readyAt;
    expect(gap, `ms between the first replacement ${firstReplacement.name} becoming Ready and ${order[1]!.name} being deleted (minReadySeconds 3):\n${describePods(end)}`).toBeGreaterThanOrEqual(2000);
    await waitForCloneSet(ns.name, 'roll', (c) => c.status?.availableReplicas === 2 && c.status.updatedReplicas === 2, '2 updated pods available');
  });
});
