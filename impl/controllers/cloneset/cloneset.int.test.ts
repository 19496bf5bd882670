// The CloneSet controller against a real local cluster (kube-apiserver, kcm, scheduler, kwok
// kubelets and CSI simulation), driven by the real manager process (`kruise-ref manager`, with
// its webhooks and the pod-readiness controller). Its own cluster: name `cloneset`, apiserver port
// 36521, manager ports 36522-36524. Run with
//   npx vitest run --project integration impl/controllers/cloneset/cloneset.int.test.ts
// Test code may use the harness (cluster provider, watch-based waits, invariant monitor); the
// controller never does.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, loadAllYaml, setHeaderOptions, type KubeConfig, type V1CustomResourceDefinition, type V1PersistentVolumeClaim, type V1Pod } from '@kubernetes/client-node';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS, LocalProvider } from '../../../harness/clusters/local/provider.ts';
import { loadKubeConfig } from '../../../harness/kube/client.ts';
import { isPodReady, startInvariantMonitor, type InvariantMonitor } from '../../../harness/kube/invariants.ts';
import { waitForCollection, waitForObject } from '../../../harness/kube/wait.ts';
import type { CloneSet } from '../../api/cloneset.ts';

const CLUSTER = 'cloneset';
const PORT = 36521;
const [WEBHOOK_PORT, METRICS_PORT, HEALTH_PORT] = [36522, 36523, 36524];
const NS = 'cloneset-int';
const REPO = join(import.meta.dirname, '..', '..', '..');
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const GVR = { group: 'apps.kruise.io', version: 'v1alpha1', plural: 'clonesets' } as const;
const RESOURCES = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } };
const ID = /^[bcdfghjklmnpqrstvwxz2456789]{5}$/;

const provider = new LocalProvider({ ...LOCAL_DEFAULTS, name: CLUSTER, apiserverPort: PORT, log: () => {} });
let kc: KubeConfig;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let manager: ResultPromise | undefined;
let managerLog = '';

function crds(): V1CustomResourceDefinition[] {
  const dir = join(REPO, 'impl', 'crds');
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap((f) => loadAllYaml(readFileSync(join(dir, f), 'utf8')) as V1CustomResourceDefinition[])
    .filter((o) => o?.kind === 'CustomResourceDefinition');
}

interface CloneSetOptions {
  readonly replicas: number;
  readonly image?: string;
  readonly updateStrategy?: CloneSet['spec']['updateStrategy'];
  readonly claim?: boolean;
}

function cloneSet(name: string, o: CloneSetOptions): CloneSet {
  return {
    apiVersion: 'apps.kruise.io/v1alpha1',
    kind: 'CloneSet',
    metadata: { name, namespace: NS },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: o.image ?? 'nginx:1', resources: RESOURCES }] } },
      ...(o.claim && {
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'expandable', resources: { requests: { storage: '1Gi' } } } }],
      }),
      ...(o.updateStrategy && { updateStrategy: o.updateStrategy }),
    },
  };
}

const create = (cs: CloneSet) => custom.createNamespacedCustomObject({ ...GVR, namespace: NS, body: cs });
/** Merge-patch the CloneSet; returns the generation the status must observe before it is trusted. */
async function patch(name: string, body: object): Promise<number> {
  const cs = (await custom.patchNamespacedCustomObject({ ...GVR, namespace: NS, name, body }, merge)) as CloneSet;
  return cs.metadata?.generation ?? 0;
}
/** A merge patch replaces the containers list: send the whole container. */
const containerPatch = (image: string, resources: object = RESOURCES) => ({ template: { spec: { containers: [{ name: 'main', image, resources }] } } });

async function waitForCloneSet(name: string, predicate: (cs: CloneSet) => boolean, describe: string, generation = 1, timeoutMs = 90_000): Promise<CloneSet> {
  return waitForObject<CloneSet & { metadata?: { name?: string } }>(
    kc,
    `/apis/apps.kruise.io/v1alpha1/namespaces/${NS}/clonesets`,
    name,
    (cs) => cs !== undefined && (cs.status?.observedGeneration ?? 0) >= generation && predicate(cs),
    { timeoutMs, describe: `CloneSet ${NS}/${name}: ${describe} (generation ${generation} observed)`, render: (items) => JSON.stringify(items[0]?.status ?? items[0], null, 2) },
  ) as Promise<CloneSet>;
}

