// planReconcile: how scale, rolling update and status combine in one reconcile.
import { describe, expect, it } from 'vitest';
import { planReconcile, type ReconcileInput } from './plan.ts';
import { NEW, OLD, SET, SET_UID, STORAGE_CLASSES, T0, claim, gates, lookup, notReady, pod, pods, spec, template } from './test/builders.ts';
import type { ClaimView, PodView, StatefulSetSpecView } from './types.ts';

const input = (s: StatefulSetSpecView, podList: PodView[], o: Partial<ReconcileInput> & { claimList?: ClaimView[] } = {}): ReconcileInput => ({
  setName: SET,
  setUid: SET_UID,
  spec: s,
  gates: gates(),
  pods: podList,
  claims: lookup(o.claimList ?? []),
  storageClasses: STORAGE_CLASSES,
  revisions: { current: OLD, update: NEW },
  newPodMeta: () => ({ labels: {} }),
  canUpdateInPlace: () => false,
  generation: 3,
  collisionCount: 0,
  labelSelector: 'app=web',
  now: T0,
  ...o,
});

describe('planReconcile', () => {
  it('a monotonic creation stops the reconcile before the rolling update; status counts the pod being created as Pending', () => {
    const plan = planReconcile(input(spec(3), pods([0, 1])));
    expect(plan.actions).toEqual([{ kind: 'createPod', pod: 'web-2', ordinal: 2, revision: NEW, lifecycleState: 'Normal' }]);
    expect(plan.update).toBeUndefined();
    // web-2 is created in this pass: a replica at the update revision, not ready, so currentRevision stays.
    expect(plan.status).toMatchObject({ replicas: 3, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 1, observedGeneration: 3, currentRevision: OLD, updateRevision: NEW, labelSelector: 'app=web' });
  });

  it('Parallel: creates and updates in the same reconcile', () => {
    const plan = planReconcile(input(spec(3, { podManagementPolicy: 'Parallel' }), pods([0, 1])));
    expect(plan.actions.map((a) => `${a.kind} ${'pod' in a ? a.pod : ''}`)).toEqual(['createPod web-2']);
    // web-2 (to be created) counts unavailable, so web-1 waits
    expect(plan.update?.outcome).toBe('blocked');
  });

  it('the rolling update lowers currentReplicas for the pod it deletes', () => {
    const plan = planReconcile(input(spec(3), pods([0, 1, 2])));
    expect(plan.actions).toEqual([{ kind: 'deletePod', pod: 'web-2', reason: 'update' }]);
    expect(plan.status.currentReplicas).toBe(2);
  });

  it('OnDelete never runs the rolling update', () => {
    const plan = planReconcile(input(spec(3, { updateStrategyType: 'OnDelete', rollingUpdate: undefined }), pods([0, 1, 2])));
    expect(plan.actions).toEqual([]);
    expect(plan.update).toBeUndefined();
  });

  it('currentRevision flips when every pod is updated and ready', () => {
    const plan = planReconcile(input(spec(2), pods([0, 1], { revision: NEW })));
    expect(plan.status).toMatchObject({ currentRevision: NEW, currentReplicas: 2, updatedReplicas: 2 });
  });

  it('no flip while an updated pod is not ready', () => {
    const plan = planReconcile(input(spec(2), [pod(0, { revision: NEW }), notReady(1, { revision: NEW })]));
    expect(plan.status.currentRevision).toBe(OLD);
  });

  it('condemned pods count in status until they are gone', () => {
    const plan = planReconcile(input(spec(1), pods([0, 1])));
    expect(plan.status.replicas).toBe(2);
    expect(plan.actions).toEqual([{ kind: 'deletePod', pod: 'web-1', reason: 'scaleIn' }]);
  });

  it('status.volumeClaims covers the slots (not condemned pods)', () => {
    const s = spec(2, { volumeClaimTemplates: [template()] });
    const plan = planReconcile(input(s, pods([0, 1, 2], { revision: NEW }), { claimList: [claim(0), claim(1), claim(2)] }));
    expect(plan.status.volumeClaims).toEqual([{ volumeClaimName: 'data', compatibleReplicas: 2, compatibleReadyReplicas: 2 }]);
  });

  it('while the set is deleted: status only, over all pods', () => {
    const plan = planReconcile(input(spec(1, { volumeClaimTemplates: [template()] }), pods([0, 1]), { deleting: true, claimList: [claim(0), claim(1)] }));
    expect(plan.actions).toEqual([]);
    expect(plan.status.replicas).toBe(2);
    expect(plan.status.volumeClaims[0]?.compatibleReplicas).toBe(2);
  });

  it('a planned refusal comes back as the plan error, with the status still computed', () => {
    const s = spec(1, { volumeClaimTemplates: [template({ requestStorage: '2Gi', storageClassName: 'fixed' })], volumeClaimUpdateStrategy: 'OnPodRollingUpdate' });
    const plan = planReconcile(input(s, [pod(0)], { gates: gates({ autoResizePVC: true }), claimList: [claim(0, { storageClassName: 'fixed' })] }));
    expect(plan.error?.event?.reason).toBe('FailedUpdatePVC');
    expect(plan.status.volumeClaims).toEqual([{ volumeClaimName: 'data', compatibleReplicas: 0, compatibleReadyReplicas: 0 }]);
  });

  it('requeues after the shortest minReadySeconds wait', () => {
    const s = spec(2, { rollingUpdate: { minReadySeconds: 10 } });
    const plan = planReconcile(input(s, [pod(0, { readySince: T0 - 7_000 })]));
    expect(plan.requeueAfterMs).toBe(3_000);
  });
});
