// calculateDiffs, case by case. Scenarios named "(step i/n)" replay one rollout reconcile by reconcile.
import { describe, expect, it } from 'vitest';
import { calculateDiffs, countByRevision, isSpecifiedDelete, type DiffPurpose, type ExpectationDiffs } from './diff.ts';
import type { CloneSetFlags, CloneSetSpecView, PodView } from './types.ts';
import { NEW, OLD, T0, cloneSet, notReady, pod, pods } from './test/builders.ts';

const ZERO: ExpectationDiffs = {
  scaleUpNum: 0, scaleUpNumOldRevision: 0, scaleDownNum: 0, scaleDownNumOldRevision: 0, scaleUpLimit: 0,
  deleteReadyLimit: 0, useSurge: 0, useSurgeOldRevision: 0, updateNum: 0, updateMaxUnavailable: 0,
};
const d = (o: Partial<ExpectationDiffs> = {}): ExpectationDiffs => ({ ...ZERO, ...o });

interface Case {
  readonly name: string;
  readonly spec: CloneSetSpecView;
  readonly pods: readonly PodView[];
  /** Default: current OLD, update NEW. */
  readonly current?: string;
  readonly update?: string;
  readonly flags?: CloneSetFlags;
  readonly purpose?: DiffPurpose;
  readonly want: ExpectationDiffs;
}

const same = { current: OLD, update: OLD } as const;
const MAX_INT32 = 2 ** 31 - 1;
// replicas 5, partition 3, maxUnavailable 0, maxSurge 20% (=1): the §2.11 walkthrough.
const walk = cloneSet(5, { partition: 3, maxUnavailable: 0, maxSurge: '20%' });

