// Objects to planner views and back: spec defaults, pod facts, new pods and PVCs.
import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import type { CloneSet } from '../../api/cloneset.ts';
import { buildClaims, buildPod, flagsFor, NO_GATES, podView, randomInstanceId, selectorString, specView } from './views.ts';

const cs = (spec: Partial<CloneSet['spec']> = {}, labels?: Record<string, string>): CloneSet => ({
  metadata: { name: 'web', namespace: 'ns', uid: 'u-cs', ...(labels && { labels }) },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' }, annotations: { note: 'x' } }, spec: { containers: [{ name: 'main', image: 'nginx:1' }] } },
    ...spec,
  },
});

describe('specView', () => {
  it('fills in replicas 1 and ReCreate when absent', () => {
    expect(specView(cs())).toEqual({ replicas: 1, updateStrategy: { type: 'ReCreate' }, scaleStrategy: {} });
  });

  it('carries the strategies and topology keys over', () => {
    const view = specView(cs({
      replicas: 5,
      minReadySeconds: 3,
      updateStrategy: { type: 'InPlaceIfPossible', partition: '40%', maxSurge: 1, maxUnavailable: 0, paused: true, scatterStrategy: [{ key: 'zone', value: 'a' }] },
      scaleStrategy: { podsToDelete: ['web-a'], maxUnavailable: 2 },
      template: { spec: { containers: [], topologySpreadConstraints: [{ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway' }] } },
    }));
    expect(view).toEqual({
      replicas: 5,
      minReadySeconds: 3,
      updateStrategy: { type: 'InPlaceIfPossible', partition: '40%', maxSurge: 1, maxUnavailable: 0, paused: true, scatterStrategy: [{ key: 'zone', value: 'a' }] },
      scaleStrategy: { podsToDelete: ['web-a'], maxUnavailable: 2 },
      topologySpreadKeys: ['topology.kubernetes.io/zone'],
    });
  });

  it('reads the scaling-exclude-preparing-delete label into the flags', () => {
    expect(flagsFor(cs({}, { 'apps.kruise.io/cloneset-scaling-exclude-preparing-delete': 'true' }), NO_GATES).scalingExcludePreparingDelete).toBe(true);
    expect(flagsFor(cs(), { ...NO_GATES, CloneSetPartitionRollback: true })).toEqual({ partitionRollback: true, preparingUpdateAsUpdate: false, scalingExcludePreparingDelete: false });
  });
});

describe('selectorString', () => {
  it('sorts requirements by key like metav1.FormatLabelSelector', () => {
    expect(selectorString({ matchLabels: { z: '1', app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }, { key: 'gone', operator: 'DoesNotExist' }] })).toBe('app=web,!gone,tier in (a,b),z=1');
  });
});

describe('podView', () => {
  it('reads identity, revision, lifecycle, readiness and in-place facts from the pod', () => {
    const pod: V1Pod = {
      metadata: {
        name: 'web-abcde',
        creationTimestamp: '2025-01-01T00:00:00Z' as unknown as Date,
        labels: { 'apps.kruise.io/cloneset-instance-id': 'abcde', 'controller-revision-hash': 'web-r1', 'lifecycle.apps.kruise.io/state': 'Normal', 'apps.kruise.io/specified-delete': 'true' },
        annotations: { 'controller.kubernetes.io/pod-deletion-cost': '-5' },
        finalizers: ['f'],
      },
      spec: { nodeName: 'n1', containers: [] },
      status: {
        phase: 'Running',
        conditions: [
          { type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:01:00Z' as unknown as Date },
          { type: 'InPlaceUpdateReady', status: 'False' },
        ],
        containerStatuses: [
          { name: 'a', image: 'x', imageID: 'x', ready: true, restartCount: 2 },
          { name: 'b', image: 'x', imageID: 'x', ready: true, restartCount: 5 },
        ],
      },
    };
    expect(podView(pod)).toEqual({
      name: 'web-abcde', instanceId: 'abcde', revision: 'web-r1', labels: pod.metadata?.labels, phase: 'Running', ready: true,
      readySince: Date.UTC(2025, 0, 1, 0, 1), creationTime: Date.UTC(2025, 0, 1), restartCount: 5, nodeName: 'n1', finalizers: ['f'],
      lifecycleState: 'Normal', specifiedDelete: true, inPlaceUpdateReady: false, deletionCost: '-5',
    });
  });
});

describe('new objects', () => {
  it('builds a pod from the revision template with identity labels, both readiness gates and PVC volumes', () => {
    const owner = cs({ volumeClaimTemplates: [{ metadata: { name: 'data' } }] });
    const pod = buildPod(owner, {
      instanceId: 'b2c4d',
      revision: 'web-7f9c',
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image: 'nginx:1' }], readinessGates: [{ conditionType: 'custom' }], volumes: [{ name: 'data', emptyDir: {} }, { name: 'tmp', emptyDir: {} }] } },
      shortHash: false,
      now: Date.UTC(2025, 0, 1),
    });
    expect(pod.metadata).toEqual({
      name: 'web-b2c4d',
      namespace: 'ns',
      labels: { app: 'web', 'apps.kruise.io/cloneset-instance-id': 'b2c4d', 'controller-revision-hash': 'web-7f9c', 'pod-template-hash': '7f9c', 'lifecycle.apps.kruise.io/state': 'PreparingNormal' },
      annotations: { 'lifecycle.apps.kruise.io/timestamp': '2025-01-01T00:00:00Z' },
      ownerReferences: [{ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', name: 'web', uid: 'u-cs', controller: true, blockOwnerDeletion: true }],
    });
    expect(pod.spec?.readinessGates?.map((g) => g.conditionType)).toEqual(['custom', 'InPlaceUpdateReady', 'KruisePodReady']);
    expect(pod.spec?.volumes).toEqual([{ name: 'tmp', emptyDir: {} }, { name: 'data', persistentVolumeClaim: { claimName: 'data-web-b2c4d' } }]);
  });

  it('labels a pod with only the short hash under CloneSetShortHash', () => {
    const pod = buildPod(cs(), { instanceId: 'b2c4d', revision: 'web-7f9c', template: cs().spec.template, shortHash: true, now: 0 });
    expect(pod.metadata?.labels?.['controller-revision-hash']).toBe('7f9c');
  });

  it('builds PVCs named <vct>-<cloneset>-<id> with selector and instance labels, owned by the CloneSet', () => {
    const claims = buildClaims(cs({ volumeClaimTemplates: [{ metadata: { name: 'data', labels: { kind: 'disk' } }, spec: { accessModes: ['ReadWriteOnce'] } }] }), 'b2c4d');
    expect(claims).toEqual([{
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: 'data-web-b2c4d', namespace: 'ns',
        labels: { kind: 'disk', app: 'web', 'apps.kruise.io/cloneset-instance-id': 'b2c4d' },
        ownerReferences: [{ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', name: 'web', uid: 'u-cs', controller: true, blockOwnerDeletion: true }],
      },
      spec: { accessModes: ['ReadWriteOnce'] },
    }]);
  });

  it('makes 5-character instance ids from the safe alphabet, avoiding taken ones', () => {
    let i = 0;
    const seq = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    expect(randomInstanceId(new Set(['bbbbb']), () => seq[i++] ?? 0)).toBe('bbbbc');
    for (let n = 0; n < 50; n++) expect(randomInstanceId(new Set())).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});
