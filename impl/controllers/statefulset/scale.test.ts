// planScale case by case. "(step i/n)" rows replay one scale reconcile by reconcile.
import { describe, expect, it } from 'vitest';
import type { Action } from './actions.ts';
import { planScale, scaleMaxUnavailable, type ScaleInput } from './scale.ts';
import { NEW, OLD, SET, SET_UID, T0, claim, gates, lookup, notReady, pending, pod, pods, spec, template } from './test/builders.ts';
import type { ClaimView, PodView, StatefulSetGates, StatefulSetSpecView } from './types.ts';

interface Case {
  readonly name: string;
  readonly spec: StatefulSetSpecView;
  readonly pods: readonly PodView[];
  readonly claims?: readonly ClaimView[];
  readonly gates?: Partial<StatefulSetGates>;
  readonly update?: string;
  readonly deleting?: boolean;
  readonly now?: number;
  readonly actions: readonly Action[];
  readonly exit: boolean;
  readonly requeueAfterMs?: number;
}

const create = (ordinal: number, revision = OLD, lifecycleState: 'Normal' | 'PreparingNormal' = 'Normal'): Action => ({ kind: 'createPod', pod: `web-${ordinal}`, ordinal, revision, lifecycleState });
const del = (ordinal: number, reason: 'failed' | 'scaleIn' = 'scaleIn'): Action => ({ kind: 'deletePod', pod: `web-${ordinal}`, reason });
const parallel = (replicas: number, o: Partial<StatefulSetSpecView> = {}) => spec(replicas, { podManagementPolicy: 'Parallel', ...o });
const preDelete = { preDelete: { labelsHandler: { hold: 'true' } } };

const input = (c: Case): ScaleInput => ({
  setName: SET,
  setUid: SET_UID,
  spec: c.spec,
  gates: gates(c.gates),
  pods: c.pods,
  claims: lookup(c.claims ?? []),
  revisions: { current: OLD, update: c.update ?? OLD },
  newPodMeta: () => ({ labels: { app: 'web' } }),
  now: c.now ?? T0,
  ...(c.deleting && { deleting: true }),
});

