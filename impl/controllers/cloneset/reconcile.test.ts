// The reconciler end to end against an in-memory cluster (test/fake-cluster.ts): what it writes,
// in which order, and that it converges to the states the spec describes.
import { describe, expect, it } from 'vitest';
import { env, KEY, settle, cloneSet, type Step } from './test/harness.ts';
import { readInPlaceState } from '../shared/inplace/state.ts';
import { ApiError } from './test/fake-cluster.ts';

const labelsOf = (e: ReturnType<typeof env>) => e.cluster.pods().map((p) => p.metadata?.labels ?? {});
const images = (e: ReturnType<typeof env>) => e.cluster.pods().map((p) => p.spec?.containers[0]?.image);
const uids = (e: ReturnType<typeof env>) => e.cluster.pods().map((p) => p.metadata?.uid);
const maxTotal = (steps: readonly Step[]) => Math.max(0, ...steps.map((s) => s.total));
const minAvailable = (steps: readonly Step[]) => Math.min(...steps.map((s) => s.available));

describe('scale out', () => {
  it('creates the revision, then pods in slow-start batches with identity labels, readiness gates and PVCs', async () => {
    const e = env(cloneSet({ replicas: 3, claimSize: '1Gi' }));
    await e.reconcile();
    const writes = e.cluster.takeWrites();
    const revision = e.cluster.revisions()[0];
    const rev = revision?.metadata?.name ?? '';
    expect(rev).toMatch(/^demo-[bcdfghjklmnpqrstvwxz2456789]+$/);
    // Batch 1 is one pod (PVC first, then the pod); batch 2 creates two pods concurrently.
    expect(writes.slice(0, 3)).toEqual([`create revision ${rev}`, 'create pvc data-demo-i0001', 'create pod demo-i0001']);
    expect(writes.slice(3, 7).sort()).toEqual(['create pod demo-i0002', 'create pod demo-i0003', 'create pvc data-demo-i0002', 'create pvc data-demo-i0003']);
    expect(writes.indexOf('create pvc data-demo-i0002')).toBeLessThan(writes.indexOf('create pod demo-i0002'));
    expect(writes.slice(7)).toEqual(['update status']);
    expect(revision?.data).toEqual({ spec: { template: { metadata: { labels: { app: 'demo' } }, spec: { containers: [{ name: 'main', image: 'nginx:1' }] }, $patch: 'replace' } } });
    expect(revision?.revision).toBe(1);
    expect(revision?.metadata?.annotations?.['kruise.io/cloneset-volumeclaimtemplate-hash']).toMatch(/^\d+$/);

    const pod = e.cluster.pod('demo-i0001');
    expect(pod.metadata?.labels).toEqual({
      app: 'demo',
      'apps.kruise.io/cloneset-instance-id': 'i0001',
      'controller-revision-hash': rev,
      'pod-template-hash': rev.slice('demo-'.length),
      'lifecycle.apps.kruise.io/state': 'PreparingNormal',
    });
    expect(pod.metadata?.annotations?.['lifecycle.apps.kruise.io/timestamp']).toBe('2025-01-01T00:00:00Z');
    expect(pod.metadata?.ownerReferences).toEqual([{ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', name: 'demo', uid: 'uid-cs', controller: true, blockOwnerDeletion: true }]);
    expect(pod.spec?.readinessGates).toEqual([{ conditionType: 'InPlaceUpdateReady' }, { conditionType: 'KruisePodReady' }]);
    expect(pod.spec?.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'data-demo-i0001' } }]);
    const claim = e.cluster.claims().find((c) => c.metadata?.name === 'data-demo-i0001');
    expect(claim?.metadata?.labels).toEqual({ app: 'demo', 'apps.kruise.io/cloneset-instance-id': 'i0001' });
    expect(claim?.metadata?.ownerReferences?.[0]?.uid).toBe('uid-cs');

    expect(e.cluster.cs.status).toEqual({
      observedGeneration: 1, replicas: 0, readyReplicas: 0, availableReplicas: 0, updatedReplicas: 0, updatedReadyReplicas: 0, updatedAvailableReplicas: 0,
      expectedUpdatedReplicas: 3, currentRevision: rev, updateRevision: rev, collisionCount: 0, labelSelector: 'app=demo',
    });
  });

  it('brings fresh pods to Normal and InPlaceUpdateReady=True, then reports them ready and available', async () => {
    const e = env(cloneSet({ replicas: 3 }));
    await settle(e);
    for (const p of e.cluster.pods()) {
      expect(p.metadata?.labels?.['lifecycle.apps.kruise.io/state']).toBe('Normal');
      expect(p.status?.conditions?.find((c) => c.type === 'InPlaceUpdateReady')?.status).toBe('True');
    }
    expect(e.cluster.cs.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 3, updatedReadyReplicas: 3, updatedAvailableReplicas: 3 });
  });

  it('moves fresh pods to Normal, then sets InPlaceUpdateReady (and a missing KruisePodReady) in one status write', async () => {
    const e = env(cloneSet({ replicas: 1 }));
    await e.reconcile();
    e.cluster.takeWrites();
    await e.reconcile();
    expect(e.cluster.takeWrites()).toEqual(['update pod demo-i0001', 'update pod status demo-i0001', 'update status']);
    const pod = e.cluster.pod('demo-i0001');
    expect(pod.status?.conditions?.map((c) => [c.type, c.status])).toEqual([['InPlaceUpdateReady', 'True'], ['KruisePodReady', 'True']]);
    expect(pod.metadata?.labels?.['lifecycle.apps.kruise.io/state']).toBe('Normal');
  });

  it('is idempotent: once settled, reconciling twice writes nothing', async () => {
    const e = env(cloneSet({ replicas: 4, claimSize: '1Gi' }));
    await settle(e);
    e.cluster.takeWrites();
    await e.reconcile();
    await e.reconcile();
    expect(e.cluster.takeWrites()).toEqual([]);
  });

  it('never creates twice from a stale cache: expectations hold until the cache shows the pods', async () => {
    const e = env(cloneSet({ replicas: 3 }));
    e.cluster.freezeCache();
    await e.reconcile();
    expect(e.cluster.takeWrites().filter((w) => w.startsWith('create pod'))).toHaveLength(3);
    const again = await e.reconcile();
    expect(e.cluster.takeWrites(), 'a stale cache must not cause new writes').toEqual([]);
    expect(again.requeueAfterMs).toBeGreaterThan(0);
    expect(e.reconciler.expectations.pending(KEY)?.creations).toEqual(['demo-i0001', 'demo-i0002', 'demo-i0003']);
    e.cluster.thawCache();
    await e.reconcile();
    expect(e.cluster.takeWrites().filter((w) => w.startsWith('create pod'))).toEqual([]);
    expect(e.cluster.pods()).toHaveLength(3);
  });

  it('does not act on a pod whose last write the cache has not shown yet', async () => {
    const e = env(cloneSet({ replicas: 2 }));
    await settle(e);
    e.cluster.setSpec((s) => (s.template.spec!.containers[0]!.image = 'nginx:2'));
    e.cluster.takeWrites();
    e.cluster.freezeCache();
    await e.reconcile(); // marks one pod for recreation (maxUnavailable 20% of 2 -> 1)
    const first = e.cluster.takeWrites();
    expect(first.filter((w) => w.startsWith('update pod '))).toHaveLength(1);
    // The cached pod still lacks the label this reconcile's own write added: wait, do not re-plan.
    const res = await e.reconcile();
    expect(e.cluster.takeWrites()).toEqual([]);
    expect(res.requeueAfterMs).toBeGreaterThan(0);
    e.cluster.thawCache();
  });
});

