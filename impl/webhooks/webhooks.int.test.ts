// The admission webhooks against a real local cluster (kube-apiserver calls our HTTPS server).
// Own cluster: name `api-webhooks`, apiserver port 36501; brought up and torn down here. Run with
//   npx vitest run impl/webhooks/webhooks.int.test.ts
// Test code may use the harness for cluster setup (provider, kubectl path); the webhooks never do.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
} from '@kubernetes/client-node';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS, LocalProvider } from '../../harness/clusters/local/provider.ts';
import { loadKubeConfig } from '../../harness/kube/client.ts';
import { toolPath } from '../../harness/tools/resolve.ts';
import type { CloneSet } from '../api/cloneset.ts';
import { MUTATING_WEBHOOK_CONFIGURATION, VALIDATING_WEBHOOK_CONFIGURATION } from '../api/constants.ts';
import type { StatefulSet } from '../api/statefulset.ts';
import { FeatureGates } from '../runtime/feature-gates.ts';
import { createLogger } from '../runtime/logger.ts';
import { WEBHOOK_NAMES } from './configurations.ts';
import { apiError, startWebhookServer, type WebhookServer } from './server.ts';

const CLUSTER = 'api-webhooks';
const PORT = 36501;
const REPO = join(import.meta.dirname, '..', '..');
const GROUP = 'apps.kruise.io';
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const provider = new LocalProvider({ ...LOCAL_DEFAULTS, name: CLUSTER, apiserverPort: PORT, log: () => {} });
let kubeconfig: string;
let kc: KubeConfig;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let server: WebhookServer | undefined;
let ns: string;
const logLines: string[] = [];

async function kubectl(...args: string[]): Promise<string> {
  const r = await execa(toolPath('kubectl'), ['--kubeconfig', kubeconfig, ...args]);
  return r.stdout;
}

beforeAll(async () => {
  await provider.down();
  kubeconfig = (await provider.up()).kubeconfig;
  kc = loadKubeConfig(kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
  await kubectl('apply', '-f', join(REPO, 'impl', 'crds'));
  await kubectl('wait', '--for=condition=Established', '--timeout=60s', 'crd/clonesets.apps.kruise.io', 'crd/statefulsets.apps.kruise.io');
  ns = `wh-${randomUUID().slice(0, 8)}`;
  await core.createNamespace({ body: { metadata: { name: ns } } });
  server = await startWebhookServer({
    host: '127.0.0.1',
    port: 0,
    kc,
    gates: new FeatureGates('StatefulSetAutoResizePVCGate=true', {}),
    logger: createLogger({ name: 'webhook', level: 'debug', stream: { write: (l: string) => logLines.push(l) > 0 } }),
  });
});

afterAll(async () => {
  await server?.close();
  await provider.down();
});

// ---- objects ----

function cloneSet(name: string, edit: (cs: CloneSet) => void = () => {}): CloneSet {
  const cs: CloneSet = {
    apiVersion: `${GROUP}/v1alpha1`,
    kind: 'CloneSet',
    metadata: { name, namespace: ns },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'nginx:1.25' }] } },
    },
  };
  edit(cs);
  return cs;
}

function statefulSet(name: string, edit: (s: StatefulSet) => void = () => {}, version = 'v1beta1'): StatefulSet {
  const s: StatefulSet = {
    apiVersion: `${GROUP}/${version}`,
    kind: 'StatefulSet',
    metadata: { name, namespace: ns },
    spec: {
      replicas: 2,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'nginx:1.25' }] } },
    },
  };
  edit(s);
  return s;
}

const create = <T>(plural: string, body: T, version = plural === 'clonesets' ? 'v1alpha1' : 'v1beta1') =>
  custom.createNamespacedCustomObject({ group: GROUP, version, namespace: ns, plural, body }) as Promise<T>;
const get = <T>(plural: string, name: string, version = plural === 'clonesets' ? 'v1alpha1' : 'v1beta1') =>
  custom.getNamespacedCustomObject({ group: GROUP, version, namespace: ns, plural, name }) as Promise<T>;
const patch = <T>(plural: string, name: string, body: object) =>
  custom.patchNamespacedCustomObject({ group: GROUP, version: plural === 'clonesets' ? 'v1alpha1' : 'v1beta1', namespace: ns, plural, name, body }, merge) as Promise<T>;

