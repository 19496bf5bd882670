/**
 * scheduleStrategy (spec §4.2, §4.6; OpenKruise e2e "reschedule subset-a"): under Fixed, pods
 * placed in a subset no node satisfies stay Pending there; under Adaptive with
 * rescheduleCriticalSeconds, such a subset gets condition Schedulable=False, its unschedulable pods
 * are deleted, and the workload's replacements go to the next subset.
 */
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, WORKLOADSPREAD, createObject, waitForOne } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { timeouts } from '../lib/context.ts';
import { cloneSet, podsOf } from '../lib/workloads.ts';
import { type WorkloadSpreadObj, ZONE, describeSpreadPods, expectPlacedBy, expectSubsetCounts, reschedulingSpread, schedulable, subsetOf, unschedulable, waitForSpreadPods, waitForSubsets } from './fixtures.ts';

describeFeature(['WorkloadSpread.Reschedule', 'WorkloadSpread.SubsetInjection'], 'Fixed and Adaptive schedule strategies', () => {
  const ns = useNamespace('ws-resched');

  it('Fixed: the 2 pods of an unschedulable subset stay Pending in it; the other 3 run in zone-b', async () => {
    await createObject(WORKLOADSPREAD, ns.name, reschedulingSpread('ws-fixed', 'fixed', { type: 'Fixed' }));
    await createObject(CLONESET, ns.name, cloneSet('fixed', { replicas: 5 }));
    const pods = await waitForSpreadPods(ns.name, podsOf('fixed'), 5, (p) => (subsetOf(p) === 'subset-a' ? unschedulable(p) : isPodReady(p)), '2 Unschedulable pods in subset-a, 3 Ready in subset-b');
    await expectSubsetCounts(pods, { 'subset-a': 2, 'subset-b': 3 }, 'Fixed placement');
    await expectPlacedBy(pods, 'subset-b', ZONE, 'zone-b');
    const pending = new Set(pods.filter((p) => subsetOf(p) === 'subset-a').map((p) => p.metadata!.uid!));
    await waitForSubsets(ns.name, 'ws-fixed', { 'subset-a': { replicas: 2, missingReplicas: 0 }, 'subset-b': { replicas: 3, missingReplicas: -1 } });

    // Well past any reschedule delay, the same pods are still Pending where they were.
    await new Promise((r) => setTimeout(r, 8_000));
    const later = await waitForSpreadPods(ns.name, podsOf('fixed'), 5, () => true, 'the 5 pods, 8 s later');
    const stillPending = later.filter((p) => pending.has(p.metadata!.uid!) && unschedulable(p) && subsetOf(p) === 'subset-a');
    expect(stillPending.length, `the 2 subset-a pods are the same and still Pending 8 s later:\n${describeSpreadPods(later)}`).toBe(2);
    const ws = await waitForSubsets(ns.name, 'ws-fixed', { 'subset-a': { replicas: 2, missingReplicas: 0 }, 'subset-b': { replicas: 3, missingReplicas: -1 } });
    expect(ws.status?.subsetStatuses?.map((s) => s.conditions ?? []), 'Fixed writes no Schedulable condition').toEqual([[], []]);
  });

  it('Adaptive (rescheduleCriticalSeconds 5): subset-a becomes Schedulable=False and all 5 pods end up Ready in subset-b', async () => {
    await createObject(WORKLOADSPREAD, ns.name, reschedulingSpread('ws-adaptive', 'adaptive', { type: 'Adaptive', adaptive: { rescheduleCriticalSeconds: 5 } }));
    await createObject(CLONESET, ns.name, cloneSet('adaptive', { replicas: 5 }));
    const ws = await waitForOne<WorkloadSpreadObj>(WORKLOADSPREAD, ns.name, 'ws-adaptive', (o) => schedulable(o, 'subset-a') === 'False', {
      timeoutMs: timeouts().rolloutProgress,
      describe: 'WorkloadSpread ws-adaptive: subset-a condition Schedulable=False',
      namespace: ns.name,
      render: (items) => JSON.stringify(items.map((i) => (i as WorkloadSpreadObj).status), null, 2),
    });
    expect(schedulable(ws, 'subset-b'), 'the last subset is always Schedulable=True').toBe('True');
    const pods = await waitForSpreadPods(ns.name, podsOf('adaptive'), 5, (p) => isPodReady(p) && subsetOf(p) === 'subset-b', '5 Ready pods, all in subset-b', timeouts().rolloutComplete);
    await expectSubsetCounts(pods, { 'subset-b': 5 }, 'after rescheduling');
    await expectPlacedBy(pods, 'subset-b', ZONE, 'zone-b');
    await waitForSubsets(ns.name, 'ws-adaptive', { 'subset-a': { replicas: 0, missingReplicas: 2 }, 'subset-b': { replicas: 5, missingReplicas: -1 } });
  });
});