describe('errors', () => {
  it('reports a failed creation in a FailedScale condition and retries (the error is rethrown)', async () => {
    const e = env(cloneSet({ replicas: 1 }));
    e.cluster.createError = new ApiError(500, 'etcd is down');
    await expect(e.reconcile()).rejects.toThrow(/etcd is down/);
    expect(e.cluster.cs.status?.conditions).toEqual([{ type: 'FailedScale', status: 'True', lastTransitionTime: expect.any(String), message: 'etcd is down' }]);
    expect(e.reconciler.expectations.pending(KEY), 'the failed creation is not expected').toBeUndefined();
    expect(e.cluster.events.map((x) => x.reason)).toEqual(['FailedCreate']);
    e.cluster.createError = undefined;
    await settle(e);
    expect(e.cluster.cs.status?.conditions, 'the condition clears once scaling works').toBeUndefined();
  });

  it.each([
    ['being deleted (403 NamespaceTerminating)', new ApiError(403, 'forbidden', '{"reason":"Forbidden","details":{"causes":[{"reason":"NamespaceTerminating"}]}}')],
    ['gone (404 on the namespace)', new ApiError(404, 'not found', '{"kind":"Status","details":{"name":"ns","kind":"namespaces"},"code":404}')],
  ])('treats a namespace %s as nothing to retry', async (_name, error) => {
    const e = env(cloneSet({ replicas: 1 }));
    e.cluster.createError = error;
    await expect(e.reconcile()).resolves.toEqual({});
    expect(e.cluster.cs.status?.conditions).toBeUndefined();
  });

  it('stops quietly when the CloneSet is deleted while it works (404 on status)', async () => {
    const e = env(cloneSet({ replicas: 1 }));
    e.cluster.statusError = new ApiError(404, 'clonesets.apps.kruise.io "demo" not found');
    await expect(e.reconcile()).resolves.toEqual({});
  });
});

