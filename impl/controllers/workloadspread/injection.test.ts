import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { WorkloadSpread, WorkloadSpreadSubset } from '../../api/workloadspread.ts';
import { injectSubset, planCreation, planDeletion, statefulSetSubset } from './injection.ts';
import { MATCHED_ANNOTATION, VERSION_IGNORED } from './types.ts';

const NOW = Date.parse('2026-12-07T08:00:00Z');
const zone = (name: string, maxReplicas?: number | string, extra: Partial<WorkloadSpreadSubset> = {}): WorkloadSpreadSubset => ({
  name,
  requiredNodeSelectorTerm: { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [name] }] },
  ...(maxReplicas === undefined ? {} : { maxReplicas }),
  ...extra,
});
const ws = (subsets: WorkloadSpreadSubset[], status?: WorkloadSpread['status'], kind = 'CloneSet'): WorkloadSpread => ({
  metadata: { name: 'ws', namespace: 'ns' },
  spec: { targetRef: { apiVersion: kind === 'CloneSet' ? 'apps.kruise.io/v1alpha1' : 'apps/v1', kind, name: 'app' }, subsets },
  ...(status ? { status } : {}),
});
const pod = (name = 'app-x'): V1Pod => ({ metadata: { name, namespace: 'ns', ...(name ? {} : { generateName: 'app-' }) }, spec: { containers: [{ name: 'main', image: 'nginx' }] } });
const plan = (w: WorkloadSpread, p: V1Pod, workloadReplicas = 6) => planCreation({ ws: w, pod: p, version: VERSION_IGNORED, workloadReplicas, now: NOW, newUid: () => 'uid-1' });

describe('planCreation', () => {
  it('fills subsets in spec order and records the pod in creatingPods', () => {
    const first = plan(ws([zone('a', 1), zone('b', 2)]), pod('p1'));
    expect(first.subset).toBe('a');
    expect(first.status?.versionedSubsetStatuses?.[VERSION_IGNORED]).toEqual([
      { name: 'a', replicas: 0, missingReplicas: 0, creatingPods: { p1: '2026-12-07T08:00:00Z' } },
      { name: 'b', replicas: 0, missingReplicas: 2 },
    ]);
    const second = plan(ws([zone('a', 1), zone('b', 2)], first.status), pod('p2'));
    expect(second.subset).toBe('b');
    expect(second.status?.versionedSubsetStatuses?.[VERSION_IGNORED]?.[1]?.missingReplicas).toBe(1);
  });

  it('reuses the subset of a pod already recorded, and keys a nameless pod by a generated uid', () => {
    const first = plan(ws([zone('a', 1), zone('b', 2)]), pod('p1'));
    expect(plan(ws([zone('a', 1), zone('b', 2)], first.status), pod('p1'))).toEqual({ subset: 'a' });
    const nameless = plan(ws([zone('a', 1), zone('b')]), pod(''));
    expect(nameless).toMatchObject({ subset: 'a', uid: 'uid-1' });
    expect(nameless.status?.versionedSubsetStatuses?.[VERSION_IGNORED]?.[0]?.creatingPods).toEqual({ 'uid-1': '2026-12-07T08:00:00Z' });
  });

  it('needs no bookkeeping for an unlimited subset and leaves the pod alone when every subset is full', () => {
    const full = { versionedSubsetStatuses: { [VERSION_IGNORED]: [{ name: 'a', replicas: 2, missingReplicas: 0 }, { name: 'b', replicas: 0, missingReplicas: -1 }] } };
    expect(plan(ws([zone('a', 2), zone('b')], full), pod())).toEqual({ subset: 'b' });
    expect(plan(ws([zone('a', 2)], { versionedSubsetStatuses: { [VERSION_IGNORED]: [{ name: 'a', replicas: 2, missingReplicas: 0 }] } }), pod())).toEqual({});
    expect(plan(ws([zone('a')]), pod())).toEqual({ subset: 'a' });
  });

  it('skips a subset marked Schedulable=False', () => {
    const status = { versionedSubsetStatuses: { [VERSION_IGNORED]: [{ name: 'a', replicas: 0, missingReplicas: 2, conditions: [{ type: 'Schedulable', status: 'False' as const }] }, { name: 'b', replicas: 0, missingReplicas: -1 }] } };
    expect(plan(ws([zone('a', 2), zone('b')], status), pod()).subset).toBe('b');
  });

  it('initialises a new version with the full quota, percent rounded up against the workload', () => {
    const old = { versionedSubsetStatuses: { oldhash: [{ name: 'a', replicas: 2, missingReplicas: 0 }, { name: 'b', replicas: 3, missingReplicas: 0 }] } };
    const out = planCreation({ ws: ws([zone('a', '40%'), zone('b', '60%')], old), pod: pod(), version: 'newhash', workloadReplicas: 5, now: NOW, newUid: () => 'u' });
    expect(out.subset).toBe('a');
    expect(out.status?.versionedSubsetStatuses?.newhash?.map((s) => s.missingReplicas)).toEqual([1, 3]);
    expect(out.status?.versionedSubsetStatuses?.oldhash).toEqual(old.versionedSubsetStatuses.oldhash);
  });

  it('places StatefulSet pods by ordinal', () => {
    const w = ws([zone('a', 2), zone('b', 2), zone('c')], undefined, 'StatefulSet');
    expect(['web-0', 'web-1', 'web-2', 'web-3', 'web-4', 'web-17'].map((n) => statefulSetSubset(w, n))).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
    expect(plan(w, pod('web-3'))).toEqual({ subset: 'b' });
  });
});

