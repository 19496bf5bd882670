// The reconciler end to end against an in-memory cluster with a fake kubelet: each round is one
// reconcile followed by one kubelet pass. Scenarios follow the integration test, but run in
// milliseconds and check every intermediate state.
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { isNamespaceTerminating } from '../../runtime/controller.ts';
import { StatefulSetReconciler } from './reconcile.ts';
import { FakeCluster } from './test/fake-cluster.ts';
import { T0 } from './test/builders.ts';
import { DEFAULT_GATES, type StatefulSetGates } from './types.ts';
import type { AdvancedStatefulSet } from './views.ts';

const vct = (size: string, storageClassName = 'expandable'): V1PersistentVolumeClaim => ({
  metadata: { name: 'data', labels: { ignored: 'yes' } },
  spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: size } } },
});

function asts(o: { replicas: number; rollingUpdate?: object; vct?: V1PersistentVolumeClaim; inPlaceGate?: boolean; volumeClaimUpdateStrategy?: 'OnPodRollingUpdate' | 'OnDelete' }): AdvancedStatefulSet {
  return {
    apiVersion: 'apps.kruise.io/v1beta1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'ns' },
    spec: {
      replicas: o.replicas,
      serviceName: 'web-svc',
      selector: { matchLabels: { app: 'web' } },
      podManagementPolicy: 'OrderedReady',
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{ name: 'main', image: 'nginx:1', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } } }],
          ...(o.inPlaceGate && { readinessGates: [{ conditionType: 'InPlaceUpdateReady' }] }),
        },
      },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1, podUpdatePolicy: 'ReCreate', ...o.rollingUpdate } },
      ...(o.vct && { volumeClaimTemplates: [o.vct] }),
      ...(o.volumeClaimUpdateStrategy && { volumeClaimUpdateStrategy: { type: o.volumeClaimUpdateStrategy } }),
      revisionHistoryLimit: 10,
    },
  };
}

interface Trace {
  rounds: number;
  maxUnavailable: number;
  errors: string[];
}

/** Reconcile + kubelet until a round changes nothing (or maxRounds). */
async function settle(cluster: FakeCluster, r: StatefulSetReconciler, maxRounds = 60, observe?: () => void): Promise<Trace> {
  const trace: Trace = { rounds: 0, maxUnavailable: 0, errors: [] };
  for (let i = 0; i < maxRounds; i++) {
    const before = cluster.writes.length;
    try {
      await r.reconcile('ns/web');
    } catch (err) {
      trace.errors.push((err as Error).message);
    }
    trace.maxUnavailable = Math.max(trace.maxUnavailable, cluster.unavailable().length);
    observe?.();
    const wrote = cluster.writes.length !== before;
    cluster.kubelet();
    trace.rounds++;
    if (!wrote && cluster.unavailable().length === 0 && i > 0) break;
  }
  return trace;
}

const reconciler = (cluster: FakeCluster, gates: Partial<StatefulSetGates> = {}) => new StatefulSetReconciler(cluster, { gates: { ...DEFAULT_GATES, ...gates } });
const revisionOf = (cluster: FakeCluster, pod: string) => cluster.pods.get(pod)?.metadata?.labels?.['controller-revision-hash'];