describe('scale in', () => {
  it('deletes the least valuable pods (not ready first) and their PVCs, and keeps the others', async () => {
    const e = env(cloneSet({ replicas: 3, claimSize: '1Gi' }));
    await settle(e);
    // demo-i0002 loses readiness: it goes first.
    const p = e.cluster.pod('demo-i0002');
    const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready) ready.status = 'False';
    e.cluster.setSpec((s) => (s.replicas = 2));
    e.cluster.takeWrites();
    await e.reconcile();
    expect(e.cluster.takeWrites()).toEqual(['delete pod demo-i0002', 'delete pvc data-demo-i0002', 'update status']);
    expect(e.cluster.pods().map((x) => x.metadata?.name)).toEqual(['demo-i0001', 'demo-i0003']);
    expect(e.cluster.claims().map((c) => c.metadata?.name).sort()).toEqual(['data-demo-i0001', 'data-demo-i0003']);
  });

  it('reuses the instance id (and so the PVC) of a pod that vanished by other means', async () => {
    const e = env(cloneSet({ replicas: 2, claimSize: '1Gi' }));
    await settle(e);
    e.cluster.removePod('demo-i0001');
    e.cluster.takeWrites();
    await e.reconcile();
    expect(e.cluster.takeWrites()).toEqual(['create pod demo-i0001', 'update status']);
  });

  it('waits for a pod deleted by hand to be gone, then reuses its instance id and PVC', async () => {
    const e = env(cloneSet({ replicas: 2, claimSize: '1Gi' }));
    await settle(e);
    const p = e.cluster.pod('demo-i0001');
    e.cluster.putPod({ ...p, metadata: { ...p.metadata, deletionTimestamp: new Date(e.cluster.clock) } });
    e.cluster.takeWrites();
    const res = await e.reconcile();
    expect(e.cluster.takeWrites(), 'no creation under a name still taken').toEqual(['update status']);
    expect(res.requeueAfterMs).toBeGreaterThan(0);
    e.cluster.removePod('demo-i0001');
    await e.reconcile();
    // The status already counted 1 pod (a terminating pod is not active).
    expect(e.cluster.takeWrites()).toEqual(['create pod demo-i0001']);
  });

  it('never reuses the id of a terminal pod (its name stays taken)', async () => {
    const e = env(cloneSet({ replicas: 2, claimSize: '1Gi' }));
    await settle(e);
    const p = e.cluster.pod('demo-i0001');
    e.cluster.putPod({ ...p, status: { ...p.status, phase: 'Failed' } });
    e.cluster.takeWrites();
    await e.reconcile();
    expect(e.cluster.takeWrites()).toEqual(['create pvc data-demo-i0003', 'create pod demo-i0003', 'update status']);
  });

  it('with disablePVCReuse deletes the orphaned PVC and uses a fresh id', async () => {
    const e = env(cloneSet({ replicas: 2, claimSize: '1Gi', scaleStrategy: { disablePVCReuse: true } }));
    await settle(e);
    e.cluster.removePod('demo-i0001');
    e.cluster.takeWrites();
    await e.reconcile();
    expect(e.cluster.takeWrites()).toEqual(['delete pvc data-demo-i0001', 'create pvc data-demo-i0003', 'create pod demo-i0003', 'update status']);
  });
});

