// The Advanced StatefulSet controller against a real local cluster (kube-apiserver, kcm, scheduler,
// kwok kubelets and CSI simulation): the controller runs in-process through the runtime Manager.
// Its own cluster: name `asts`, apiserver port 36531. Run with
//   npx vitest run --project integration impl/controllers/statefulset/statefulset.int.test.ts
// Test code may use the harness (cluster provider, watch-based waits); the controller never does.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  loadAllYaml,
  loadYaml,
  type KubeConfig,
  type CoreV1Event,
  type V1CustomResourceDefinition,
  type V1PersistentVolumeClaim,
  type V1Pod,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS, LocalProvider } from '../../../harness/clusters/local/provider.ts';
import { loadKubeConfig } from '../../../harness/kube/client.ts';
import { waitForCollection, waitForObject } from '../../../harness/kube/wait.ts';
import { createLogger, FeatureGates, Manager } from '../../runtime/index.ts';
import { STATEFULSETS_PATH, statefulSetController } from './controller.ts';
import type { AdvancedStatefulSet } from './views.ts';

const CLUSTER = 'asts';
const PORT = 36531;
const NS = 'asts-int';
const GATES = 'StatefulSetAutoResizePVCGate=true,InPlaceWorkloadVerticalScaling=true,StatefulSetStartOrdinal=true';
const REPO = join(import.meta.dirname, '..', '..', '..');
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const provider = new LocalProvider({ ...LOCAL_DEFAULTS, name: CLUSTER, apiserverPort: PORT, log: () => {} });
let kc: KubeConfig;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let mgr: Manager | undefined;

/** A structural stand-in for the generated CRD: any fields, with the status and scale subresources. */
const FALLBACK_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: statefulsets.apps.kruise.io}
spec:
  group: apps.kruise.io
  scope: Namespaced
  names: {plural: statefulsets, singular: statefulset, kind: StatefulSet, listKind: StatefulSetList, shortNames: [asts]}
  versions:
  - name: v1beta1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.labelSelector}
