/**
 * Adaptive recovery (spec §4.6; OpenKruise e2e "reschedule subset-a", last step): a subset marked
 * Schedulable=False becomes Schedulable=True again 5 minutes (MaxScheduledFailedDuration, 300 s)
 * after the transition once it has no unschedulable pods. A file of its own: it waits 5 minutes,
 * beside the other files rather than before them.
 */
import { expect, it } from 'vitest';
import { CLONESET, WORKLOADSPREAD, createObject, waitForOne } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { timeouts } from '../lib/context.ts';
import { cloneSet } from '../lib/workloads.ts';
import { type WorkloadSpreadObj, reschedulingSpread, schedulable } from './fixtures.ts';

const RECOVERY_MS = 300_000;

describeFeature('WorkloadSpread.Reschedule', 'Adaptive: an unschedulable subset recovers', () => {
  const ns = useNamespace('ws-recover');

  it('subset-a turns Schedulable=False, then Schedulable=True again no earlier than 300 s after the transition', async () => {
    await createObject(WORKLOADSPREAD, ns.name, reschedulingSpread('ws', 'web', { type: 'Adaptive', adaptive: { rescheduleCriticalSeconds: 5 } }));
    await createObject(CLONESET, ns.name, cloneSet('web', { replicas: 3 }));
    const render = (items: unknown[]) => JSON.stringify(items.map((i) => (i as WorkloadSpreadObj).status), null, 2);
    const failed = await waitForOne<WorkloadSpreadObj>(WORKLOADSPREAD, ns.name, 'ws', (o) => schedulable(o, 'subset-a') === 'False', {
      timeoutMs: timeouts().rolloutProgress,
      describe: 'subset-a condition Schedulable=False',
      namespace: ns.name,
      render: render as never,
    });
    const since = Date.parse(failed!.status!.subsetStatuses!.find((s) => s.name === 'subset-a')!.conditions!.find((c) => c.type === 'Schedulable')!.lastTransitionTime!);
    const recovered = await waitForOne<WorkloadSpreadObj>(WORKLOADSPREAD, ns.name, 'ws', (o) => schedulable(o, 'subset-a') === 'True', {
      timeoutMs: RECOVERY_MS + timeouts().rolloutComplete,
      describe: 'subset-a condition Schedulable=True again',
      namespace: ns.name,
      render: render as never,
    });
    const at = Date.parse(recovered!.status!.subsetStatuses!.find((s) => s.name === 'subset-a')!.conditions!.find((c) => c.type === 'Schedulable')!.lastTransitionTime!);
    expect((at - since) / 1000, 'seconds between Schedulable=False and Schedulable=True (at least 300)').toBeGreaterThanOrEqual(300);
  });
});