/** Every pod at the update revision, all Ready and available, the revisions converged. */
const settled = (replicas: number) => (cs: CloneSet) => {
  const s = cs.status;
  return s?.replicas === replicas && s.updatedReplicas === replicas && s.readyReplicas === replicas && s.availableReplicas === replicas && s.currentRevision === s.updateRevision;
};

async function podsOf(name: string): Promise<V1Pod[]> {
  const list = await core.listNamespacedPod({ namespace: NS, labelSelector: `app=${name}` });
  return list.items.filter((p) => !p.metadata?.deletionTimestamp).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

const imageOf = (p: V1Pod) => p.spec?.containers[0]?.image;
const describePods = (pods: readonly V1Pod[]) => pods.map((p) => `${p.metadata?.name} ${p.metadata?.uid} ${imageOf(p)} ${p.metadata?.labels?.['lifecycle.apps.kruise.io/state']}`).join('\n');

beforeAll(async () => {
  await provider.down();
  const up = await provider.up();
  kc = loadKubeConfig(up.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  for (const crd of crds()) await ext.createCustomResourceDefinition({ body: crd });
  await waitForObject<V1CustomResourceDefinition>(kc, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', 'clonesets.apps.kruise.io', (c) => c?.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True') === true, {
    timeoutMs: 30_000,
    describe: 'the CloneSet CRD to be Established',
  });
  await core.createNamespace({ body: { metadata: { name: NS } } });

  manager = execa(
    process.execPath,
    ['--import', 'tsx', 'impl/cmd/kruise-ref.ts', 'manager', '--kubeconfig', up.kubeconfig, '--webhook-host', '127.0.0.1', '--webhook-port', String(WEBHOOK_PORT),
      '--metrics-port', String(METRICS_PORT), '--health-port', String(HEALTH_PORT), '--feature-gates', 'InPlaceWorkloadVerticalScaling=true', '--controllers', 'cloneset,podreadiness', '--log-level', 'warn'],
    { cwd: REPO, reject: false, cleanup: true, all: true, forceKillAfterDelay: 5000 },
  );
  manager.all?.on('data', (chunk: Buffer) => (managerLog = (managerLog + chunk.toString()).slice(-20_000)));
  // A process has no watch: poll its readiness endpoint until it answers or the process dies.
  const deadline = performance.now() + 120_000;
  for (;;) {
    if (manager.exitCode !== null) throw new Error(`manager exited with ${manager.exitCode}:\n${managerLog}`);
    const ready = await fetch(`http://127.0.0.1:${HEALTH_PORT}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (performance.now() > deadline) throw new Error(`manager not ready after 120 s:\n${managerLog}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}, 300_000);

afterAll(async () => {
  manager?.kill('SIGTERM');
  await manager;
  if (managerLog.includes('"level":"error"')) console.log(`manager errors:\n${managerLog.split('\n').filter((l) => l.includes('"level":"error"')).slice(-10).join('\n')}`);
  await provider.down();
}, 120_000);

describe('CloneSet controller on a local cluster', () => {
  it('creates pods with CloneSet identity, readiness gates and one PVC each; scale-in removes pods with their PVCs', async () => {
    await create(cloneSet('ident', { replicas: 3, claim: true }));
    const cs = await waitForCloneSet('ident', settled(3), '3 pods ready');
    const pods = await podsOf('ident');
    const rev = cs.status?.updateRevision ?? '';
    expect(rev).toMatch(/^ident-[a-z0-9]+$/);
    for (const p of pods) {
      const id = p.metadata?.labels?.['apps.kruise.io/cloneset-instance-id'] ?? '';
      expect(id, `instance id of ${p.metadata?.name}`).toMatch(ID);
      expect(p.metadata?.name).toBe(`ident-${id}`);
      expect(p.metadata?.labels).toMatchObject({ 'controller-revision-hash': rev, 'pod-template-hash': rev.slice('ident-'.length), 'lifecycle.apps.kruise.io/state': 'Normal' });
      expect(p.spec?.readinessGates?.map((g) => g.conditionType)).toEqual(['InPlaceUpdateReady', 'KruisePodReady']);
      expect(p.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'CloneSet', name: 'ident', uid: cs.metadata?.uid, controller: true });
      expect(p.spec?.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim?.claimName).toBe(`data-ident-${id}`);
    }
    expect(cs.status).toMatchObject({ observedGeneration: 1, replicas: 3, expectedUpdatedReplicas: 3, updatedReadyReplicas: 3, updatedAvailableReplicas: 3, labelSelector: 'app=ident', collisionCount: 0 });
    const claims = (await core.listNamespacedPersistentVolumeClaim({ namespace: NS, labelSelector: 'app=ident' })).items;
    expect(claims.map((c) => c.metadata?.name).sort()).toEqual(pods.map((p) => `data-${p.metadata?.name}`).sort());
    for (const c of claims) expect(c.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'CloneSet', uid: cs.metadata?.uid });

    // podsToDelete names one pod: it goes with its PVC, a new instance replaces it.
    const victim = pods[1]!.metadata!.name!;
    const gen = await patch('ident', { spec: { scaleStrategy: { podsToDelete: [victim] } } });
    await waitForCloneSet('ident', (x) => settled(3)(x) && x.spec.scaleStrategy?.podsToDelete?.length === 0, `${victim} replaced and podsToDelete truncated`, gen + 1);
    const after = await podsOf('ident');
    expect(after.map((p) => p.metadata?.name)).not.toContain(victim);
    await waitForCollection<V1PersistentVolumeClaim>(kc, { path: `/api/v1/namespaces/${NS}/persistentvolumeclaims`, labelSelector: 'app=ident' }, (cs) => cs.length === 3 && !cs.some((c) => c.metadata?.name === `data-${victim}`), {
      timeoutMs: 30_000,
      describe: `the PVC of ${victim} deleted with it, one PVC per remaining pod`,
    });
  });

  for (const type of ['ReCreate', 'InPlaceIfPossible'] as const) {
    it(`${type}: the seed walkthrough (maxSurge 20%, maxUnavailable 0, partition 3 then 0)`, async () => {
      const name = type === 'ReCreate' ? 'walk-recreate' : 'walk-inplace';
      const isNew = (p: V1Pod) => imageOf(p) === 'nginx:2';
      await create(cloneSet(name, { replicas: 5, updateStrategy: { type, maxSurge: '20%', maxUnavailable: 0, partition: 3 } }));
      const initial = await waitForCloneSet(name, settled(5), '5 pods ready at the first revision');
      const originals = new Set((await podsOf(name)).map((p) => p.metadata?.uid));

      let monitor: InvariantMonitor = await startInvariantMonitor(kc, { namespace: NS, labelSelector: `app=${name}`, bounds: { maxPods: 6, minAvailable: 5, maxUpdated: 2 }, isUpdated: isNew });
      const gen1 = await patch(name, { spec: containerPatch('nginx:2') });
      const step1 = await Promise.race([
        waitForCloneSet(name, (cs) => cs.status?.replicas === 5 && cs.status.updatedReplicas === 2 && cs.status.updatedReadyReplicas === 2 && cs.status.readyReplicas === 5, 'partition 3: 2 of 5 updated and ready', gen1),
        monitor.breached,
      ]);
      const peak1 = await monitor.stop();
      expect(peak1.maxPods, `peak during partition 3; timeline:\n${monitor.timeline()}`).toBe(6);
      expect(monitor.samples.find((s) => s.total === 6), monitor.timeline()).toMatchObject({ total: 6, updated: 1 });
      const pods1 = await podsOf(name);
      expect(pods1.filter(isNew).length, describePods(pods1)).toBe(2);
      expect(step1.status).toMatchObject({ expectedUpdatedReplicas: 2, currentRevision: initial.status?.currentRevision });
      if (type === 'InPlaceIfPossible') expect(pods1.filter((p) => isNew(p) && originals.has(p.metadata?.uid)).length, `updated in place; pods:\n${describePods(pods1)}`).toBe(1);
      else expect(pods1.filter((p) => isNew(p) && originals.has(p.metadata?.uid)).length, 'ReCreate makes new pods').toBe(0);

      monitor = await startInvariantMonitor(kc, { namespace: NS, labelSelector: `app=${name}`, bounds: { maxPods: 6, minAvailable: 5, maxUpdated: 5 }, isUpdated: isNew });
      const gen2 = await patch(name, { spec: { updateStrategy: { partition: 0 } } });
      const done = await Promise.race([waitForCloneSet(name, settled(5), 'partition 0: all 5 updated', gen2), monitor.breached]);
      const peak2 = await monitor.stop();
      expect(peak2.maxPods, `peak during partition 0; timeline:\n${monitor.timeline()}`).toBe(6);
      expect(done.status).toMatchObject({ replicas: 5, updatedReplicas: 5, updatedReadyReplicas: 5, expectedUpdatedReplicas: 5 });
      expect(done.status?.currentRevision).not.toBe(initial.status?.currentRevision);
      const pods2 = await podsOf(name);
      expect(pods2.every(isNew), describePods(pods2)).toBe(true);
      const kept = pods2.filter((p) => originals.has(p.metadata?.uid));
      if (type === 'InPlaceIfPossible') {
        // Two surge pods replaced two originals; the other three were updated in place.
        expect(kept.length, describePods(pods2)).toBe(3);
        for (const p of kept) {
          const state = JSON.parse(p.metadata?.annotations?.['apps.kruise.io/inplace-update-state'] ?? '{}') as { revision?: string };
          expect(state.revision).toBe(done.status?.updateRevision);
          expect(p.status?.conditions?.find((c) => c.type === 'InPlaceUpdateReady')?.status).toBe('True');
          expect(p.status?.containerStatuses?.[0]?.restartCount, `${p.metadata?.name} restarted its container for the new image`).toBe(1);
        }
      } else expect(kept, 'ReCreate replaced every pod').toEqual([]);
    });
  }

  it('resizes cpu in place through pods/resize (InPlaceWorkloadVerticalScaling), keeping every pod', async () => {
    const name = 'walk-inplace';
    const before = await podsOf(name);
    const resources = { requests: { cpu: '150m', memory: '64Mi' }, limits: { cpu: '300m', memory: '128Mi' } };
    const gen = await patch(name, { spec: { ...containerPatch('nginx:2', resources), updateStrategy: { maxSurge: 0, maxUnavailable: 1 } } });
    await waitForCloneSet(name, settled(5), 'all 5 pods resized and Normal again', gen);
    const after = await podsOf(name);
    expect(after.map((p) => p.metadata?.uid)).toEqual(before.map((p) => p.metadata?.uid));
    const restarts = (pods: readonly V1Pod[]) => pods.map((p) => p.status?.containerStatuses?.[0]?.restartCount);
    expect(restarts(after), 'a resize without RestartContainer policy restarts nothing').toEqual(restarts(before));
    for (const p of after) {
      expect(p.spec?.containers[0]?.resources).toEqual(resources);
      expect(p.status?.containerStatuses?.[0]?.resources).toEqual(resources);
    }
  });

  it('scales 0 -> 50 -> 10', async () => {
    await create(cloneSet('big', { replicas: 0 }));
    await waitForCloneSet('big', (cs) => cs.status?.replicas === 0, 'observed with 0 replicas');
    const t0 = performance.now();
    const gen = await patch('big', { spec: { replicas: 50 } });
    await waitForCloneSet('big', (cs) => cs.status?.readyReplicas === 50, '50 pods ready', gen, 180_000);
    const upMs = performance.now() - t0;
    await waitForCloneSet('big', settled(50), '50 pods available', gen, 60_000);
    const pods = await podsOf('big');
    expect(new Set(pods.map((p) => p.metadata?.labels?.['apps.kruise.io/cloneset-instance-id'])).size).toBe(50);
    expect(pods.every(isPodReady)).toBe(true);

    const t1 = performance.now();
    const gen2 = await patch('big', { spec: { replicas: 10 } });
    await waitForCloneSet('big', settled(10), '10 pods left', gen2, 120_000);
    await waitForCollection<V1Pod>(kc, { path: `/api/v1/namespaces/${NS}/pods`, labelSelector: 'app=big' }, (ps) => ps.length === 10, { timeoutMs: 60_000, describe: '40 pods gone' });
    const downMs = performance.now() - t1;
    console.log(`cloneset timings: 0 -> 50 Ready in ${(upMs / 1000).toFixed(1)} s; 50 -> 10 in ${(downMs / 1000).toFixed(1)} s`);
  });
});
