import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { admitsNode, groupPods, subsetScore, termMatches } from './grouping.ts';
import { node, pod, spread, zone } from './test-builders.ts';
import { FAKE_SUBSET, MATCHED_ANNOTATION, VERSION_IGNORED } from './types.ts';

const nodes = new Map<string, V1Node>([
  ['na', node('na', 'zone-a')],
  ['nb', node('nb', 'zone-b', {}, { 'kubernetes.io/arch': 'arm64' })],
  ['nt', node('nt', 'zone-b', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] })],
]);
const lookup = (n: string) => nodes.get(n);

describe('node matching', () => {
  it('matches terms on labels, names and Gt/Lt; an empty term matches nothing', () => {
    expect(termMatches({ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['zone-a'] }] }, nodes.get('na')!)).toBe(true);
    expect(termMatches({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['na'] }] }, nodes.get('na')!)).toBe(false);
    expect(termMatches({ matchExpressions: [{ key: 'gpu', operator: 'Gt', values: ['1'] }] }, node('g', 'z', {}, { gpu: '4' }))).toBe(true);
    expect(termMatches({}, nodes.get('na')!)).toBe(false);
  });

  it('requires the subset tolerations for a tainted node and AND-s the pod own required terms', () => {
    expect(admitsNode(pod('p'), nodes.get('nt')!, zone('b'))).toBe(false);
    expect(admitsNode(pod('p'), nodes.get('nt')!, zone('b', undefined, { tolerations: [{ key: 'dedicated', operator: 'Exists' }] }))).toBe(true);
    const p = pod('p');
    p.spec!.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] }] } } };
    expect(admitsNode(p, nodes.get('nb')!, zone('b'))).toBe(false);
  });

  it('scores preferred weight x100, an applied patch x10 and room x1', () => {
    const preferred = zone('b', 2, { preferredNodeSelectorTerms: [{ weight: 7, preference: { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }] } }] });
    expect(subsetScore(pod('p'), nodes.get('nb')!, preferred, 1)).toBe(701);
    const patched = zone('b', 2, { patch: { metadata: { labels: { team: 'x' } } } });
    expect(subsetScore(pod('p', { labels: { team: 'x' } }), nodes.get('nb')!, patched, 0)).toBe(10);
    expect(subsetScore(pod('p'), nodes.get('na')!, zone('b'), 1)).toBe(-1);
  });
});

describe('groupPods', () => {
  it('keeps annotated pods in their subset, adopts scheduled pods, and puts the rest in the fake subset', () => {
    const ws = spread([zone('a', 1, { patch: { metadata: { labels: { z: 'a' } } } }), zone('b', 1)]);
    const pods = [
      pod('in-a', { subset: 'a', node: 'na' }),
      pod('old-a', { node: 'na' }), // zone-a, but subset a is full: still the only subset that admits it
      pod('old-b', { node: 'nb' }),
      pod('pending'),
      pod('removed', { subset: 'c', node: 'nb' }),
    ];
    const g = groupPods(ws, pods, 2, lookup);
    const names = (s: string) => (g.all.get(s) ?? []).map((p) => p.metadata?.name);
    expect({ a: names('a'), b: names('b'), fake: names(FAKE_SUBSET) }).toEqual({ a: ['in-a', 'old-a'], b: ['old-b'], fake: ['pending', 'removed'] });
    expect(g.adoptions.map((a) => [a.pod.metadata?.name, a.subset])).toEqual([['old-a', 'a'], ['old-b', 'b']]);
    expect(g.adoptions[0]?.patch).toEqual({ metadata: { labels: { z: 'a' }, annotations: { [MATCHED_ANNOTATION]: '{"name":"ws","subset":"a"}' } } });
    expect([...g.versioned.keys()]).toEqual([VERSION_IGNORED]);
  });

  it('adopts without the patch metadata when the WorkloadSpread says so, and groups ReplicaSet pods by pod-template-hash', () => {
    const ws = spread([zone('a', undefined, { patch: { metadata: { labels: { z: 'a' } } } })], { metadata: { name: 'ws', namespace: 'ns', annotations: { 'workloadspread.kruise.io/ignore-patch-existing-pods-metadata': 'true' } } });
    const rsPod = (name: string, hash: string) => pod(name, { node: 'na', labels: { 'pod-template-hash': hash }, owner: { kind: 'ReplicaSet', name: `app-${hash}` } });
    const g = groupPods(ws, [rsPod('p1', 'h1'), rsPod('p2', 'h2')], 2, lookup);
    expect(g.adoptions[0]?.patch).toEqual({ metadata: { annotations: { [MATCHED_ANNOTATION]: '{"name":"ws","subset":"a"}' } } });
    expect([...g.versioned.keys()].sort()).toEqual(['h1', 'h2']);
  });
});