/** Runs the request and returns the admission error; fails when the request was accepted. */
async function rejection(what: string, run: () => Promise<unknown>): Promise<{ code?: number; message: string }> {
  try {
    await run();
  } catch (err) {
    return apiError(err);
  }
  throw new Error(`${what}: expected the request to be rejected, but it was accepted`);
}

function expectDenied(e: { code?: number; message: string }, webhook: string, field: string, text: string): void {
  expect(e.message, 'rejected by our webhook').toContain(`admission webhook "${webhook}" denied the request`);
  expect(e.code, e.message).toBe(422);
  expect(e.message, 'names the field').toContain(`${field}: `);
  expect(e.message).toContain(text);
}

describe('webhook registration', () => {
  it('registers URL webhooks on 127.0.0.1 with the CA bundle and OpenKruise rules', async () => {
    const adm = kc.makeApiClient(AdmissionregistrationV1Api);
    const m = await adm.readMutatingWebhookConfiguration({ name: MUTATING_WEBHOOK_CONFIGURATION });
    const v = await adm.readValidatingWebhookConfiguration({ name: VALIDATING_WEBHOOK_CONFIGURATION });
    const all = [...(m.webhooks ?? []), ...(v.webhooks ?? [])];
    expect(all.map((w) => w.name).sort()).toEqual(Object.values(WEBHOOK_NAMES).sort());
    for (const w of all) {
      expect(w.clientConfig.url).toMatch(new RegExp(`^https://127\\.0\\.0\\.1:${server!.port}/`));
      expect(w.clientConfig.caBundle).toBe(server!.caBundle);
      expect(w.sideEffects).toBe('None');
    }
    for (const w of all.filter((x) => x.name !== WEBHOOK_NAMES.mutatePod)) expect(w.failurePolicy, w.name).toBe('Fail');
    const pod = m.webhooks?.find((w) => w.name === WEBHOOK_NAMES.mutatePod);
    expect(pod?.namespaceSelector?.matchExpressions).toContainEqual({ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] });
  });
});