describe('specified deletes', () => {
  it('deletes pods named in podsToDelete, replaces them, and drops the names from the spec', async () => {
    const e = env(cloneSet({ replicas: 3 }));
    await settle(e);
    e.cluster.setSpec((s) => (s.scaleStrategy = { podsToDelete: ['demo-i0002'] }));
    e.cluster.takeWrites();
    await e.reconcile();
    expect(e.cluster.takeWrites()).toEqual(['delete pod demo-i0002', 'update status']);
    // The next reconcile no longer sees the pod: the name leaves the spec.
    await e.reconcile();
    expect(e.cluster.takeWrites()).toEqual(['create pod demo-i0004', 'update status', 'update cloneset']);
    expect(e.cluster.cs.spec.scaleStrategy?.podsToDelete).toEqual([]);
    await settle(e);
    expect(e.cluster.pods().map((x) => x.metadata?.name)).toEqual(['demo-i0001', 'demo-i0003', 'demo-i0004']);
  });

  it('deletes a pod carrying the apps.kruise.io/specified-delete label', async () => {
    const e = env(cloneSet({ replicas: 2 }));
    await settle(e);
    const p = e.cluster.pod('demo-i0001');
    e.cluster.putPod({ ...p, metadata: { ...p.metadata, labels: { ...p.metadata?.labels, 'apps.kruise.io/specified-delete': 'x' } } });
    e.cluster.takeWrites();
    await settle(e);
    expect(e.cluster.pods().map((x) => x.metadata?.name)).toEqual(['demo-i0002', 'demo-i0003']);
  });
});

describe('lifecycle hooks', () => {
  it('parks a hooked pod in PreparingDelete and deletes it once the hook label is removed', async () => {
    const hook = { labelsHandler: { 'example.com/hold': 'true' } };
    const e = env(cloneSet({ replicas: 2, lifecycle: { preDelete: hook } }));
    await settle(e);
    for (const p of e.cluster.pods()) e.cluster.putPod({ ...p, metadata: { ...p.metadata, labels: { ...p.metadata?.labels, 'example.com/hold': 'true' } } });
    e.cluster.setSpec((s) => (s.replicas = 1));
    await settle(e);
    const states = labelsOf(e).map((l) => l['lifecycle.apps.kruise.io/state']).sort();
    expect(states).toEqual(['Normal', 'PreparingDelete']);
    const parked = e.cluster.pods().find((p) => p.metadata?.labels?.['lifecycle.apps.kruise.io/state'] === 'PreparingDelete')!;
    const { 'example.com/hold': _hold, ...rest } = parked.metadata?.labels ?? {};
    e.cluster.putPod({ ...parked, metadata: { ...parked.metadata, labels: rest } });
    await settle(e);
    expect(e.cluster.pods()).toHaveLength(1);
    expect(e.cluster.pods()[0]?.metadata?.name).not.toBe(parked.metadata?.name);
  });

  it('marks a PreparingDelete pod not ready through KruisePodReady when markPodNotReady is set', async () => {
    const hook = { labelsHandler: { 'example.com/hold': 'true' }, markPodNotReady: true };
    const e = env(cloneSet({ replicas: 1, lifecycle: { preDelete: hook } }));
    await settle(e);
    const p = e.cluster.pod('demo-i0001');
    e.cluster.putPod({ ...p, metadata: { ...p.metadata, labels: { ...p.metadata?.labels, 'example.com/hold': 'true' } } });
    e.cluster.setSpec((s) => (s.replicas = 0));
    await settle(e);
    const cond = e.cluster.pod('demo-i0001').status?.conditions?.find((c) => c.type === 'KruisePodReady');
    expect(cond).toMatchObject({ status: 'False', message: '[{"userAgent":"Lifecycle","key":"preDeleteHook"}]' });
    expect(e.cluster.cs.status).toMatchObject({ replicas: 1, readyReplicas: 0, availableReplicas: 0 });
  });
});