const cases: Case[] = [
  // OrderedReady scale 0 -> 3, one pod at a time
  { name: 'ordered 0 -> 3 (step 1/4): create web-0 and stop', spec: spec(3), pods: [], actions: [create(0)], exit: true },
  { name: 'ordered 0 -> 3 (step 2/4): web-0 not ready yet, wait', spec: spec(3), pods: [notReady(0)], actions: [], exit: true },
  { name: 'ordered 0 -> 3 (step 3/4): web-0 ready, create web-1', spec: spec(3), pods: [pod(0)], actions: [create(1)], exit: true },
  { name: 'ordered 0 -> 3 (step 4/4): all ready, nothing to do', spec: spec(3), pods: pods([0, 1, 2]), actions: [], exit: false },
  { name: 'ordered: a Pending pod halts creation of the next', spec: spec(3), pods: [pod(0), pending(1)], actions: [], exit: true },
  {
    name: 'ordered: minReadySeconds halts until web-0 has been ready long enough',
    spec: spec(2, { rollingUpdate: { minReadySeconds: 10 } }),
    pods: [pod(0, { readySince: T0 - 4_000 })],
    actions: [],
    exit: true,
    requeueAfterMs: 6_000,
  },
  { name: 'ordered: a lifecycle state other than Normal halts', spec: spec(2), pods: [pod(0, { lifecycleState: 'PreparingNormal' })], actions: [{ kind: 'lifecycle', pod: 'web-0', state: 'Normal', markPodNotReady: false }], exit: true },
  { name: 'ordered: a terminating pod in range halts', spec: spec(3), pods: [pod(0, { terminating: true })], actions: [], exit: true },
  { name: 'a failed pod is deleted (recreated next time)', spec: spec(2), pods: [pod(0, { phase: 'Failed', ready: false }), pod(1)], actions: [del(0, 'failed')], exit: true },
  { name: 'a succeeded pod already terminating: just wait', spec: spec(1), pods: [pod(0, { phase: 'Succeeded', ready: false, terminating: true })], actions: [], exit: true },
  { name: 'a failed pod held by a preDelete hook goes PreparingDelete', spec: spec(1, { lifecycle: preDelete }), pods: [pod(0, { phase: 'Failed', ready: false, labels: { hold: 'true' } })], actions: [{ kind: 'lifecycle', pod: 'web-0', state: 'PreparingDelete', markPodNotReady: false }], exit: true },
  // revisions of new pods
  { name: 'new pods below the partition are created at the current revision', spec: spec(3, { rollingUpdate: { partition: 2 } }), pods: [pod(0)], update: NEW, actions: [create(1, OLD)], exit: true },
  { name: 'new pods at or above the partition get the update revision', spec: spec(3, { rollingUpdate: { partition: 2 } }), pods: pods([0, 1]), update: NEW, actions: [create(2, NEW)], exit: true },
  { name: 'a preNormal hook not yet satisfied: created PreparingNormal', spec: spec(1, { lifecycle: { preNormal: { labelsHandler: { gate: 'open' } } } }), pods: [], actions: [create(0, OLD, 'PreparingNormal')], exit: true },
  { name: 'a preNormal hook the template labels satisfy: created Normal', spec: spec(1, { lifecycle: { preNormal: { labelsHandler: { app: 'web' } } } }), pods: [], actions: [create(0)], exit: true },
  // OrderedReady scale-in
  { name: 'ordered 3 -> 1 (step 1/2): delete web-2 only', spec: spec(1), pods: pods([0, 1, 2]), actions: [del(2)], exit: true },
  { name: 'ordered 3 -> 1 (step 2/2): web-2 terminating, wait', spec: spec(1), pods: [...pods([0, 1]), pod(2, { terminating: true })], actions: [], exit: true },
  { name: 'ordered scale-in waits while a lower pod is unhealthy', spec: spec(2), pods: [pod(0), notReady(1), pod(2)], actions: [], exit: true },
  { name: 'ordered scale-in may delete the first unhealthy pod itself', spec: spec(1), pods: [pod(0), notReady(1)], actions: [del(1)], exit: true },
  { name: 'ordered scale-in with a preDelete hook: PreparingDelete then stop', spec: spec(1, { lifecycle: preDelete }), pods: [pod(0), pod(1, { labels: { hold: 'true' } })], actions: [{ kind: 'lifecycle', pod: 'web-1', state: 'PreparingDelete', markPodNotReady: false }], exit: true },
  { name: 'ordered scale-in: a pod already PreparingDelete and unhealthy is the first unhealthy; still held, nothing to do', spec: spec(1, { lifecycle: preDelete }), pods: [pod(0), pod(1, { labels: { hold: 'true' }, lifecycleState: 'PreparingDelete' })], actions: [], exit: false },
  { name: 'ordered scale-in: hook released, delete', spec: spec(1, { lifecycle: preDelete }), pods: [pod(0), pod(1, { lifecycleState: 'PreparingDelete' })], actions: [del(1)], exit: true },
  // reserveOrdinals
  { name: 'reserving ordinal 1 with replicas unchanged: create web-3 first (ascending)', spec: spec(3, { reserveOrdinals: [1] }), pods: pods([0, 1, 2]), actions: [create(3)], exit: true },
  { name: 'reserving ordinal 1, web-3 ready: delete web-1', spec: spec(3, { reserveOrdinals: [1] }), pods: pods([0, 1, 2, 3]), actions: [del(1)], exit: true },
  {
    name: 'spec example start 2, reserve [1,3]: the first slot is web-2',
    spec: spec(4, { reserveOrdinals: [1, 3], ordinalsStart: 2 }),
    gates: { startOrdinal: true },
    pods: [],
    actions: [create(2)],
    exit: true,
  },
  // Parallel
  { name: 'parallel 0 -> 3: create all', spec: parallel(3), pods: [], actions: [create(0), create(1), create(2)], exit: false },
  { name: 'parallel 3 -> 0: delete all', spec: parallel(0), pods: pods([0, 1, 2]), actions: [del(2), del(1), del(0)], exit: false },
  { name: 'parallel with scale maxUnavailable 2: create 2 of 4', spec: parallel(4, { scaleMaxUnavailable: 2 }), pods: [], actions: [create(0), create(1)], exit: false },
  { name: 'parallel with scale maxUnavailable 2 and an unready pod: create 1', spec: parallel(4, { scaleMaxUnavailable: 2 }), pods: [notReady(0)], actions: [create(1)], exit: false },
  { name: 'parallel with scale maxUnavailable "50%" of 4 (floor 2)', spec: parallel(4, { scaleMaxUnavailable: '50%' }), pods: [], actions: [create(0), create(1)], exit: false },
  { name: 'parallel with scale maxUnavailable "10%" of 4 floors to 0, minimum 1', spec: parallel(4, { scaleMaxUnavailable: '10%' }), pods: [], actions: [create(0)], exit: false },
  { name: 'parallel: a terminating pod in range uses the budget', spec: parallel(3, { scaleMaxUnavailable: 1 }), pods: [pod(0, { terminating: true })], actions: [], exit: false },
  { name: 'parallel: terminating condemned pods are skipped', spec: parallel(1), pods: [pod(0), pod(1, { terminating: true }), pod(2)], actions: [del(2)], exit: false },
  // PVCs, identity, retention
  { name: 'a Pending pod whose PVC is gone: recreate the PVC', spec: spec(1, { volumeClaimTemplates: [template()] }), pods: [pending(0)], actions: [{ kind: 'createMissingClaims', pod: 'web-0', ordinal: 0 }], exit: true },
  { name: 'a pod with a broken identity gets fixed', spec: spec(1), pods: [pod(0, { identityMatches: false })], actions: [{ kind: 'fixPodIdentity', pod: 'web-0', ordinal: 0 }], exit: false },
  {
    name: 'WhenDeleted=Delete: PVCs of pods in range get the set ownerRef',
    spec: spec(1, { volumeClaimTemplates: [template()], retentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } }),
    pods: [pod(0)],
    claims: [claim(0)],
    actions: [{ kind: 'fixClaimOwners', pod: 'web-0', claim: 'data-web-0', ownerReferences: [{ apiVersion: 'apps.kruise.io/v1beta1', kind: 'StatefulSet', name: SET, uid: SET_UID }] }],
    exit: false,
  },
  {
    name: 'WhenScaled=Delete: the condemned pod becomes its PVC owner before it is deleted',
    spec: spec(1, { volumeClaimTemplates: [template()], retentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } }),
    pods: pods([0, 1]),
    claims: [claim(0), claim(1)],
    actions: [{ kind: 'fixClaimOwners', pod: 'web-1', claim: 'data-web-1', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'web-1', uid: 'uid-web-1' }] }, del(1)],
    exit: true,
  },
  {
    name: 'WhenScaled=Delete: a stale PVC (owned by the old web-1) blocks creating web-1',
    spec: spec(2, { volumeClaimTemplates: [template()], retentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } }),
    pods: [pod(0)],
    claims: [claim(0), claim(1, { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'web-1', uid: 'old-uid' }] })],
    actions: [],
    exit: true,
  },
  {
    name: 'the StatefulSetAutoDeletePVC gate off: retention ownerRefs are left alone',
    spec: spec(1, { volumeClaimTemplates: [template()], retentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } }),
    gates: { autoDeletePVC: false },
    pods: [pod(0)],
    claims: [claim(0)],
    actions: [],
    exit: false,
  },
  // refresh
  { name: 'a pod with the InPlaceUpdateReady gate gets the condition', spec: spec(1), pods: [pod(0, { hasInPlaceReadinessGate: true, ready: false })], actions: [{ kind: 'inPlaceUpdateReady', pod: 'web-0' }], exit: true },
  // deletion
  { name: 'the set is being deleted: nothing but status', spec: spec(3), pods: [pod(0)], deleting: true, actions: [], exit: true },
];

