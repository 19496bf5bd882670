import type { V1LabelSelector, V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { claimDecision, planClaims, setsSelecting, withControllerRef, withoutOwnerRef, type ClaimDecision } from './claim.ts';
import type { AdvancedStatefulSet } from './views.ts';

const SET_UID = 'uid-set';
const set = (o: { deleting?: boolean; selector?: V1LabelSelector; name?: string } = {}): AdvancedStatefulSet => ({
  apiVersion: 'apps.kruise.io/v1beta1',
  kind: 'StatefulSet',
  metadata: { name: o.name ?? 'web', namespace: 'ns', uid: SET_UID, ...(o.deleting && { deletionTimestamp: new Date(0) }) },
  spec: { selector: o.selector ?? { matchLabels: { app: 'web' } }, template: {}, serviceName: 'web' } as AdvancedStatefulSet['spec'],
});
const ours: V1OwnerReference = { apiVersion: 'apps.kruise.io/v1beta1', kind: 'StatefulSet', name: 'web', uid: SET_UID, controller: true, blockOwnerDeletion: true };
const theirs: V1OwnerReference = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'uid-rs', controller: true };
const gc: V1OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'uid-cm' };

const pod = (o: { name?: string; labels?: Record<string, string>; refs?: V1OwnerReference[]; deleting?: boolean; namespace?: string } = {}): V1Pod => ({
  metadata: {
    name: o.name ?? 'web-2',
    namespace: o.namespace ?? 'ns',
    uid: `uid-${o.name ?? 'web-2'}`,
    labels: o.labels ?? { app: 'web' },
    ...(o.refs && { ownerReferences: o.refs }),
    ...(o.deleting && { deletionTimestamp: new Date(0) }),
  },
});

describe('claimDecision (ClaimObject)', () => {
  it.each<[string, V1Pod, AdvancedStatefulSet, ClaimDecision]>([
    ['ours and matching', pod({ refs: [ours] }), set(), 'owned'],
    ['ours, matching, terminating: still ours', pod({ refs: [ours], deleting: true }), set(), 'owned'],
    ['ours, labels stopped matching: release', pod({ refs: [ours], labels: { app: 'released' } }), set(), 'release'],
    ['ours, name of another set: release', pod({ name: 'db-2', refs: [ours] }), set(), 'release'],
    ['ours, no longer matching, set being deleted: kept as is', pod({ refs: [ours], labels: {} }), set({ deleting: true }), 'ignore'],
    ['controlled by someone else', pod({ refs: [theirs] }), set(), 'ignore'],
    ['orphan matching: adopt', pod(), set(), 'adopt'],
    ['orphan with a non-controller ownerReference: adopt', pod({ refs: [gc] }), set(), 'adopt'],
    ['orphan matching, set being deleted', pod(), set({ deleting: true }), 'ignore'],
    ['orphan not matching the selector', pod({ labels: { app: 'other' } }), set(), 'ignore'],
    ['orphan matching the selector but not named <set>-<ordinal>', pod({ name: 'web-x' }), set(), 'ignore'],
    ['orphan terminating', pod({ deleting: true }), set(), 'ignore'],
    ['orphan in another namespace', pod({ namespace: 'other' }), set(), 'ignore'],
    ['matchExpressions selector', pod({ labels: { app: 'web', tier: 'db' } }), set({ selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }] } }), 'adopt'],
    ['an invalid selector matches nothing', pod({ refs: [ours] }), set({ selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] } }), 'release'],
  ])('%s -> %s', (_n, p, s, want) => expect(claimDecision(p, s)).toBe(want));
});

describe('planClaims (ClaimPods)', () => {
  it('lists owned and adopted pods as claimed, the adopted ones with our controller reference', () => {
    const pods = [pod({ name: 'web-0', refs: [ours] }), pod({ name: 'web-1' }), pod({ name: 'web-2', refs: [ours], labels: { app: 'x' } }), pod({ name: 'other-0', refs: [theirs] })];
    const plan = planClaims(pods, set());
    expect({ claimed: plan.claimed.map((p) => p.metadata?.name), adopt: plan.adopt.map((p) => p.metadata?.name), release: plan.release.map((p) => p.metadata?.name) }).toEqual({
      claimed: ['web-0', 'web-1'],
      adopt: ['web-1'],
      release: ['web-2'],
    });
    expect(plan.claimed[1]?.metadata?.ownerReferences).toEqual([ours]);
    expect(pods[1]?.metadata?.ownerReferences, 'the input is not modified').toBeUndefined();
  });
});

describe('withControllerRef / withoutOwnerRef (the adopt and release writes)', () => {
  it('adopt appends our controller reference and keeps others', () => {
    expect(withControllerRef(pod({ refs: [gc] }), set())?.metadata?.ownerReferences).toEqual([gc, ours]);
  });
  it('adopt is a no-op when the pod is ours already', () => {
    expect(withControllerRef(pod({ refs: [ours] }), set())).toBeUndefined();
  });
  it('adopt fails when the live pod got another controller or was replaced', () => {
    expect(() => withControllerRef(pod({ refs: [theirs] }), set())).toThrow('already controlled by ReplicaSet rs');
    expect(() => withControllerRef(pod(), set(), 'uid-old')).toThrow('was replaced');
  });
  it('release removes only our reference; no-op without it or for a replaced pod', () => {
    expect(withoutOwnerRef(pod({ refs: [gc, ours] }), SET_UID)?.metadata?.ownerReferences).toEqual([gc]);
    expect(withoutOwnerRef(pod({ refs: [gc] }), SET_UID)).toBeUndefined();
    expect(withoutOwnerRef(pod({ refs: [ours] }), SET_UID, 'uid-old')).toBeUndefined();
  });
});

describe('setsSelecting (waking sets for an orphan)', () => {
  const sets = [set(), set({ name: 'db', selector: { matchLabels: { app: 'db' } } }), set({ name: 'all', selector: {} })];
  it.each<[string, Record<string, string>, string[]]>([
    ['matches one set', { app: 'web' }, ['ns/web']],
    ['matches another', { app: 'db', x: 'y' }, ['ns/db']],
    ['matches none (an empty selector selects nothing)', { app: 'released' }, []],
  ])('%s', (_n, labels, want) => expect(setsSelecting(labels, sets)).toEqual(want));
});
