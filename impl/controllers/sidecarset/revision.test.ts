import type { V1ControllerRevision } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { LABEL_SIDECARSET_CUSTOM_VERSION, LABEL_SIDECARSET_NAME } from '../../api/sidecarset.ts';
import { activeRevisions, chooseInjection, findRevision, newRevision, planLatestRevision, restoreRevision, revisionData, revisionsToDelete } from './revision.ts';
import { runningPod, set, sidecar } from './test/builders.ts';

const NS = 'kruise-system';
const rev = (s: ReturnType<typeof set>, n: number, labels: Record<string, string> = {}): V1ControllerRevision => {
  const r = newRevision(s, NS, n, 0);
  return { ...r, metadata: { ...r.metadata, name: `${r.metadata!.name}-${n}`, labels: { ...r.metadata!.labels, ...labels } } };
};

describe('chooseInjection (getSuitableRevisionSidecarSet at CREATE)', () => {
  const pinned = { customVersion: '0' };
  const cases: [string, Parameters<typeof set>[1], Record<string, string>, number, 'latest' | 'pinned'][] = [
    ['no pinned revision', {}, {}, 0, 'latest'],
    ['Always', { injectionStrategy: { revision: { ...pinned, policy: 'Always' } } }, {}, 0.99, 'pinned'],
    ['paused update strategy pins even Partial', { injectionStrategy: { revision: { ...pinned, policy: 'Partial' } }, updateStrategy: { paused: true, partition: 0 } }, {}, 0, 'pinned'],
    ['Partial, pod outside updateStrategy.selector', { injectionStrategy: { revision: { ...pinned, policy: 'Partial' } }, updateStrategy: { selector: { matchLabels: { canary: 'true' } } } }, {}, 0, 'pinned'],
    ['Partial, pod inside the selector, no partition', { injectionStrategy: { revision: { ...pinned, policy: 'Partial' } }, updateStrategy: { selector: { matchLabels: { canary: 'true' } } } }, { canary: 'true' }, 0, 'latest'],
    ['Partial, integer partition 0', { injectionStrategy: { revision: { ...pinned, policy: 'Partial' } }, updateStrategy: { partition: 0 } }, {}, 0, 'latest'],
    ['Partial, integer partition 2 is ignored', { injectionStrategy: { revision: { ...pinned, policy: 'Partial' } }, updateStrategy: { partition: 2 } }, {}, 0, 'latest'],
    ['Partial, 100% with any draw', { injectionStrategy: { revision: { ...pinned, policy: 'Partial' } }, updateStrategy: { partition: '100%' } }, {}, 0.999, 'pinned'],
    ['Partial, 70% with a draw of 0.7', { injectionStrategy: { revision: { ...pinned, policy: 'Partial' } }, updateStrategy: { partition: '70%' } }, {}, 0.7, 'pinned'],
    ['Partial, 70% with a draw of 0.71', { injectionStrategy: { revision: { ...pinned, policy: 'Partial' } }, updateStrategy: { partition: '70%' } }, {}, 0.71, 'latest'],
    ['Partial, 0% with a draw above 0', { injectionStrategy: { revision: { ...pinned, policy: 'Partial' } }, updateStrategy: { partition: '0%' } }, {}, 0.0001, 'latest'],
  ];
  it.each(cases)('%s', (_, spec, labels, draw, want) => {
    const s = set('s', spec);
    // The defaulted partition 0 is an integer; tests that set none still read as "no partition given".
    expect(chooseInjection(s, labels, () => draw)).toBe(want);
  });
});