describe('rollout', () => {
  const walk = (type: 'ReCreate' | 'InPlaceIfPossible') => cloneSet({ replicas: 5, updateStrategy: { type, maxSurge: '20%', maxUnavailable: 0, partition: 3 } });

  it.each(['ReCreate', 'InPlaceIfPossible'] as const)('%s: the seed walkthrough (peak 6, then 3 old + 2 new, then 5 new)', async (type) => {
    const e = env(walk(type));
    await settle(e);
    const before = new Map(e.cluster.pods().map((p) => [p.metadata?.name, p.metadata?.uid]));
    const oldRevision = e.cluster.cs.status?.currentRevision;
    e.cluster.setSpec((s) => (s.template.spec!.containers[0]!.image = 'nginx:2'));
    const phase1 = await settle(e);
    expect(maxTotal(phase1)).toBe(6);
    expect(minAvailable(phase1), 'maxUnavailable 0: never fewer than 5 available').toBeGreaterThanOrEqual(5);
    expect(phase1.find((s) => s.total === 6)?.byImage).toEqual({ 'nginx:1': 5, 'nginx:2': 1 });
    expect(images(e).sort()).toEqual(['nginx:1', 'nginx:1', 'nginx:1', 'nginx:2', 'nginx:2']);
    expect(e.cluster.cs.status).toMatchObject({ replicas: 5, updatedReplicas: 2, updatedReadyReplicas: 2, expectedUpdatedReplicas: 2, currentRevision: oldRevision });

    e.cluster.setSpec((s) => (s.updateStrategy!.partition = 0));
    const phase2 = await settle(e);
    expect(maxTotal(phase2)).toBe(6);
    expect(minAvailable(phase2)).toBeGreaterThanOrEqual(5);
    expect(images(e)).toEqual(['nginx:2', 'nginx:2', 'nginx:2', 'nginx:2', 'nginx:2']);
    const status = e.cluster.cs.status;
    expect(status).toMatchObject({ replicas: 5, updatedReplicas: 5, updatedReadyReplicas: 5, availableReplicas: 5, expectedUpdatedReplicas: 5 });
    expect(status?.currentRevision).toBe(status?.updateRevision);
    expect(status?.currentRevision).not.toBe(oldRevision);
    const kept = e.cluster.pods().filter((p) => before.get(p.metadata?.name) === p.metadata?.uid).length;
    // In place: 3 originals keep their identity (2 surge pods replaced the 2 deleted originals).
    expect(kept).toBe(type === 'ReCreate' ? 0 : 3);
  });

  it('InPlaceIfPossible follows the InPlaceUpdateReady protocol and records the in-place state', async () => {
    const e = env(cloneSet({ replicas: 1, updateStrategy: { type: 'InPlaceIfPossible', maxUnavailable: 1 } }));
    await settle(e);
    const uid = e.cluster.pod('demo-i0001').metadata?.uid;
    const oldImageId = e.cluster.pod('demo-i0001').status?.containerStatuses?.[0]?.imageID;
    e.cluster.setSpec((s) => {
      s.template.spec!.containers[0]!.image = 'nginx:2';
      s.template.metadata!.labels = { app: 'demo', tier: 'web' };
    });
    e.cluster.takeWrites();
    await e.reconcile();
    const rev = e.cluster.revisions().map((r) => r.metadata?.name).find((n) => n !== e.cluster.cs.status?.currentRevision) ?? '';
    expect(e.cluster.takeWrites()).toEqual([`create revision ${rev}`, 'update pod status demo-i0001', 'update pod demo-i0001', 'update status']);
    const pod = e.cluster.pod('demo-i0001');
    expect(pod.metadata?.uid).toBe(uid);
    expect(pod.status?.conditions?.find((c) => c.type === 'InPlaceUpdateReady')).toMatchObject({ status: 'False', reason: 'StartInPlaceUpdate' });
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    expect(pod.spec?.containers[0]?.image).toBe('nginx:2');
    expect(pod.metadata?.labels).toMatchObject({ tier: 'web', 'controller-revision-hash': rev, 'pod-template-hash': rev.slice(5), 'lifecycle.apps.kruise.io/state': 'Updating' });
    expect(readInPlaceState(pod)).toEqual({
      revision: rev, updateTimestamp: expect.any(String), updateImages: true,
      lastContainerStatuses: { main: { imageID: oldImageId } }, containerBatchesRecord: [{ timestamp: expect.any(String), containers: ['main'] }],
    });
    // Not complete while the container runs the old imageID; the status catches up with the pod.
    await e.reconcile();
    expect(e.cluster.takeWrites()).toEqual(['update status']);
    expect(e.cluster.cs.status).toMatchObject({ updatedReplicas: 1, readyReplicas: 0 });
    await e.reconcile();
    expect(e.cluster.takeWrites()).toEqual([]);
    e.cluster.kubelet();
    await settle(e);
    const done = e.cluster.pod('demo-i0001');
    expect(done.status?.conditions?.find((c) => c.type === 'InPlaceUpdateReady')?.status).toBe('True');
    expect(done.metadata?.labels?.['lifecycle.apps.kruise.io/state']).toBe('Normal');
    expect(done.metadata?.annotations?.['apps.kruise.io/inplace-update-state']).toBeDefined();
    expect(e.cluster.events.map((x) => x.reason)).toContain('SuccessfulUpdatePodInPlace');
  });

  it('InPlaceIfPossible recreates when a non-image field changes', async () => {
    const e = env(cloneSet({ replicas: 2, updateStrategy: { type: 'InPlaceIfPossible' } }));
    await settle(e);
    const before = uids(e);
    e.cluster.setSpec((s) => (s.template.spec!.containers[0]!.command = ['sleep', '1']));
    await settle(e);
    expect(uids(e).filter((u) => before.includes(u))).toEqual([]);
    expect(e.cluster.events.map((x) => x.reason)).toContain('SuccessfulUpdatePodReCreate');
  });

  it('InPlaceOnly refuses a non-image change with a FailedUpdate condition', async () => {
    const e = env(cloneSet({ replicas: 1, updateStrategy: { type: 'InPlaceOnly' } }));
    await settle(e);
    e.cluster.setSpec((s) => (s.template.spec!.containers[0]!.command = ['sleep', '1']));
    await expect(e.reconcile()).rejects.toThrow(/update strategy is InPlaceOnly but can not update in-place/);
    expect(e.cluster.cs.status?.conditions).toEqual([
      { type: 'FailedUpdate', status: 'True', lastTransitionTime: expect.any(String), message: expect.stringContaining('InPlaceOnly but can not update in-place') },
    ]);
    expect(e.cluster.pods()).toHaveLength(1);
  });

  it('paused stops the update but not scaling', async () => {
    const e = env(cloneSet({ replicas: 2, updateStrategy: { paused: true } }));
    await settle(e);
    e.cluster.setSpec((s) => {
      s.template.spec!.containers[0]!.image = 'nginx:2';
      s.replicas = 3;
    });
    await settle(e);
    expect(images(e).sort()).toEqual(['nginx:1', 'nginx:1', 'nginx:2']);
    e.cluster.setSpec((s) => (s.updateStrategy!.paused = false));
    await settle(e);
    expect(images(e)).toEqual(['nginx:2', 'nginx:2', 'nginx:2']);
  });

  it('waits for inPlaceUpdateStrategy.gracePeriodSeconds before changing the image', async () => {
    const e = env(cloneSet({ replicas: 1, updateStrategy: { type: 'InPlaceIfPossible', maxUnavailable: 1, inPlaceUpdateStrategy: { gracePeriodSeconds: 10 } } }));
    await settle(e);
    e.cluster.setSpec((s) => (s.template.spec!.containers[0]!.image = 'nginx:2'));
    await e.reconcile();
    const parked = e.cluster.pod('demo-i0001');
    expect(parked.spec?.containers[0]?.image).toBe('nginx:1');
    expect(parked.metadata?.annotations?.['apps.kruise.io/inplace-update-grace']).toBeDefined();
    e.cluster.clock += 5000;
    const res = await e.reconcile();
    expect(res.requeueAfterMs).toBe(5000);
    expect(e.cluster.pod('demo-i0001').spec?.containers[0]?.image).toBe('nginx:1');
    e.cluster.clock += 5000;
    await e.reconcile();
    expect(e.cluster.pod('demo-i0001').spec?.containers[0]?.image).toBe('nginx:2');
    expect(e.cluster.pod('demo-i0001').metadata?.annotations?.['apps.kruise.io/inplace-update-grace']).toBeUndefined();
    await settle(e);
    expect(e.cluster.cs.status).toMatchObject({ updatedReplicas: 1, availableReplicas: 1 });
  });
});

