// planRollingUpdate case by case; "(step i/n)" rows replay a rollout reconcile by reconcile.
import { describe, expect, it } from 'vitest';
import type { Action, PlanError } from './actions.ts';
import { NEW, OLD, SET, STORAGE_CLASSES, T0, claim, gates, lookup, notReady, pod, pods, spec, template } from './test/builders.ts';
import type { ClaimView, PodView, RollingUpdateView, StatefulSetGates, StatefulSetSpecView } from './types.ts';
import { planRollingUpdate, updateMaxUnavailable, updateOrder, type UpdateInput, type UpdateOutcome } from './update.ts';

interface Case {
  readonly name: string;
  readonly spec: StatefulSetSpecView;
  readonly pods: readonly PodView[];
  readonly claims?: readonly ClaimView[];
  readonly gates?: Partial<StatefulSetGates>;
  readonly inPlace?: boolean;
  readonly satisfied?: boolean;
  readonly want: {
    readonly outcome: UpdateOutcome;
    readonly actions: readonly Action[];
    readonly error?: PlanError;
    readonly currentReplicasDelta?: number;
    readonly updatedReplicasDelta?: number;
  };
}

const ru = (replicas: number, rollingUpdate: RollingUpdateView, o: Partial<StatefulSetSpecView> = {}) =>
  spec(replicas, { rollingUpdate: { podUpdatePolicy: 'ReCreate', maxUnavailable: 1, partition: 0, ...rollingUpdate }, ...o });
const del = (ordinal: number, reason: 'update' | 'specifiedDelete' = 'update'): Action => ({ kind: 'deletePod', pod: `web-${ordinal}`, reason });
const inPlace = (ordinal: number, setUpdating = true): Action => ({ kind: 'inPlaceUpdate', pod: `web-${ordinal}`, from: OLD, to: NEW, setUpdating });
const expand = (ordinal: number): Action => ({ kind: 'expandClaim', pod: `web-${ordinal}`, claim: `data-web-${ordinal}`, template: 'data' });
const resizeSpec = (partition: number, o: Partial<StatefulSetSpecView> = {}) =>
  ru(3, { partition }, { volumeClaimTemplates: [template({ requestStorage: '2Gi' })], volumeClaimUpdateStrategy: 'OnPodRollingUpdate', ...o });
const resizeGates = { autoResizePVC: true };
const hookLabels = { inPlaceUpdate: { labelsHandler: { 'hold-update': 'true' } } };

