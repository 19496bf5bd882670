import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { costChanges, planDeletionCosts } from './deletion-cost.ts';
import { NOW, pod, spread, zone } from './test-builders.ts';
import { FAKE_SUBSET, VERSION_IGNORED } from './types.ts';

const costsOf = (plan: Map<V1Pod, string>) => Object.fromEntries([...plan].map(([p, c]) => [p.metadata?.name, c]));
const grouping = (m: Record<string, V1Pod[]>, version = VERSION_IGNORED) => new Map([[version, new Map(Object.entries(m))]]);

describe('planDeletionCosts', () => {
  it('gives 100 x (N - i) inside the quota: 300/200/100 for three subsets', () => {
    const ws = spread([zone('a', 2), zone('b', 2), zone('c')]);
    const plan = planDeletionCosts(ws, grouping({ a: [pod('a1', { node: 'n' })], b: [pod('b1', { node: 'n' })], c: [pod('c1', { node: 'n' })] }), VERSION_IGNORED, 6);
    expect(costsOf(plan)).toEqual({ a1: '300', b1: '200', c1: '100' });
  });

  it('gives the least valuable pods beyond maxReplicas -100 x (i + 1), and unmatched pods -100 x (N + 1)', () => {
    const ws = spread([zone('a', 1), zone('b', 1)]);
    const older = pod('a-old', { node: 'n', createdAt: NOW - 100_000 });
    const newer = pod('a-new', { node: 'n', createdAt: NOW - 10_000 });
    const pending = pod('a-pending');
    const plan = planDeletionCosts(ws, grouping({ a: [older, newer, pending], b: [pod('b1', { node: 'n' })], [FAKE_SUBSET]: [pod('x', { node: 'n' })] }), VERSION_IGNORED, 3);
    expect(costsOf(plan)).toEqual({ 'a-pending': '-100', 'a-new': '-100', 'a-old': '200', b1: '100', x: '-300' });
  });

  it('reverses the subset order for pods of an old version, so a rollout removes them from the first subset', () => {
    const ws = spread([zone('a', 2), zone('b', 2)], {}, 'Deployment');
    const g = new Map([
      ['old', new Map([['a', [pod('o-a', { node: 'n' })]], ['b', [pod('o-b', { node: 'n' })]]])],
      ['new', new Map([['a', [pod('n-a', { node: 'n' })]], ['b', [pod('n-b', { node: 'n' })]]])],
    ]);
    expect(costsOf(planDeletionCosts(ws, g, 'new', 4))).toEqual({ 'o-a': '100', 'o-b': '200', 'n-a': '200', 'n-b': '100' });
  });

  it('writes only what differs', () => {
    const same = pod('same', { node: 'n', cost: '100' });
    const other = pod('other', { node: 'n', cost: '5' });
    expect(costChanges(new Map([[same, '100'], [other, '100'], [pod('new', { node: 'n' }), '0']])).map((c) => c.pod.metadata?.name)).toEqual(['other']);
  });
});