const cases: Case[] = [
  // scaling, one revision
  { name: 'empty CloneSet with 0 replicas', spec: cloneSet(0), pods: [], ...same, want: d() },
  { name: 'scale 0 -> 5 creates 5 (no scale limit)', spec: cloneSet(5), pods: [], ...same, want: d({ scaleUpNum: 5, scaleUpLimit: 5 }) },
  { name: 'scale 3 -> 5 with 3 unready pods', spec: cloneSet(5), pods: pods(3, { revision: OLD, ready: false }), ...same, want: d({ scaleUpNum: 2, scaleUpLimit: 2 }) },
  {
    name: 'scale 3 -> 6 with scale maxUnavailable 2 and 1 unready pod: 1 creation allowed',
    spec: cloneSet(6, {}, { scaleStrategy: { maxUnavailable: 2 } }),
    pods: [...pods(2), notReady()], ...same,
    want: d({ scaleUpNum: 3, scaleUpLimit: 1 }),
  },
  {
    name: 'scale 3 -> 6 with scale maxUnavailable 2 and 2 unready pods: none allowed',
    spec: cloneSet(6, {}, { scaleStrategy: { maxUnavailable: 2 } }),
    pods: [pod(), notReady(), notReady()], ...same,
    want: d({ scaleUpNum: 3, scaleUpLimit: 0 }),
  },
  { name: 'scale maxUnavailable "50%" of 5 rounds up to 3', spec: cloneSet(5, {}, { scaleStrategy: { maxUnavailable: '50%' } }), pods: [], ...same, want: d({ scaleUpNum: 5, scaleUpLimit: 3 }) },
  {
    name: 'scale 5 -> 3: delete 2, ready limit = maxUnavailable(ceil 20% of 3 = 1) + 2 excess',
    spec: cloneSet(3), pods: pods(5), ...same,
    want: d({ scaleDownNum: 2, deleteReadyLimit: 3 }),
  },
  {
    name: 'scale 5 -> 0: delete all, ready limit = 0 + 5',
    spec: cloneSet(0), pods: pods(5), ...same,
    want: d({ scaleDownNum: 5, deleteReadyLimit: 5 }),
  },
  // specified delete without surge
  { name: 'specified delete 1 of 5 ready pods (step 1/2)', spec: cloneSet(5), pods: [...pods(4), pod({ specifiedDelete: true })], ...same, want: d({ deleteReadyLimit: 1 }) },
  { name: 'specified delete 1 of 5 ready pods (step 2/2): replace it', spec: cloneSet(5), pods: pods(4), ...same, want: d({ scaleUpNum: 1, scaleUpLimit: 1 }) },
  {
    name: 'podsToDelete by name counts like the label',
    spec: cloneSet(5, {}, { scaleStrategy: { podsToDelete: ['demo-x1'] } }),
    pods: [...pods(4), pod({ name: 'demo-x1' })], ...same,
    want: d({ deleteReadyLimit: 1 }),
  },
  {
    name: 'specified delete 2 while 1 other pod is unavailable: ready limit 0',
    spec: cloneSet(5), pods: [...pods(2), notReady(), pod({ specifiedDelete: true }), pod({ specifiedDelete: true })], ...same,
    want: d({ deleteReadyLimit: 0 }),
  },
  {
    name: 'specified delete 2 and replicas 5 -> 4: not scaled down further',
    spec: cloneSet(4), pods: [...pods(3), pod({ specifiedDelete: true }), pod({ specifiedDelete: true })], ...same,
    want: d({ deleteReadyLimit: 2 }),
  },
  // specified delete with surge
  {
    name: 'specified delete with maxSurge 1, maxUnavailable 0 (step 1/4): surge a replacement first',
    spec: cloneSet(5, { maxSurge: 1, maxUnavailable: 0 }), pods: [...pods(4), pod({ specifiedDelete: true })], ...same,
    want: d({ scaleUpNum: 1, scaleUpLimit: 1, useSurge: 1 }),
  },
  {
    name: 'specified delete with maxSurge (step 2/4): replacement not ready, nothing may go',
    spec: cloneSet(5, { maxSurge: 1, maxUnavailable: 0 }), pods: [...pods(4), pod({ specifiedDelete: true }), notReady()], ...same,
    want: d({ useSurge: 1 }),
  },
  {
    name: 'specified delete with maxSurge (step 3/4): replacement ready, one ready pod may go',
    spec: cloneSet(5, { maxSurge: 1, maxUnavailable: 0 }), pods: [...pods(5), pod({ specifiedDelete: true })], ...same,
    want: d({ useSurge: 1, deleteReadyLimit: 1 }),
  },
  { name: 'specified delete with maxSurge (step 4/4): done', spec: cloneSet(5, { maxSurge: 1, maxUnavailable: 0 }), pods: pods(5), ...same, want: d() },
  {
    name: 'specified delete of an old pod with surge: the surge is old-revision',
    spec: cloneSet(5, { maxSurge: 2, maxUnavailable: 0, partition: 5 }), pods: [...pods(4), pod({ specifiedDelete: true })],
    want: d({ scaleUpNum: 1, scaleUpNumOldRevision: 1, scaleUpLimit: 1, useSurge: 1, useSurgeOldRevision: 1 }),
  },
  // the §2.11 walkthrough
  { name: 'walkthrough (step 1/7): 5 old -> surge 1 new', spec: walk, pods: pods(5), want: d({ scaleUpNum: 1, scaleUpLimit: 1, useSurge: 1, updateNum: 2 }) },
  {
    name: 'walkthrough (step 2/7): new pod not ready, update blocked by updateMaxUnavailable 1',
    spec: walk, pods: [...pods(5), notReady({ revision: NEW })],
    want: d({ useSurge: 1, updateNum: 1, updateMaxUnavailable: 1 }),
  },
  {
    name: 'walkthrough (step 3/7): new pod ready, one old pod may be updated',
    spec: walk, pods: [...pods(5), pod({ revision: NEW })],
    want: d({ useSurge: 1, updateNum: 1, updateMaxUnavailable: 1 }),
  },
  {
    name: 'walkthrough (step 4/7): old pod specified to delete, may be deleted',
    spec: walk, pods: [...pods(4), pod({ specifiedDelete: true }), pod({ revision: NEW })],
    want: d({ useSurge: 1, useSurgeOldRevision: 1, deleteReadyLimit: 1, updateNum: 1, updateMaxUnavailable: 1 }),
  },
  {
    name: 'walkthrough (step 5/7): 4 old + 1 new -> surge another new',
    spec: walk, pods: [...pods(4), pod({ revision: NEW })],
    want: d({ scaleUpNum: 1, scaleUpLimit: 1, useSurge: 1, updateNum: 1 }),
  },
  {
    name: 'walkthrough (step 6/7): 4 old + 2 new, new not ready: scale in 1 old, not yet',
    spec: walk, pods: [...pods(4), pod({ revision: NEW }), notReady({ revision: NEW })],
    want: d({ scaleDownNum: 1, scaleDownNumOldRevision: 1 }),
  },
  {
    name: 'walkthrough (step 7/7): all ready, scale in 1 old',
    spec: walk, pods: [...pods(4), ...pods(2, { revision: NEW })],
    want: d({ scaleDownNum: 1, scaleDownNumOldRevision: 1, deleteReadyLimit: 1 }),
  },
  { name: 'walkthrough end: 3 old + 2 new is the target', spec: walk, pods: [...pods(3), ...pods(2, { revision: NEW })], want: d() },
  {
    name: 'in-place with surge: updated pod still Updating, old pod may not be scaled in yet',
    spec: walk, pods: [...pods(4), pod({ revision: NEW, lifecycleState: 'Updating', ready: false }), pod({ revision: NEW })],
    want: d({ scaleDownNum: 1, scaleDownNumOldRevision: 1 }),
  },
  // rounding seen through the plan
  {
    name: 'maxUnavailable 20% of 3 rounds up to 1 without surge',
    spec: cloneSet(3, { maxUnavailable: '20%' }), pods: pods(3),
    want: d({ updateNum: 3, updateMaxUnavailable: 1 }),
  },
  {
    name: 'maxUnavailable 20% of 3 rounds down to 0 with surge',
    spec: cloneSet(3, { maxUnavailable: '20%', maxSurge: 1 }), pods: pods(3),
    want: d({ scaleUpNum: 1, scaleUpLimit: 1, useSurge: 1, updateNum: 3 }),
  },
  {
    name: 'maxSurge 50% of 5 rounds up to 3',
    spec: cloneSet(5, { maxUnavailable: 0, maxSurge: '50%' }), pods: pods(5),
    want: d({ scaleUpNum: 3, scaleUpLimit: 3, useSurge: 3, updateNum: 5 }),
  },
  {
    name: 'maxSurge 100% surges all at once',
    spec: cloneSet(4, { maxUnavailable: 0, maxSurge: '100%' }), pods: pods(4),
    want: d({ scaleUpNum: 4, scaleUpLimit: 4, useSurge: 4, updateNum: 4 }),
  },
  {
    name: 'paused: maxSurge ignored and maxUnavailable rounds up again',
    spec: cloneSet(5, { maxSurge: '20%', paused: true }), pods: pods(5),
    want: d({ updateNum: 5, updateMaxUnavailable: 1 }),
  },
  {
    name: 'paused still scales (replicas 5 -> 6); updateMaxUnavailable may go negative',
    spec: cloneSet(6, { maxSurge: 3, maxUnavailable: 0, paused: true }), pods: pods(5),
    want: d({ scaleUpNum: 1, scaleUpLimit: 1, updateNum: 5, updateMaxUnavailable: -1 }),
  },
  {
    name: 'paused with 3 old + 3 new and partition 3: no surge, nothing to update',
    spec: cloneSet(5, { maxSurge: 3, maxUnavailable: 0, paused: true, partition: 3 }), pods: [...pods(3), ...pods(3, { revision: NEW })],
    want: d({ scaleDownNum: 1, deleteReadyLimit: 1 }),
  },
  { name: 'partition "99%" of 4 updates exactly 1', spec: cloneSet(4, { partition: '99%', maxUnavailable: 1 }), pods: pods(4), want: d({ updateNum: 1, updateMaxUnavailable: 1 }) },
  { name: 'partition "100%" of 4 updates nothing', spec: cloneSet(4, { partition: '100%', maxUnavailable: 1 }), pods: pods(4), want: d() },
  { name: 'partition above replicas is clamped: nothing to update', spec: cloneSet(4, { partition: 10 }), pods: pods(4), want: d() },
  { name: 'partition "50%" of 3 keeps 2', spec: cloneSet(3, { partition: '50%' }), pods: pods(3), want: d({ updateNum: 1, updateMaxUnavailable: 1 }) },
  { name: 'partition "12.5%" of 8 keeps 1', spec: cloneSet(8, { partition: '12.5%' }), pods: pods(8), want: d({ updateNum: 7, updateMaxUnavailable: 2 }) },
  { name: 'unparsable partition counts as 0', spec: cloneSet(4, { partition: 'half' }), pods: pods(4), want: d({ updateNum: 4, updateMaxUnavailable: 1 }) },
  { name: 'unparsable maxUnavailable counts as 0', spec: cloneSet(4, { maxUnavailable: 'lots' }), pods: pods(4), want: d({ updateNum: 4 }) },
  {
    name: 'partition 2 with 4 of 5 already new: nothing more (no rollback without the gate)',
    spec: cloneSet(5, { partition: 2 }), pods: [pod(), ...pods(4, { revision: NEW })],
    want: d(),
  },
  // rollback (gate CloneSetPartitionRollback)
  {
    name: 'rollback: partition raised to 4 with 3 new pods rolls 2 back',
    spec: cloneSet(5, { partition: 4 }), pods: [...pods(2), ...pods(3, { revision: NEW })], flags: { partitionRollback: true },
    want: d({ updateNum: -2, updateMaxUnavailable: 1 }),
  },
  {
    name: 'rollback is off without the gate',
    spec: cloneSet(5, { partition: 4 }), pods: [...pods(2), ...pods(3, { revision: NEW })],
    want: d(),
  },
  {
    name: 'rollback needs two revisions: nothing when current == update',
    spec: cloneSet(5, { partition: 4 }), pods: pods(5, { revision: NEW }), current: NEW, update: NEW, flags: { partitionRollback: true },
    want: d(),
  },
  {
    name: 'rollback with surge surges an old-revision pod',
    spec: cloneSet(5, { partition: 4, maxSurge: 1, maxUnavailable: 0 }), pods: [...pods(2), ...pods(3, { revision: NEW })], flags: { partitionRollback: true },
    want: d({ scaleUpNum: 1, scaleUpNumOldRevision: 3, scaleUpLimit: 1, useSurge: 1, useSurgeOldRevision: 1, updateNum: -2 }),
  },
  // PreparingDelete
  {
    name: 'a PreparingDelete pod still counts toward the total',
    spec: cloneSet(5), pods: [...pods(4), pod({ lifecycleState: 'PreparingDelete' })], ...same,
    want: d(),
  },
  {
    name: 'scalingExcludePreparingDelete: a replacement is created at once',
    spec: cloneSet(5), pods: [...pods(4), pod({ lifecycleState: 'PreparingDelete' })], ...same, flags: { scalingExcludePreparingDelete: true },
    want: d({ scaleUpNum: 1, scaleUpLimit: 1 }),
  },
  {
    name: 'a PreparingDelete pod counts as unavailable for the scale limit',
    spec: cloneSet(6, {}, { scaleStrategy: { maxUnavailable: 1 } }), pods: [...pods(4), pod({ lifecycleState: 'PreparingDelete' })], ...same,
    want: d({ scaleUpNum: 1, scaleUpLimit: 0 }),
  },
  // PreparingUpdateAsUpdate
  {
    name: 'PreparingUpdateAsUpdate: a PreparingUpdate old pod counts as new when scaling',
    spec: cloneSet(6, { partition: 5, maxUnavailable: 1 }), pods: [...pods(4), pod({ lifecycleState: 'PreparingUpdate' })],
    flags: { preparingUpdateAsUpdate: true },
    want: d({ scaleUpNum: 1, scaleUpNumOldRevision: 1, scaleUpLimit: 1 }),
  },
  {
    name: 'without the gate it is an old pod',
    spec: cloneSet(6, { partition: 5, maxUnavailable: 1 }), pods: [...pods(4), pod({ lifecycleState: 'PreparingUpdate' })],
    want: d({ scaleUpNum: 1, scaleUpLimit: 1 }),
  },
  {
    name: 'the gate does not apply to the update count',
    spec: cloneSet(6, { partition: 5, maxUnavailable: 1 }), pods: [...pods(4), pod({ lifecycleState: 'PreparingUpdate' })],
    flags: { preparingUpdateAsUpdate: true }, purpose: 'update',
    want: d({ scaleUpNum: 1, scaleUpLimit: 1 }),
  },
  // availability inputs
  {
    name: 'minReadySeconds: ready 5s of 10 is unavailable',
    spec: cloneSet(3, {}, { minReadySeconds: 10 }), pods: [pod(), pod({ readySince: T0 - 5000 }), pod({ specifiedDelete: true })], ...same,
    want: d({ deleteReadyLimit: 0 }),
  },
  {
    name: 'minReadySeconds: ready 20s of 10 is available',
    spec: cloneSet(3, {}, { minReadySeconds: 10 }), pods: [pod(), pod({ readySince: T0 - 20000 }), pod({ specifiedDelete: true })], ...same,
    want: d({ deleteReadyLimit: 1 }),
  },
  {
    name: 'InPlaceUpdateReady False is unavailable',
    spec: cloneSet(3), pods: [pod(), pod({ inPlaceUpdateReady: false }), pod({ specifiedDelete: true })], ...same,
    want: d({ deleteReadyLimit: 0 }),
  },
  {
    name: 'PreparingNormal is unavailable',
    spec: cloneSet(3), pods: [pod(), pod({ lifecycleState: 'PreparingNormal' }), pod({ specifiedDelete: true })], ...same,
    want: d({ deleteReadyLimit: 0 }),
  },
  {
    name: 'no lifecycle label is available',
    spec: cloneSet(3), pods: [pod(), pod({ lifecycleState: null }), pod({ specifiedDelete: true })], ...same,
    want: d({ deleteReadyLimit: 1 }),
  },
  {
    name: 'short-hash revision labels match the full revision name',
    spec: cloneSet(2), pods: pods(2, { revision: '84c9d7f6b' }), current: NEW, update: NEW,
    want: d(),
  },
];