const cases: Case[] = [
  // ordered, partition, maxUnavailable
  { name: 'partition 2 of 3: only web-2 is recreated', spec: ru(3, { partition: 2 }), pods: pods([0, 1, 2]), want: { outcome: 'done', actions: [del(2)], currentReplicasDelta: -1 } },
  { name: 'partition 0 (step 1/3): highest ordinal first, one at a time', spec: ru(3, {}), pods: pods([0, 1, 2]), want: { outcome: 'blocked', actions: [del(2)], currentReplicasDelta: -1 } },
  { name: 'partition 0 (step 2/3): web-2 updated but not ready: wait', spec: ru(3, {}), pods: [...pods([0, 1]), notReady(2, { revision: NEW })], want: { outcome: 'blocked', actions: [] } },
  { name: 'partition 0 (step 3/3): web-2 ready: web-1 next', spec: ru(3, {}), pods: [...pods([0, 1]), pod(2, { revision: NEW })], want: { outcome: 'blocked', actions: [del(1)], currentReplicasDelta: -1 } },
  { name: 'partition 3 of 3: nothing to update', spec: ru(3, { partition: 3 }), pods: pods([0, 1, 2]), want: { outcome: 'done', actions: [] } },
  { name: 'partition above replicas: nothing', spec: ru(3, { partition: 5 }), pods: pods([0, 1, 2]), want: { outcome: 'done', actions: [] } },
  { name: 'an unavailable pod below the partition still blocks (maxUnavailable counts all slots)', spec: ru(3, { partition: 2 }), pods: [notReady(0), ...pods([1, 2])], want: { outcome: 'blocked', actions: [] } },
  { name: 'an unavailable pod to be updated is updated at once', spec: ru(3, {}), pods: [...pods([0, 1]), notReady(2)], want: { outcome: 'blocked', actions: [del(2)], currentReplicasDelta: -1 } },
  { name: 'maxUnavailable 2 (Parallel): two at once', spec: ru(3, { maxUnavailable: 2 }, { podManagementPolicy: 'Parallel' }), pods: pods([0, 1, 2]), want: { outcome: 'blocked', actions: [del(2), del(1)], currentReplicasDelta: -2 } },
  { name: 'maxUnavailable "50%" of 5 floors to 2', spec: ru(5, { maxUnavailable: '50%' }, { podManagementPolicy: 'Parallel' }), pods: pods([0, 1, 2, 3, 4]), want: { outcome: 'blocked', actions: [del(4), del(3)], currentReplicasDelta: -2 } },
  { name: 'maxUnavailable "10%" of 5 floors to 0, minimum 1', spec: ru(5, { maxUnavailable: '10%' }, { podManagementPolicy: 'Parallel' }), pods: pods([0, 1, 2, 3, 4]), want: { outcome: 'blocked', actions: [del(4)], currentReplicasDelta: -1 } },
  { name: 'minReadySeconds: a freshly ready pod counts unavailable', spec: ru(2, { minReadySeconds: 30 }), pods: [pod(0), pod(1, { revision: NEW, readySince: T0 - 5_000 })], want: { outcome: 'blocked', actions: [] } },
  { name: 'a terminating pod in the order is skipped', spec: ru(2, { maxUnavailable: 2 }, { podManagementPolicy: 'Parallel' }), pods: [pod(0), pod(1, { terminating: true })], want: { outcome: 'done', actions: [del(0)], currentReplicasDelta: -1 } },
  { name: 'paused: no updates', spec: ru(3, { paused: true }), pods: pods([0, 1, 2]), want: { outcome: 'paused', actions: [] } },
  { name: 'update expectations pending: nothing', spec: ru(3, {}), pods: pods([0, 1, 2]), satisfied: false, want: { outcome: 'expectationsPending', actions: [] } },
  // specified delete
  { name: 'a specified-delete pod is deleted even below the partition', spec: ru(3, { partition: 3 }), pods: [pod(0, { specifiedDelete: true }), ...pods([1, 2])], want: { outcome: 'done', actions: [del(0, 'specifiedDelete')], currentReplicasDelta: -1 } },
  { name: 'a specified-delete pod at the update revision decrements updatedReplicas', spec: ru(3, { partition: 3 }), pods: [pod(0, { specifiedDelete: true, revision: NEW }), ...pods([1, 2])], want: { outcome: 'done', actions: [del(0, 'specifiedDelete')], updatedReplicasDelta: -1 } },
  { name: 'specified delete waits while maxUnavailable is used up', spec: ru(3, { partition: 3 }), pods: [pod(0, { specifiedDelete: true }), notReady(1), pod(2)], want: { outcome: 'done', actions: [] } },
  { name: 'specified delete of an unavailable pod goes ahead', spec: ru(3, { partition: 3 }), pods: [pod(0), notReady(1, { specifiedDelete: true }), pod(2)], want: { outcome: 'done', actions: [del(1, 'specifiedDelete')], currentReplicasDelta: -1 } },
  { name: 'a specified-delete pod in the update order is not deleted twice', spec: ru(2, {}), pods: [pod(0), pod(1, { specifiedDelete: true })], want: { outcome: 'blocked', actions: [del(1, 'specifiedDelete')], currentReplicasDelta: -1 } },
  // in place vs recreate
  { name: 'InPlaceIfPossible, image only: in place, lifecycle -> Updating', spec: ru(2, { partition: 1, podUpdatePolicy: 'InPlaceIfPossible' }), pods: pods([0, 1]), inPlace: true, want: { outcome: 'done', actions: [inPlace(1)], currentReplicasDelta: -1 } },
  { name: 'in place on a pod without a lifecycle label does not set one', spec: ru(1, { podUpdatePolicy: 'InPlaceIfPossible' }), pods: [pod(0, { lifecycleState: undefined })], inPlace: true, want: { outcome: 'done', actions: [inPlace(0, false)], currentReplicasDelta: -1 } },
  { name: 'InPlaceIfPossible, not possible: recreate', spec: ru(2, { partition: 1, podUpdatePolicy: 'InPlaceIfPossible' }), pods: pods([0, 1]), inPlace: false, want: { outcome: 'done', actions: [del(1)], currentReplicasDelta: -1 } },
  {
    name: 'InPlaceOnly, not possible: error',
    spec: ru(2, { partition: 1, podUpdatePolicy: 'InPlaceOnly' }),
    pods: pods([0, 1]),
    inPlace: false,
    want: { outcome: 'error', actions: [], error: { message: 'find strategy is InPlaceOnly but Pod web-1 can not update in-place', event: { reason: 'FailedUpdatePodInPlace', message: 'find strategy is InPlaceOnly but Pod web-1 can not update in-place' } } },
  },
  { name: 'ReCreate never goes in place', spec: ru(1, {}), pods: [pod(0)], inPlace: true, want: { outcome: 'done', actions: [del(0)], currentReplicasDelta: -1 } },
  {
    name: 'in-place hook holds the pod: PreparingUpdate first',
    spec: ru(1, { podUpdatePolicy: 'InPlaceIfPossible' }, { lifecycle: hookLabels }),
    pods: [pod(0, { labels: { 'hold-update': 'true' } })],
    inPlace: true,
    want: { outcome: 'done', actions: [{ kind: 'lifecycle', pod: 'web-0', state: 'PreparingUpdate', markPodNotReady: false }], currentReplicasDelta: -1 },
  },
  { name: 'PreparingUpdate still hooked: wait', spec: ru(1, { podUpdatePolicy: 'InPlaceIfPossible' }, { lifecycle: hookLabels }), pods: [pod(0, { labels: { 'hold-update': 'true' }, lifecycleState: 'PreparingUpdate' })], inPlace: true, want: { outcome: 'done', actions: [], currentReplicasDelta: -1 } },
  { name: 'PreparingUpdate released: update in place', spec: ru(1, { podUpdatePolicy: 'InPlaceIfPossible' }, { lifecycle: hookLabels }), pods: [pod(0, { lifecycleState: 'PreparingUpdate' })], inPlace: true, want: { outcome: 'done', actions: [inPlace(0)], currentReplicasDelta: -1 } },
  {
    name: 'Updated (hook not re-applied) at an old revision: re-apply the hook, PreparingUpdate',
    spec: ru(1, { podUpdatePolicy: 'InPlaceIfPossible' }, { lifecycle: hookLabels }),
    pods: [pod(0, { lifecycleState: 'Updated' })],
    inPlace: true,
    want: { outcome: 'done', actions: [{ kind: 'lifecycle', pod: 'web-0', state: 'PreparingUpdate', markPodNotReady: false, applyInPlaceHook: true }], currentReplicasDelta: -1 },
  },
  {
    name: 'in place from PreparingDelete: error',
    spec: ru(1, { podUpdatePolicy: 'InPlaceIfPossible' }),
    pods: [pod(0, { lifecycleState: 'PreparingDelete' })],
    inPlace: true,
    want: { outcome: 'error', actions: [], error: { message: 'not allowed to in-place update pod web-0 in state PreparingDelete' } },
  },
  {
    name: 'recreate with a preDelete hook: PreparingDelete instead of delete',
    spec: ru(1, {}, { lifecycle: { preDelete: { labelsHandler: { hold: 'true' }, markPodNotReady: true } } }),
    pods: [pod(0, { labels: { hold: 'true' } })],
    want: { outcome: 'done', actions: [{ kind: 'lifecycle', pod: 'web-0', state: 'PreparingDelete', markPodNotReady: true }] },
  },
  // refresh
  {
    name: 'a finished in-place update: Updating -> Normal, then stop',
    spec: ru(2, {}),
    pods: [pod(0), pod(1, { revision: NEW, lifecycleState: 'Updating', inPlace: { inGrace: false, pendingBatches: false, containersCompleted: true } })],
    want: { outcome: 'refreshed', actions: [{ kind: 'lifecycle', pod: 'web-1', state: 'Normal', markPodNotReady: false }] },
  },
  {
    name: 'an unfinished in-place update counts unavailable and blocks the next pod',
    spec: ru(2, {}),
    pods: [pod(0), pod(1, { revision: NEW, lifecycleState: 'Updating', inPlace: { inGrace: false, pendingBatches: false, containersCompleted: false } })],
    want: { outcome: 'blocked', actions: [] },
  },
  {
    name: 'InPlaceUpdateReady set on a pod with the gate (does not stop the update)',
    spec: ru(1, {}),
    pods: [pod(0, { hasInPlaceReadinessGate: true, inPlaceUpdateReady: undefined, ready: false })],
    want: { outcome: 'done', actions: [{ kind: 'inPlaceUpdateReady', pod: 'web-0' }, del(0)], currentReplicasDelta: -1 },
  },
  // PVC expansion under StatefulSetAutoResizePVCGate + OnPodRollingUpdate
  {
    name: 'spec example, VCT 1Gi -> 2Gi with partition 2 of 3 (step 1/2): only web-2\'s PVC grows; the pod waits',
    spec: resizeSpec(2),
    gates: resizeGates,
    pods: pods([0, 1, 2], { revision: NEW }),
    claims: [claim(0), claim(1), claim(2)],
    want: { outcome: 'done', actions: [expand(2)] },
  },
  {
    name: 'VCT-only change (step 2/2): web-2\'s PVC matches; its revision is current: nothing more',
    spec: resizeSpec(2),
    gates: resizeGates,
    pods: pods([0, 1, 2], { revision: NEW }),
    claims: [claim(0), claim(1), claim(2, { requestStorage: '2Gi', capacityStorage: '2Gi' })],
    want: { outcome: 'done', actions: [] },
  },
  {
    name: 'image + VCT change (step 1/3): expand web-2 first',
    spec: resizeSpec(2),
    gates: resizeGates,
    pods: pods([0, 1, 2]),
    claims: [claim(0), claim(1), claim(2)],
    want: { outcome: 'done', actions: [expand(2)] },
  },
  {
    name: 'image + VCT change (step 2/3): capacity not there yet: the pod waits',
    spec: resizeSpec(2),
    gates: resizeGates,
    pods: pods([0, 1, 2]),
    claims: [claim(0), claim(1), claim(2, { requestStorage: '2Gi', capacityStorage: '1Gi' })],
    want: { outcome: 'done', actions: [] },
  },
  {
    name: 'image + VCT change (step 3/3): capacity reached: recreate web-2',
    spec: resizeSpec(2),
    gates: resizeGates,
    pods: pods([0, 1, 2]),
    claims: [claim(0), claim(1), claim(2, { requestStorage: '2Gi', capacityStorage: '2Gi' })],
    want: { outcome: 'done', actions: [del(2)], currentReplicasDelta: -1 },
  },
  {
    name: 'filesystem resize pending counts as completed',
    spec: resizeSpec(2),
    gates: resizeGates,
    pods: pods([0, 1, 2]),
    claims: [claim(0), claim(1), claim(2, { requestStorage: '2Gi', capacityStorage: '1Gi', fileSystemResizePending: true })],
    want: { outcome: 'done', actions: [del(2)], currentReplicasDelta: -1 },
  },
  {
    name: 'an expanding PVC of another pod makes that pod unavailable (maxUnavailable 1 blocks)',
    spec: resizeSpec(1),
    gates: resizeGates,
    pods: pods([0, 1, 2]),
    claims: [claim(0), claim(1), claim(2, { requestStorage: '2Gi', capacityStorage: '1Gi' })],
    want: { outcome: 'blocked', actions: [] },
  },
  {
    name: 'refusal on a class without expansion: error and FailedUpdatePVC',
    spec: resizeSpec(2, { volumeClaimTemplates: [template({ requestStorage: '2Gi', storageClassName: 'fixed' })] }),
    gates: resizeGates,
    pods: pods([0, 1, 2], { revision: NEW }),
    claims: [claim(0, { storageClassName: 'fixed' }), claim(1, { storageClassName: 'fixed' }), claim(2, { storageClassName: 'fixed' })],
    want: {
      outcome: 'error',
      actions: [],
      error: { message: 'storage class fixed for web-2 does not support volume expansion', event: { reason: 'FailedUpdatePVC', message: 'storage class fixed for web-2 does not support volume expansion' } },
    },
  },
  {
    name: 'a template shrink is never applied: larger PVCs match, nothing happens',
    spec: resizeSpec(0, { volumeClaimTemplates: [template({ requestStorage: '1Gi' })] }),
    gates: resizeGates,
    pods: pods([0, 1, 2], { revision: NEW }),
    claims: [claim(0, { requestStorage: '2Gi' }), claim(1, { requestStorage: '2Gi' }), claim(2, { requestStorage: '2Gi' })],
    want: { outcome: 'done', actions: [] },
  },
  {
    name: 'gate off: OnPodRollingUpdate is ignored, PVCs untouched',
    spec: resizeSpec(2),
    pods: pods([0, 1, 2]),
    claims: [claim(0), claim(1), claim(2)],
    want: { outcome: 'done', actions: [del(2)], currentReplicasDelta: -1 },
  },
  {
    name: 'volumeClaimUpdateStrategy OnDelete: PVCs untouched even with the gate',
    spec: resizeSpec(2, { volumeClaimUpdateStrategy: 'OnDelete' }),
    gates: resizeGates,
    pods: pods([0, 1, 2], { revision: NEW }),
    claims: [claim(0), claim(1), claim(2)],
    want: { outcome: 'done', actions: [] },
  },
  {
    name: 'in place with a PVC-only change: a no-op in-place update once the PVC is ready',
    spec: resizeSpec(2, { rollingUpdate: { partition: 2, podUpdatePolicy: 'InPlaceIfPossible', maxUnavailable: 1 } }),
    gates: resizeGates,
    pods: [...pods([0, 1], { revision: NEW }), pod(2, { revision: NEW })],
    claims: [claim(0), claim(1), claim(2, { requestStorage: '1Gi', capacityStorage: '1Gi' })],
    inPlace: true,
    want: { outcome: 'done', actions: [expand(2)] },
  },
];

