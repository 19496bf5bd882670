import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { buildClaim, buildPod, claimView, gatesFrom, isOwnedPod, podView, selectorString, specView, storageClassExpansion, type AdvancedStatefulSet } from './views.ts';

const set = (spec: Partial<AdvancedStatefulSet['spec']> = {}): AdvancedStatefulSet => ({
  apiVersion: 'apps.kruise.io/v1beta1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'ns', uid: 'uid-web' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    serviceName: 'svc',
    template: { metadata: { labels: { app: 'web' }, annotations: { a: '1' } }, spec: { containers: [{ name: 'main', image: 'nginx:1' }], volumes: [{ name: 'cfg', emptyDir: {} }, { name: 'data', emptyDir: {} }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data', labels: { dropped: 'yes' }, annotations: { kept: 'yes' } }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'expandable', resources: { requests: { storage: '1Gi' } } } }],
    ...spec,
  },
});

describe('specView', () => {
  it('fills the defaults the webhook would set', () => {
    expect(specView({ metadata: { name: 'x' }, spec: { selector: {}, template: {} } })).toEqual({
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      updateStrategyType: 'RollingUpdate',
      rollingUpdate: { partition: 0, maxUnavailable: 1, podUpdatePolicy: 'ReCreate', paused: false, minReadySeconds: 0 },
      volumeClaimTemplates: [],
    });
  });

  it('reads every field the planners use', () => {
    const v = specView(
      set({
        replicas: 4,
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2, maxUnavailable: '50%', podUpdatePolicy: 'InPlaceIfPossible', unorderedUpdate: { priorityStrategy: { weightPriority: [{ weight: 10, matchSelector: { matchLabels: { a: 'b' } } }] } }, minReadySeconds: 5 } },
        reserveOrdinals: [1, '3-4'],
        ordinals: { start: 2 },
        scaleStrategy: { maxUnavailable: 2 },
        volumeClaimUpdateStrategy: { type: 'OnPodRollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
      }),
    );
    expect(v).toEqual({
      replicas: 4,
      podManagementPolicy: 'Parallel',
      updateStrategyType: 'RollingUpdate',
      rollingUpdate: {
        partition: 2,
        maxUnavailable: '50%',
        podUpdatePolicy: 'InPlaceIfPossible',
        paused: false,
        unorderedUpdate: { priorityStrategy: { weightPriority: [{ weight: 10, matchSelector: { matchLabels: { a: 'b' } } }] } },
        minReadySeconds: 5,
      },
      reserveOrdinals: [1, '3-4'],
      ordinalsStart: 2,
      scaleMaxUnavailable: 2,
      volumeClaimTemplates: [{ name: 'data', storageClassName: 'expandable', accessModes: ['ReadWriteOnce'], requestStorage: '1Gi' }],
      volumeClaimUpdateStrategy: 'OnPodRollingUpdate',
      retentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
    });
  });

  it('OnDelete has no rolling update view', () => expect(specView(set({ updateStrategy: { type: 'OnDelete' } })).rollingUpdate).toBeUndefined());
});

describe('selectorString', () => {
  it.each<[Parameters<typeof selectorString>[0], string]>([
    [undefined, ''],
    [{ matchLabels: { b: '2', a: '1' } }, 'a=1,b=2'],
    [{ matchExpressions: [{ key: 'k', operator: 'In', values: ['y', 'x'] }, { key: 'e', operator: 'Exists' }, { key: 'n', operator: 'DoesNotExist' }, { key: 'o', operator: 'NotIn', values: ['z'] }] }, 'k in (x,y),e,!n,o notin (z)'],
  ])('%j -> %j', (sel, want) => expect(selectorString(sel)).toBe(want));
});

describe('buildPod / buildClaim', () => {
  it('gives the slot its name, identity labels, revision, lifecycle, hostname/subdomain, owner and claim volumes', () => {
    const s = set();
    const pod = buildPod(s, s.spec.template, { ordinal: 3, revision: 'web-abc', lifecycleState: 'PreparingNormal', now: Date.UTC(2025, 0, 1), podIndexLabel: true });
    expect(pod.metadata).toEqual({
      name: 'web-3',
      namespace: 'ns',
      labels: { app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-3', 'apps.kubernetes.io/pod-index': '3', 'controller-revision-hash': 'web-abc', 'lifecycle.apps.kruise.io/state': 'PreparingNormal' },
      annotations: { a: '1', 'lifecycle.apps.kruise.io/timestamp': '2025-01-01T00:00:00Z' },
      ownerReferences: [{ apiVersion: 'apps.kruise.io/v1beta1', kind: 'StatefulSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }],
    });
    expect(pod.spec?.hostname).toBe('web-3');
    expect(pod.spec?.subdomain).toBe('svc');
    // the template's own volume named like a claim template is replaced by the claim
    expect(pod.spec?.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-3', readOnly: false } }, { name: 'cfg', emptyDir: {} }]);
    expect(s.spec.template.spec?.volumes?.length, 'the template is not mutated').toBe(2);
  });

  it('omits the pod-index label with the PodIndexLabel gate off', () => {
    const s = set();
    const pod = buildPod(s, s.spec.template, { ordinal: 0, revision: 'r', lifecycleState: 'Normal', now: 0, podIndexLabel: false });
    expect(pod.metadata?.labels?.['apps.kubernetes.io/pod-index']).toBeUndefined();
  });

  it('claims carry the selector labels (not the template labels), the template annotations and spec', () => {
    const s = set();
    expect(buildClaim(s, s.spec.volumeClaimTemplates![0]!, 2)).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data-web-2', namespace: 'ns', labels: { app: 'web' }, annotations: { kept: 'yes' } },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'expandable', resources: { requests: { storage: '1Gi' } } },
    });
  });
});

describe('podView / claimView / isOwnedPod', () => {
  const s = set();
  const base = (o: Partial<V1Pod> = {}): V1Pod => ({
    metadata: {
      name: 'web-1',
      namespace: 'ns',
      uid: 'u1',
      labels: { 'controller-revision-hash': 'web-abc', 'statefulset.kubernetes.io/pod-name': 'web-1', 'lifecycle.apps.kruise.io/state': 'Normal', 'apps.kruise.io/specified-delete': '' },
      ownerReferences: [{ apiVersion: 'apps.kruise.io/v1beta1', kind: 'StatefulSet', name: 'web', uid: 'uid-web', controller: true }],
    },
    spec: { containers: [{ name: 'main' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-1' } }], readinessGates: [{ conditionType: 'InPlaceUpdateReady' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' as unknown as Date }, { type: 'InPlaceUpdateReady', status: 'False' }] },
    ...o,
  });

  it('reads phase, readiness, lifecycle, identity, storage and the in-place gate', () => {
    expect(podView(base(), s, false)).toEqual({
      name: 'web-1',
      ordinal: 1,
      uid: 'u1',
      revision: 'web-abc',
      phase: 'Running',
      ready: true,
      readySince: Date.UTC(2025, 0, 1),
      terminating: false,
      lifecycleState: 'Normal',
      labels: base().metadata?.labels,
      specifiedDelete: true,
      identityMatches: true,
      storageMatches: true,
      hasInPlaceReadinessGate: true,
      inPlaceUpdateReady: false,
    });
  });

  it('a pod missing its claim volume or pod-name label does not match', () => {
    const p = base();
    p.spec!.volumes = [];
    delete p.metadata!.labels!['statefulset.kubernetes.io/pod-name'];
    const v = podView(p, s, false);
    expect([v.identityMatches, v.storageMatches]).toEqual([false, false]);
  });

  it('ownership needs the controller ref UID and the parent name', () => {
    expect(isOwnedPod(base(), s)).toBe(true);
    expect(isOwnedPod({ ...base(), metadata: { ...base().metadata, name: 'other-1' } }, s)).toBe(false);
    expect(isOwnedPod({ ...base(), metadata: { ...base().metadata, ownerReferences: [] } }, s)).toBe(false);
  });

  it('claimView reads sizes, resize pending, termination and owners', () => {
    expect(
      claimView({
        metadata: { name: 'data-web-1', deletionTimestamp: new Date(0), ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'web-1', uid: 'u1' }] },
        spec: { storageClassName: 'expandable', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } },
        status: { capacity: { storage: '1Gi' }, conditions: [{ type: 'FileSystemResizePending', status: 'True' }] },
      }),
    ).toEqual({
      name: 'data-web-1',
      storageClassName: 'expandable',
      accessModes: ['ReadWriteOnce'],
      requestStorage: '2Gi',
      capacityStorage: '1Gi',
      fileSystemResizePending: true,
      terminating: true,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'web-1', uid: 'u1' }],
    });
  });

  it('storage classes: allowVolumeExpansion true / false / unset', () => {
    const m = storageClassExpansion([
      { metadata: { name: 'a' }, provisioner: 'p', allowVolumeExpansion: true },
      { metadata: { name: 'b' }, provisioner: 'p', allowVolumeExpansion: false },
      { metadata: { name: 'c' }, provisioner: 'p' },
    ]);
    expect([...m]).toEqual([['a', true], ['b', false], ['c', null]]);
  });

  it('gatesFrom maps the OpenKruise gate names', () => {
    const on = new Set(['StatefulSetAutoResizePVCGate', 'InPlaceWorkloadVerticalScaling']);
    expect(gatesFrom((n) => on.has(n))).toEqual({ startOrdinal: false, autoResizePVC: true, autoDeletePVC: false, verticalScaling: true });
  });
});
