// The seed walkthroughs (spec §2.11; "CloneSet supports maxSurge"): replicas 5, maxSurge 20%,
// maxUnavailable 0, partition 3, then partition 0, simulated reconcile by reconcile.
import { describe, expect, it } from 'vitest';
import type { UpdateStrategyType } from './types.ts';
import { NEW, OLD, T0, cloneSet, pod } from './test/builders.ts';
import { CloneSetSim, type Snapshot } from './test/sim.ts';

function startSim(type: UpdateStrategyType): CloneSetSim {
  const originals = [1, 2, 3, 4, 5].map((i) =>
    pod({ name: `demo-o${i}`, revision: OLD, creationTime: T0 - 10_000_000 + i * 1000, readySince: T0 - 1_000_000 }),
  );
  const sim = new CloneSetSim({
    spec: cloneSet(5, { type, maxSurge: '20%', maxUnavailable: 0, partition: 3 }),
    pods: originals,
    revision: OLD,
  });
  sim.run();
  expect(sim.log).toEqual([]); // already settled at OLD
  return sim;
}

const firstWithTotal = (log: readonly Snapshot[], total: number): Snapshot | undefined => log.find((s) => s.total === total);
const counts = (s: Snapshot | undefined) => s && { total: s.total, old: s.old, updated: s.updated };
const kubectl = (s: Snapshot | undefined) =>
  s && { desired: 5, updated: s.status.updatedReplicas, updatedReady: s.status.updatedReadyReplicas, ready: s.status.readyReplicas, total: s.status.replicas };

/** The invariants a conformance monitor watches: never above replicas+maxSurge, never below replicas-maxUnavailable available. */
function expectBounds(log: readonly Snapshot[]): void {
  for (const s of log) {
    expect(s.total, s.event).toBeLessThanOrEqual(6);
    expect(s.available, s.event).toBeGreaterThanOrEqual(5);
  }
  expect(Math.max(...log.map((s) => s.total))).toBe(6);
}

describe.each<UpdateStrategyType>(['ReCreate', 'InPlaceIfPossible'])('walkthrough with %s', (type) => {
  it('partition 3: surges to 6 pods (5 old + 1 new) and settles at 3 old + 2 new on 5 pods', () => {
    const sim = startSim(type);
    sim.rollout(NEW);
    sim.run();

    expectBounds(sim.log);
    const peak = firstWithTotal(sim.log, 6);
    expect(counts(peak)).toEqual({ total: 6, old: 5, updated: 1 });
    expect(kubectl(peak)).toEqual({ desired: 5, updated: 1, updatedReady: 0, ready: 5, total: 6 });

    const end = sim.log.at(-1) as Snapshot;
    expect(counts(end)).toEqual({ total: 5, old: 3, updated: 2 });
    expect(end.available).toBe(5);
    expect(kubectl(end)).toEqual({ desired: 5, updated: 2, updatedReady: 2, ready: 5, total: 5 });
    expect(sim.status()).toMatchObject({ expectedUpdatedReplicas: 2, currentRevision: OLD, updateRevision: NEW });
  });

  it('then partition 0: surges to 6 pods (3 old + 3 new) and ends with 5 new pods', () => {
    const sim = startSim(type);
    sim.rollout(NEW);
    sim.run();
    const firstPhase = sim.log.length;

    sim.spec = cloneSet(5, { type, maxSurge: '20%', maxUnavailable: 0, partition: 0 });
    sim.run();
    const log = sim.log.slice(firstPhase);

    expectBounds(log);
    const peak = firstWithTotal(log, 6);
    expect(counts(peak)).toEqual({ total: 6, old: 3, updated: 3 });
    expect(kubectl(peak)).toEqual({ desired: 5, updated: 3, updatedReady: 2, ready: 5, total: 6 });

    const end = log.at(-1) as Snapshot;
    expect(counts(end)).toEqual({ total: 5, old: 0, updated: 5 });
    expect(kubectl(end)).toEqual({ desired: 5, updated: 5, updatedReady: 5, ready: 5, total: 5 });
    sim.run(); // one more quiet reconcile records the settled status
    expect(sim.status()).toMatchObject({ expectedUpdatedReplicas: 5, currentRevision: NEW, updateRevision: NEW });
  });
});

describe('walkthrough specifics', () => {
  it('ReCreate replaces pods through specified-delete: every new pod is a fresh pod', () => {
    const sim = startSim('ReCreate');
    sim.rollout(NEW);
    sim.run();
    expect({ created: sim.created.length, marked: sim.markedForRecreate.length, deleted: sim.deleted.length }).toEqual({
      created: 2, marked: 1, deleted: 2,
    });
    sim.spec = cloneSet(5, { type: 'ReCreate', maxSurge: '20%', maxUnavailable: 0, partition: 0 });
    sim.run();
    expect({ created: sim.created.length, marked: sim.markedForRecreate.length, deleted: sim.deleted.length }).toEqual({
      created: 5, marked: 3, deleted: 5,
    });
    expect(sim.inPlaceUpdated).toEqual([]);
    expect(sim.pods.every((p) => p.name.startsWith('demo-n'))).toBe(true);
  });

  it('InPlaceIfPossible creates one surge pod, updates old pods in place keeping their names, and removes one pod at the end', () => {
    const sim = startSim('InPlaceIfPossible');
    sim.rollout(NEW);
    sim.run();
    // Phase 1: the surge pod, one in-place update, and one OLD pod deleted to get back to 5
    // (scale-in prefers current-revision pods, so the surge pod itself stays).
    expect(sim.created).toHaveLength(1);
    expect(sim.inPlaceUpdated).toHaveLength(1);
    expect(sim.deleted).toHaveLength(1);
    expect(sim.markedForRecreate).toEqual([]);
    const surge1 = sim.created[0] as string;
    const inPlace1 = sim.inPlaceUpdated[0] as string;
    expect(sim.pods.filter((p) => p.revision === NEW).map((p) => p.name).sort()).toEqual([inPlace1, surge1].sort());

    sim.spec = cloneSet(5, { type: 'InPlaceIfPossible', maxSurge: '20%', maxUnavailable: 0, partition: 0 });
    sim.run();
    // Phase 2: a second surge pod, two more in-place updates, and the last old pod deleted.
    expect(sim.created).toHaveLength(2);
    expect(sim.inPlaceUpdated).toHaveLength(3);
    expect(sim.deleted).toHaveLength(2);
    expect(sim.markedForRecreate).toEqual([]);
    const names = sim.pods.map((p) => p.name);
    for (const name of sim.inPlaceUpdated) expect(names).toContain(name); // identity kept
    for (const name of sim.deleted) expect(name).toMatch(/^demo-o/); // only old pods were deleted
    expect(sim.pods.every((p) => p.revision === NEW && p.lifecycleState === 'Normal' && p.ready)).toBe(true);
  });

  it('InPlaceIfPossible never has more than one pod unavailable (maxUnavailable 0 + surge 1)', () => {
    const sim = startSim('InPlaceIfPossible');
    sim.rollout(NEW);
    sim.spec = cloneSet(5, { type: 'InPlaceIfPossible', maxSurge: '20%', maxUnavailable: 0, partition: 0 });
    sim.run();
    for (const s of sim.log) expect(s.total - s.available, s.event).toBeLessThanOrEqual(1);
    expect(counts(sim.log.at(-1))).toEqual({ total: 5, old: 0, updated: 5 });
  });
});
