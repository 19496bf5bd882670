// Table tests of the version keys that versioned subset status and deletion cost compare: a pod's
// version and its workload's latest version must agree for pods of the latest template.
import { beforeEach, describe, expect, it } from 'vitest';
import { latestVersion, namespacedPath, type Obj, resolveTarget, type WorkloadSource } from './targets.ts';
import type { WorkloadSpread } from '../../api/workloadspread.ts';
import { pod, spread, zone } from './test-builders.ts';
import { podVersion, VERSION_IGNORED } from './types.ts';

const noSource: WorkloadSource = {
  get: async () => undefined,
  scale: async () => undefined,
  podsOwnedBy: () => [],
  pods: () => [],
  replicaSetsOwnedBy: () => [],
};

describe('podVersion', () => {
  it.each([
    ['a Deployment ReplicaSet pod: its pod-template-hash', { kind: 'ReplicaSet', labels: { 'pod-template-hash': '5d8f' } }, '5d8f'],
    ['a bare ReplicaSet pod (no hash label)', { kind: 'ReplicaSet', labels: {} }, VERSION_IGNORED],
    ['a CloneSet pod: its pod-template-hash', { kind: 'CloneSet', labels: { 'pod-template-hash': '7c9f', 'controller-revision-hash': 'web-7c9f' } }, '7c9f'],
    ['a CloneSet pod with the revision label only: its short hash', { kind: 'CloneSet', labels: { 'controller-revision-hash': 'web-7c9f' } }, '7c9f'],
    ['an Advanced StatefulSet pod: not versioned', { kind: 'StatefulSet', labels: { 'controller-revision-hash': 'db-1a2b' } }, VERSION_IGNORED],
    ['a Job pod: not versioned', { kind: 'Job', labels: {} }, VERSION_IGNORED],
  ])('%s', (_what, o, want) => {
    expect(podVersion(pod('p', { owner: { kind: o.kind, name: 'app' }, labels: o.labels }))).toBe(want);
  });
});

describe('latestVersion', () => {
  const ws = (kind: string) => spread([zone('a', 1)], {}, kind);
  const obj = (o: Partial<Obj> & { metadata?: Obj['metadata'] }): Obj => ({ apiVersion: 'v1', kind: 'X', ...o });

  it('a bare ReplicaSet matches its pods (VERSION_IGNORED), so its pods are not all "old"', () => {
    expect(latestVersion(ws('ReplicaSet'), obj({ metadata: { name: 'app', labels: {} } }), noSource)).toBe(VERSION_IGNORED);
    expect(latestVersion(ws('ReplicaSet'), obj({ metadata: { name: 'app', labels: { 'pod-template-hash': '5d8f' } } }), noSource)).toBe('5d8f');
  });

  it('a CloneSet: the short hash of status.updateRevision once observedGeneration has caught up', () => {
    const cs = (generation: number, observed: number) => obj({ metadata: { name: 'app', generation }, status: { observedGeneration: observed, updateRevision: 'app-7c9f' } });
    expect(latestVersion(ws('CloneSet'), cs(3, 3), noSource)).toBe('7c9f');
    expect(latestVersion(ws('CloneSet'), cs(4, 3), noSource), 'unknown while the new template is not observed').toBeUndefined();
  });

  it('kinds without versions: VERSION_IGNORED', () => {
    expect(latestVersion(ws('StatefulSet'), obj({ metadata: { name: 'app' } }), noSource)).toBe(VERSION_IGNORED);
  });
});

describe('namespacedPath', () => {
  it('puts the namespace before the plural of a cluster-wide list path', () => {
    expect(namespacedPath('/apis/apps/v1/replicasets', 'ns', 'web-1')).toBe('/apis/apps/v1/namespaces/ns/replicasets/web-1');
    expect(namespacedPath('/apis/conformance.kruise-conformance.io/v1/tfjobs', 'a b', 'x')).toBe('/apis/conformance.kruise-conformance.io/v1/namespaces/a%20b/tfjobs/x');
  });
});

describe('resolveTarget of a custom workload', () => {
  const tfjob: Obj = { apiVersion: 'conformance.kruise-conformance.io/v1', kind: 'TFJob', metadata: { name: 'app', namespace: 'ns', uid: 'tf-uid' }, spec: { tfReplicaSpecs: { Worker: { replicas: 4 } } } };
  const workers = [pod('w-0', { owner: { kind: 'TFJob', name: 'app', apiVersion: 'conformance.kruise-conformance.io/v1' } })];
  const scaleCalls: string[] = [];
  beforeEach(() => {
    scaleCalls.length = 0;
  });
  const source: WorkloadSource = {
    ...noSource,
    get: async () => tfjob,
    // As a least-privilege client sees a kind without a scale subresource: forbidden.
    scale: async (_v, kind, _ns, name) => {
      scaleCalls.push(`${kind}/${name}`);
      throw new Error('tfjobs.conformance.kruise-conformance.io "app" is forbidden: cannot get resource "tfjobs/scale"');
    },
    podsOwnedBy: (_ns, uid) => (uid === 'tf-uid' ? workers : []),
  };
  const onTfJob = (extra: Partial<WorkloadSpread['spec']>) => {
    const ws = spread([zone('a', 1)]);
    return { ...ws, spec: { ...ws.spec, targetRef: { apiVersion: 'conformance.kruise-conformance.io/v1', kind: 'TFJob', name: 'app' }, ...extra } };
  };

  it('with a replicasPathList, reads no scale subresource: replicas from the path, pods by owner', async () => {
    const view = await resolveTarget(onTfJob({ targetFilter: { replicasPathList: ['spec.tfReplicaSpecs.Worker.replicas'] } }), source, { workloads: [] });
    expect(view).toMatchObject({ replicas: 4, pods: workers });
    expect(scaleCalls).toEqual([]);
  });

  it("with the whitelist's ReplicasPath, reads no scale subresource either", async () => {
    const whitelist = { workloads: [{ group: 'conformance.kruise-conformance.io', version: 'v1', kind: 'TFJob', replicasPath: 'spec.tfReplicaSpecs.Worker.replicas', subResources: [] }] };
    const view = await resolveTarget(onTfJob({}), source, whitelist);
    expect(view.replicas).toBe(4);
    expect(scaleCalls).toEqual([]);
  });

  it('without any replicas path, asks the scale subresource (and surfaces its error)', async () => {
    await expect(resolveTarget(onTfJob({}), source, { workloads: [] })).rejects.toThrow(/tfjobs\/scale/);
    expect(scaleCalls).toEqual(['TFJob/app']);
  });
});