describe('planRollingUpdate', () => {
  it.each(cases)('$name', (c) => {
    const slots: (PodView | undefined)[] = [];
    for (const p of c.pods) slots[p.ordinal] = p;
    const input: UpdateInput = {
      setName: SET,
      spec: c.spec,
      gates: gates(c.gates),
      pods: c.pods,
      slots,
      claims: lookup(c.claims ?? []),
      storageClasses: STORAGE_CLASSES,
      revisions: { current: OLD, update: NEW },
      canUpdateInPlace: (from, to) => (from === to ? true : (c.inPlace ?? false)),
      now: T0,
      ...(c.satisfied !== undefined && { updateExpectationsSatisfied: c.satisfied }),
    };
    const plan = planRollingUpdate(input);
    expect({
      outcome: plan.outcome,
      actions: plan.actions,
      ...(plan.error && { error: plan.error }),
      currentReplicasDelta: plan.currentReplicasDelta,
      updatedReplicasDelta: plan.updatedReplicasDelta,
    }).toEqual({ currentReplicasDelta: 0, updatedReplicasDelta: 0, ...c.want });
  });
});

describe('updateOrder (sortPodsToUpdate)', () => {
  const slotsOf = (list: PodView[]): (PodView | undefined)[] => {
    const s: (PodView | undefined)[] = [];
    for (const p of list) s[p.ordinal] = p;
    return s;
  };
  it.each<[string, RollingUpdateView, number, (PodView | undefined)[], number[]]>([
    ['ordered, partition 0', {}, 3, slotsOf(pods([0, 1, 2])), [2, 1, 0]],
    ['ordered, partition 1', { partition: 1 }, 3, slotsOf(pods([0, 1, 2])), [2, 1]],
    ['ordered skips empty slots but counts indexes', { partition: 1 }, 3, [pod(0), undefined, pod(2), pod(3)], [3, 2]],
    ['ordered, partition >= replicas', { partition: 3 }, 3, slotsOf(pods([0, 1, 2])), []],
    ['unordered: updated/terminating first, then the rest highest first', { unorderedUpdate: {} }, 4, slotsOf([pod(0), pod(1, { revision: NEW }), pod(2), pod(3, { terminating: true })]), [3, 1, 2, 0]],
    ['unordered truncated to replicas - partition', { unorderedUpdate: {}, partition: 2 }, 4, slotsOf(pods([0, 1, 2, 3])), [3, 2]],
    [
      'unordered with weight priority',
      { unorderedUpdate: { priorityStrategy: { weightPriority: [{ weight: 50, matchSelector: { matchLabels: { zone: 'a' } } }] } } },
      3,
      slotsOf([pod(0, { labels: { zone: 'a' } }), pod(1), pod(2)]),
      [0, 2, 1],
    ],
    [
      'unordered with order priority: keyless pods first, then by trailing number, larger first',
      { unorderedUpdate: { priorityStrategy: { orderPriority: [{ orderedKey: 'rank' }] } } },
      3,
      slotsOf([pod(0, { labels: { rank: 'r-1' } }), pod(1, { labels: { rank: 'r-9' } }), pod(2)]),
      [2, 1, 0],
    ],
  ])('%s', (_n, ru, replicas, slots, want) => expect(updateOrder(ru, NEW, replicas, slots)).toEqual(want));
});

describe('updateMaxUnavailable', () => {
  it.each<[RollingUpdateView | undefined, number, number]>([
    [undefined, 5, 1],
    [{ maxUnavailable: 3 }, 5, 3],
    [{ maxUnavailable: '40%' }, 5, 2],
    [{ maxUnavailable: '19%' }, 5, 1],
    [{ maxUnavailable: 0 }, 5, 1],
    [{ maxUnavailable: '100%' }, 3, 3],
  ])('%j of %d -> %d', (r, replicas, want) => expect(updateMaxUnavailable(r, replicas)).toBe(want));
});
