/**
 * ReCreate rollouts and maxUnavailable (spec digest §2.4 rounding, §2.8 limitUpdateIndexes and
 * specified deletes, §13.5): pods are replaced by new pods (new UID and name) in batches no larger
 * than maxUnavailable; a percent rounds up when maxSurge is 0 and down when maxSurge > 0.
 * New pods are held not-Ready by a readiness gate the test opens, so the controller stops at each
 * batch boundary and the batch sizes are asserted exactly; an invariant monitor watches throughout.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, expect, it } from 'vitest';
import { type InvariantMonitor, startInvariantMonitor } from '../../harness/kube/invariants.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube } from '../lib/context.ts';
import type { CloneSetSpec } from '../lib/kinds.ts';
import { IMAGE_V2, imageOf, podsOf, renderStatus, waitForCloneSet } from '../lib/workloads.ts';
import { batchView, createHeld, describePods, driveHeldRollout, listPods, revisionOf, setImage, uidsOf, watched } from './fixtures.ts';

let monitor: InvariantMonitor | undefined;
afterEach(async () => {
  await monitor?.stop().catch(() => {});
  monitor = undefined;
});

type Strategy = NonNullable<CloneSetSpec['updateStrategy']>;

/**
 * Create `replicas` Ready pods, change the image, and drive the held rollout under a monitor with
 * the given bounds. Returns the stops and the final pods.
 */
async function heldRollout(ns: string, name: string, replicas: number, updateStrategy: Strategy, bounds: { maxPods: number; minAvailable: number }) {
  const before = await createHeld(ns, name, { replicas, updateStrategy });
  const originals = await listPods(ns, name);
  await setImage(ns, name, IMAGE_V2);
  const cs = await waitForCloneSet(ns, name, (c) => !!c.status?.updateRevision && c.status.updateRevision !== before.status?.updateRevision, 'a new updateRevision');
  const rev = cs.status!.updateRevision!;
  monitor = await startInvariantMonitor(kube().kc, { namespace: ns, labelSelector: podsOf(name), bounds, isUpdated: (p: V1Pod) => revisionOf(p) === rev });
  const stops = await watched(monitor, driveHeldRollout(ns, name, replicas, rev));
  await monitor.stop();
  const done = await waitForCloneSet(ns, name, (c) => c.status?.updatedReadyReplicas === replicas && c.status.currentRevision === rev, 'every pod updated and Ready, currentRevision flipped');
  const after = await listPods(ns, name);
  return { stops, originals, after, done, timeline: monitor.timeline() };
}

describeFeature(['CloneSet.ReCreate', 'CloneSet.MaxUnavailable'], 'ReCreate replaces pods in batches of maxUnavailable', () => {
  const ns = useNamespace('cs-recreate');

  it('maxUnavailable 2 of 5: batches of 2, 2, 1; every pod replaced by a new one at the new image', async () => {
    const r = await heldRollout(ns.name, 'int', 5, { maxUnavailable: 2 }, { maxPods: 5, minAvailable: 3 });
    expect(r.stops.map(batchView), `stops of the rollout; timeline:\n${r.timeline}`).toEqual([
      { old: 3, updated: 2, updatedReady: 0 },
      { old: 1, updated: 4, updatedReady: 2 },
      { old: 0, updated: 5, updatedReady: 4 },
      { old: 0, updated: 5, updatedReady: 5 },
    ]);
    const kept = [...uidsOf(r.after)].filter((u) => uidsOf(r.originals).has(u));
    expect(kept, `ReCreate leaves no original pod:\n${describePods(r.after)}`).toEqual([]);
    const oldNames = new Set(r.originals.map((p) => p.metadata!.name));
    expect(r.after.filter((p) => oldNames.has(p.metadata!.name)), 'replacements have new names').toEqual([]);
    expect(r.after.every((p) => imageOf(p) === IMAGE_V2), describePods(r.after)).toBe(true);
    expect(r.done.status, renderStatus(r.done)).toMatchObject({ replicas: 5, readyReplicas: 5, updatedReplicas: 5, updatedReadyReplicas: 5, expectedUpdatedReplicas: 5 });
  });

  it('maxUnavailable "50%" of 5 with maxSurge 0 rounds up to 3: batches of 3, 2', async () => {
    const r = await heldRollout(ns.name, 'pct', 5, { maxUnavailable: '50%', maxSurge: 0 }, { maxPods: 5, minAvailable: 2 });
    expect(r.stops.map(batchView), `stops of the rollout; timeline:\n${r.timeline}`).toEqual([
      { old: 2, updated: 3, updatedReady: 0 },
      { old: 0, updated: 5, updatedReady: 3 },
      { old: 0, updated: 5, updatedReady: 5 },
    ]);
  });

  it('the default maxUnavailable "20%" of 2 rounds up to 1: one pod at a time', async () => {
    const r = await heldRollout(ns.name, 'dflt', 2, {}, { maxPods: 2, minAvailable: 1 });
    expect(r.stops.map(batchView), `stops of the rollout; timeline:\n${r.timeline}`).toEqual([
      { old: 1, updated: 1, updatedReady: 0 },
      { old: 0, updated: 2, updatedReady: 1 },
      { old: 0, updated: 2, updatedReady: 2 },
    ]);
  });
});

describeFeature(['CloneSet.MaxUnavailable', 'CloneSet.MaxSurge'], 'maxUnavailable rounds down when maxSurge > 0', () => {
  const ns = useNamespace('cs-floor');

  it('maxUnavailable "50%" of 3 with maxSurge 1 is 1 (floor): never fewer than 2 available, never more than 4 pods', async () => {
    // With ceil (2) the controller would take two old pods down while the surge pod is not Ready.
    const r = await heldRollout(ns.name, 'floor', 3, { maxUnavailable: '50%', maxSurge: 1 }, { maxPods: 4, minAvailable: 2 });
    const first = r.stops[0]!;
    expect(first.old + first.updated, `the first stop uses the surge pod; stops ${JSON.stringify(r.stops)}; timeline:\n${r.timeline}`).toBe(4);
    expect(r.stops.at(-1), 'end state').toMatchObject({ old: 0, updated: 3, updatedReady: 3, terminating: 0 });
    expect(r.done.status, renderStatus(r.done)).toMatchObject({ replicas: 3, readyReplicas: 3, updatedReplicas: 3 });
  });
});
