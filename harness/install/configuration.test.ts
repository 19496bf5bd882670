import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DescriptorSchema, loadDescriptor } from '../run/descriptor.ts';
import {
  CONFIGURATION_CONFIGMAP,
  CONFIGURATION_NAMESPACE,
  WORKLOADSPREAD_WHITELIST_KEY,
  configurationManifests,
  crdNames,
  suiteCrdFiles,
  workloadSpreadWhiteList,
} from './configuration.ts';

const base = { name: 'x', version: '1', install: { type: 'preinstalled' }, claims: [] };

describe('descriptor configuration.workloadSpreadCustomWorkloads', () => {
  it('defaults to no custom workloads', () => {
    expect(DescriptorSchema.parse(base).configuration).toEqual({ workloadSpreadCustomWorkloads: [] });
  });

  it('reads group, version, kind, replicasPath and subResources', () => {
    const d = DescriptorSchema.parse({
      ...base,
      configuration: {
        workloadSpreadCustomWorkloads: [
          { group: 'example.io', version: 'v1', kind: 'Job', replicasPath: 'spec.a.replicas', subResources: [{ group: 'example.io', version: 'v1', kind: 'Part' }] },
          { group: 'example.io', version: 'v2', kind: 'Plain' },
        ],
      },
    });
    expect(d.configuration.workloadSpreadCustomWorkloads).toEqual([
      { group: 'example.io', version: 'v1', kind: 'Job', replicasPath: 'spec.a.replicas', subResources: [{ group: 'example.io', version: 'v1', kind: 'Part' }] },
      { group: 'example.io', version: 'v2', kind: 'Plain', subResources: [] },
    ]);
  });

  it('rejects an entry without a kind or version, naming the path', () => {
    const r = DescriptorSchema.safeParse({ ...base, configuration: { workloadSpreadCustomWorkloads: [{ group: 'example.io', version: 'v1' }, { group: 'example.io', kind: 'K' }] } });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['configuration.workloadSpreadCustomWorkloads.0.kind', 'configuration.workloadSpreadCustomWorkloads.1.version']);
  });

  it('the known descriptors whitelist the WorkloadSpread suite TFJob kind with its master replicas path', () => {
    for (const impl of ['reference', 'openkruise', 'openkruise-1.9']) {
      expect(loadDescriptor(impl).configuration.workloadSpreadCustomWorkloads, impl).toContainEqual({
        group: 'conformance.kruise-conformance.io',
        version: 'v1',
        kind: 'TFJob',
        replicasPath: 'spec.tfReplicaSpecs.Master.replicas',
        subResources: [],
      });
    }
  });
});

describe('kruise-configuration rendering', () => {
  it('renders the whitelist as OpenKruise reads it (Group/Version/Kind/ReplicasPath, subResources)', () => {
    const json = workloadSpreadWhiteList([
      { group: 'example.io', version: 'v1', kind: 'Job', replicasPath: 'spec.a.replicas', subResources: [{ group: 'example.io', version: 'v1', kind: 'Part' }] },
      { group: 'apps.example.io', version: 'v1', kind: 'Set', subResources: [] },
    ]);
    expect(JSON.parse(json)).toEqual({
      workloads: [
        { Group: 'example.io', Version: 'v1', Kind: 'Job', ReplicasPath: 'spec.a.replicas', subResources: [{ Group: 'example.io', Version: 'v1', Kind: 'Part' }] },
        { Group: 'apps.example.io', Version: 'v1', Kind: 'Set' },
      ],
    });
  });

  it('renders namespace kruise-system and ConfigMap kruise-configuration with the whitelist key', () => {
    const manifests = configurationManifests({ workloadSpreadCustomWorkloads: [{ group: 'g.io', version: 'v1', kind: 'K', subResources: [] }] });
    expect(manifests).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: CONFIGURATION_NAMESPACE } },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: CONFIGURATION_CONFIGMAP, namespace: CONFIGURATION_NAMESPACE },
        data: { [WORKLOADSPREAD_WHITELIST_KEY]: '{"workloads":[{"Group":"g.io","Version":"v1","Kind":"K"}]}' },
      },
    ]);
    expect([CONFIGURATION_NAMESPACE, CONFIGURATION_CONFIGMAP, WORKLOADSPREAD_WHITELIST_KEY]).toEqual(['kruise-system', 'kruise-configuration', 'WorkloadSpread_Watch_Custom_Workload_WhiteList']);
  });

  it('renders nothing when nothing is configured', () => {
    expect(configurationManifests({ workloadSpreadCustomWorkloads: [] })).toEqual([]);
  });
});

describe('suite CRDs', () => {
  it('finds suites/<NN-area>/crds/*.yaml in suite order and reads the CRD names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-suites-'));
    try {
      for (const d of ['30-b/crds', '10-a/crds', 'lib/crds']) mkdirSync(join(dir, d), { recursive: true });
      const crd = (name: string) => `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ${name}\n`;
      writeFileSync(join(dir, '30-b/crds/z.yaml'), `${crd('zs.example.io')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n`);
      writeFileSync(join(dir, '10-a/crds/a.yaml'), crd('as.example.io'));
      writeFileSync(join(dir, '10-a/crds/notes.txt'), 'not a manifest');
      writeFileSync(join(dir, 'lib/crds/x.yaml'), crd('xs.example.io'));
      const files = suiteCrdFiles(dir);
      expect(files).toEqual([join(dir, '10-a/crds/a.yaml'), join(dir, '30-b/crds/z.yaml')]);
      expect(crdNames(files)).toEqual(['as.example.io', 'zs.example.io']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the repository ships the WorkloadSpread suite TFJob CRD in a group of its own', () => {
    const names = crdNames(suiteCrdFiles());
    expect(names).toContain('tfjobs.conformance.kruise-conformance.io');
  });
});
