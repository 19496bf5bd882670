import { describe, expect, it } from 'vitest';
import type { Labels } from './label-selector.ts';
import { orderOf, sortByPriority, trailingInteger, weightOf, type UpdatePriorityStrategy } from './priority-sort.ts';

describe('trailingInteger', () => {
  it.each<[string, number]>([
    ['sts-10', 10], ['10', 10], ['a1b22', 22], ['abc', 0], ['', 0], ['x-007', 7], ['n99999999999999999999', 0],
  ])('%j -> %d', (v, want) => expect(trailingInteger(v)).toBe(want));
});

describe('weightOf', () => {
  const terms = [
    { weight: 50, matchSelector: { matchLabels: { key: 'a' } } },
    { weight: 30, matchSelector: { matchExpressions: [{ key: 'zone', operator: 'Exists' as const }] } },
    { weight: 100, matchSelector: { matchExpressions: [{ key: 'x', operator: 'In' as const, values: [] }] } }, // invalid: ignored
    { weight: 0, matchSelector: { matchLabels: { key: 'a' } } },
  ];
  it.each<[Labels, number]>([
    [{ key: 'a', zone: 'z' }, 80], [{ key: 'a' }, 50], [{ zone: 'z' }, 30], [{ x: 'y' }, 0],
  ])('%j -> %d', (labels, want) => expect(weightOf(terms, labels)).toBe(want));
});

describe('orderOf', () => {
  const terms = [{ orderedKey: 'first' }, { orderedKey: 'second' }];
  it.each<[Labels, { level: number; order: number }]>([
    [{ first: 'x-3', second: 'y-9' }, { level: 0, order: 3 }],
    [{ second: 'y-9' }, { level: 1, order: 9 }],
    [{ first: '' }, { level: 0, order: 0 }],
    [{ other: '1' }, { level: -1, order: 0 }],
  ])('%j -> %j', (labels, want) => expect(orderOf(terms, labels)).toEqual(want));
});

describe('sortByPriority', () => {
  const labels: Labels[] = [
    { key: 'b' }, // 0
    { key: 'a' }, // 1
    { key: 'c' }, // 2
    { key: 'a' }, // 3
    {}, // 4
  ];
  const at = (i: number): Labels => labels[i] ?? {};

  it.each<[string, UpdatePriorityStrategy | undefined, number[], number[]]>([
    ['no strategy keeps the order', undefined, [2, 0, 4, 1, 3], [2, 0, 4, 1, 3]],
    ['empty lists keep the order', { weightPriority: [] }, [2, 0, 4, 1, 3], [2, 0, 4, 1, 3]],
    [
      'higher weight first; equal weights by LATER position in the pod list',
      { weightPriority: [{ weight: 50, matchSelector: { matchLabels: { key: 'a' } } }, { weight: 10, matchSelector: { matchLabels: { key: 'b' } } }] },
      [0, 1, 2, 3, 4],
      [3, 1, 0, 4, 2],
    ],
    [
      'weight wins when both lists are set',
      { weightPriority: [{ weight: 1, matchSelector: { matchLabels: { key: 'c' } } }], orderPriority: [{ orderedKey: 'key' }] },
      [0, 1, 2],
      [2, 1, 0],
    ],
  ])('%s', (_name, strategy, input, want) => expect(sortByPriority(strategy, at, input)).toEqual(want));

  it('orderPriority: unkeyed pods first, then by key position, then larger trailing integer first', () => {
    const ls: Labels[] = [
      { tier: 'g-1' }, // 0: level 0, order 1
      { group: 'g-5' }, // 1: level 1
      { tier: 'g-10' }, // 2: level 0, order 10
      {}, // 3: level -1
      { tier: 'g-1' }, // 4: level 0, order 1 (ties with 0 -> later index first)
      { other: 'x' }, // 5: level -1
    ];
    const strategy = { orderPriority: [{ orderedKey: 'tier' }, { orderedKey: 'group' }] };
    expect(sortByPriority(strategy, (i) => ls[i] ?? {}, [0, 1, 2, 3, 4, 5])).toEqual([5, 3, 2, 4, 0, 1]);
  });
});
