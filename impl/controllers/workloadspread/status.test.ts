import type { V1Pod } from '@kubernetes/client-node';
import type { WorkloadSpreadStatus } from '../../api/workloadspread.ts';
import { describe, expect, it } from 'vitest';
import { workloadSpreadStatus } from './status.ts';
import { iso, NOW, pod, spread, zone } from './test-builders.ts';
import { FAKE_SUBSET, VERSION_IGNORED } from './types.ts';

const byName = (entries: Record<string, V1Pod[]>) => new Map(Object.entries(entries));

describe('workloadSpreadStatus', () => {
  it('counts replicas and missingReplicas per subset; unlimited is -1', () => {
    const ws = spread([zone('a', 2), zone('b')]);
    const all = byName({ a: [pod('p1', { subset: 'a', node: 'n1' }), pod('p2', { subset: 'a', node: 'n1' })], b: [pod('p3', { subset: 'b', node: 'n2' })], [FAKE_SUBSET]: [] });
    const out = workloadSpreadStatus(ws, new Map([[VERSION_IGNORED, all]]), all, 3, NOW);
    expect(out?.status).toEqual({
      observedGeneration: 2,
      subsetStatuses: [
        { name: 'a', replicas: 2, missingReplicas: 0 },
        { name: 'b', replicas: 1, missingReplicas: -1 },
      ],
      versionedSubsetStatuses: { [VERSION_IGNORED]: [{ name: 'a', replicas: 2, missingReplicas: 0 }, { name: 'b', replicas: 1, missingReplicas: -1 }] },
    });
  });

  it('resolves a percent bound against the workload (ceil) and ignores inactive pods', () => {
    const ws = spread([zone('a', '25%'), zone('b', '75%')]);
    const all = byName({ a: [pod('p1', { subset: 'a', node: 'n1' }), pod('p2', { subset: 'a', node: 'n1', phase: 'Failed' })], b: [] });
    const st = workloadSpreadStatus(ws, new Map(), all, 5, NOW)?.status.subsetStatuses;
    expect(st).toEqual([
      { name: 'a', replicas: 1, missingReplicas: 1 },
      { name: 'b', replicas: 0, missingReplicas: 4 },
    ]);
  });

  it('keeps young creatingPods/deletingPods entries, drops observed or expired ones with events', () => {
    const ws = spread([zone('a', 3), zone('b')], {
      status: {
        subsetStatuses: [{ name: 'a', replicas: 1, missingReplicas: 0, creatingPods: { seen: iso(NOW - 1000), young: iso(NOW - 5000), old: iso(NOW - 31_000) }, deletingPods: { p1: iso(NOW - 2000), p9: iso(NOW - 16_000) } }],
      },
    });
    const all = byName({ a: [pod('seen', { subset: 'a', node: 'n1' }), pod('p1', { subset: 'a', node: 'n1' }), pod('p9', { subset: 'a', node: 'n1' })] });
    const out = workloadSpreadStatus(ws, new Map(), all, 3, NOW);
    // 3 active pods -> 0 missing; p1 still deleting -> +1; "young" still creating -> -1.
    expect(out?.status.subsetStatuses?.[0]).toEqual({ name: 'a', replicas: 3, missingReplicas: 0, creatingPods: { young: iso(NOW - 5000) }, deletingPods: { p1: iso(NOW - 2000) } });
    expect(out?.effects.events.map((e) => e.reason).sort()).toEqual(['CreatePodFailed', 'DeletePodFailed']);
    expect(out?.effects.requeueAfterMs).toBe(13_000);
  });

  it('keeps a version the webhook recorded before any of its pods is seen, and drops empty ones', () => {
    const ws = spread([zone('a', 2), zone('b', 2)], {
      status: { versionedSubsetStatuses: { newhash: [{ name: 'a', replicas: 0, missingReplicas: 1, creatingPods: { x: iso(NOW - 1000) } }], gone: [{ name: 'a', replicas: 0, missingReplicas: 2 }] } },
    });
    const out = workloadSpreadStatus(ws, new Map(), new Map(), 4, NOW);
    expect(Object.keys(out?.status.versionedSubsetStatuses ?? {})).toEqual(['newhash']);
    expect(out?.status.versionedSubsetStatuses?.newhash?.[0]).toEqual({ name: 'a', replicas: 0, missingReplicas: 1, creatingPods: { x: iso(NOW - 1000) } });
  });

  describe('Adaptive rescheduling', () => {
    const adaptive = (status?: WorkloadSpreadStatus) =>
      spread([zone('a', 3), zone('b')], { spec: { targetRef: { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', name: 'app' }, subsets: [zone('a', 3), zone('b')], scheduleStrategy: { type: 'Adaptive', adaptive: { rescheduleCriticalSeconds: 10 } } }, ...(status ? { status } : {}) });

    it('marks a subset with pods unschedulable past the critical seconds Schedulable=False and returns them', () => {
      const stuck = pod('p1', { subset: 'a', unschedulable: true, createdAt: NOW - 11_000 });
      const young = pod('p2', { subset: 'a', unschedulable: true, createdAt: NOW - 4_000 });
      const out = workloadSpreadStatus(adaptive(), new Map(), byName({ a: [stuck, young], b: [] }), 4, NOW);
      expect(out?.status.subsetStatuses?.map((s) => s.conditions?.map((c) => [c.type, c.status]))).toEqual([[['Schedulable', 'False']], [['Schedulable', 'True']]]);
      expect(out?.effects.rescheduled.get('a')).toEqual([stuck]);
      expect(out?.effects.requeueAfterMs).toBe(6_000);
    });

    it('keeps Schedulable=False for 5 minutes after the transition, then recovers', () => {
      const falseAt = (t: number) => ({ subsetStatuses: [{ name: 'a', replicas: 0, missingReplicas: 3, conditions: [{ type: 'Schedulable', status: 'False' as const, lastTransitionTime: iso(t) }] }] });
      const kept = workloadSpreadStatus(adaptive(falseAt(NOW - 60_000)), new Map(), new Map(), 4, NOW);
      expect(kept?.status.subsetStatuses?.[0]?.conditions).toEqual([{ type: 'Schedulable', status: 'False', lastTransitionTime: iso(NOW - 60_000) }]);
      expect(kept?.effects.requeueAfterMs).toBe(240_000);
      const recovered = workloadSpreadStatus(adaptive(falseAt(NOW - 301_000)), new Map(), new Map(), 4, NOW);
      expect(recovered?.status.subsetStatuses?.[0]?.conditions?.[0]).toMatchObject({ status: 'True' });
      expect(recovered?.effects.events.map((e) => e.reason)).toEqual(['RecoverSchedulable']);
    });

    it('has no Schedulable condition under Fixed', () => {
      const out = workloadSpreadStatus(spread([zone('a', 3), zone('b')]), new Map(), byName({ a: [pod('p1', { subset: 'a', unschedulable: true, createdAt: NOW - 600_000 })] }), 4, NOW);
      expect(out?.status.subsetStatuses?.[0]?.conditions).toBeUndefined();
      expect(out?.effects.rescheduled.size).toBe(0);
    });
  });
});
