import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { CloneSet } from '../api/cloneset.ts';
import { defaultCloneSet, defaultStatefulSet } from '../api/defaults.ts';
import type { StatefulSet } from '../api/statefulset.ts';
import { createLogger } from '../runtime/logger.ts';
import { type AdmissionRequest, applyJsonPatch, type Verdict } from './admission.ts';
import { type ClusterReader, type HandlerDeps, mutateCloneSet, mutatePod, mutateStatefulSet, validateCloneSetHandler, validateStatefulSetHandler } from './handlers.ts';
import { PATHS } from './configurations.ts';
import { serveAdmission } from './server.ts';

const noCluster: ClusterReader = {
  getPod: async () => undefined,
  getStorageClass: async (name) => (name === 'fixed' ? { metadata: { name }, provisioner: 'p', allowVolumeExpansion: false } : undefined),
  listStorageClasses: async () => [],
  listPods: async () => [],
  listPersistentVolumeClaims: async () => [],
  listCustomObjects: async () => [],
};

function gates(on: string[] = []): HandlerDeps['gates'] {
  return { enabled: (name) => on.includes(name) || name === 'StatefulSetAutoDeletePVC' };
}

const deps = (on: string[] = []): HandlerDeps => ({ gates: gates(on), cluster: noCluster });

function request(operation: AdmissionRequest['operation'], object: unknown, oldObject?: unknown, resource = 'clonesets', version = 'v1alpha1'): AdmissionRequest {
  return {
    uid: 'uid-1',
    kind: { group: 'apps.kruise.io', version, kind: resource === 'pods' ? 'Pod' : resource === 'clonesets' ? 'CloneSet' : 'StatefulSet' },
    resource: { group: resource === 'pods' ? '' : 'apps.kruise.io', version, resource },
    operation,
    namespace: 'ns',
    name: (object as { metadata?: { name?: string } })?.metadata?.name ?? '',
    object,
    ...(oldObject ? { oldObject } : {}),
  };
}

const cs = (): CloneSet => ({
  apiVersion: 'apps.kruise.io/v1alpha1',
  kind: 'CloneSet',
  metadata: { name: 'demo', namespace: 'ns' },
  spec: { selector: { matchLabels: { app: 'demo' } }, template: { metadata: { labels: { app: 'demo' } }, spec: { containers: [{ name: 'main', image: 'nginx:1.25' }] } } },
});

const sts = (): StatefulSet => ({
  apiVersion: 'apps.kruise.io/v1beta1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'ns' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image: 'nginx:1.25' }] } } },
});

function patched<T>(obj: T, v: Verdict): T {
  expect(v.allowed, JSON.stringify(v)).toBe(true);
  return v.allowed && v.patch ? applyJsonPatch(obj, v.patch) : obj;
}

describe('mutating CloneSet', () => {
  it('patches a created CloneSet into its defaulted form', async () => {
    const obj = cs();
    expect(patched(obj, await mutateCloneSet(request('CREATE', obj), deps()))).toEqual(defaultCloneSet(obj));
  });

  it('on UPDATE without a template change, leaves the template alone', async () => {
    const old = cs();
    const obj = { ...cs(), spec: { ...cs().spec, replicas: 4 } };
    const got = patched(obj, await mutateCloneSet(request('UPDATE', obj, old), deps()));
    expect(got.spec.template).toEqual(cs().spec.template);
    expect(got.spec.updateStrategy?.maxUnavailable).toBe('20%');
  });

  it('on UPDATE with a template change, defaults the template', async () => {
    const old = cs();
    const obj = cs();
    (obj.spec.template.spec as { containers: { image: string }[] }).containers[0]!.image = 'nginx:1.26';
    const got = patched(obj, await mutateCloneSet(request('UPDATE', obj, old), deps()));
    expect(got.spec.template.spec?.restartPolicy).toBe('Always');
  });

  it('skips template defaults with TemplateNoDefaults', async () => {
    const obj = cs();
    const got = patched(obj, await mutateCloneSet(request('CREATE', obj), deps(['TemplateNoDefaults'])));
    expect(got.spec.template).toEqual(cs().spec.template);
    expect(got.spec.replicas).toBe(1);
  });

  it('sends no patch for an already defaulted object', async () => {
    const v = await mutateCloneSet(request('CREATE', defaultCloneSet(cs())), deps());
    expect(v).toEqual({ allowed: true });
  });
});

