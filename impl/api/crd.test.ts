import { describe, expect, it } from 'vitest';
import { checkCRDs } from './generate-crds.ts';
import { cloneSetCRD, sidecarSetCRD, statefulSetCRD, workloadSpreadCRD } from './crd.ts';
import { type JSONSchema, structuralProblems } from './schema.ts';

function at(schema: JSONSchema, path: string): JSONSchema {
  let cur: JSONSchema | undefined = schema;
  for (const part of path.split('.')) {
    cur = part === '[]' ? cur?.items : cur?.properties?.[part];
    if (!cur) throw new Error(`no schema at ${path} (missing ${part})`);
  }
  return cur;
}

describe('generated CRDs', () => {
  it('are checked in and up to date (npx tsx impl/api/generate-crds.ts --check)', () => {
    const stale = checkCRDs().filter((r) => !r.upToDate);
    expect(stale.map((r) => r.file), 'regenerate with: npx tsx impl/api/generate-crds.ts').toEqual([]);
  });

  it.each([
    ['CloneSet', cloneSetCRD()],
    ['StatefulSet', statefulSetCRD()],
    ['WorkloadSpread', workloadSpreadCRD()],
    ['SidecarSet', sidecarSetCRD()],
  ])('%s schemas are structural', (_kind, crd) => {
    for (const v of crd.spec.versions) expect(structuralProblems(v.schema.openAPIV3Schema), v.name).toEqual([]);
  });

  it('CloneSet: names, version, subresources and printer columns as OpenKruise 1.8', () => {
    const crd = cloneSetCRD();
    expect(crd.metadata.name).toBe('clonesets.apps.kruise.io');
    expect(crd.spec.names).toEqual({ kind: 'CloneSet', listKind: 'CloneSetList', plural: 'clonesets', singular: 'cloneset', shortNames: ['clone'] });
    expect(crd.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([['v1alpha1', true, true]]);
    const v = crd.spec.versions[0]!;
    expect(v.subresources).toEqual({ status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.labelSelector' } });
    expect(v.additionalPrinterColumns.filter((c) => !c.priority).map((c) => c.name)).toEqual(['DESIRED', 'UPDATED', 'UPDATED_READY', 'UPDATED_AVAILABLE', 'READY', 'TOTAL', 'AGE']);
    expect(v.additionalPrinterColumns.filter((c) => c.priority === 1).map((c) => c.name)).toEqual(['CONTAINERS', 'IMAGES', 'SELECTOR']);
  });

  it('CloneSet: int-or-string fields, preserved templates and required fields', () => {
    const root = cloneSetCRD().spec.versions[0]!.schema.openAPIV3Schema;
    for (const p of ['spec.updateStrategy.partition', 'spec.updateStrategy.maxUnavailable', 'spec.updateStrategy.maxSurge', 'spec.scaleStrategy.maxUnavailable']) {
      expect(at(root, p)['x-kubernetes-int-or-string'], p).toBe(true);
    }
    expect(at(root, 'spec.template')).toMatchObject({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    expect(at(root, 'spec.volumeClaimTemplates.[]')).toMatchObject({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    expect(at(root, 'spec').required).toEqual(['selector', 'template']);
    expect(at(root, 'status').required).toEqual(['availableReplicas', 'readyReplicas', 'replicas', 'updatedReadyReplicas', 'updatedReplicas']);
    for (const f of ['expectedUpdatedReplicas', 'updatedAvailableReplicas', 'observedGeneration', 'currentRevision', 'updateRevision', 'collisionCount', 'labelSelector', 'conditions']) {
      expect(at(root, `status.${f}`), f).toBeDefined();
    }
    expect(Object.keys(at(root, 'spec.scaleStrategy').properties ?? {})).toEqual(['disablePVCReuse', 'maxUnavailable', 'podsToDelete']);
    expect(at(root, 'spec.updateStrategy.inPlaceUpdateStrategy.gracePeriodSeconds').type).toBe('integer');
  });

  it('SidecarSet: v1alpha1 storage, v1beta1 served without namespace and with customVersion, conversion None until the manager starts', () => {
    const crd = sidecarSetCRD();
    expect(crd.spec.scope).toBe('Cluster');
    expect(crd.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([
      ['v1alpha1', true, true],
      ['v1beta1', true, false],
    ]);
    expect(crd.spec.conversion).toEqual({ strategy: 'None' });
    const [alpha, beta] = crd.spec.versions.map((v) => v.schema.openAPIV3Schema);
    expect(at(alpha!, 'spec.namespace').type).toBe('string');
    expect(at(beta!, 'spec').properties?.namespace).toBeUndefined();
    expect(at(beta!, 'spec.customVersion').type).toBe('string');
    expect(at(alpha!, 'spec').properties?.customVersion).toBeUndefined();
    expect(at(beta!, 'status')).toEqual(at(alpha!, 'status'));
  });

  it('StatefulSet: v1beta1 storage, v1alpha1 served, short names sts and asts', () => {
    const crd = statefulSetCRD();
    expect(crd.spec.names.shortNames).toEqual(['sts', 'asts']);
    expect(crd.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([
      ['v1alpha1', true, false],
      ['v1beta1', true, true],
    ]);
    for (const v of crd.spec.versions) {
      expect(v.additionalPrinterColumns.map((c) => c.name)).toEqual(['DESIRED', 'CURRENT', 'UPDATED', 'READY', 'AGE', 'CONTAINERS', 'IMAGES']);
      expect(v.subresources.scale?.labelSelectorPath).toBe('.status.labelSelector');
    }
  });

  it('StatefulSet: reserveOrdinals items and maxUnavailable are int-or-string; status.volumeClaims is described', () => {
    const root = statefulSetCRD().spec.versions[1]!.schema.openAPIV3Schema;
    expect(at(root, 'spec.reserveOrdinals.[]')['x-kubernetes-int-or-string']).toBe(true);
    expect(at(root, 'spec.updateStrategy.rollingUpdate.maxUnavailable')['x-kubernetes-int-or-string']).toBe(true);
    expect(at(root, 'spec.scaleStrategy.maxUnavailable')['x-kubernetes-int-or-string']).toBe(true);
    expect(at(root, 'spec.updateStrategy.rollingUpdate.partition').type).toBe('integer');
    expect(at(root, 'status.volumeClaims.[]').required).toEqual(['compatibleReadyReplicas', 'compatibleReplicas', 'volumeClaimName']);
    for (const f of ['podManagementPolicy', 'serviceName', 'ordinals', 'persistentVolumeClaimRetentionPolicy', 'volumeClaimUpdateStrategy', 'lifecycle', 'revisionHistoryLimit']) {
      expect(at(root, `spec.${f}`), f).toBeDefined();
    }
    for (const f of ['currentReplicas', 'updatedAvailableReplicas', 'labelSelector', 'conditions']) expect(at(root, `status.${f}`), f).toBeDefined();
  });

  it('structuralProblems finds untyped nodes', () => {
    expect(structuralProblems({ type: 'object', properties: { a: {} } })).toEqual(['<root>.a: type is required']);
  });

  it('WorkloadSpread: short name ws, v1alpha1, status but no scale subresource, OpenKruise printer columns', () => {
    const crd = workloadSpreadCRD();
    expect(crd.metadata.name).toBe('workloadspreads.apps.kruise.io');
    expect(crd.spec.names).toEqual({ kind: 'WorkloadSpread', listKind: 'WorkloadSpreadList', plural: 'workloadspreads', singular: 'workloadspread', shortNames: ['ws'] });
    const v = crd.spec.versions[0]!;
    expect([v.name, v.served, v.storage]).toEqual(['v1alpha1', true, true]);
    expect(v.subresources).toEqual({ status: {} });
    expect(v.additionalPrinterColumns.map((c) => c.name)).toEqual(['WorkloadName', 'WorkloadKind', 'Adaptive', 'Age']);
    const root = v.schema.openAPIV3Schema;
    expect(at(root, 'spec').required).toEqual(['subsets', 'targetRef']);
    expect(at(root, 'spec.subsets.[].maxReplicas')['x-kubernetes-int-or-string']).toBe(true);
    expect(at(root, 'spec.subsets.[].patch')).toMatchObject({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    expect(at(root, 'spec.scheduleStrategy.type').enum).toEqual(['Adaptive', 'Fixed', '']);
    expect(at(root, 'status.versionedSubsetStatuses').additionalProperties?.items?.required).toEqual(['missingReplicas', 'name', 'replicas']);
  });
});