describe('CloneSet admission', () => {
  it('defaults a created CloneSet (strategy and pod template)', async () => {
    await create('clonesets', cloneSet('defaults'));
    const got = await get<CloneSet>('clonesets', 'defaults');
    expect(got.spec.updateStrategy).toEqual({ type: 'ReCreate', partition: 0, maxUnavailable: '20%', maxSurge: 0 });
    expect(got.spec.revisionHistoryLimit).toBe(10);
    expect(got.spec.scaleStrategy).toEqual({});
    expect(got.spec.template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler' });
    expect(got.spec.template.spec?.containers[0]).toMatchObject({ imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log' });
    const inPlace = await create('clonesets', cloneSet('inplace-defaults', (cs) => void (cs.spec.updateStrategy = { type: 'InPlaceIfPossible' })));
    expect(inPlace.spec.updateStrategy?.inPlaceUpdateStrategy).toEqual({});
  });

  it.each<[string, (cs: CloneSet) => void, string, string]>([
    ['InPlaceOnly with maxSurge', (cs) => void (cs.spec.updateStrategy = { type: 'InPlaceOnly', maxSurge: 1 }), 'spec.updateStrategy.maxSurge', 'can not use maxSurge with strategy type InPlaceOnly'],
    ['maxUnavailable 0 and maxSurge 0', (cs) => void (cs.spec.updateStrategy = { maxUnavailable: 0, maxSurge: 0 }), 'spec.updateStrategy.maxUnavailable', 'should not both be less than 1'],
    ['an empty selector', (cs) => void (cs.spec.selector = {}), 'spec.selector', 'empty selector is invalid for cloneset'],
    ['a selector that misses the template labels', (cs) => void (cs.spec.selector = { matchLabels: { app: 'x' } }), 'spec.template.metadata.labels', '`selector` does not match template `labels`'],
    ['restartPolicy Never', (cs) => void (cs.spec.template.spec!.restartPolicy = 'Never'), 'spec.template.spec.restartPolicy', 'supported values: "Always"'],
    ['activeDeadlineSeconds', (cs) => void (cs.spec.template.spec!.activeDeadlineSeconds = 10), 'spec.template.spec.activeDeadlineSeconds', 'not Supported'],
    ['a nonexistent pod in podsToDelete', (cs) => void (cs.spec.scaleStrategy = { podsToDelete: ['ghost'] }), 'spec.scaleStrategy.podsToDelete', 'pods "ghost" not found'],
    ['duplicated podsToDelete', (cs) => void (cs.spec.scaleStrategy = { podsToDelete: ['a', 'a'] }), 'spec.scaleStrategy.podsToDelete', 'duplicated items'],
    [
      'both weight and order priority',
      (cs) => void (cs.spec.updateStrategy = { priorityStrategy: { weightPriority: [{ weight: 1, matchSelector: { matchLabels: { a: 'b' } } }], orderPriority: [{ orderedKey: 'k' }] } }),
      'spec.updateStrategy.priorityStrategy',
      'only one of weightPriority and orderPriority',
    ],
    ['a scatter term without key', (cs) => void (cs.spec.updateStrategy = { scatterStrategy: [{ key: '', value: 'v' }] }), 'spec.updateStrategy.scatterStrategy', 'key should not be empty'],
  ])('rejects %s', async (_name, edit, field, text) => {
    const e = await rejection(_name, () => create('clonesets', cloneSet(`bad-${randomUUID().slice(0, 6)}`, edit)));
    expectDenied(e, WEBHOOK_NAMES.validateCloneSet, field, text);
    expect(e.message).toMatch(/CloneSet\.apps\.kruise\.io "bad-[0-9a-f]+" is invalid: /);
  });

  it('rejects a selector change and a non-image InPlaceOnly change; accepts an image change', async () => {
    await create('clonesets', cloneSet('upd', (cs) => void (cs.spec.updateStrategy = { type: 'InPlaceOnly' })));
    const sel = await rejection('selector change', () => patch('clonesets', 'upd', { spec: { selector: { matchLabels: { app: 'upd', x: 'y' } }, template: { metadata: { labels: { app: 'upd', x: 'y' } } } } }));
    expectDenied(sel, WEBHOOK_NAMES.validateCloneSet, 'spec', "updates to cloneset spec for fields other than 'replicas'");
    const envChange = await rejection('env change', async () => {
      const cur = await get<CloneSet>('clonesets', 'upd');
      cur.spec.template.spec!.containers[0]!.env = [{ name: 'A', value: '1' }];
      return custom.replaceNamespacedCustomObject({ group: GROUP, version: 'v1alpha1', namespace: ns, plural: 'clonesets', name: 'upd', body: cur });
    });
    expectDenied(envChange, WEBHOOK_NAMES.validateCloneSet, 'spec', 'only allowed to update images in spec for InPlaceOnly, but found add /containers/0/env');
    const cur = await get<CloneSet>('clonesets', 'upd');
    cur.spec.template.spec!.containers[0]!.image = 'nginx:1.26';
    const updated = (await custom.replaceNamespacedCustomObject({ group: GROUP, version: 'v1alpha1', namespace: ns, plural: 'clonesets', name: 'upd', body: cur })) as CloneSet;
    expect(updated.spec.template.spec?.containers[0]?.image).toBe('nginx:1.26');
  });

  it('accepts podsToDelete naming its own pod and rejects a pod of another owner', async () => {
    const owner = await create('clonesets', cloneSet('owner'));
    const podOf = (name: string, uid: string): V1Pod => ({
      metadata: { name, namespace: ns, ownerReferences: [{ apiVersion: `${GROUP}/v1alpha1`, kind: 'CloneSet', name: 'owner', uid, controller: true }] },
      spec: { containers: [{ name: 'main', image: 'nginx' }] },
    });
    await core.createNamespacedPod({ namespace: ns, body: podOf('owner-own', owner.metadata!.uid!) });
    const other = await create('clonesets', cloneSet('other'));
    await core.createNamespacedPod({ namespace: ns, body: podOf('other-pod', other.metadata!.uid!) });
    const ok = await patch<CloneSet>('clonesets', 'owner', { spec: { scaleStrategy: { podsToDelete: ['owner-own'] } } });
    expect(ok.spec.scaleStrategy?.podsToDelete).toEqual(['owner-own']);
    const e = await rejection('foreign pod', () => patch('clonesets', 'owner', { spec: { scaleStrategy: { podsToDelete: ['owner-own', 'other-pod'] } } }));
    expectDenied(e, WEBHOOK_NAMES.validateCloneSet, 'spec.scaleStrategy.podsToDelete', 'find pod other-pod owner is not this CloneSet');
  });

  it('shows the OpenKruise columns in kubectl get clone', async () => {
    const header = (await kubectl('get', 'clone', '-n', ns)).split('\n')[0]?.trim().split(/\s+/);
    expect(header).toEqual(['NAME', 'DESIRED', 'UPDATED', 'UPDATED_READY', 'UPDATED_AVAILABLE', 'READY', 'TOTAL', 'AGE']);
    const wide = (await kubectl('get', 'clone', '-n', ns, '-o', 'wide')).split('\n')[0]?.trim().split(/\s+/);
    expect(wide?.slice(-3)).toEqual(['CONTAINERS', 'IMAGES', 'SELECTOR']);
  });
});

describe('Advanced StatefulSet admission', () => {
  it('defaults v1beta1 and v1alpha1 objects alike', async () => {
    const beta = await create('statefulsets', statefulSet('beta'));
    expect(beta.spec.podManagementPolicy).toBe('OrderedReady');
    expect(beta.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1, podUpdatePolicy: 'ReCreate', minReadySeconds: 0 } });
    expect(beta.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(beta.spec.volumeClaimUpdateStrategy).toEqual({ type: 'OnDelete' });
    expect(beta.spec.revisionHistoryLimit).toBe(10);
    await create('statefulsets', statefulSet('alpha', () => {}, 'v1alpha1'), 'v1alpha1');
    const alphaAsBeta = await get<StatefulSet>('statefulsets', 'alpha', 'v1beta1');
    expect(alphaAsBeta.apiVersion).toBe(`${GROUP}/v1beta1`);
    expect(alphaAsBeta.spec.updateStrategy?.rollingUpdate?.podUpdatePolicy).toBe('ReCreate');
  });

  it.each<[string, (s: StatefulSet) => void, string, string]>([
    [
      'in-place update without the InPlaceUpdateReady readiness gate',
      (s) => void (s.spec.updateStrategy = { rollingUpdate: { podUpdatePolicy: 'InPlaceIfPossible' } }),
      'spec.template.spec.readinessGates',
      'must contains InPlaceUpdateReady',
    ],
    ['maxUnavailable 2 with OrderedReady', (s) => void (s.spec.updateStrategy = { rollingUpdate: { maxUnavailable: 2 } }), 'spec.updateStrategy.rollingUpdate.maxUnavailable', 'can only work with Parallel'],
    ['minReadySeconds 301', (s) => void (s.spec.updateStrategy = { rollingUpdate: { minReadySeconds: 301 } }), 'spec.updateStrategy.rollingUpdate.minReadySeconds', 'must be no more than 300 seconds'],
    ['reserveOrdinals "3" as a string', (s) => void (s.spec.reserveOrdinals = ['3']), 'spec.reserveOrdinals[0]', 'is not a valid range: 3'],
    ['reserveOrdinals "a-b"', (s) => void (s.spec.reserveOrdinals = ['a-b']), 'spec.reserveOrdinals[0]', 'is not a valid range: a-b'],
    ['scaleStrategy.maxUnavailable 0 with Parallel', (s) => Object.assign(s.spec, { podManagementPolicy: 'Parallel', scaleStrategy: { maxUnavailable: 0 } }), 'spec.scaleStrategy.maxUnavailable', 'should not be less than 1'],
  ])('rejects %s', async (_name, edit, field, text) => {
    const e = await rejection(_name, () => create('statefulsets', statefulSet(`bad-${randomUUID().slice(0, 6)}`, edit)));
    expectDenied(e, WEBHOOK_NAMES.validateStatefulSet, field, text);
  });

  it('accepts reserveOrdinals ranges and in-place with the readiness gate', async () => {
    const s = await create(
      'statefulsets',
      statefulSet('good', (x) => {
        x.spec.reserveOrdinals = [0, '2-4'];
        x.spec.updateStrategy = { rollingUpdate: { podUpdatePolicy: 'InPlaceIfPossible' } };
        x.spec.template.spec!.readinessGates = [{ conditionType: 'InPlaceUpdateReady' }];
      }),
    );
    expect(s.spec.reserveOrdinals).toEqual([0, '2-4']);
  });

  it('keeps serviceName and podManagementPolicy immutable', async () => {
    await create('statefulsets', statefulSet('immut'));
    for (const body of [{ spec: { serviceName: 'other' } }, { spec: { podManagementPolicy: 'Parallel' } }]) {
      const e = await rejection(JSON.stringify(body), () => patch('statefulsets', 'immut', body));
      expectDenied(e, WEBHOOK_NAMES.validateStatefulSet, 'spec', "updates to statefulset spec for fields other than 'replicas'");
    }
    const scaled = await patch<StatefulSet>('statefulsets', 'immut', { spec: { replicas: 4 } });
    expect(scaled.spec.replicas).toBe(4);
  });

  it('checks VCT resizes against the StorageClass (gate on, OnPodRollingUpdate)', async () => {
    const withVct = (name: string, sc: string) =>
      statefulSet(name, (s) => {
        s.spec.volumeClaimUpdateStrategy = { type: 'OnPodRollingUpdate' };
        s.spec.volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: { storageClassName: sc, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }];
      });
    const resize = (size: string) => ({
      spec: { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { storageClassName: undefined as string | undefined, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } } }] },
    });
    await create('statefulsets', withVct('vct-fixed', 'fixed'));
    const fixedBody = resize('2Gi');
    fixedBody.spec.volumeClaimTemplates[0]!.spec.storageClassName = 'fixed';
    const e = await rejection('expand on fixed', () => patch('statefulsets', 'vct-fixed', fixedBody));
    expectDenied(e, WEBHOOK_NAMES.validateStatefulSet, 'spec.volumeClaimTemplates[data].spec.resources.requests.storage', 'storage class fixed does not support volume expansion');

    await create('statefulsets', withVct('vct-exp', 'expandable'));
    for (const size of ['2Gi', '512Mi']) {
      const body = resize(size);
      body.spec.volumeClaimTemplates[0]!.spec.storageClassName = 'expandable';
      const got = await patch<StatefulSet>('statefulsets', 'vct-exp', body);
      expect(got.spec.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.storage, `resize to ${size} (shrink is accepted)`).toBe(size);
    }
    const classChange = resize('512Mi');
    classChange.spec.volumeClaimTemplates[0]!.spec.storageClassName = 'fixed';
    const e2 = await rejection('class change', () => patch('statefulsets', 'vct-exp', classChange));
    expectDenied(e2, WEBHOOK_NAMES.validateStatefulSet, 'spec.volumeClaimTemplates[data]', 'can not be modified when OnRollingUpdate');
  });
});