describe('calculateDiffs', () => {
  it.each(cases)('$name', (c) => {
    const diffs = calculateDiffs({
      spec: c.spec, pods: c.pods, revisions: { current: c.current ?? OLD, update: c.update ?? NEW },
      purpose: c.purpose ?? 'scale', now: T0, ...(c.flags !== undefined && { flags: c.flags }),
    });
    expect(diffs).toEqual(c.want);
  });

  it('scale limit unset means MaxInt32', () => {
    const diffs = calculateDiffs({ spec: cloneSet(MAX_INT32), pods: [], revisions: { current: OLD, update: OLD }, purpose: 'scale', now: T0 });
    expect(diffs.scaleUpLimit).toBe(MAX_INT32);
  });
});

describe('countByRevision', () => {
  it('tallies each pod once: PreparingDelete, then specified delete, then unavailable', () => {
    const c = countByRevision({
      spec: cloneSet(5), revisions: { current: OLD, update: NEW }, purpose: 'update', now: T0,
      pods: [
        pod(), notReady(), pod({ specifiedDelete: true, ready: false }), pod({ lifecycleState: 'PreparingDelete', specifiedDelete: true }),
        pod({ revision: NEW }), pod({ revision: NEW, lifecycleState: 'PreparingDelete' }),
      ],
    });
    expect(c).toEqual({
      newTotal: 2, oldTotal: 4, newActive: 1, oldActive: 3, newPreDeleting: 1, oldPreDeleting: 1,
      newToDelete: 0, oldToDelete: 1, newUnavailable: 0, oldUnavailable: 1,
    });
  });
});

describe('isSpecifiedDelete', () => {
  it.each<[string, Pick<PodView, 'name' | 'specifiedDelete'>, string[] | undefined, boolean]>([
    ['label', { name: 'a', specifiedDelete: true }, undefined, true],
    ['podsToDelete', { name: 'a' }, ['b', 'a'], true],
    ['neither', { name: 'a' }, ['b'], false],
  ])('%s', (_n, p, names, want) => expect(isSpecifiedDelete(p, names)).toBe(want));
});