describe('mutating Advanced StatefulSet', () => {
  it('defaults with the gates of the manager', async () => {
    const obj = sts();
    const got = patched(obj, await mutateStatefulSet(request('CREATE', obj, undefined, 'statefulsets', 'v1beta1'), deps(['StatefulSetAutoResizePVCGate'])));
    expect(got).toEqual(defaultStatefulSet(obj, { autoResizePVC: true, autoDeletePVC: true }));
    expect(got.spec.volumeClaimUpdateStrategy).toEqual({ type: 'OnDelete' });
  });

  it('serves v1alpha1 requests with the same shape', async () => {
    const obj = { ...sts(), apiVersion: 'apps.kruise.io/v1alpha1' };
    const got = patched(obj, await mutateStatefulSet(request('CREATE', obj, undefined, 'statefulsets', 'v1alpha1'), deps()));
    expect(got.apiVersion).toBe('apps.kruise.io/v1alpha1');
    expect(got.spec.podManagementPolicy).toBe('OrderedReady');
  });
});

describe('validating handlers', () => {
  it('rejects an invalid CloneSet with 422 and a message naming every field', async () => {
    const obj = defaultCloneSet(cs());
    obj.spec.updateStrategy = { ...obj.spec.updateStrategy, type: 'InPlaceOnly', maxSurge: 1 };
    obj.spec.template.spec!.restartPolicy = 'Never';
    const v = await validateCloneSetHandler(request('CREATE', obj), deps());
    expect(v.allowed).toBe(false);
    if (v.allowed) return;
    expect(v.status.code).toBe(422);
    expect(v.status.message).toBe(
      'CloneSet.apps.kruise.io "demo" is invalid: [spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always", spec.updateStrategy.maxSurge: Invalid value: "1": can not use maxSurge with strategy type InPlaceOnly]',
    );
    expect(v.status.details?.causes?.map((c) => c.field)).toEqual(['spec.template.spec.restartPolicy', 'spec.updateStrategy.maxSurge']);
  });

  it('admits a valid CloneSet and ignores DELETE', async () => {
    expect(await validateCloneSetHandler(request('CREATE', defaultCloneSet(cs())), deps())).toEqual({ allowed: true });
    expect(await validateCloneSetHandler(request('DELETE', undefined, defaultCloneSet(cs())), deps())).toEqual({ allowed: true });
  });

  it('rejects an update without oldObject as a bad request', async () => {
    const v = await validateCloneSetHandler(request('UPDATE', defaultCloneSet(cs())), deps());
    expect(v.allowed === false && v.status.code).toBe(400);
  });

  it('looks pods up through the cluster port', async () => {
    const obj = defaultCloneSet(cs());
    obj.spec.scaleStrategy = { podsToDelete: ['demo-x'] };
    const v = await validateCloneSetHandler(request('CREATE', obj), deps());
    expect(v.allowed === false && v.status.message).toContain('spec.scaleStrategy.podsToDelete: Invalid value: "demo-x": find pod demo-x failed: pods "demo-x" not found');
  });

  it('rejects an ASTS in-place policy without the readiness gate', async () => {
    const obj = defaultStatefulSet(sts());
    obj.spec.updateStrategy!.rollingUpdate!.podUpdatePolicy = 'InPlaceIfPossible';
    const v = await validateStatefulSetHandler(request('CREATE', obj, undefined, 'statefulsets', 'v1beta1'), deps());
    expect(v.allowed === false && v.status.message).toBe(
      'StatefulSet.apps.kruise.io "web" is invalid: spec.template.spec.readinessGates: Invalid value: []: must contains InPlaceUpdateReady when podUpdatePolicy is InPlaceIfPossible',
    );
  });

  it('applies the VCT rules only with StatefulSetAutoResizePVCGate, using the StorageClass port', async () => {
    const old = defaultStatefulSet(
      {
        ...sts(),
        spec: {
          ...sts().spec,
          volumeClaimUpdateStrategy: { type: 'OnPodRollingUpdate' },
          volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { storageClassName: 'fixed', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
        },
      },
      { autoResizePVC: true },
    );
    const cur = structuredClone(old);
    cur.spec.volumeClaimTemplates![0]!.spec!.resources = { requests: { storage: '2Gi' } };
    const req = request('UPDATE', cur, old, 'statefulsets', 'v1beta1');
    const on = await validateStatefulSetHandler(req, deps(['StatefulSetAutoResizePVCGate']));
    expect(on.allowed === false && on.status.message).toContain('spec.volumeClaimTemplates[data].spec.resources.requests.storage: Forbidden: storage class fixed does not support volume expansion');
    expect(await validateStatefulSetHandler(req, deps())).toEqual({ allowed: true });
  });
});

describe('pod mutating hook', () => {
  const pod = (owner?: { apiVersion: string; kind: string; controller?: boolean }, gatesList?: string[]): V1Pod => ({
    metadata: { name: 'p', namespace: 'ns', ...(owner ? { ownerReferences: [{ name: 'o', uid: 'u', controller: true, ...owner }] } : {}) },
    spec: { containers: [{ name: 'c', image: 'i' }], ...(gatesList ? { readinessGates: gatesList.map((conditionType) => ({ conditionType })) } : {}) },
  });
  const gatesOf = async (p: V1Pod, on: string[] = [], op: AdmissionRequest['operation'] = 'CREATE') =>
    patched(p, await mutatePod(request(op, p, op === 'UPDATE' ? p : undefined, 'pods', 'v1'), deps(on))).spec?.readinessGates?.map((g) => g.conditionType);

  it.each<[string, V1Pod, string[], string[] | undefined]>([
    ['a CloneSet pod gets InPlaceUpdateReady and KruisePodReady', pod({ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet' }), [], ['InPlaceUpdateReady', 'KruisePodReady']],
    ['an ASTS pod gets KruisePodReady only', pod({ apiVersion: 'apps.kruise.io/v1beta1', kind: 'StatefulSet' }), [], ['KruisePodReady']],
    ['existing gates are kept and not duplicated', pod({ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet' }, ['custom', 'InPlaceUpdateReady']), [], ['custom', 'InPlaceUpdateReady', 'KruisePodReady']],
    ['a pod of apps/v1 is left alone', pod({ apiVersion: 'apps/v1', kind: 'ReplicaSet' }), [], undefined],
    ['a bare pod is left alone', pod(), [], undefined],
    ['with KruisePodReadinessGate every pod gets KruisePodReady', pod(), ['KruisePodReadinessGate'], ['KruisePodReady']],
  ])('%s', async (_name, p, on, want) => {
    expect(await gatesOf(p, on)).toEqual(want);
  });

  it('ignores a non-controller owner reference', async () => {
    const p = pod({ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet' });
    p.metadata!.ownerReferences![0]!.controller = false;
    expect(await gatesOf(p)).toBeUndefined();
  });

  it('acts on CREATE only', async () => {
    expect(await mutatePod(request('UPDATE', pod({ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet' }), pod(), 'pods', 'v1'), deps())).toEqual({ allowed: true });
  });
});

describe('serveAdmission', () => {
  const logger = createLogger({ stream: { write: () => true } });
  it('answers an AdmissionReview with the request uid', async () => {
    const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: request('CREATE', defaultCloneSet(cs())) });
    const out = await serveAdmission(PATHS.validateCloneSet, body, deps(), logger);
    expect(out).toEqual({ status: 200, review: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'uid-1', allowed: true } } });
  });

  it.each([
    ['an unknown path', '/nope', '{}', 404],
    ['a body that is not JSON', PATHS.mutatePod, '{', 400],
    ['a review without request uid', PATHS.mutatePod, '{"request":{}}', 400],
  ])('rejects %s', async (_name, path, body, status) => {
    expect((await serveAdmission(path, body, deps(), logger)).status).toBe(status);
  });

  it('turns a handler exception into a 500 denial', async () => {
    const throwing: HandlerDeps = { gates: { enabled: () => { throw new Error('gate store broken'); } }, cluster: noCluster };
    const out = await serveAdmission(PATHS.mutateCloneSet, JSON.stringify({ request: request('CREATE', cs()) }), throwing, logger);
    expect(out.status).toBe(200);
    expect(out.review?.response).toEqual({ uid: 'uid-1', allowed: false, status: { status: 'Failure', code: 500, message: 'internal error: gate store broken' } });
  });

  it('reports a failing pod lookup as a field error, as OpenKruise does', async () => {
    const failing: ClusterReader = { ...noCluster, getPod: async () => Promise.reject(new Error('boom')) };
    const obj = defaultCloneSet(cs());
    obj.spec.scaleStrategy = { podsToDelete: ['x'] };
    const out = await serveAdmission(PATHS.validateCloneSet, JSON.stringify({ request: request('CREATE', obj) }), { gates: gates(), cluster: failing }, logger);
    expect(out.review?.response?.status?.message).toContain('spec.scaleStrategy.podsToDelete: Invalid value: "x": find pod x failed: boom');
});
});
