import { describe, expect, it } from 'vitest';
import type { Labels } from './label-selector.ts';
import { groupByDensity, scatterByTerm, scatterSort, scatterTermsInOrder, type ScatterTerm } from './scatter-sort.ts';

const zones = (...zs: string[]): Labels[] => zs.map((z): Labels => (z === '-' ? {} : { zone: z }));
const A: ScatterTerm = { key: 'zone', value: 'a' };

describe('groupByDensity', () => {
  it.each<[string, [number, number, number, number], ReturnType<typeof groupByDensity>]>([
    ['candidates as dense as the workload: candidate grouping', [2, 3, 2, 3], { groupNum: 2, matchedGroupSize: 1, unmatchedGroupSize: 2, unmatchedRemainder: 0 }],
    ['rounding is half away from zero', [2, 5, 2, 5], { groupNum: 2, matchedGroupSize: 1, unmatchedGroupSize: 3, unmatchedRemainder: 0 }],
    ['candidates denser in unmatched: workload sizes plus a remainder', [4, 5, 2, 5], { groupNum: 2, matchedGroupSize: 1, unmatchedGroupSize: 1, unmatchedRemainder: 3 }],
    ['workload grouping with larger groups', [2, 6, 1, 6], { groupNum: 1, matchedGroupSize: 1, unmatchedGroupSize: 3, unmatchedRemainder: 3 }],
  ])('%s', (_name, [tm, tu, m, u], want) => expect(groupByDensity(tm, tu, m, u)).toEqual(want));
});

describe('scatterByTerm', () => {
  it.each<[string, Labels[], number[], number[]]>([
    ['alternates evenly and holds the last matched pod back', zones('a', 'a', 'a', 'b', 'b', 'b'), [0, 1, 2, 3, 4, 5], [0, 3, 4, 1, 5, 2]],
    ['puts the unmatched remainder first when candidates are unmatched-heavy', zones('a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'b'), [0, 1, 2, 5, 6, 7, 8, 9], [5, 6, 7, 0, 8, 1, 9, 2]],
    ['leaves the list alone with a single matched candidate', zones('a', 'b', 'b'), [0, 1, 2], [0, 1, 2]],
    ['leaves the list alone with a single unmatched candidate', zones('a', 'a', 'b'), [2, 0, 1], [2, 0, 1]],
    ['pods without the label are unmatched', zones('a', 'a', '-', '-'), [0, 1, 2, 3], [0, 2, 3, 1]],
  ])('%s', (_name, labels, input, want) => expect(scatterByTerm(A, labels, input)).toEqual(want));

  it('a term with an empty value matches pods without the label', () => {
    expect(scatterByTerm({ key: 'zone', value: '' }, zones('-', '-', 'a', 'a'), [0, 1, 2, 3])).toEqual([0, 2, 3, 1]);
  });
});

describe('scatterTermsInOrder', () => {
  const labels: Labels[] = [{ zone: 'a', rack: 'r1' }, { zone: 'b', rack: 'r1' }, { zone: 'a', rack: 'r1' }, { zone: 'c' }];
  it.each<[string, ScatterTerm[], ScatterTerm[]]>([
    ['a single term is used as is, even unmatched', [{ key: 'zone', value: 'z' }], [{ key: 'zone', value: 'z' }]],
    ['several terms: only matched ones, most matched first', [{ key: 'zone', value: 'a' }, { key: 'zone', value: 'z' }, { key: 'rack', value: 'r1' }], [{ key: 'rack', value: 'r1' }, { key: 'zone', value: 'a' }]],
    ['ties keep their order', [{ key: 'zone', value: 'b' }, { key: 'zone', value: 'c' }], [{ key: 'zone', value: 'b' }, { key: 'zone', value: 'c' }]],
  ])('%s', (_name, terms, want) => expect(scatterTermsInOrder(terms, labels, [0, 1, 2, 3])).toEqual(want));
});

describe('scatterSort', () => {
  it('is a no-op without terms or with one candidate', () => {
    expect(scatterSort(undefined, zones('a', 'a', 'b'), [1, 0, 2])).toEqual([1, 0, 2]);
    expect(scatterSort([A], zones('a'), [0])).toEqual([0]);
  });
  it('applies the terms in order', () => {
    expect(scatterSort([A], zones('a', 'a', 'a', 'b', 'b', 'b'), [0, 1, 2, 3, 4, 5])).toEqual([0, 3, 4, 1, 5, 2]);
  });
});