describe('pod mutating hook', () => {
  const ownedPod = (name: string, namespace: string): V1Pod => ({
    metadata: { name, namespace, ownerReferences: [{ apiVersion: `${GROUP}/v1alpha1`, kind: 'CloneSet', name: 'cs', uid: randomUUID(), controller: true }] },
    spec: { containers: [{ name: 'main', image: 'nginx' }] },
  });

  it('adds InPlaceUpdateReady and KruisePodReady to pods of a CloneSet', async () => {
    const pod = await core.createNamespacedPod({ namespace: ns, body: ownedPod('hooked', ns) });
    expect(pod.spec?.readinessGates?.map((g) => g.conditionType)).toEqual(['InPlaceUpdateReady', 'KruisePodReady']);
  });

  it('leaves kube-system and pods of other owners alone', async () => {
    const sys = await core.createNamespacedPod({ namespace: 'kube-system', body: ownedPod(`hook-${randomUUID().slice(0, 6)}`, 'kube-system') });
    expect(sys.spec?.readinessGates).toBeUndefined();
    await core.deleteNamespacedPod({ namespace: 'kube-system', name: sys.metadata!.name!, gracePeriodSeconds: 0 });
    const plain = await core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'plain' }, spec: { containers: [{ name: 'main', image: 'nginx' }] } } });
    expect(plain.spec?.readinessGates).toBeUndefined();
  });
});

describe('shutdown', () => {
  it('removes the webhook configurations on close, so nothing is left blocking writes', async () => {
    await server!.close();
    server = undefined;
    const adm = kc.makeApiClient(AdmissionregistrationV1Api);
    const gone = await rejection('read after close', () => adm.readMutatingWebhookConfiguration({ name: MUTATING_WEBHOOK_CONFIGURATION }));
    expect(gone.code).toBe(404);
    const gone2 = await rejection('read after close', () => adm.readValidatingWebhookConfiguration({ name: VALIDATING_WEBHOOK_CONFIGURATION }));
    expect(gone2.code).toBe(404);
    // Without webhooks the apiserver stores even an invalid CloneSet: proof nothing intercepts anymore.
    const stored = await create('clonesets', cloneSet('after-close', (cs) => void (cs.spec.updateStrategy = { maxUnavailable: 0, maxSurge: 0 })));
    expect(stored.spec.updateStrategy).toEqual({ maxUnavailable: 0, maxSurge: 0 });
    expect(logLines.filter((l) => l.includes('"level":"error"') || l.includes('"level":"fatal"'))).toEqual([]);
  });
});
