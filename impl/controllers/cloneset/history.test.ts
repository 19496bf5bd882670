// ControllerRevision planning: data shape, naming, equal-revision reuse, collisions, history limit.
import { describe, expect, it } from 'vitest';
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import {
  canonicalJson,
  fnv1,
  planUpdateRevision,
  revisionData,
  revisionHash,
  revisionName,
  revisionsToDelete,
  templateFromData,
  volumeClaimTemplatesHash,
  type RevisionView,
} from './history.ts';

const template = (image: string): V1PodTemplateSpec => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image }] } });
const rev = (name: string, revision: number, image: string): RevisionView => ({ name, revision, data: revisionData(template(image)) });

describe('revision data and names', () => {
  it('stores the whole template as a replace patch and reads it back', () => {
    const data = revisionData(template('nginx:1'));
    expect(data).toEqual({ spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image: 'nginx:1' }] }, $patch: 'replace' } } });
    expect(templateFromData(data)).toEqual(template('nginx:1'));
    expect(templateFromData({ spec: {} })).toBeUndefined();
  });

  it('hashes key order away, and changes the hash with the collision count', () => {
    const a = { spec: { template: { a: 1, b: 2 } } };
    const b = { spec: { template: { b: 2, a: 1 } } };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(revisionHash(a, 0)).toBe(revisionHash(b, 0));
    expect(revisionHash(a, 0)).not.toBe(revisionHash(a, 1));
    expect(revisionHash(a, 0)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });

  it('implements FNV-1 32 (Go hash/fnv New32): known vectors', () => {
    expect(fnv1(Buffer.from(''))).toBe(0x811c9dc5);
    expect(fnv1(Buffer.from('a'))).toBe(0x050c5d7e);
    expect(fnv1(Buffer.from('foobar'))).toBe(0x31f0b262);
  });

  it('cuts long parent names to 223 characters', () => {
    expect(revisionName('x'.repeat(300), 'abc')).toBe(`${'x'.repeat(223)}-abc`);
    expect(revisionName('web', 'abc')).toBe('web-abc');
  });

  it('hashes volumeClaimTemplates: "" without any, a decimal that follows the templates otherwise', () => {
    expect(volumeClaimTemplatesHash(undefined)).toBe('');
    expect(volumeClaimTemplatesHash([])).toBe('');
    const small = volumeClaimTemplatesHash([{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '1Gi' } } } }]);
    const big = volumeClaimTemplatesHash([{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '2Gi' } } } }]);
    expect(small).toMatch(/^\d+$/);
    expect(small).not.toBe(big);
  });
});

describe('planUpdateRevision (getActiveRevisions)', () => {
  it('creates revision 1 for a new CloneSet', () => {
    const plan = planUpdateRevision('web', template('nginx:1'), undefined, [], 0);
    expect(plan).toMatchObject({ kind: 'create', revision: 1, vctHash: '', data: revisionData(template('nginx:1')) });
    expect(plan.name).toBe(`web-${revisionHash(revisionData(template('nginx:1')), 0)}`);
  });

  it('keeps the newest revision when it holds the template', () => {
    expect(planUpdateRevision('web', template('nginx:2'), undefined, [rev('web-a', 1, 'nginx:1'), rev('web-b', 2, 'nginx:2')], 0)).toEqual({ kind: 'latest', name: 'web-b' });
  });

  it('reuses an older equal revision with the next number (rollback)', () => {
    expect(planUpdateRevision('web', template('nginx:1'), undefined, [rev('web-a', 1, 'nginx:1'), rev('web-b', 2, 'nginx:2')], 0)).toEqual({ kind: 'bump', name: 'web-a', revision: 3, vctHash: '' });
  });

  it('creates the next number for a new template, named with the collision count', () => {
    const plan = planUpdateRevision('web', template('nginx:3'), undefined, [rev('web-a', 1, 'nginx:1'), rev('web-b', 2, 'nginx:2')], 4);
    expect(plan).toMatchObject({ kind: 'create', revision: 3, name: `web-${revisionHash(revisionData(template('nginx:3')), 4)}` });
  });
});

describe('revisionsToDelete (truncateHistory)', () => {
  const revs = [rev('web-a', 1, 'a'), rev('web-b', 2, 'b'), rev('web-c', 3, 'c'), rev('web-d', 4, 'd')];

  it('deletes the oldest non-live revisions beyond the limit', () => {
    expect(revisionsToDelete(revs, ['web-d'], 1)).toEqual(['web-a', 'web-b']);
    expect(revisionsToDelete(revs, ['web-d'], 3)).toEqual([]);
    expect(revisionsToDelete(revs, ['web-d'], 0)).toEqual(['web-a', 'web-b', 'web-c']);
  });

  it('keeps revisions worn by pods, by full name or short hash', () => {
    expect(revisionsToDelete(revs, ['web-d', 'a', 'web-b'], 0)).toEqual(['web-c']);
  });
});
