import { describe, expect, it } from 'vitest';
import { completeRollingUpdate, countReplicas, setCondition, statusNeedsWrite, type StatefulSetStatus, type StoredStatus } from './status.ts';
import { NEW, OLD, T0, notReady, pod } from './test/builders.ts';
import type { PodView } from './types.ts';

const revisions = { current: OLD, update: NEW };

describe('countReplicas', () => {
  it.each<[string, PodView[], number, Partial<ReturnType<typeof countReplicas>>]>([
    ['empty', [], 0, { replicas: 0, readyReplicas: 0 }],
    ['created pods only count as replicas', [pod(0), pod(1, { phase: '' })], 0, { replicas: 1, readyReplicas: 1, availableReplicas: 1, currentReplicas: 1 }],
    ['pending and unready pods', [pod(0, { phase: 'Pending', ready: false }), notReady(1)], 0, { replicas: 2, readyReplicas: 0, currentReplicas: 2 }],
    ['a terminating pod is a replica but not current/updated', [pod(0, { terminating: true })], 0, { replicas: 1, readyReplicas: 1, currentReplicas: 0, updatedReplicas: 0 }],
    ['a non-Normal lifecycle state is ready but not available', [pod(0, { lifecycleState: 'PreparingUpdate' })], 0, { readyReplicas: 1, availableReplicas: 0 }],
    ['minReadySeconds: ready but not yet available', [pod(0, { readySince: T0 - 5_000 }), pod(1, { readySince: T0 - 60_000, revision: NEW })], 10, { readyReplicas: 2, availableReplicas: 1, updatedReadyReplicas: 1, updatedAvailableReplicas: 1 }],
    ['updated counts', [pod(0), pod(1, { revision: NEW }), notReady(2, { revision: NEW })], 0, { currentReplicas: 1, updatedReplicas: 2, updatedReadyReplicas: 1 }],
  ])('%s', (_n, pods, minReady, want) => expect(countReplicas(pods, minReady, revisions, T0)).toMatchObject(want));
});

const base: StatefulSetStatus = {
  observedGeneration: 2,
  replicas: 3,
  readyReplicas: 3,
  availableReplicas: 3,
  currentReplicas: 0,
  updatedReplicas: 3,
  updatedReadyReplicas: 3,
  updatedAvailableReplicas: 3,
  currentRevision: OLD,
  updateRevision: NEW,
  collisionCount: 0,
  labelSelector: 'app=web',
  volumeClaims: [{ volumeClaimName: 'data', compatibleReplicas: 3, compatibleReadyReplicas: 3 }],
};

describe('completeRollingUpdate', () => {
  it.each<[string, Partial<StatefulSetStatus>, 'RollingUpdate' | 'OnDelete', boolean]>([
    ['all updated and ready: flip', {}, 'RollingUpdate', true],
    ['all updated, one not ready: no flip (stricter than CloneSet)', { readyReplicas: 2 }, 'RollingUpdate', false],
    ['not all updated: no flip', { updatedReplicas: 2 }, 'RollingUpdate', false],
    ['OnDelete never flips', {}, 'OnDelete', false],
  ])('%s', (_n, o, type, flips) => {
    const got = completeRollingUpdate({ ...base, ...o }, type);
    expect(got.currentRevision).toBe(flips ? NEW : OLD);
    expect(got.currentReplicas).toBe(flips ? (o.updatedReplicas ?? 3) : 0);
  });
});

describe('statusNeedsWrite', () => {
  const stored: StoredStatus = { ...base };
  it.each<[string, StoredStatus, Partial<StatefulSetStatus>, boolean]>([
    ['unchanged', stored, {}, false],
    ['a new generation', stored, { observedGeneration: 3 }, true],
    ['ready count', stored, { readyReplicas: 2 }, true],
    ['updatedReady count (compared here, unlike kruise)', stored, { updatedReadyReplicas: 2 }, true],
    ['collisionCount alone is not written', stored, { collisionCount: 1 }, false],
    ['conditions alone are not written', stored, { conditions: [{ type: 'FailedCreatePod', status: 'True' }] }, false],
    ['a volume claim count', stored, { volumeClaims: [{ volumeClaimName: 'data', compatibleReplicas: 2, compatibleReadyReplicas: 2 }] }, true],
    ['a volume claim entry dropped', stored, { volumeClaims: [] }, true],
    ['a volume claim entry added only (no generation bump): not written', { ...stored, volumeClaims: [] }, {}, false],
    ['an empty stored status', {}, {}, true],
  ])('%s', (_n, prev, o, want) => expect(statusNeedsWrite(prev, { ...base, ...o })).toBe(want));
});

describe('setCondition', () => {
  const c = { type: 'FailedCreatePod', status: 'True' as const, lastTransitionTime: 't1', message: 'a' };
  it('adds, keeps the time on a same-status change, replaces on a status change, ignores same status+reason', () => {
    expect(setCondition([], c)).toEqual([c]);
    expect(setCondition([c], { ...c, lastTransitionTime: 't2', message: 'b' })).toEqual([c]);
    expect(setCondition([c], { ...c, reason: 'R', lastTransitionTime: 't2', message: 'b' })).toEqual([{ ...c, reason: 'R', message: 'b' }]);
    expect(setCondition([c], { ...c, status: 'False', lastTransitionTime: 't3' })).toEqual([{ ...c, status: 'False', lastTransitionTime: 't3' }]);
  });
});