describe('planScale', () => {
  it.each(cases)('$name', (c) => {
    const plan = planScale(input(c));
    expect({ actions: plan.actions, exit: plan.exit, requeueAfterMs: plan.requeueAfterMs }).toEqual({ actions: c.actions, exit: c.exit, requeueAfterMs: c.requeueAfterMs });
  });

  it('fills empty slots with planned pods and lists condemned pods highest first', () => {
    const plan = planScale(input({ name: '', spec: spec(2, { reserveOrdinals: [0] }), pods: pods([0, 1, 5]), actions: [], exit: false }));
    expect(plan.slots.map((p) => p && `${p.name}:${p.phase}`)).toEqual([undefined, 'web-1:Running', 'web-2:']);
    expect(plan.condemned.map((p) => p.name)).toEqual(['web-5', 'web-0']);
  });
});

describe('scaleMaxUnavailable', () => {
  it.each<[number | string | undefined, number, number | undefined]>([
    [undefined, 5, undefined],
    [2, 5, 2],
    ['50%', 5, 2],
    ['10%', 5, 1],
    [0, 5, 1],
    ['x%', 5, undefined],
  ])('%j of %d -> %j', (v, replicas, want) => expect(scaleMaxUnavailable({ replicas, ...(v !== undefined && { scaleMaxUnavailable: v }) })).toBe(want));
});