describe('planLatestRevision (registerLatestRevision)', () => {
  const v1 = set('s');
  const v2 = set('s', { containers: [sidecar('sidecar', 'sidecar:v2')] });
  it('creates the first revision, numbered 1, in the manager namespace, labelled with the SidecarSet', () => {
    const p = planLatestRevision(v1, [], NS, 0);
    expect(p.action).toBe('create');
    expect([p.latest.revision, p.latest.metadata?.namespace, p.latest.metadata?.labels?.[LABEL_SIDECARSET_NAME]]).toEqual([1, NS, 's']);
  });
  it('keeps the newest revision when it records the spec', () => {
    const r1 = newRevision(v1, NS, 1, 0);
    expect(planLatestRevision(v1, [r1], NS, 0)).toMatchObject({ action: 'keep', latest: r1 });
  });
  it('re-numbers an older revision that records the spec (a rollback)', () => {
    const r1 = newRevision(v1, NS, 1, 0);
    const r2 = newRevision(v2, NS, 2, 0);
    expect(planLatestRevision(v1, [r2, r1], NS, 0)).toMatchObject({ action: 'renumber', latest: r1, revision: 3 });
  });
  it('names depend on the data and the collision count', () => {
    expect(newRevision(v1, NS, 1, 0).metadata?.name).not.toBe(newRevision(v2, NS, 1, 0).metadata?.name);
    expect(newRevision(v1, NS, 1, 0).metadata?.name).not.toBe(newRevision(v1, NS, 1, 1).metadata?.name);
  });
  it('records the five injected fields, null when unset', () => {
    expect(Object.keys(revisionData(v1).spec).sort()).toEqual(['$patch', 'containers', 'imagePullSecrets', 'initContainers', 'patchPodMetadata', 'volumes']);
    expect(revisionData(v1).spec.volumes).toBeNull();
  });
});

describe('revision history', () => {
  const s = set('s', { revisionHistoryLimit: 2 });
  const revs = [1, 2, 3, 4].map((n) => rev(s, n, n === 2 ? { [LABEL_SIDECARSET_CUSTOM_VERSION]: 'x' } : {}));
  it('deletes the oldest beyond the limit, never the newest, keeping active ones', () => {
    expect(revisionsToDelete(s, revs, new Set()).map((r) => r.revision)).toEqual([1, 2]);
    expect(revisionsToDelete(s, revs, new Set([revs[0]!.metadata!.name!])).map((r) => r.revision)).toEqual([2, 3]);
    expect(revisionsToDelete({ ...s, spec: { ...s.spec, revisionHistoryLimit: 0 } }, revs, new Set()).map((r) => r.revision), 'a limit below 1 keeps 1').toEqual([1, 2, 3]);
  });
  it('a revision pods record, or the pinned custom version, is active', () => {
    const pinned = { ...s, spec: { ...s.spec, injectionStrategy: { revision: { customVersion: 'x' } } } };
    const pod = runningPod('p', [{ ...s, status: { matchedPods: 0, updatedPods: 0, readyPods: 0, latestRevision: revs[0]!.metadata!.name! } }]);
    expect([...activeRevisions(pinned, [pod], revs)].sort()).toEqual([revs[0]!.metadata!.name!, revs[1]!.metadata!.name!].sort());
  });
  it('findRevision: by name, or the newest with the custom version', () => {
    const again = rev(s, 5, { [LABEL_SIDECARSET_CUSTOM_VERSION]: 'x' });
    expect(findRevision(s, { customVersion: 'x' }, [...revs, again])?.revision).toBe(5);
    expect(findRevision(s, { revisionName: revs[2]!.metadata!.name! }, revs)?.revision).toBe(3);
    expect(findRevision(s, { customVersion: 'none' }, revs)).toBeUndefined();
  });
  it('restoreRevision brings back the recorded containers, hashes and latestRevision', () => {
    const old = set('s');
    const now = set('s', { containers: [sidecar('sidecar', 'sidecar:v2')] });
    const r = rev(old, 1);
    const restored = restoreRevision(now, r);
    expect(restored.spec?.containers?.[0]?.image).toBe('sidecar:v1');
    expect(restored.metadata?.annotations).toEqual(old.metadata?.annotations);
    expect(restored.status?.latestRevision).toBe(r.metadata?.name);
  });
});
