import { describe, expect, it } from 'vitest';
import { compileLabelSelector, type LabelSelector, type Labels } from './label-selector.ts';

describe('compileLabelSelector', () => {
  const pod: Labels = { app: 'web', tier: 'front', empty: '' };
  it.each<[string, LabelSelector, boolean | 'invalid']>([
    ['empty selector matches everything', {}, true],
    ['matchLabels equal', { matchLabels: { app: 'web' } }, true],
    ['matchLabels differ', { matchLabels: { app: 'db' } }, false],
    ['matchLabels on a missing key', { matchLabels: { zone: '' } }, false],
    ['matchLabels with empty value on an empty label', { matchLabels: { empty: '' } }, true],
    ['In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, true],
    ['In on a missing key', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, false],
    ['NotIn', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, false],
    ['NotIn on a missing key matches', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
    ['Exists', { matchExpressions: [{ key: 'empty', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    ['all requirements must hold', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, false],
    ['In without values is invalid', { matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] }, 'invalid'],
    ['Exists with values is invalid', { matchExpressions: [{ key: 'tier', operator: 'Exists', values: ['x'] }] }, 'invalid'],
  ])('%s', (_name, selector, want) => {
    const m = compileLabelSelector(selector);
    expect(m === undefined ? 'invalid' : m(pod)).toBe(want);
  });
});