describe('in-place resize (InPlaceWorkloadVerticalScaling)', () => {
  const resources = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } };

  it('resizes through pods/resize, keeps the pod, and stays ready (no RestartContainer policy)', async () => {
    const e = env(cloneSet({ replicas: 1, resources, updateStrategy: { type: 'InPlaceIfPossible', maxUnavailable: 1 } }), { InPlaceWorkloadVerticalScaling: true });
    await settle(e);
    const uid = e.cluster.pod('demo-i0001').metadata?.uid;
    e.cluster.setSpec((s) => (s.template.spec!.containers[0]!.resources = { requests: { cpu: '150m', memory: '64Mi' }, limits: { cpu: '300m', memory: '128Mi' } }));
    e.cluster.takeWrites();
    await e.reconcile();
    expect(e.cluster.takeWrites().filter((w) => w.includes('demo-i0001'))).toEqual(['resize pod demo-i0001', 'update pod demo-i0001']);
    expect(e.cluster.pod('demo-i0001').status?.conditions?.find((c) => c.type === 'InPlaceUpdateReady')?.status).toBe('True');
    await settle(e);
    const pod = e.cluster.pod('demo-i0001');
    expect(pod.metadata?.uid).toBe(uid);
    expect(pod.spec?.containers[0]?.resources?.limits).toEqual({ cpu: '300m', memory: '128Mi' });
    expect(pod.metadata?.labels?.['lifecycle.apps.kruise.io/state']).toBe('Normal');
    expect(e.cluster.cs.status).toMatchObject({ updatedReplicas: 1, availableReplicas: 1 });
  });

  it('image and resources together: resizes first, writes the image once the resize is done, one restart', async () => {
    const e = env(cloneSet({ replicas: 1, resources, updateStrategy: { type: 'InPlaceIfPossible', maxUnavailable: 1 } }), { InPlaceWorkloadVerticalScaling: true });
    await settle(e);
    const uid = e.cluster.pod('demo-i0001').metadata?.uid;
    const bigger = { requests: { cpu: '150m', memory: '64Mi' }, limits: { cpu: '300m', memory: '128Mi' } };
    e.cluster.setSpec((s) => {
      s.template.spec!.containers[0]!.image = 'nginx:2';
      s.template.spec!.containers[0]!.resources = bigger;
    });
    e.cluster.takeWrites();
    await e.reconcile();
    expect(e.cluster.takeWrites().filter((w) => w.includes('demo-i0001'))).toEqual(['update pod status demo-i0001', 'resize pod demo-i0001', 'update pod demo-i0001']);
    const first = e.cluster.pod('demo-i0001');
    expect({ image: first.spec?.containers[0]?.image, resources: first.spec?.containers[0]?.resources, state: readInPlaceState(first)?.nextContainerImages }).toEqual({ image: 'nginx:1', resources: bigger, state: { main: 'nginx:2' } });
    await e.reconcile();
    expect(e.cluster.pod('demo-i0001').spec?.containers[0]?.image, 'the kubelet has not reported the resize: the image waits').toBe('nginx:1');
    expect(e.cluster.cs.status).toMatchObject({ updatedReplicas: 1, updatedReadyReplicas: 0 });
    e.cluster.kubelet();
    e.cluster.takeWrites();
    await e.reconcile();
    expect(e.cluster.takeWrites().filter((w) => w.includes('demo-i0001'))).toEqual(['update pod demo-i0001']);
    expect(e.cluster.pod('demo-i0001').spec?.containers[0]?.image).toBe('nginx:2');
    await settle(e);
    const pod = e.cluster.pod('demo-i0001');
    expect({ uid: pod.metadata?.uid, restarts: pod.status?.containerStatuses?.[0]?.restartCount, state: pod.metadata?.labels?.['lifecycle.apps.kruise.io/state'] }).toEqual({ uid, restarts: 1, state: 'Normal' });
    expect(pod.status?.conditions?.find((c) => c.type === 'InPlaceUpdateReady')?.status).toBe('True');
    expect(e.cluster.cs.status).toMatchObject({ updatedReplicas: 1, updatedReadyReplicas: 1, availableReplicas: 1 });
  });

  it('a resize the kubelet defers keeps the update pending and says so in a Warning event', async () => {
    const e = env(cloneSet({ replicas: 1, resources, updateStrategy: { type: 'InPlaceIfPossible', maxUnavailable: 1 } }), { InPlaceWorkloadVerticalScaling: true });
    await settle(e);
    e.cluster.setSpec((s) => {
      s.template.spec!.containers[0]!.image = 'nginx:2';
      s.template.spec!.containers[0]!.resources = { requests: { cpu: '150m', memory: '64Mi' }, limits: { cpu: '300m', memory: '128Mi' } };
    });
    await e.reconcile();
    const pod = e.cluster.pod('demo-i0001');
    pod.status = { ...pod.status, conditions: [...(pod.status?.conditions ?? []), { type: 'PodResizePending', status: 'True', reason: 'Deferred', message: 'not enough room on the node now' }] };
    e.cluster.putPod(pod);
    await e.reconcile();
    expect(e.cluster.pod('demo-i0001').spec?.containers[0]?.image).toBe('nginx:1');
    expect(e.cluster.pod('demo-i0001').status?.conditions?.find((c) => c.type === 'InPlaceUpdateReady')?.status).toBe('False');
    const warnings = e.cluster.events.filter((x) => x.reason === 'InPlaceUpdateResizeBlocked');
    expect(warnings.map((x) => x.type)).toEqual(['Warning']);
    expect(warnings[0]?.message).toMatch(/^in-place update of pod demo-i0001 \(revision demo-\w+\) is pending: the kubelet reports its resize Deferred: not enough room on the node now; the new images of main wait for it$/);
  });

  it('recreates when the QoS class changes', async () => {
    const e = env(cloneSet({ replicas: 1, resources, updateStrategy: { type: 'InPlaceIfPossible', maxUnavailable: 1 } }), { InPlaceWorkloadVerticalScaling: true });
    await settle(e);
    const uid = e.cluster.pod('demo-i0001').metadata?.uid;
    e.cluster.setSpec((s) => (s.template.spec!.containers[0]!.resources = { requests: { cpu: '200m', memory: '128Mi' }, limits: { cpu: '200m', memory: '128Mi' } }));
    await settle(e);
    expect(uids(e)).not.toContain(uid);
  });

  it('recreates a resource change without the gate', async () => {
    const e = env(cloneSet({ replicas: 1, resources, updateStrategy: { type: 'InPlaceIfPossible', maxUnavailable: 1 } }));
    await settle(e);
    const uid = e.cluster.pod('demo-i0001').metadata?.uid;
    e.cluster.setSpec((s) => (s.template.spec!.containers[0]!.resources = { requests: { cpu: '150m', memory: '64Mi' }, limits: { cpu: '300m', memory: '128Mi' } }));
    await settle(e);
    expect(uids(e)).not.toContain(uid);
  });
});