describe('planDeletion', () => {
  it('records the pod in deletingPods once and raises missingReplicas', () => {
    const status = { versionedSubsetStatuses: { [VERSION_IGNORED]: [{ name: 'a', replicas: 2, missingReplicas: 0 }, { name: 'b', replicas: 1, missingReplicas: -1 }] } };
    const w = ws([zone('a', 2), zone('b')], status);
    const next = planDeletion({ ws: w, podName: 'p1', injected: { name: 'ws', subset: 'a' }, version: VERSION_IGNORED, workloadReplicas: 3, now: NOW });
    expect(next?.versionedSubsetStatuses?.[VERSION_IGNORED]?.[0]).toEqual({ name: 'a', replicas: 2, missingReplicas: 1, deletingPods: { p1: '2026-12-07T08:00:00Z' } });
    expect(planDeletion({ ws: { ...w, status: next }, podName: 'p1', injected: { name: 'ws', subset: 'a' }, version: VERSION_IGNORED, workloadReplicas: 3, now: NOW })).toBeUndefined();
    expect(planDeletion({ ws: w, podName: 'p2', injected: { name: 'ws', subset: 'b' }, version: VERSION_IGNORED, workloadReplicas: 3, now: NOW })).toBeUndefined();
  });
});

describe('injectSubset', () => {
  const subset = zone('a', 1, {
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' }],
    preferredNodeSelectorTerms: [{ weight: 10, preference: { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }] } }],
    patch: { metadata: { labels: { zone: 'a' } }, spec: { priorityClassName: 'high' } },
  });

  it('adds tolerations, preferred terms, the required term, the patch and the annotation', () => {
    const p = { ...pod('p1'), spec: { ...pod().spec!, priority: 0, priorityClassName: 'low' } };
    const out = injectSubset(ws([subset]), 'a', p, 'uid-9');
    expect(out.spec?.tolerations).toEqual(subset.tolerations);
    expect(out.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution).toEqual(subset.preferredNodeSelectorTerms);
    expect(out.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([subset.requiredNodeSelectorTerm]);
    expect(out.metadata?.labels).toEqual({ zone: 'a' });
    expect(out.spec?.priorityClassName).toBe('high');
    expect(out.spec?.priority).toBeUndefined();
    expect(JSON.parse(out.metadata?.annotations?.[MATCHED_ANNOTATION] ?? '')).toEqual({ name: 'ws', subset: 'a', uid: 'uid-9' });
    expect(p.spec.priority).toBe(0);
  });

  it('AND-s the required term into every existing required term', () => {
    const p = pod();
    p.spec!.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] } } };
    const terms = injectSubset(ws([zone('a', 1)]), 'a', p).spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    expect(terms?.map((t) => t.matchExpressions?.map((e) => e.key))).toEqual([['x', 'topology.kubernetes.io/zone'], ['topology.kubernetes.io/zone']]);
    expect(terms?.[1]?.matchFields?.length).toBe(1);
  });
});
