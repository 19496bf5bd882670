// The chart, linted and rendered by the pinned helm (never skipped: a missing helm fails with the
// command that builds it), and assertions on the rendered objects: the pre-delete hook, least
// privilege, values reaching the manager, and the webhooks matching what the manager registers.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../harness/clusters/provider.ts';
import { featureGatesFlag } from '../../harness/install/process.ts';
import { toolPath } from '../../harness/tools/resolve.ts';
import { allCRDs } from '../api/crd.ts';
import { chartWebhooksUpToDate, WEBHOOK_SERVICE_NAME } from '../webhooks/chart-template.ts';
import { mutatingConfiguration, validatingConfiguration } from '../webhooks/configurations.ts';

const CHART = fileURLToPath(new URL('.', import.meta.url));
const NS = 'kruise-ref-test';
const HOOK = 'pre-delete';
const HOOK_POLICY = 'before-hook-creation,hook-succeeded';
const CRD_CASCADING_ROLE = 'kruise-ref-manager-crd-cascading';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  [k: string]: unknown;
}
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
interface Container {
  name: string;
  image: string;
  args: string[];
  resources: unknown;
  ports?: Array<{ name: string; containerPort: number }>;
}
interface PodSpecHolder {
  spec: { replicas?: number; backoffLimit?: number; template: { spec: { serviceAccountName: string; restartPolicy?: string; containers: Container[] } } };
}

let helm: string;
beforeAll(() => {
  try {
    helm = toolPath('helm');
  } catch (err) {
    if (err instanceof ProviderError) throw new Error(`the chart tests need the pinned helm: ${err.message}; fix: ${err.fix}`);
    throw err;
  }
});

