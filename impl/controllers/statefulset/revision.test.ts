import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  fnv1_32,
  isCurrentRevisionNeeded,
  planUpdateRevision,
  resolveCurrentRevision,
  revisionData,
  revisionHash,
  revisionsToDelete,
  safeEncodeString,
  sameData,
  templateFromData,
  type RevisionView,
} from './revision.ts';
import { NEW, OLD, pod, spec } from './test/builders.ts';
import type { PodView } from './types.ts';

const tpl = (image: string): V1PodTemplateSpec => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image }] } });

describe('hashing', () => {
  it.each<[string, number]>([
    ['', 0x811c9dc5],
    ['a', 0x050c5d7e],
    ['foobar', 0x31f0b262],
  ])('FNV-1 32 of %j is 0x%s', (s, want) => expect(fnv1_32(Buffer.from(s))).toBe(want));

  it('SafeEncodeString maps bytes onto bcdfghjklmnpqrstvwxz2456789', () => expect(safeEncodeString('123')).toBe('567'));

  it('is stable for equal templates whatever the key order, and differs with the collision count', () => {
    const a = revisionData({ spec: { containers: [{ name: 'main', image: 'nginx:1' }] }, metadata: { labels: { app: 'web' } } });
    const b = revisionData(tpl('nginx:1'));
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(revisionHash(a, 0)).toBe(revisionHash(b, 0));
    expect(revisionHash(a, 1)).not.toBe(revisionHash(a, 0));
    expect(revisionHash(revisionData(tpl('nginx:2')), 0)).not.toBe(revisionHash(a, 0));
    expect(revisionHash(a, 0)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });

  it('stores the template with "$patch": "replace" and reads it back', () => {
    const data = revisionData(tpl('nginx:1'));
    expect(data.spec.template.$patch).toBe('replace');
    expect(templateFromData(data)).toEqual(tpl('nginx:1'));
    expect(templateFromData({})).toBeUndefined();
    expect(sameData(data, JSON.parse(JSON.stringify(data)))).toBe(true);
  });
});

describe('planUpdateRevision', () => {
  const r = (name: string, revision: number, image: string): RevisionView => ({ name, revision, data: revisionData(tpl(image)) });
  it.each<[string, RevisionView[], string, ReturnType<typeof planUpdateRevision>['kind'], string | undefined, number | undefined]>([
    ['no revisions: create revision 1', [], 'nginx:1', 'create', undefined, 1],
    ['the newest holds the template: reuse it', [r('web-a', 1, 'nginx:1'), r('web-b', 2, 'nginx:2')], 'nginx:2', 'latest', 'web-b', undefined],
    ['an older one holds it (rollback): bump it to 3', [r('web-a', 1, 'nginx:1'), r('web-b', 2, 'nginx:2')], 'nginx:1', 'bump', 'web-a', 3],
    ['a new template: create revision 3', [r('web-a', 1, 'nginx:1'), r('web-b', 2, 'nginx:2')], 'nginx:3', 'create', undefined, 3],
  ])('%s', (_n, existing, image, kind, name, revision) => {
    const plan = planUpdateRevision('web', tpl(image), existing, 0);
    expect(plan.kind).toBe(kind);
    if (name !== undefined) expect(plan.name).toBe(name);
    if (plan.kind !== 'latest') expect(plan.revision).toBe(revision);
    if (plan.kind === 'create') expect(plan.name).toBe(`web-${revisionHash(revisionData(tpl(image)), 0)}`);
  });

  it('uses the collision count in the new name', () => {
    const a = planUpdateRevision('web', tpl('x'), [], 0);
    const b = planUpdateRevision('web', tpl('x'), [], 1);
    expect(a.name).not.toBe(b.name);
  });
});

describe('resolveCurrentRevision', () => {
  it.each<[string | undefined, string[], string]>([
    [OLD, [OLD, NEW], OLD],
    [OLD, [NEW], NEW],
    [undefined, [NEW], NEW],
    ['', [NEW], NEW],
  ])('status %j with %j -> %s', (cur, existing, want) => expect(resolveCurrentRevision(cur, existing, NEW)).toBe(want));
});

describe('revisionsToDelete', () => {
  const revs: RevisionView[] = [1, 2, 3, 4, 5].map((n) => ({ name: `r${n}`, revision: n, data: {} }));
  it.each<[string, string[], number, string[]]>([
    ['within the limit', ['r5'], 10, []],
    ['oldest non-live beyond the limit', ['r5', 'r4'], 1, ['r1', 'r2']],
    ['live ones are never deleted', ['r1', 'r5'], 0, ['r2', 'r3', 'r4']],
  ])('%s', (_n, live, limit, want) => expect(revisionsToDelete(revs, new Set(live), limit)).toEqual(want));
});

describe('isCurrentRevisionNeeded', () => {
  const rolling = (partition: number, unordered = false) =>
    spec(4, { rollingUpdate: { partition, ...(unordered && { unorderedUpdate: {} }) } });
  const slots = (list: (PodView | undefined)[]) => list;

  it.each<[string, ReturnType<typeof spec>, (PodView | undefined)[], number, boolean]>([
    ['ordered: slot 0 of partition 2 is current', rolling(2), slots([undefined]), 0, true],
    ['ordered: slot 1 of partition 2 is current', rolling(2), slots([pod(0), undefined]), 1, true],
    ['ordered: slot 2 of partition 2 is updated', rolling(2), slots([pod(0), pod(1), undefined]), 2, false],
    ['ordered: a reserved gap is not counted', rolling(2), slots([pod(0), undefined, undefined]), 2, true],
    ['partition 0: always update', rolling(0), slots([undefined]), 0, false],
    ['OnDelete: always update', spec(4, { updateStrategyType: 'OnDelete', rollingUpdate: undefined }), slots([undefined]), 0, false],
    ['unordered: 1 old pod < partition 2 -> current', rolling(2, true), slots([pod(0, { revision: NEW }), pod(1), undefined, pod(3, { revision: NEW })]), 2, true],
    ['unordered: 2 old pods = partition 2 -> update', rolling(2, true), slots([pod(0), pod(1), undefined, pod(3, { revision: NEW })]), 2, false],
  ])('%s', (_n, s, list, index, want) => expect(isCurrentRevisionNeeded(s, list, index, NEW)).toBe(want));
});
