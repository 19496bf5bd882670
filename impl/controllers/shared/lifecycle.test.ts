import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { isPodAllHooked, isPodHooked, withLifecycleNotReadyKey, withPodCondition } from './lifecycle.ts';

const T1 = new Date('2026-01-01T00:00:00Z');
const T2 = new Date('2026-01-01T00:00:05Z');

function pod(message?: string, gate = true): V1Pod {
  return {
    metadata: { name: 'p' },
    spec: { containers: [], ...(gate && { readinessGates: [{ conditionType: 'KruisePodReady' }] }) },
    status: { conditions: [{ type: 'Ready', status: 'True' }, ...(message !== undefined ? [{ type: 'KruisePodReady', status: message === '' ? 'True' : 'False', message, lastTransitionTime: T1 }] : [])] },
  };
}
const kruiseReady = (p: V1Pod | undefined) => p?.status?.conditions?.find((c) => c.type === 'KruisePodReady');
const ready = (p: V1Pod | undefined) => p?.status?.conditions?.find((c) => c.type === 'Ready')?.status;

describe('hooks', () => {
  const hook = { labelsHandler: { a: 'x', b: '' }, finalizersHandler: ['f'] };
  const rows: { name: string; labels: Record<string, string>; finalizers: string[]; any: boolean; all: boolean }[] = [
    { name: 'nothing matches but the empty-value label', labels: {}, finalizers: [], any: true, all: false },
    { name: 'one finalizer', labels: { b: 'y' }, finalizers: ['f'], any: true, all: false },
    { name: 'everything', labels: { a: 'x' }, finalizers: ['f'], any: true, all: true },
  ];
  it.each(rows)('$name', ({ labels, finalizers, any, all }) => {
    expect([isPodHooked(hook, { labels, finalizers }), isPodAllHooked(hook, { labels, finalizers })]).toEqual([any, all]);
  });
  it('an unset hook hooks nothing', () => {
    expect([isPodHooked(undefined, { labels: {} }), isPodAllHooked(undefined, { labels: {} })]).toEqual([false, false]);
  });
});

describe('withLifecycleNotReadyKey', () => {
  it('PreparingDelete adds its key, sorted after keys of other agents, and marks the pod not Ready', () => {
    const next = withLifecycleNotReadyKey(pod('[{"userAgent":"Zeta","key":"z"}]'), 'PreparingDelete', T2);
    expect(kruiseReady(next)).toMatchObject({ status: 'False', message: '[{"userAgent":"Lifecycle","key":"preDeleteHook"},{"userAgent":"Zeta","key":"z"}]' });
    expect(ready(next)).toBe('False');
  });
  it('Updated removes the update key; with none left the condition is True with an empty message', () => {
    const next = withLifecycleNotReadyKey(pod('[{"userAgent":"Lifecycle","key":"preUpdateHook"}]'), 'Updated', T2);
    expect(kruiseReady(next)).toMatchObject({ status: 'True', message: '', lastTransitionTime: T2 });
    expect(ready(next), 'Ready is the kubelet’s to set back').toBe('True');
  });
  it('writes nothing when the key is already there (or already gone), for other states, or without the gate', () => {
    expect(withLifecycleNotReadyKey(pod('[{"userAgent":"Lifecycle","key":"preUpdateHook"}]'), 'PreparingUpdate', T2)).toBeUndefined();
    expect(withLifecycleNotReadyKey(pod(''), 'Updated', T2)).toBeUndefined();
    expect(withLifecycleNotReadyKey(pod(''), 'Normal', T2)).toBeUndefined();
    expect(withLifecycleNotReadyKey(pod(undefined, false), 'PreparingDelete', T2)).toBeUndefined();
  });
  it('reads a message that is not a JSON list as no keys', () => {
    expect(kruiseReady(withLifecycleNotReadyKey(pod('{"not":"a list"}'), 'PreparingUpdate', T2))?.message).toBe('[{"userAgent":"Lifecycle","key":"preUpdateHook"}]');
  });
});

describe('withPodCondition', () => {
  it('keeps the transition time while the status stays, and replaces it when the status changes', () => {
    const base = pod('[{"userAgent":"A","key":"k"}]');
    expect(kruiseReady(withPodCondition(base, { type: 'KruisePodReady', status: 'False', message: 'other', lastTransitionTime: T2 }))?.lastTransitionTime).toEqual(T1);
    expect(kruiseReady(withPodCondition(base, { type: 'KruisePodReady', status: 'True', lastTransitionTime: T2 }))?.lastTransitionTime).toEqual(T2);
    expect(withPodCondition(base, { type: 'Ready', status: 'True' })).toBeUndefined();
    expect(base.status?.conditions?.map((c) => c.type), 'the input is not changed').toEqual(['Ready', 'KruisePodReady']);
  });
});