`;

/**
 * The ASTS CRD from impl/crds/ once generated, else the stand-in. Loaded through client-node's
 * loadAllYaml so x-kubernetes-* keys survive its serializer (it only knows the camelCase names).
 */
function statefulSetCrd(): V1CustomResourceDefinition {
  const dir = join(REPO, 'impl', 'crds');
  if (existsSync(dir)) {
    for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
      for (const obj of loadAllYaml(readFileSync(join(dir, file), 'utf8')) as (V1CustomResourceDefinition | null)[]) {
        if (obj?.kind === 'CustomResourceDefinition' && obj.metadata?.name === 'statefulsets.apps.kruise.io') return obj;
      }
    }
  }
  return loadYaml<V1CustomResourceDefinition>(FALLBACK_CRD);
}

function asts(name: string, o: { replicas: number; inPlace?: boolean; rollingUpdate?: object; vct?: { size: string; storageClassName: string }; image?: string }): AdvancedStatefulSet {
  return {
    apiVersion: 'apps.kruise.io/v1beta1',
    kind: 'StatefulSet',
    metadata: { name, namespace: NS },
    spec: {
      replicas: o.replicas,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      podManagementPolicy: 'OrderedReady',
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'main', image: o.image ?? 'nginx:1', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } } }],
          ...(o.inPlace && { readinessGates: [{ conditionType: 'InPlaceUpdateReady' }] }),
        },
      },
      updateStrategy: {
        type: 'RollingUpdate',
        rollingUpdate: { partition: 0, maxUnavailable: 1, podUpdatePolicy: o.inPlace ? 'InPlaceIfPossible' : 'ReCreate', ...o.rollingUpdate },
      },
      ...(o.vct && {
        volumeClaimTemplates: [
          { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: o.vct.storageClassName, resources: { requests: { storage: o.vct.size } } } },
        ],
        volumeClaimUpdateStrategy: { type: 'OnPodRollingUpdate' },
      }),
      revisionHistoryLimit: 10,
    },
  };
}

const createSet = (set: AdvancedStatefulSet) =>
  custom.createNamespacedCustomObject({ group: 'apps.kruise.io', version: 'v1beta1', namespace: NS, plural: 'statefulsets', body: set });
/** Patch the set; returns the new generation, which waits must see observed before trusting status. */
async function patchSet(name: string, body: object): Promise<number> {
  const set = (await custom.patchNamespacedCustomObject({ group: 'apps.kruise.io', version: 'v1beta1', namespace: NS, plural: 'statefulsets', name, body }, merge)) as AdvancedStatefulSet;
  return set.metadata?.generation ?? 0;
}

const setsPath = `/apis/apps.kruise.io/v1beta1/namespaces/${NS}/statefulsets`;
const podsPath = `/api/v1/namespaces/${NS}/pods`;

/** Wait for the set's status; with `generation`, only a status that observed it counts. */
async function waitForSet(name: string, predicate: (s: AdvancedStatefulSet) => boolean, describe: string, generation = 0, timeoutMs = 60_000): Promise<AdvancedStatefulSet> {
  const set = await waitForObject<AdvancedStatefulSet>(kc, setsPath, name, (s) => s !== undefined && (s.status?.observedGeneration ?? 0) >= generation && predicate(s), {
    timeoutMs,
    describe: `StatefulSet ${NS}/${name}: ${describe}${generation ? ` (generation ${generation} observed)` : ''}`,
    render: (items) => JSON.stringify(items[0]?.status ?? items[0], null, 2),
  });
  return set as AdvancedStatefulSet;
}

async function setPods(name: string): Promise<V1Pod[]> {
  const list = await core.listNamespacedPod({ namespace: NS, labelSelector: `app=${name}` });
  return list.items.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

const isReady = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/** Follows the set's pods for the whole test and records how many were not ready at once, and the creation order. */
async function monitorPods(name: string): Promise<{ maxNotReady: () => number; created: string[]; stop: () => void }> {
  const state = new Map<string, boolean>();
  const created: string[] = [];
  let maxNotReady = 0;
  const req = await new Watch(kc).watch(
    podsPath,
    { labelSelector: `app=${name}` },
    (type: string, pod: V1Pod) => {
      const podName = pod.metadata?.name ?? '';
      if (type === 'ADDED' && !state.has(podName)) created.push(podName);
      if (type === 'DELETED') state.delete(podName);
      else state.set(podName, isReady(pod) && !pod.metadata?.deletionTimestamp);
      maxNotReady = Math.max(maxNotReady, [...state.values()].filter((r) => !r).length);
    },
    () => {},
  );
  return { maxNotReady: () => maxNotReady, created, stop: () => req.abort() };
}

beforeAll(async () => {
  await provider.down();
  const up = await provider.up();
  kc = loadKubeConfig(up.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  await ext.createCustomResourceDefinition({ body: statefulSetCrd() });
  await waitForObject<V1CustomResourceDefinition>(kc, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', 'statefulsets.apps.kruise.io', (c) => c?.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True') === true, {
    timeoutMs: 30_000,
    describe: 'the StatefulSet CRD to be Established',
  });
  await core.createNamespace({ body: { metadata: { name: NS } } });
  mgr = new Manager({ kubeConfig: kc, gates: FeatureGates.parse(GATES), logger: createLogger({ level: 'warn' }), metrics: false, health: false });
  mgr.add(statefulSetController);
  await mgr.start();
  expect(mgr.informer(STATEFULSETS_PATH).hasSynced()).toBe(true);
}, 300_000);

afterAll(async () => {
  await mgr?.stop();
  await provider.down();
}, 120_000);

describe('Advanced StatefulSet controller on a local cluster', () => {
  it('scales 0 -> 3 in order, one pod at a time, with PVCs named <vct>-<set>-<ordinal>', async () => {
    const monitor = await monitorPods('web');
    try {
      await createSet(asts('web', { replicas: 3, vct: { size: '1Gi', storageClassName: 'expandable' } }));
      const set = await waitForSet('web', (s) => s.status?.readyReplicas === 3 && s.status?.replicas === 3, 'readyReplicas 3');
      expect(monitor.created, 'pods were created in ordinal order').toEqual(['web-0', 'web-1', 'web-2']);
      expect(monitor.maxNotReady(), 'OrderedReady never had two pods starting at once').toBe(1);
      const pods = await setPods('web');
      expect(pods.map((p) => [p.metadata?.name, p.spec?.hostname, p.spec?.subdomain, p.metadata?.labels?.['apps.kubernetes.io/pod-index']])).toEqual([
        ['web-0', 'web-0', 'web', '0'],
        ['web-1', 'web-1', 'web', '1'],
        ['web-2', 'web-2', 'web', '2'],
      ]);
      for (const p of pods) expect(p.metadata?.labels?.['controller-revision-hash']).toBe(set.status?.updateRevision);
      const claims = (await core.listNamespacedPersistentVolumeClaim({ namespace: NS, labelSelector: 'app=web' })).items.map((c) => c.metadata?.name).sort();
      expect(claims).toEqual(['data-web-0', 'data-web-1', 'data-web-2']);
      expect(set.status?.volumeClaims).toEqual([{ volumeClaimName: 'data', compatibleReplicas: 3, compatibleReadyReplicas: 3 }]);
    } finally {
      monitor.stop();
    }
  });

  it('rolls out a new image down to the partition and keeps the pod below it', async () => {
    const before = await waitForSet('web', (s) => s.status?.readyReplicas === 3, 'ready before the rollout');
    const oldRevision = before.status?.currentRevision;
    const monitor = await monitorPods('web');
    try {
      const gen = await patchSet('web', { spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:2', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } } }] } }, updateStrategy: { rollingUpdate: { partition: 1 } } } });
      const set = await waitForSet('web', (s) => s.status?.updatedReplicas === 2 && s.status?.readyReplicas === 3 && s.status?.updateRevision !== oldRevision, 'two pods updated and all ready', gen);
      expect(set.status?.currentRevision, 'currentRevision stays while the partition holds a pod back').toBe(oldRevision);
      const pods = await setPods('web');
      expect(pods.map((p) => p.spec?.containers[0]?.image)).toEqual(['nginx:1', 'nginx:2', 'nginx:2']);
      expect(monitor.maxNotReady(), 'maxUnavailable 1').toBe(1);
    } finally {
      monitor.stop();
    }
    const gen0 = await patchSet('web', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } });
    const done = await waitForSet('web', (s) => s.status?.updatedReplicas === 3 && s.status?.readyReplicas === 3 && s.status?.currentRevision === s.status?.updateRevision, 'all updated, currentRevision flipped', gen0);
    expect(done.status?.currentReplicas).toBe(3);
  });

  it('updates the image in place, keeping pod UIDs', async () => {
    await createSet(asts('inplace', { replicas: 2, inPlace: true }));
    await waitForSet('inplace', (s) => s.status?.readyReplicas === 2, 'readyReplicas 2 (the controller sets InPlaceUpdateReady on fresh pods)');
    const uids = (await setPods('inplace')).map((p) => p.metadata?.uid);
    const gen = await patchSet('inplace', { spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:2', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } } }] } } } });
    const set = await waitForSet('inplace', (s) => s.status?.updatedReplicas === 2 && s.status?.availableReplicas === 2 && s.status.currentRevision === s.status.updateRevision, 'both pods updated in place and available', gen);
    const pods = await setPods('inplace');
    expect(pods.map((p) => p.metadata?.uid), 'same pods').toEqual(uids);
    expect(pods.map((p) => p.status?.containerStatuses?.[0]?.image)).toEqual(['nginx:2', 'nginx:2']);
    for (const p of pods) {
      const state = JSON.parse(p.metadata?.annotations?.['apps.kruise.io/inplace-update-state'] ?? '{}') as { revision?: string };
      expect(state.revision).toBe(set.status?.updateRevision);
      expect(p.status?.conditions?.find((c) => c.type === 'InPlaceUpdateReady')?.status).toBe('True');
    }
  });

  it('resizes cpu in place through pods/resize (InPlaceWorkloadVerticalScaling)', async () => {
    const uids = (await setPods('inplace')).map((p) => p.metadata?.uid);
    const resources = { requests: { cpu: '150m', memory: '64Mi' }, limits: { cpu: '300m', memory: '128Mi' } };
    const gen = await patchSet('inplace', { spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:2', resources }] } } } });
    // availableReplicas needs lifecycle Normal, which the pods reach only once the resize is applied.
    await waitForSet('inplace', (s) => s.status?.updatedReplicas === 2 && s.status?.availableReplicas === 2 && s.status.currentRevision === s.status.updateRevision, 'both pods resized and Normal again', gen);
    const pods = await setPods('inplace');
    expect(pods.map((p) => p.metadata?.uid)).toEqual(uids);
    for (const p of pods) expect(p.status?.containerStatuses?.[0]?.resources).toEqual(resources);
  });

  it('grows only the PVC of the pod the rollout reaches (OnPodRollingUpdate, partition 2 of 3) and reports it in status.volumeClaims', async () => {
    await createSet(asts('grow', { replicas: 3, vct: { size: '1Gi', storageClassName: 'expandable' } }));
    await waitForSet('grow', (s) => s.status?.readyReplicas === 3, 'readyReplicas 3');
    const gen = await patchSet('grow', {
      spec: {
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'expandable', resources: { requests: { storage: '2Gi' } } } }],
        template: { spec: { containers: [{ name: 'main', image: 'nginx:2', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } } }] } },
        updateStrategy: { rollingUpdate: { partition: 2 } },
      },
    });
    const set = await waitForSet(
      'grow',
      (s) => s.status?.updatedReplicas === 1 && s.status.readyReplicas === 3 && s.status.volumeClaims?.[0]?.compatibleReadyReplicas === 1,
      'web-2 updated after its PVC grew',
      gen,
      90_000,
    );
    expect(set.status?.volumeClaims).toEqual([{ volumeClaimName: 'data', compatibleReplicas: 1, compatibleReadyReplicas: 1 }]);
    const claims = await waitForCollection<V1PersistentVolumeClaim>(kc, { path: `/api/v1/namespaces/${NS}/persistentvolumeclaims`, labelSelector: 'app=grow' }, (cs) => cs.length === 3, {
      timeoutMs: 10_000,
      describe: 'the three PVCs of grow',
    });
    const byName = Object.fromEntries(claims.map((c) => [c.metadata?.name, [c.spec?.resources?.requests?.storage, c.status?.capacity?.storage]]));
    expect(byName).toEqual({ 'data-grow-0': ['1Gi', '1Gi'], 'data-grow-1': ['1Gi', '1Gi'], 'data-grow-2': ['2Gi', '2Gi'] });
    expect(claims.find((c) => c.metadata?.name === 'data-grow-2')?.metadata?.annotations?.['apps.kruise.io/owned-by-asts']).toBe('grow');
    expect((await setPods('grow')).map((p) => p.spec?.containers[0]?.image)).toEqual(['nginx:1', 'nginx:1', 'nginx:2']);
  });

  it('refuses to grow PVCs on `fixed` with a FailedUpdatePVC event and leaves pods and PVCs alone', async () => {
    await createSet(asts('fixed', { replicas: 2, vct: { size: '1Gi', storageClassName: 'fixed' } }));
    await waitForSet('fixed', (s) => s.status?.readyReplicas === 2, 'readyReplicas 2');
    const uids = (await setPods('fixed')).map((p) => p.metadata?.uid);
    const gen = await patchSet('fixed', {
      spec: {
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fixed', resources: { requests: { storage: '2Gi' } } } }],
        template: { spec: { containers: [{ name: 'main', image: 'nginx:2', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } } }] } },
      },
    });
    const events = await waitForCollection<CoreV1Event>(
      kc,
      { path: `/api/v1/namespaces/${NS}/events` },
      (es) => es.some((e) => e.reason === 'FailedUpdatePVC' && e.involvedObject?.name === 'fixed'),
      { timeoutMs: 30_000, describe: 'a FailedUpdatePVC event on StatefulSet fixed' },
    );
    const event = events.find((e) => e.reason === 'FailedUpdatePVC');
    expect(event?.message).toBe('storage class fixed for fixed-1 does not support volume expansion');
    const set = await waitForSet('fixed', () => true, 'the new generation observed', gen);
    expect(set.status?.updatedReplicas).toBe(0);
    expect((await setPods('fixed')).map((p) => p.metadata?.uid)).toEqual(uids);
    const claims = (await core.listNamespacedPersistentVolumeClaim({ namespace: NS, labelSelector: 'app=fixed' })).items;
    expect(claims.map((c) => c.spec?.resources?.requests?.storage)).toEqual(['1Gi', '1Gi']);
  });
});