describe('revisions and status', () => {
  it('reuses an equal revision on rollback (bumping its number) and prunes history beyond the limit', async () => {
    const e = env(cloneSet({ replicas: 1, revisionHistoryLimit: 1 }));
    await settle(e);
    const first = e.cluster.cs.status?.updateRevision;
    for (const image of ['nginx:2', 'nginx:3', 'nginx:1']) {
      e.cluster.setSpec((s) => (s.template.spec!.containers[0]!.image = image));
      await settle(e);
    }
    expect(e.cluster.cs.status?.updateRevision).toBe(first);
    const revs = e.cluster.revisions().map((r) => [r.metadata?.name, r.revision]);
    // Live: the current/update revision (number 4 now); history: one more (the nginx:3 one).
    expect(revs).toHaveLength(2);
    expect(revs).toContainEqual([first, 4]);
  });

  it('writes observedGeneration with every spec change and requeues for minReadySeconds', async () => {
    const e = env(cloneSet({ replicas: 1, minReadySeconds: 30 }));
    await settle(e);
    expect(e.cluster.cs.status).toMatchObject({ readyReplicas: 1, availableReplicas: 0 });
    const res = await e.reconcile();
    expect(res.requeueAfterMs).toBe(30_000);
    e.cluster.clock += 31_000;
    await e.reconcile();
    expect(e.cluster.cs.status).toMatchObject({ availableReplicas: 1, updatedAvailableReplicas: 1 });
    e.cluster.setSpec((s) => (s.minReadySeconds = 0));
    await e.reconcile();
    expect(e.cluster.cs.status?.observedGeneration).toBe(2);
  });

  it('counts partition percents with ceil: 99% of 4 keeps 3 old pods', async () => {
    const e = env(cloneSet({ replicas: 4, updateStrategy: { partition: '99%', maxUnavailable: 1 } }));
    await settle(e);
    e.cluster.setSpec((s) => (s.template.spec!.containers[0]!.image = 'nginx:2'));
    await settle(e);
    expect(images(e).sort()).toEqual(['nginx:1', 'nginx:1', 'nginx:1', 'nginx:2']);
    expect(e.cluster.cs.status).toMatchObject({ updatedReplicas: 1, expectedUpdatedReplicas: 1 });
  });

  it('uses the short hash as controller-revision-hash with CloneSetShortHash', async () => {
    const e = env(cloneSet({ replicas: 1 }), { CloneSetShortHash: true });
    await settle(e);
    const rev = e.cluster.cs.status?.updateRevision ?? '';
    expect(labelsOf(e)[0]?.['controller-revision-hash']).toBe(rev.slice('demo-'.length));
    expect(e.cluster.cs.status?.updatedReplicas).toBe(1);
  });
});
