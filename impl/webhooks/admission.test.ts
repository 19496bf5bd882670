import { describe, expect, it } from 'vitest';
import { fieldErrors } from '../api/field-errors.ts';
import { allow, applyJsonPatch, createJsonPatch, denyInvalid, toResponse } from './admission.ts';

describe('createJsonPatch / applyJsonPatch', () => {
  it.each<[string, unknown, unknown]>([
    ['adds nested objects', { spec: { a: 1 } }, { spec: { a: 1, b: { c: [1, 2] } } }],
    ['removes keys', { spec: { a: 1, b: 2 } }, { spec: { a: 1 } }],
    ['replaces scalars and type changes', { a: 1, b: 'x', c: [1] }, { a: 2, b: { y: 1 }, c: 'z' }],
    ['diffs equal-length arrays element-wise', { c: [{ n: 1, m: 1 }, { n: 2 }] }, { c: [{ n: 1, m: 2 }, { n: 2, k: true }] }],
    ['replaces arrays whose length changes', { c: [1, 2, 3] }, { c: [3] }],
    ['escapes ~ and / in keys', { 'a/b': { '~c': 1 } }, { 'a/b': { '~c': 2, 'd/e': 3 } }],
    ['keeps equal documents', { a: [{ b: 1 }] }, { a: [{ b: 1 }] }],
  ])('%s', (_name, from, to) => {
    const patch = createJsonPatch(from, to);
    expect(applyJsonPatch(from, patch)).toEqual(to);
    if (JSON.stringify(from) === JSON.stringify(to)) expect(patch).toEqual([]);
  });

  it('does not touch the input', () => {
    const from = { a: { b: 1 } };
    applyJsonPatch(from, createJsonPatch(from, { a: { b: 2 } }));
    expect(from).toEqual({ a: { b: 1 } });
  });
});

describe('toResponse', () => {
  it('encodes a patch as base64 JSONPatch', () => {
    const res = toResponse('u1', allow([{ op: 'add', path: '/a', value: 1 }]));
    expect(res).toMatchObject({ uid: 'u1', allowed: true, patchType: 'JSONPatch' });
    expect(JSON.parse(Buffer.from(res.patch ?? '', 'base64').toString())).toEqual([{ op: 'add', path: '/a', value: 1 }]);
  });

  it('omits an empty patch', () => {
    expect(toResponse('u2', allow([]))).toEqual({ uid: 'u2', allowed: true });
  });

  it('carries a 422 Invalid status with one cause per field error', () => {
    const errs = [fieldErrors.invalid('spec.replicas', -1, 'must be greater than or equal to 0'), fieldErrors.required('spec.selector')];
    const res = toResponse('u3', denyInvalid('CloneSet', 'apps.kruise.io', 'x', 'msg', errs));
    expect(res.allowed).toBe(false);
    expect(res.status).toEqual({
      status: 'Failure',
      code: 422,
      reason: 'Invalid',
      message: 'msg',
      details: {
        name: 'x',
        group: 'apps.kruise.io',
        kind: 'CloneSet',
        causes: [
          { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' },
          { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' },
        ],
      },
    });
  });
});