describe('StatefulSetReconciler', () => {
  it('a PVC create refused because the namespace is terminating stops the reconcile with an error the runner recognises (it drops the key, no error log)', async () => {
    const cluster = new FakeCluster(asts({ replicas: 1, vct: vct('1Gi') }), T0);
    const refused = Object.assign(new Error('HTTP-Code: 403'), { code: 403, body: JSON.stringify({ reason: 'Forbidden', details: { causes: [{ reason: 'NamespaceTerminating' }] } }) });
    cluster.createClaim = async () => {
      throw refused;
    };
    const err = await reconciler(cluster).reconcile('ns/web').then(() => undefined, (e: unknown) => e);
    expect((err as Error | undefined)?.message).toMatch(/failed to create PVC data-web-0/);
    expect(isNamespaceTerminating(err), 'the 403 NamespaceTerminating is reachable through the error causes').toBe(true);
  });

  it('scales 0 -> 3 in order, one pod at a time, PVCs before pods, with identity labels', async () => {
    const cluster = new FakeCluster(asts({ replicas: 3, vct: vct('1Gi') }), T0);
    const r = reconciler(cluster);
    const trace = await settle(cluster, r);
    expect(trace.errors).toEqual([]);
    expect(trace.maxUnavailable, 'OrderedReady never has two pods starting').toBe(1);
    const creations = cluster.writes.filter((w) => w.startsWith('create pod') || w.startsWith('create pvc'));
    expect(creations).toEqual(['create pvc data-web-0', 'create pod web-0', 'create pvc data-web-1', 'create pod web-1', 'create pvc data-web-2', 'create pod web-2']);
    const pod = cluster.pods.get('web-1');
    const revision = cluster.set.status?.updateRevision;
    expect(pod?.metadata?.labels).toEqual({
      app: 'web',
      'statefulset.kubernetes.io/pod-name': 'web-1',
      'apps.kubernetes.io/pod-index': '1',
      'controller-revision-hash': revision,
      'lifecycle.apps.kruise.io/state': 'Normal',
    });
    expect(pod?.spec?.hostname).toBe('web-1');
    expect(pod?.spec?.subdomain).toBe('web-svc');
    expect(pod?.spec?.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-1', readOnly: false } }]);
    expect(pod?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'StatefulSet', name: 'web', uid: 'uid-set', controller: true });
    expect(cluster.claims.get('data-web-1')?.metadata?.labels, 'PVC labels are the selector').toEqual({ app: 'web' });
    expect(cluster.set.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: revision, observedGeneration: 1, labelSelector: 'app=web' });
    expect(cluster.set.status?.volumeClaims).toEqual([{ volumeClaimName: 'data', compatibleReplicas: 3, compatibleReadyReplicas: 3 }]);
    expect(cluster.revisions.size).toBe(1);
  });

  it('rolls out with partition 1 of 3 (ReCreate), then finishes with partition 0 and flips currentRevision', async () => {
    const cluster = new FakeCluster(asts({ replicas: 3 }), T0);
    const r = reconciler(cluster);
    await settle(cluster, r);
    const oldRevision = cluster.set.status?.currentRevision;
    const uids = new Map([...cluster.pods].map(([n, p]) => [n, p.metadata?.uid]));

    cluster.editSpec((s) => {
      s.template!.spec!.containers[0]!.image = 'nginx:2';
      s.updateStrategy!.rollingUpdate!.partition = 1;
    });
    const trace = await settle(cluster, r);
    const newRevision = cluster.set.status?.updateRevision;
    expect(newRevision).not.toBe(oldRevision);
    expect(trace.maxUnavailable).toBe(1);
    expect([0, 1, 2].map((i) => revisionOf(cluster, `web-${i}`))).toEqual([oldRevision, newRevision, newRevision]);
    expect(cluster.pods.get('web-0')?.metadata?.uid).toBe(uids.get('web-0'));
    expect(cluster.pods.get('web-2')?.metadata?.uid, 'ReCreate gives a new pod').not.toBe(uids.get('web-2'));
    expect(cluster.set.status).toMatchObject({ currentRevision: oldRevision, updatedReplicas: 2, currentReplicas: 1, readyReplicas: 3 });
    const deletions = cluster.writes.filter((w) => w.startsWith('delete pod'));
    expect(deletions).toEqual(['delete pod web-2', 'delete pod web-1']);

    cluster.editSpec((s) => {
      s.updateStrategy!.rollingUpdate!.partition = 0;
    });
    await settle(cluster, r);
    expect(cluster.set.status).toMatchObject({ currentRevision: newRevision, updateRevision: newRevision, updatedReplicas: 3, currentReplicas: 3 });
  });

  it('updates the image in place keeping UIDs, through InPlaceUpdateReady and the in-place state annotation', async () => {
    const cluster = new FakeCluster(asts({ replicas: 2, inPlaceGate: true, rollingUpdate: { podUpdatePolicy: 'InPlaceIfPossible' } }), T0);
    const r = reconciler(cluster);
    const trace0 = await settle(cluster, r);
    expect(trace0.errors).toEqual([]);
    expect(cluster.unavailable(), 'fresh pods become ready once the controller sets InPlaceUpdateReady').toEqual([]);
    const uids = [...cluster.pods.values()].map((p) => p.metadata?.uid);

    cluster.editSpec((s) => {
      s.template!.spec!.containers[0]!.image = 'nginx:2';
    });
    let sawUnready = false;
    const trace = await settle(cluster, r, 60, () => {
      const c = cluster.pods.get('web-1')?.status?.conditions?.find((x) => x.type === 'InPlaceUpdateReady');
      if (c?.status === 'False' && c.reason === 'StartInPlaceUpdate') sawUnready = true;
    });
    expect(trace.errors).toEqual([]);
    expect(sawUnready, 'InPlaceUpdateReady went False during the update').toBe(true);
    expect([...cluster.pods.values()].map((p) => p.metadata?.uid)).toEqual(uids);
    expect([...cluster.pods.values()].map((p) => p.spec?.containers[0]?.image)).toEqual(['nginx:2', 'nginx:2']);
    const state = JSON.parse(cluster.pods.get('web-0')?.metadata?.annotations?.['apps.kruise.io/inplace-update-state'] ?? '{}');
    expect(state).toMatchObject({ revision: cluster.set.status?.updateRevision, updateImages: true });
    expect(cluster.pods.get('web-0')?.metadata?.labels?.['lifecycle.apps.kruise.io/state']).toBe('Normal');
    expect(cluster.events.filter((e) => e.reason === 'SuccessfulUpdatePodInPlace').length).toBe(2);
    expect(cluster.set.status).toMatchObject({ currentRevision: cluster.set.status?.updateRevision, updatedReplicas: 2, readyReplicas: 2 });
  });

  it('resizes cpu in place through pods/resize with InPlaceWorkloadVerticalScaling', async () => {
    const cluster = new FakeCluster(asts({ replicas: 1, inPlaceGate: true, rollingUpdate: { podUpdatePolicy: 'InPlaceIfPossible' } }), T0);
    const r = reconciler(cluster, { verticalScaling: true });
    await settle(cluster, r);
    const uid = cluster.pods.get('web-0')?.metadata?.uid;
    cluster.editSpec((s) => {
      s.template!.spec!.containers[0]!.resources = { requests: { cpu: '150m', memory: '64Mi' }, limits: { cpu: '300m', memory: '128Mi' } };
    });
    const trace = await settle(cluster, r);
    expect(trace.errors).toEqual([]);
    expect(cluster.writes).toContain('resize pod web-0');
    expect(cluster.pods.get('web-0')?.metadata?.uid).toBe(uid);
    expect(cluster.pods.get('web-0')?.spec?.containers[0]?.resources).toEqual({ requests: { cpu: '150m', memory: '64Mi' }, limits: { cpu: '300m', memory: '128Mi' } });
    expect(cluster.set.status?.updatedReplicas).toBe(1);
  });

  it('image and resources together: resizes first, writes the image only once the kubelet reports the resize done', async () => {
    const cluster = new FakeCluster(asts({ replicas: 1, inPlaceGate: true, rollingUpdate: { podUpdatePolicy: 'InPlaceIfPossible' } }), T0);
    const r = reconciler(cluster, { verticalScaling: true });
    await settle(cluster, r);
    const bigger = { requests: { cpu: '150m', memory: '64Mi' }, limits: { cpu: '300m', memory: '128Mi' } };
    cluster.editSpec((s) => {
      s.template!.spec!.containers[0]!.image = 'nginx:2';
      s.template!.spec!.containers[0]!.resources = bigger;
    });
    cluster.writes.length = 0;
    await r.reconcile('ns/web');
    expect(cluster.writes.filter((w) => w.endsWith('web-0'))).toEqual(['update pod status web-0', 'resize pod web-0', 'update pod web-0']);
    const first = cluster.pods.get('web-0')!;
    expect({ image: first.spec?.containers[0]?.image, resources: first.spec?.containers[0]?.resources, revision: revisionOf(cluster, 'web-0') }).toEqual({ image: 'nginx:1', resources: bigger, revision: cluster.set.status?.updateRevision });
    await r.reconcile('ns/web');
    expect(cluster.pods.get('web-0')?.spec?.containers[0]?.image, 'the kubelet has not reported the resize: the image waits').toBe('nginx:1');
    cluster.kubelet();
    cluster.writes.length = 0;
    await r.reconcile('ns/web');
    expect(cluster.writes.filter((w) => w.endsWith('web-0'))).toEqual(['update pod web-0']);
    expect(cluster.pods.get('web-0')?.spec?.containers[0]?.image).toBe('nginx:2');
    const trace = await settle(cluster, r);
    expect(trace.errors).toEqual([]);
    expect(cluster.unavailable()).toEqual([]);
    expect(cluster.pods.get('web-0')?.metadata?.labels?.['lifecycle.apps.kruise.io/state'] ?? 'Normal').toBe('Normal');
    expect(cluster.set.status).toMatchObject({ updatedReplicas: 1, readyReplicas: 1, currentRevision: cluster.set.status?.updateRevision });
  });

  it('a resize the kubelet reports Infeasible keeps the images held and says so in a Warning event', async () => {
    const cluster = new FakeCluster(asts({ replicas: 1, inPlaceGate: true, rollingUpdate: { podUpdatePolicy: 'InPlaceIfPossible' } }), T0);
    const r = reconciler(cluster, { verticalScaling: true });
    await settle(cluster, r);
    cluster.editSpec((s) => {
      s.template!.spec!.containers[0]!.image = 'nginx:2';
      s.template!.spec!.containers[0]!.resources = { requests: { cpu: '150m', memory: '64Mi' }, limits: { cpu: '300m', memory: '128Mi' } };
    });
    await r.reconcile('ns/web');
    const pod = cluster.pods.get('web-0')!;
    pod.status = { ...pod.status, conditions: [...(pod.status?.conditions ?? []), { type: 'PodResizePending', status: 'True', reason: 'Infeasible', message: 'Node didn\'t have enough capacity: cpu' }] };
    await r.reconcile('ns/web');
    expect(cluster.pods.get('web-0')?.spec?.containers[0]?.image).toBe('nginx:1');
    const warnings = cluster.events.filter((e) => e.reason === 'InPlaceUpdateResizeBlocked');
    expect(warnings.map((e) => e.type)).toEqual(['Warning']);
    expect(warnings[0]?.message).toBe(`in-place update of pod web-0 (revision ${cluster.set.status?.updateRevision}) is pending: the kubelet reports its resize Infeasible: Node didn't have enough capacity: cpu; the new images of main wait for it`);
  });

  it('recreates when the QoS class would change, even with vertical scaling', async () => {
    const cluster = new FakeCluster(asts({ replicas: 1, inPlaceGate: true, rollingUpdate: { podUpdatePolicy: 'InPlaceIfPossible' } }), T0);
    const r = reconciler(cluster, { verticalScaling: true });
    await settle(cluster, r);
    const uid = cluster.pods.get('web-0')?.metadata?.uid;
    cluster.editSpec((s) => {
      s.template!.spec!.containers[0]!.resources = { requests: { cpu: '200m', memory: '128Mi' }, limits: { cpu: '200m', memory: '128Mi' } };
    });
    await settle(cluster, r);
    expect(cluster.writes).not.toContain('resize pod web-0');
    expect(cluster.pods.get('web-0')?.metadata?.uid).not.toBe(uid);
  });

  it('grows only the PVC of the pod the rollout reaches (partition 2 of 3), waits for capacity, then updates the pod', async () => {
    const cluster = new FakeCluster(asts({ replicas: 3, vct: vct('1Gi'), volumeClaimUpdateStrategy: 'OnPodRollingUpdate' }), T0);
    const r = reconciler(cluster, { autoResizePVC: true });
    await settle(cluster, r);
    const uid2 = cluster.pods.get('web-2')?.metadata?.uid;
    cluster.editSpec((s) => {
      s.volumeClaimTemplates![0]!.spec!.resources!.requests!.storage = '2Gi';
      s.template!.spec!.containers[0]!.image = 'nginx:2';
      s.updateStrategy!.rollingUpdate!.partition = 2;
    });
    // The first reconcile expands the PVC and does not touch the pod yet.
    await r.reconcile('ns/web');
    expect(cluster.claims.get('data-web-2')?.spec?.resources?.requests?.storage).toBe('2Gi');
    expect(cluster.claims.get('data-web-2')?.metadata?.annotations?.['apps.kruise.io/owned-by-asts']).toBe('web');
    expect(cluster.pods.get('web-2')?.metadata?.uid).toBe(uid2);
    expect(cluster.writes.at(-1)).toBe('write status');
    cluster.kubelet();
    await settle(cluster, r);
    expect(['data-web-0', 'data-web-1', 'data-web-2'].map((n) => cluster.claims.get(n)?.spec?.resources?.requests?.storage)).toEqual(['1Gi', '1Gi', '2Gi']);
    expect(cluster.pods.get('web-2')?.metadata?.uid).not.toBe(uid2);
    expect(cluster.set.status?.volumeClaims).toEqual([{ volumeClaimName: 'data', compatibleReplicas: 1, compatibleReadyReplicas: 1 }]);
    expect(cluster.events.some((e) => e.reason === 'SuccessfulResize')).toBe(true);
  });

  it('refuses to grow PVCs on a StorageClass without expansion (FailedUpdatePVC) and leaves the pods alone', async () => {
    const cluster = new FakeCluster(asts({ replicas: 2, vct: vct('1Gi', 'fixed'), volumeClaimUpdateStrategy: 'OnPodRollingUpdate' }), T0);
    const r = reconciler(cluster, { autoResizePVC: true });
    await settle(cluster, r);
    const uids = [...cluster.pods.values()].map((p) => p.metadata?.uid);
    cluster.editSpec((s) => {
      s.volumeClaimTemplates![0]!.spec!.resources!.requests!.storage = '2Gi';
      s.template!.spec!.containers[0]!.image = 'nginx:2';
    });
    await expect(r.reconcile('ns/web')).rejects.toThrow('storage class fixed for web-1 does not support volume expansion');
    expect(cluster.events.filter((e) => e.reason === 'FailedUpdatePVC')).toEqual([
      { type: 'Warning', reason: 'FailedUpdatePVC', message: 'storage class fixed for web-1 does not support volume expansion' },
    ]);
    expect(cluster.claims.get('data-web-1')?.spec?.resources?.requests?.storage).toBe('1Gi');
    expect([...cluster.pods.values()].map((p) => p.metadata?.uid)).toEqual(uids);
    expect(cluster.set.status?.observedGeneration, 'status is still written').toBe(2);
    expect(cluster.set.status?.volumeClaims).toEqual([{ volumeClaimName: 'data', compatibleReplicas: 0, compatibleReadyReplicas: 0 }]);
  });

  it('rolls back to an older template by bumping its revision and prunes history beyond the limit', async () => {
    const cluster = new FakeCluster(asts({ replicas: 1 }), T0);
    const r = reconciler(cluster);
    await settle(cluster, r);
    const first = cluster.set.status?.updateRevision ?? '';
    for (const image of ['nginx:2', 'nginx:1']) {
      cluster.editSpec((s) => {
        s.template!.spec!.containers[0]!.image = image;
      });
      await settle(cluster, r);
    }
    expect(cluster.set.status?.updateRevision).toBe(first);
    expect(cluster.revisions.get(first)?.revision).toBe(3);
    expect(cluster.writes).toContain(`bump revision ${first} to 3`);

    cluster.editSpec((s) => {
      s.revisionHistoryLimit = 0;
    });
    await settle(cluster, r);
    expect([...cluster.revisions.keys()]).toEqual([first]);
  });

  it('scales in from 3 to 1 highest ordinal first, one at a time', async () => {
    const cluster = new FakeCluster(asts({ replicas: 3 }), T0);
    const r = reconciler(cluster);
    await settle(cluster, r);
    cluster.editSpec((s) => {
      s.replicas = 1;
    });
    await settle(cluster, r);
    expect(cluster.writes.filter((w) => w.startsWith('delete pod'))).toEqual(['delete pod web-2', 'delete pod web-1']);
    expect(cluster.podNames()).toEqual(['web-0']);
    expect(cluster.set.status).toMatchObject({ replicas: 1, readyReplicas: 1 });
  });

  it('adopts an orphaned pod, releases one whose labels stop matching (its ordinal cannot be recreated while the name is taken), and adopts it back', async () => {
    const cluster = new FakeCluster(asts({ replicas: 3 }), T0);
    const r = reconciler(cluster);
    await settle(cluster, r);
    const uid = cluster.pods.get('web-2')?.metadata?.uid;
    const controller = () => cluster.pods.get('web-2')?.metadata?.ownerReferences?.find((o) => o.controller)?.uid;

    cluster.pods.get('web-2')!.metadata!.ownerReferences = [];
    await r.reconcile('ns/web');
    expect({ uid: cluster.pods.get('web-2')?.metadata?.uid, controller: controller() }, 'orphan adopted, not recreated').toEqual({ uid, controller: 'uid-set' });
    expect(cluster.writes.filter((w) => w.startsWith('create pod'))).toEqual(['create pod web-0', 'create pod web-1', 'create pod web-2']);

    cluster.pods.get('web-2')!.metadata!.labels!.app = 'released';
    await expect(r.reconcile('ns/web'), 'the replacement web-2 collides with the released pod').rejects.toThrow('already exists');
    expect({ uid: cluster.pods.get('web-2')?.metadata?.uid, controller: controller() }, 'released').toEqual({ uid, controller: undefined });
    expect(cluster.set.status?.conditions?.map((c) => c.type)).toEqual(['FailedCreatePod']);

    cluster.pods.get('web-2')!.metadata!.labels!.app = 'web';
    const trace = await settle(cluster, r);
    expect(trace.errors).toEqual([]);
    expect({ uid: cluster.pods.get('web-2')?.metadata?.uid, controller: controller() }, 'adopted again').toEqual({ uid, controller: 'uid-set' });
    expect(cluster.set.status).toMatchObject({ replicas: 3, readyReplicas: 3 });
    expect(cluster.set.status?.conditions).toBeUndefined();
  });

  it('does not adopt while the set is being deleted', async () => {
    const cluster = new FakeCluster(asts({ replicas: 1 }), T0);
    const r = reconciler(cluster);
    await settle(cluster, r);
    cluster.pods.get('web-0')!.metadata!.ownerReferences = [];
    cluster.set = { ...cluster.set, metadata: { ...cluster.set.metadata, deletionTimestamp: new Date(T0) } };
    await r.reconcile('ns/web');
    expect(cluster.pods.get('web-0')?.metadata?.ownerReferences).toEqual([]);
  });

  it('waits inPlaceUpdateStrategy.gracePeriodSeconds between marking the pod and changing its image', async () => {
    const cluster = new FakeCluster(asts({ replicas: 1, inPlaceGate: true, rollingUpdate: { podUpdatePolicy: 'InPlaceIfPossible', inPlaceUpdateStrategy: { gracePeriodSeconds: 3 } } }), T0);
    const r = reconciler(cluster);
    await settle(cluster, r);
    const uid = cluster.pods.get('web-0')?.metadata?.uid;
    cluster.editSpec((s) => {
      s.template!.spec!.containers[0]!.image = 'nginx:2';
    });
    const image = () => cluster.pods.get('web-0')?.spec?.containers[0]?.image;
    const ipuReady = () => cluster.pods.get('web-0')?.status?.conditions?.find((c) => c.type === 'InPlaceUpdateReady')?.status;

    const markedAt = cluster.clock;
    const first = await r.reconcile('ns/web');
    const update = cluster.set.status?.updateRevision;
    expect({ revision: revisionOf(cluster, 'web-0'), image: image(), ipuReady: ipuReady(), grace: cluster.pods.get('web-0')?.metadata?.annotations?.['apps.kruise.io/inplace-update-grace'] !== undefined }).toEqual({
      revision: update,
      image: 'nginx:1',
      ipuReady: 'False',
      grace: true,
    });
    // The mark's own pod event brings the next pass, which sees the grace and asks to come back.
    expect(first.requeueAfterMs, 'the marking pass plans no wait of its own').toBeUndefined();
    // Within the grace period: nothing changes, the reconcile asks to come back when it is due.
    for (const advance of [1000, 1000]) {
      cluster.kubelet(advance);
      const out = await r.reconcile('ns/web');
      expect({ image: image(), requeueAfterMs: out.requeueAfterMs }).toEqual({ image: 'nginx:1', requeueAfterMs: markedAt + 3000 - cluster.clock });
    }
    cluster.kubelet(1000);
    await r.reconcile('ns/web');
    expect({ image: image(), grace: cluster.pods.get('web-0')?.metadata?.annotations?.['apps.kruise.io/inplace-update-grace'] }).toEqual({ image: 'nginx:2', grace: undefined });
    const trace = await settle(cluster, r);
    expect(trace.errors).toEqual([]);
    expect({ uid: cluster.pods.get('web-0')?.metadata?.uid, ipuReady: ipuReady() }).toEqual({ uid, ipuReady: 'True' });
    expect(cluster.set.status).toMatchObject({ currentRevision: update, updatedReplicas: 1, readyReplicas: 1 });
  });

  it('stamps the grace period when the pod is written, after a slow InPlaceUpdateReady write', async () => {
    const cluster = new FakeCluster(asts({ replicas: 1, inPlaceGate: true, rollingUpdate: { podUpdatePolicy: 'InPlaceIfPossible', inPlaceUpdateStrategy: { gracePeriodSeconds: 3 } } }), T0);
    const r = reconciler(cluster);
    await settle(cluster, r);
    cluster.editSpec((s) => {
      s.template!.spec!.containers[0]!.image = 'nginx:2';
    });
    // The condition write takes 1.5 s: the grace period must count from after it.
    const writeStatus = cluster.updatePodStatus.bind(cluster);
    cluster.updatePodStatus = async (ns, name, mutate) => {
      await writeStatus(ns, name, mutate);
      cluster.clock += 1500;
    };
    const started = cluster.clock;
    await r.reconcile('ns/web');
    const grace = JSON.parse(cluster.pods.get('web-0')?.metadata?.annotations?.['apps.kruise.io/inplace-update-state'] ?? '{}') as { updateTimestamp?: string };
    // Timestamps have whole seconds: the stamp is at least started + 1 s, so not the reconcile's start.
    expect(Date.parse(grace.updateTimestamp ?? ''), JSON.stringify(grace)).toBeGreaterThanOrEqual(started + 1000);
  });

  it('does nothing for a StatefulSet that is gone', async () => {
    const cluster = new FakeCluster(asts({ replicas: 1 }), T0);
    const r = new StatefulSetReconciler({ ...cluster, getSet: () => undefined } as unknown as FakeCluster, { gates: DEFAULT_GATES });
    await expect(r.reconcile('ns/web')).resolves.toEqual({});
    expect(cluster.writes).toEqual([]);
  });
});
