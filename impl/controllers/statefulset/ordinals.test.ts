import { describe, expect, it } from 'vitest';
import { claimName, ordinalOf, parentOf, parseOrdinalRange, replicasRange, reservedOrdinals, slotOrdinals, splitPods } from './ordinals.ts';
import { gates, pods, spec } from './test/builders.ts';
import type { IntOrString } from './types.ts';

describe('ordinalOf / parentOf', () => {
  it.each<[string, number, string]>([
    ['web-0', 0, 'web'],
    ['web-12', 12, 'web'],
    ['my-web-3', 3, 'my-web'],
    ['web', -1, ''],
    ['web-', -1, ''],
    ['web-a1', -1, ''],
    ['web-2147483647', 2147483647, 'web'],
    ['web-2147483648', -1, 'web'],
  ])('%s -> %d, parent %j', (name, ordinal, parent) => {
    expect(ordinalOf(name)).toBe(ordinal);
    expect(parentOf(name)).toBe(parent);
  });

  it('names PVCs <template>-<set>-<ordinal>', () => expect(claimName('data', 'web', 4)).toBe('data-web-4'));
});

describe('parseOrdinalRange', () => {
  it.each<[string, [number, number] | undefined]>([
    ['1-3', [1, 3]],
    ['3-3', [3, 3]],
    ['+1-2', [1, 2]],
    ['3-1', undefined],
    ['1', undefined],
    ['1-2-3', undefined],
    ['a-b', undefined],
    ['-1-3', undefined],
    ['', undefined],
  ])('%j -> %j', (s, want) => expect(parseOrdinalRange(s)).toEqual(want));
});

describe('reservedOrdinals', () => {
  it.each<[string, IntOrString[] | undefined, number[]]>([
    ['unset', undefined, []],
    ['ints', [1, 3], [1, 3]],
    ['ints and a range', [0, '4-6'], [0, 4, 5, 6]],
    ['overlapping ranges', ['1-3', '2-4'], [1, 2, 3, 4]],
    ['one invalid string empties the whole set, as kruise does', [1, '3'], []],
    ['a reversed range also empties it', [1, '5-2'], []],
  ])('%s', (_n, items, want) => expect([...reservedOrdinals(items)].sort((a, b) => a - b)).toEqual(want));
});

describe('replicasRange', () => {
  it.each<[string, Parameters<typeof spec>[1] & { replicas: number }, boolean, { start: number; end: number; slots: number[] }]>([
    ['3 replicas', { replicas: 3 }, false, { start: 0, end: 3, slots: [0, 1, 2] }],
    ['0 replicas', { replicas: 0 }, false, { start: 0, end: 0, slots: [] }],
    ['spec example: replicas 4, reserve [1,3], start 2 -> slots 2,4,5,6', { replicas: 4, reserveOrdinals: [1, 3], ordinalsStart: 2 }, true, { start: 2, end: 7, slots: [2, 4, 5, 6] }],
    ['ordinals.start ignored without the gate', { replicas: 4, reserveOrdinals: [1, 3], ordinalsStart: 2 }, false, { start: 0, end: 6, slots: [0, 2, 4, 5] }],
    ['reserve [1] with 3 replicas: slots 0,2,3', { replicas: 3, reserveOrdinals: [1] }, false, { start: 0, end: 4, slots: [0, 2, 3] }],
    ['a reserved range', { replicas: 2, reserveOrdinals: ['0-2'] }, false, { start: 0, end: 5, slots: [3, 4] }],
    ['reserved ordinals beyond the range change nothing', { replicas: 2, reserveOrdinals: [9] }, false, { start: 0, end: 2, slots: [0, 1] }],
  ])('%s', (_n, s, startGate, want) => {
    const range = replicasRange(spec(s.replicas, s), gates({ startOrdinal: startGate }));
    expect({ start: range.start, end: range.end, slots: slotOrdinals(range) }).toEqual(want);
  });
});

describe('splitPods', () => {
  it('puts in-range pods at ordinal - start and condemns the rest, highest first; no-ordinal pods are ignored', () => {
    const range = replicasRange(spec(4, { reserveOrdinals: [1, 3], ordinalsStart: 2 }), gates({ startOrdinal: true }));
    const all = [...pods([0, 1, 2, 3, 4, 6, 9])];
    const { slots, condemned } = splitPods([...all, { ...all[0]!, name: 'web', ordinal: -1 }], range);
    expect(slots.map((p) => p?.ordinal)).toEqual([2, undefined, 4, undefined, 6]);
    expect(condemned.map((p) => p.ordinal)).toEqual([9, 3, 1, 0]);
  });
});