async function render(values: Record<string, unknown> = {}): Promise<Obj[]> {
  const file = join(mkdtempSync(join(tmpdir(), 'kc-chart-')), 'values.yaml');
  writeFileSync(file, stringify(values));
  const r = await execa(helm, ['template', 'kruise-ref', CHART, '--namespace', NS, '--kube-version', '1.34.0', '--values', file], { reject: false });
  if (r.exitCode !== 0) throw new Error(`helm template failed (exit ${r.exitCode}):\n${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}

const find = (objs: Obj[], kind: string, name: string): Obj => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} in the rendered chart; rendered: ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
};
const isHook = (o: Obj) => o.metadata.annotations?.['helm.sh/hook'] !== undefined;
const manager = (objs: Obj[]) => (find(objs, 'Deployment', 'kruise-ref-manager') as unknown as PodSpecHolder).spec;
const managerContainer = (objs: Obj[]) => manager(objs).template.spec.containers[0]!;

describe('the kruise-ref chart', { timeout: 60_000 }, () => {
  it('passes helm lint --strict', async () => {
    const r = await execa(helm, ['lint', CHART, '--strict', '--kube-version', '1.34.0'], { reject: false });
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('renders the CRDs generated from impl/api (the same objects as impl/crds), and none with crds.managed=false', async () => {
    const objs = await render();
    const crds = objs.filter((o) => o.kind === 'CustomResourceDefinition');
    expect(crds).toEqual(Object.values(allCRDs()));
    expect((await render({ crds: { managed: false } })).some((o) => o.kind === 'CustomResourceDefinition')).toBe(false);
  });

  it('the pre-delete hook: ClusterRole, binding, ServiceAccount and Job, each a pre-delete hook deleted before re-creation and on success', async () => {
    const objs = await render();
    const hooks = objs.filter(isHook);
    expect(hooks.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      ['ClusterRole/kruise-ref-helm-hook', 'ClusterRoleBinding/kruise-ref-helm-hook', 'Job/kruise-ref-finalizer', 'ServiceAccount/kruise-ref-helm-hook'].sort(),
    );
    for (const h of hooks) {
      expect(h.metadata.annotations?.['helm.sh/hook'], `${h.kind}/${h.metadata.name}`).toBe(HOOK);
      expect(h.metadata.annotations?.['helm.sh/hook-delete-policy'], `${h.kind}/${h.metadata.name}`).toBe(HOOK_POLICY);
    }
    const weights = Object.fromEntries(hooks.map((h) => [h.kind, Number(h.metadata.annotations?.['helm.sh/hook-weight'])]));
    expect(weights.Job, 'the Job runs after its RBAC and ServiceAccount exist').toBeGreaterThan(Math.max(weights.ClusterRole!, weights.ClusterRoleBinding!, weights.ServiceAccount!));

    const job = (find(objs, 'Job', 'kruise-ref-finalizer') as unknown as PodSpecHolder).spec;
    expect(job.backoffLimit, 'one failure fails the hook').toBe(0);
    expect(job.template.spec.restartPolicy).toBe('Never');
    expect(job.template.spec.serviceAccountName).toBe('kruise-ref-helm-hook');
    const c = job.template.spec.containers[0]!;
    expect(c.args).toEqual(['helm-hook']);
    expect(c.image, 'the hook runs the manager image (no second image to load)').toBe(managerContainer(objs).image);

    const role = find(objs, 'ClusterRole', 'kruise-ref-helm-hook') as Obj & { rules: Rule[] };
    expect(role.rules).toEqual([{ apiGroups: ['apps.kruise.io'], resources: ['clonesets', 'statefulsets', 'daemonsets'], verbs: ['list'] }]);
    const binding = find(objs, 'ClusterRoleBinding', 'kruise-ref-helm-hook') as Obj & { subjects: unknown[]; roleRef: { name: string } };
    expect(binding.roleRef.name).toBe('kruise-ref-helm-hook');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'kruise-ref-helm-hook', namespace: NS }]);
  });

  it('preDeleteHook.allKinds adds --all-kinds and list on every apps.kruise.io resource; preDeleteHook.enabled=false renders no hook', async () => {
    const all = await render({ preDeleteHook: { allKinds: true } });
    const job = (find(all, 'Job', 'kruise-ref-finalizer') as unknown as PodSpecHolder).spec;
    expect(job.template.spec.containers[0]!.args).toEqual(['helm-hook', '--all-kinds']);
    expect((find(all, 'ClusterRole', 'kruise-ref-helm-hook') as Obj & { rules: Rule[] }).rules).toEqual([{ apiGroups: ['apps.kruise.io'], resources: ['*'], verbs: ['list'] }]);
    const off = await render({ preDeleteHook: { enabled: false } });
    expect(off.filter(isHook)).toEqual([]);
    expect(off.some((o) => o.kind === 'Deployment')).toBe(true);
  });

  it('least privilege: no cluster-admin (or admin/edit), no wildcard verb, no wildcard group, no wildcard resource outside the hook\'s list of apps.kruise.io', async () => {
    for (const values of [{}, { preDeleteHook: { allKinds: true } }, { featureGates: 'DeletionProtectionForCRDCascadingGate=true' }]) {
      const objs = await render(values);
      for (const b of objs.filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding') as Array<Obj & { roleRef: { kind: string; name: string } }>) {
        expect(['cluster-admin', 'admin', 'edit'], `${b.kind}/${b.metadata.name}`).not.toContain(b.roleRef.name);
        expect(objs.some((o) => o.kind === b.roleRef.kind && o.metadata.name === b.roleRef.name), `${b.kind}/${b.metadata.name} binds a role of this chart`).toBe(true);
      }
      for (const r of objs.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role') as Array<Obj & { rules: Rule[] }>) {
        for (const rule of r.rules) {
          const where = `${r.kind}/${r.metadata.name} ${JSON.stringify(rule)}`;
          expect(rule.verbs, where).not.toContain('*');
          if (r.metadata.name === CRD_CASCADING_ROLE) {
            // The one wildcard the chart renders, and only with the CRD Cascading gate on (next test).
            expect(rule, where).toEqual({ apiGroups: ['*'], resources: ['*'], verbs: ['list'] });
            continue;
          }
          expect(rule.apiGroups, where).not.toContain('*');
          if (rule.resources.includes('*')) {
            expect(r.metadata.name, where).toBe('kruise-ref-helm-hook');
            expect(rule, where).toEqual({ apiGroups: ['apps.kruise.io'], resources: ['*'], verbs: ['list'] });
          }
          if (rule.apiGroups.includes('') && rule.resources.some((x) => ['secrets', 'configmaps'].includes(x))) {
            expect(rule.resourceNames?.length, `${where}: Secrets and ConfigMaps only by name`).toBeGreaterThan(0);
          }
        }
      }
    }
  });

  it('values reach the manager: featureGates string verbatim in --feature-gates, replicas, image, resources, leader election', async () => {
    const gates = 'InPlaceWorkloadVerticalScaling=true,StatefulSetAutoResizePVCGate=false';
    const objs = await render({
      featureGates: gates,
      manager: { replicas: 3, image: { repository: 'registry.example/kruise-ref', tag: 'v9', pullPolicy: 'Always' }, resources: { requests: { cpu: '1', memory: '1Gi' } } },
    });
    const spec = manager(objs);
    const c = managerContainer(objs);
    expect(c.args).toContain(`--feature-gates=${gates}`);
    expect(spec.replicas).toBe(3);
    expect(c.image).toBe('registry.example/kruise-ref:v9');
    expect(c.resources, 'requests replaced, the default limit kept (helm merges maps)').toEqual({ requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '512Mi' } });
    expect(c.args).toEqual(expect.arrayContaining(['manager', '--leader-elect', `--leader-election-namespace=${NS}`, '--webhook-configurations=patch-ca']));
    const defaults = managerContainer(await render());
    expect(defaults.args).toContain('--feature-gates=');
    expect(defaults.image).toBe('localhost/kruise-ref:0.1.0');
    expect(manager(await render()).replicas).toBe(2);
  });

  it('the manager, its Service, Secret and Role agree on names and ports', async () => {
    const objs = await render();
    const c = managerContainer(objs);
    const arg = (flag: string) => c.args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
    const svc = find(objs, 'Service', WEBHOOK_SERVICE_NAME) as Obj & { spec: { ports: Array<{ port: number; targetPort: string }>; selector: Record<string, string> } };
    expect(arg('--webhook-service-name')).toBe(WEBHOOK_SERVICE_NAME);
    expect(arg('--webhook-service-namespace')).toBe(NS);
    expect(svc.spec.ports).toEqual([{ name: 'webhook', port: 443, targetPort: 'webhook', protocol: 'TCP' }]);
    expect(c.ports?.find((p) => p.name === 'webhook')?.containerPort).toBe(Number(arg('--webhook-port')));
    const podLabels = (find(objs, 'Deployment', 'kruise-ref-manager') as unknown as { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template.metadata.labels;
    expect(podLabels).toMatchObject(svc.spec.selector);
    const secret = find(objs, 'Secret', arg('--webhook-cert-secret') ?? '(no --webhook-cert-secret)') as Obj & { data?: unknown };
    expect(secret.data, 'rendered empty: the manager fills it and helm upgrade keeps it').toBeUndefined();
    const role = find(objs, 'Role', 'kruise-ref-manager') as Obj & { rules: Rule[] };
    expect(role.rules).toContainEqual({ apiGroups: [''], resources: ['secrets'], resourceNames: [secret.metadata.name], verbs: ['get', 'update'] });
    expect(role.rules).toContainEqual({ apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [arg('--leader-election-id')], verbs: ['get', 'update', 'patch'] });
  });

  it('the webhook configurations are the ones the manager registers, against the chart Service, without caBundle, the pod webhooks skipping the release namespace', async () => {
    expect(chartWebhooksUpToDate(), 'templates/webhook-configurations.yaml is stale; run: npx tsx impl/webhooks/chart-template.ts').toBe(true);
    const objs = await render({ webhookConfiguration: { timeoutSeconds: 7, podFailurePolicy: 'Ignore' } });
    const opts = {
      clientConfig: (path: string) => ({ service: { name: WEBHOOK_SERVICE_NAME, namespace: NS, path, port: 443 } }),
      timeoutSeconds: 7,
      podFailurePolicy: 'Ignore' as const,
    };
    const strip = (o: Obj) => ({ ...o, metadata: { name: o.metadata.name } });
    const expectedMutating = structuredClone(mutatingConfiguration(opts));
    const expectedValidating = structuredClone(validatingConfiguration(opts));
    for (const w of [...(expectedMutating.webhooks ?? []), ...(expectedValidating.webhooks ?? [])]) {
      const e = w.namespaceSelector?.matchExpressions?.find((x) => x.key === 'kubernetes.io/metadata.name');
      if (e) e.values = [...(e.values ?? []), NS];
    }
    const mutating = find(objs, 'MutatingWebhookConfiguration', expectedMutating.metadata!.name!);
    expect(strip(mutating)).toEqual(strip(expectedMutating as unknown as Obj));
    expect(strip(find(objs, 'ValidatingWebhookConfiguration', expectedValidating.metadata!.name!))).toEqual(strip(expectedValidating as unknown as Obj));
    const role = find(objs, 'ClusterRole', 'kruise-ref-manager') as Obj & { rules: Rule[] };
    expect(role.rules).toContainEqual({ apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], resourceNames: [expectedMutating.metadata!.name!], verbs: ['get', 'update', 'patch'] });
    expect(role.rules).toContainEqual({ apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], resourceNames: [expectedValidating.metadata!.name!], verbs: ['get', 'update', 'patch'] });
  });

  it('CRD Cascading deletion protection: list on every resource, in its own ClusterRole bound to the manager, only when the gate is on', async () => {
    const crdRole = (objs: Obj[]) => objs.filter((o) => o.metadata.name === CRD_CASCADING_ROLE).map((o) => o.kind).sort();
    for (const gates of ['DeletionProtectionForCRDCascadingGate=true', 'ResourcesDeletionProtection=true, DeletionProtectionForCRDCascadingGate=true', 'AllAlpha=true']) {
      const objs = await render({ featureGates: gates });
      expect(crdRole(objs), `featureGates "${gates}"`).toEqual(['ClusterRole', 'ClusterRoleBinding']);
      const binding = find(objs, 'ClusterRoleBinding', CRD_CASCADING_ROLE) as Obj & { roleRef: { name: string }; subjects: Array<{ kind: string; name: string; namespace: string }> };
      expect(binding.roleRef.name).toBe(CRD_CASCADING_ROLE);
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'kruise-ref-manager', namespace: NS }]);
    }
    for (const gates of ['', 'ResourcesDeletionProtection=true', 'DeletionProtectionForCRDCascadingGate=false', 'AllAlpha=true,DeletionProtectionForCRDCascadingGate=false', 'DeletionProtectionForCRDCascadingGate=true,ResourcesDeletionProtection=false']) {
      expect(crdRole(await render({ featureGates: gates })), `featureGates "${gates}"`).toEqual([]);
    }
  });

  it('the WorkloadSpread whitelist lands in ConfigMap kruise-configuration of the release namespace as OpenKruise\'s JSON', async () => {
    const whitelist = { workloads: [{ Group: 'kubeflow.org', Version: 'v1', Kind: 'TFJob', ReplicasPath: 'spec.tfReplicaSpecs.Worker.replicas', subResources: [{ Group: '', Version: 'v1', Kind: 'Pod' }] }] };
    const cm = find(await render({ workloadSpread: { customWorkloadWhiteList: whitelist } }), 'ConfigMap', 'kruise-configuration') as Obj & { data: Record<string, string> };
    expect(cm.metadata.namespace).toBe(NS);
    expect(JSON.parse(cm.data.WorkloadSpread_Watch_Custom_Workload_WhiteList ?? 'null')).toEqual(whitelist);
    const empty = find(await render(), 'ConfigMap', 'kruise-configuration') as Obj & { data: Record<string, string> };
    expect(empty.data).toEqual({});
  });

  it("renders with impls/reference-helm.yaml's values and gates (as the helm installer passes them): the whitelist in the ConfigMap, the extra rule for its kind, the CRD Cascading role", async () => {
    const descriptor = parse(readFileSync(fileURLToPath(new URL('../../impls/reference-helm.yaml', import.meta.url)), 'utf8')) as { install: { values: Record<string, unknown> }; featureGates: Record<string, boolean> };
    const objs = await render({ ...descriptor.install.values, featureGates: featureGatesFlag(descriptor.featureGates) });
    find(objs, 'ClusterRoleBinding', CRD_CASCADING_ROLE);
    const cm = find(objs, 'ConfigMap', 'kruise-configuration') as Obj & { data: Record<string, string> };
    expect(JSON.parse(cm.data.WorkloadSpread_Watch_Custom_Workload_WhiteList ?? '{}')).toMatchObject({ workloads: [{ Kind: 'TFJob' }] });
    const role = find(objs, 'ClusterRole', 'kruise-ref-manager') as Obj & { rules: Rule[] };
    expect(role.rules).toContainEqual({ apiGroups: ['conformance.kruise-conformance.io'], resources: ['tfjobs'], verbs: ['get', 'list', 'watch'] });
  });
});
