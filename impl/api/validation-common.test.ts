import { describe, expect, it } from 'vitest';
import { aggregateMessage, fieldErrors, invalidObjectMessage } from './field-errors.ts';
import { compareQuantities } from './quantity.ts';
import { semanticEqual } from './semantic.ts';
import { jsonPatchOps, labelSelectorAsPredicate, qualifiedNameProblems, selectorString } from './validation-common.ts';

describe('field errors render like apimachinery field.Error', () => {
  it.each([
    [fieldErrors.required('spec.selector'), 'spec.selector: Required value'],
    [fieldErrors.required('spec.x', 'must be set'), 'spec.x: Required value: must be set'],
    [fieldErrors.invalid('spec.replicas', -1, 'must be greater than or equal to 0'), 'spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    [fieldErrors.invalid('spec.updateStrategy.maxSurge', '1', 'can not use maxSurge'), 'spec.updateStrategy.maxSurge: Invalid value: "1": can not use maxSurge'],
    [fieldErrors.invalid('spec.selector', {}, 'empty'), 'spec.selector: Invalid value: {}: empty'],
    [fieldErrors.invalid('spec.a', undefined, 'x'), 'spec.a: Invalid value: null: x'],
    [fieldErrors.forbidden('spec', 'no'), 'spec: Forbidden: no'],
    [fieldErrors.notSupported('spec.r', 'Never', ['Always']), 'spec.r: Unsupported value: "Never": supported values: "Always"'],
    [fieldErrors.duplicate('spec.c[1].name', 'a'), 'spec.c[1].name: Duplicate value: "a"'],
    [fieldErrors.notFound('spec.m', 'v'), 'spec.m: Not found: "v"'],
  ])('%#', (err, want) => {
    expect(err.message).toBe(want);
  });

  it('aggregates one message bare and several in brackets, without duplicates', () => {
    const a = fieldErrors.required('spec.a');
    const b = fieldErrors.required('spec.b');
    expect(aggregateMessage([a])).toBe('spec.a: Required value');
    expect(aggregateMessage([a, b, a])).toBe('[spec.a: Required value, spec.b: Required value]');
    expect(invalidObjectMessage('CloneSet', 'apps.kruise.io', 'x', [a])).toBe('CloneSet.apps.kruise.io "x" is invalid: spec.a: Required value');
  });
});

describe('labelSelectorAsPredicate and selectorString', () => {
  it('matches labels and expressions', () => {
    const r = labelSelectorAsPredicate({ matchLabels: { app: 'a' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }, { key: 'zone', operator: 'Exists' }] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.matches({ app: 'a', zone: 'z1' })).toBe(true);
    expect(r.matches({ app: 'a', zone: 'z1', tier: 'db' })).toBe(false);
    expect(r.matches({ app: 'a' })).toBe(false);
    expect(r.empty).toBe(false);
  });

  it('treats {} as everything and undefined as nothing', () => {
    const all = labelSelectorAsPredicate({});
    const none = labelSelectorAsPredicate(undefined);
    expect(all.ok && all.empty && all.matches({})).toBe(true);
    expect(none.ok && !none.empty && !none.matches({ any: 'x' })).toBe(true);
  });

  it.each([
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, "values set can't be empty"],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 'values set must be empty'],
    [{ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, 'not a valid label selector operator'],
    [{ matchLabels: { a: 'not valid!' } }, 'invalid label'],
  ])('rejects %j', (sel, msg) => {
    const r = labelSelectorAsPredicate(sel);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(msg);
  });

  it('renders the string form status.labelSelector uses', () => {
    expect(selectorString({ matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'z', operator: 'In', values: ['y', 'x'] }, { key: 'k', operator: 'DoesNotExist' }] })).toBe(
      'a=1,b=2,z in (x,y),!k',
    );
  });
});

describe('qualifiedNameProblems', () => {
  it.each([
    ['app', 0],
    ['apps.kruise.io/cloneset-instance-id', 0],
    ['a/b/c', 1],
    ['/x', 1],
    ['Bad_Prefix.io/x', 1],
    ['x'.repeat(64), 1],
    ['-x', 1],
  ])('%s has %i problem(s)', (key, n) => {
    expect(qualifiedNameProblems(key)).toHaveLength(n);
  });
});

describe('jsonPatchOps (the jsonpatch flavour InPlaceOnly rules use)', () => {
  it('replaces scalars in place', () => {
    expect(jsonPatchOps({ containers: [{ image: 'a' }] }, { containers: [{ image: 'b' }] })).toEqual([{ op: 'replace', path: '/containers/0/image' }]);
  });
  it('adds and removes keys', () => {
    expect(jsonPatchOps({ a: 1, b: 2 }, { b: 2, c: 3 })).toEqual([
      { op: 'remove', path: '/a' },
      { op: 'add', path: '/c' },
    ]);
  });
  it('diffs scalar arrays as sets', () => {
    expect(jsonPatchOps({ args: ['x', 'y'] }, { args: ['y', 'x'] })).toEqual([]);
    expect(jsonPatchOps({ args: ['x'] }, { args: ['z'] })).toEqual([
      { op: 'remove', path: '/args/0' },
      { op: 'add', path: '/args/0' },
    ]);
  });
  it('diffs object arrays by index, appending and trimming', () => {
    expect(jsonPatchOps({ c: [{ n: 1 }] }, { c: [{ n: 2 }, { n: 3 }] })).toEqual([
      { op: 'add', path: '/c/1' },
      { op: 'replace', path: '/c/0/n' },
    ]);
  });
  it('escapes keys', () => {
    expect(jsonPatchOps({ 'a/b': 1 }, { 'a/b': 2 })).toEqual([{ op: 'replace', path: '/a~1b' }]);
  });
});

describe('compareQuantities', () => {
  it.each([
    ['1Gi', '1024Mi', 0],
    ['1G', '1000M', 0],
    ['1Gi', '1G', 1],
    ['500m', '0.5', 0],
    ['2e3', '2k', 0],
    ['1Gi', '2Gi', -1],
    [undefined, '0', 0],
    [undefined, '1', -1],
  ] as const)('%s vs %s -> %i', (a, b, want) => {
    expect(compareQuantities(a, b)).toBe(want);
  });
});

describe('semanticEqual (nil and empty slices/maps are equal)', () => {
  it.each([
    [{ matchLabels: { a: '1' } }, { matchLabels: { a: '1' }, matchExpressions: [] }, true],
    [{ labels: {} }, {}, true],
    [{ a: 1 }, { a: 2 }, false],
    [{ podManagementPolicy: 'OrderedReady' }, { podManagementPolicy: 'Parallel' }, false],
    [{ serviceName: 'x' }, {}, false],
    [{ ordinals: {} }, {}, false],
  ])('%j vs %j', (a, b, want) => {
    expect(semanticEqual(a, b)).toBe(want);
  });
});
