import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DescriptorSchema, loadDescriptor } from '../run/descriptor.ts';
import { REPO_ROOT } from '../tools/cache.ts';
import { groupById, openKruiseGroups, type ToolGroup } from '../tools/catalog.ts';
import { toolGroupsOf } from './plan.ts';
import { preDeleteCheckWillRun, resolvePreDeleteCheck } from './tools.ts';

const spec = (command: string[]) => ({ command, inCluster: true, rules: [{ apiGroups: ['apps.kruise.io'], resources: ['clonesets'], verbs: ['list'] }], env: {}, timeoutSeconds: 60 });
const log = () => {};

describe('resolvePreDeleteCheck', () => {
  it('replaces {tool:<group>} by the binary the group provides, asking to build it only when the check will run', async () => {
    const asked: Array<[string, boolean]> = [];
    const ensure = async (g: ToolGroup, build: boolean) => (asked.push([g.id, build]), `/cache/${g.id}/bin/${g.binaries[0]!.name}`);
    const r = await resolvePreDeleteCheck(spec(['{tool:openkruise-helm-hook}', '-v']), { build: true, log, ensure });
    expect(r.command).toEqual(['/cache/openkruise-helm-hook/bin/kruise-helm-hook', '-v']);
    expect(r.unavailable).toBeUndefined();
    expect(asked).toEqual([['openkruise-helm-hook', true]]);
  });

  it('carries a tool that cannot be had as `unavailable`, with the fix, so the tests fail with it', async () => {
    const ensure = async () => {
      throw Object.assign(new Error('kruise-helm-hook v1.9.1 is not built'), { fix: 'run `tools install --group openkruise-1.9-helm-hook`' });
    };
    const r = await resolvePreDeleteCheck(spec(['{tool:openkruise-1.9-helm-hook}']), { build: false, log, ensure });
    expect(r.unavailable).toBe('kruise-helm-hook (tool group openkruise-1.9-helm-hook, github.com/openkruise/kruise v1.9.1): kruise-helm-hook v1.9.1 is not built (run `tools install --group openkruise-1.9-helm-hook`)');
  });

  it('refuses an unknown group, and a group of several binaries', async () => {
    expect((await resolvePreDeleteCheck(spec(['{tool:nope}']), { build: true, log })).unavailable).toMatch(/no such group \(known: kube, /);
    expect((await resolvePreDeleteCheck(spec(['{tool:kube}']), { build: true, log })).unavailable).toMatch(/builds 4 binaries/);
  });
});

describe('preDeleteCheckWillRun', () => {
  const run = { implementation: 'x', provider: 'local', capabilities: [], onlyFeatures: [], exemptFeatures: [] };
  it('is true when either check feature is claimed and selected, false otherwise', () => {
    expect(preDeleteCheckWillRun({ ...run, claims: ['Helm.PreDeleteCheck'] })).toBe(true);
    expect(preDeleteCheckWillRun({ ...run, claims: ['Helm.PreDeleteCheckDaemonSet'] })).toBe(true);
    expect(preDeleteCheckWillRun({ ...run, claims: ['CloneSet.Scale'] })).toBe(false);
    expect(preDeleteCheckWillRun({ ...run, claims: 'all', onlyFeatures: ['CloneSet.Scale'] })).toBe(false);
    expect(preDeleteCheckWillRun({ ...run, claims: 'all', exemptFeatures: ['Helm.PreDeleteCheck', 'Helm.PreDeleteCheckDaemonSet'] })).toBe(false);
  });
});

describe('descriptors: preDeleteCheck', () => {
  it('reference runs `kruise-ref helm-hook` by kubeconfig with the rules of its chart\'s default hook ClusterRole', () => {
    const d = loadDescriptor('reference');
    expect(d.preDeleteCheck?.inCluster).toBe(false);
    expect(d.preDeleteCheck?.command).toEqual(['tsx', 'impl/cmd/kruise-ref.ts', 'helm-hook', '--kubeconfig={kubeconfig}']);
    // The chart's ClusterRole without preDeleteHook.allKinds: the {{- else }} branch of the template.
    const template = readFileSync(join(REPO_ROOT, 'impl', 'chart', 'templates', 'pre-delete-hook.yaml'), 'utf8');
    const chartResources = /\{\{- else \}\}\s*resources: \[([^\]]*)\]/.exec(template)?.[1]?.split(',').map((s) => s.trim());
    expect(chartResources, 'the default resources of the chart hook ClusterRole').toBeDefined();
    expect(d.preDeleteCheck?.rules).toEqual([{ apiGroups: ['apps.kruise.io'], resources: chartResources, verbs: ['list'] }]);
    expect(d.claims).toContain('Helm.PreDeleteCheck');
    expect(d.claims).not.toContain('Helm.PreDeleteCheckDaemonSet');
  });

  it('each OpenKruise descriptor runs the helm_hook of its own release, in cluster, with the chart\'s kruise-helm-hook-role rules', () => {
    for (const name of ['openkruise', 'openkruise-1.9']) {
      const d = loadDescriptor(name);
      expect(d.install.type).toBe('openkruise');
      const version = d.install.type === 'openkruise' ? d.install.version : '';
      const [group] = toolGroupsOf(d.preDeleteCheck?.command ?? []);
      const hook = groupById(group as ToolGroup['id']);
      expect({ name, version: hook.version, pkg: hook.binaries[0]!.pkg }).toEqual({ name, version, pkg: 'github.com/openkruise/kruise/cmd/helm_hook' });
      const manager = openKruiseGroups().find((g) => g.version === version)!;
      expect(hook.wrapperOf, `${group} builds from the wrapper module of ${manager.id}`).toBe(manager.id);
      expect(d.preDeleteCheck?.inCluster).toBe(true);
      expect(d.preDeleteCheck?.rules).toEqual([{ apiGroups: ['apps.kruise.io'], resources: ['clonesets', 'daemonsets', 'statefulsets'], verbs: ['list'] }]);
      expect(d.claims).toEqual(expect.arrayContaining(['Helm.PreDeleteCheck', 'Helm.PreDeleteCheckDaemonSet']));
    }
  });

  it('the helm_hook groups are on demand and are not OpenKruise managers', () => {
    expect(openKruiseGroups().map((g) => g.id)).toEqual(['openkruise', 'openkruise-1.9']);
    for (const id of ['openkruise-helm-hook', 'openkruise-1.9-helm-hook'] as const) expect(groupById(id).onDemand).toBe(true);
  });

  it('refuses a kubeconfig program without {kubeconfig}, and an in-cluster one with it', () => {
    const base = { name: 'x', version: '1', install: { type: 'preinstalled' }, claims: [] };
    const rules = [{ apiGroups: ['apps.kruise.io'], resources: ['clonesets'], verbs: ['list'] }];
    const a = DescriptorSchema.safeParse({ ...base, preDeleteCheck: { command: ['hook'], rules } });
    expect(a.success ? '' : a.error.issues.map((i) => i.message).join()).toMatch(/must be given \{kubeconfig\}/);
    const b = DescriptorSchema.safeParse({ ...base, preDeleteCheck: { command: ['hook', '--kubeconfig={kubeconfig}'], inCluster: true, rules } });
    expect(b.success ? '' : b.error.issues.map((i) => i.message).join()).toMatch(/reads the in-cluster config/);
    const c = DescriptorSchema.safeParse({ ...base, preDeleteCheck: { command: ['hook', '--kubeconfig={kubeconfig}'], rules: [] } });
    expect(c.success).toBe(false);
  });
});
