import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../clusters/provider.ts';
import { loadDescriptor } from '../run/descriptor.ts';
import { OPENKRUISE_1_9_VERSION, OPENKRUISE_VERSION, groupById, openKruiseDaemonGroup, openKruiseGroups } from '../tools/catalog.ts';
import { wrapperModuleDir } from '../tools/cache.ts';
import { assertInstallableOn } from './index.ts';
import { KRUISE_NAMESPACE, type KubeObject, MUTATING_CONFIGURATION, WEBHOOK_SERVICE } from './openkruise.ts';
import { DAEMON_DAEMONSET, MANAGER_DEPLOYMENT, inClusterObjects } from './openkruise-cluster.ts';
import { containerfile, imageStamp, openKruiseImages } from './openkruise-image.ts';

// A module tree shaped like kruise's config/ (controller-gen and kustomize output); written for this test.
const files: Record<string, string> = {
  'config/crd/bases/apps.example.io_widgets.yaml': 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.apps.example.io\nspec:\n  group: apps.example.io\n',
  'config/crd/kustomization.yaml': 'resources: [bases/apps.example.io_widgets.yaml]\n',
  'config/rbac/role.yaml': '---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  creationTimestamp: null\n  name: manager-role\nrules:\n- apiGroups: [""]\n  resources: [secrets]\n  verbs: [create, get]\n',
  'config/rbac/leader_election_role.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: leader-election-role\nrules:\n- apiGroups: [coordination.k8s.io]\n  resources: [leases]\n  verbs: [get, create, update]\n',
  'config/rbac/daemon_role.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: daemon-role\nrules:\n- apiGroups: [apps.kruise.io]\n  resources: [nodepodprobes/status]\n  verbs: [patch]\n',
  'config/daemonconfig/config/rbac.yaml':
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: kruise-daemon-secret-role\n  namespace: kruise-daemon-config\nrules:\n- apiGroups: [""]\n  resources: [secrets]\n  verbs: [get]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: kruise-daemon-secret-rolebinding\n  namespace: kruise-daemon-config\nroleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: kruise-daemon-secret-role }\nsubjects:\n- { kind: ServiceAccount, name: kruise-daemon, namespace: kruise-system }\n',
  'config/webhook/manifests.yaml':
    'apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata:\n  name: mutating-webhook-configuration\nwebhooks:\n- name: mpod.example.io\n  clientConfig:\n    service: { name: webhook-service, namespace: system, path: /mutate-pod }\n  failurePolicy: Fail\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata:\n  name: validating-webhook-configuration\nwebhooks:\n- name: vwidget.example.io\n  clientConfig:\n    service: { name: webhook-service, namespace: system, path: /validate-widget }\n',
  'config/webhook/patch_manifests.yaml':
    'apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata:\n  name: mutating-webhook-configuration\nwebhooks:\n- name: mpod.example.io\n  namespaceSelector:\n    matchExpressions:\n    - { key: control-plane, operator: DoesNotExist }\n',
};
const moduleDir = mkdtempSync(join(tmpdir(), 'kc-okcluster-'));
for (const [path, text] of Object.entries(files)) {
  mkdirSync(dirname(join(moduleDir, path)), { recursive: true });
  writeFileSync(join(moduleDir, path), text);
}
afterAll(() => rmSync(moduleDir, { recursive: true, force: true }));

const gates = { KruiseDaemon: true, PodProbeMarkerGate: true, InPlaceUpdateEnvFromMetadata: false };
const opts = { moduleDir, gates, managerImage: 'localhost/kruise-conformance/kruise-manager:v9.9.9', daemonImage: 'localhost/kruise-conformance/kruise-daemon:v9.9.9' };

type Container = { name: string; image: string; args: string[]; env: { name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } }[]; [k: string]: unknown };
type PodSpec = { serviceAccountName: string; containers: Container[]; volumes?: { name: string; hostPath?: { path: string } }[]; [k: string]: unknown };
const find = (objects: KubeObject[], kind: string, name: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} in ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
};
const podSpec = (o: KubeObject) => (o.spec as { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } }).template;

describe('inClusterObjects', () => {
  const objects = inClusterObjects(opts);

  it('runs the manager as kruise-controller-manager with leader election, POD_NAMESPACE and the webhook on 9876, and no WEBHOOK_HOST', () => {
    const deployment = find(objects, 'Deployment', MANAGER_DEPLOYMENT);
    expect(deployment.metadata.namespace).toBe(KRUISE_NAMESPACE);
    const c = podSpec(deployment).spec.containers[0]!;
    expect(c.image).toBe(opts.managerImage);
    expect(c.args).toEqual(expect.arrayContaining(['--enable-leader-election', `--leader-election-namespace=${KRUISE_NAMESPACE}`, '--health-probe-addr=:8000', '--feature-gates=KruiseDaemon=true,PodProbeMarkerGate=true,InPlaceUpdateEnvFromMetadata=false']));
    expect(c.env).toContainEqual({ name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } });
    expect(c.env).toContainEqual({ name: 'WEBHOOK_PORT', value: '9876' });
    expect(c.env.map((e) => e.name), 'in cluster the manager issues certificates for its Service, so no WEBHOOK_HOST').not.toContain('WEBHOOK_HOST');
    expect(c.readinessProbe).toMatchObject({ httpGet: { path: '/readyz', port: 8000 } });
  });

  it('serves the webhooks through kruise-webhook-service 443 -> 9876, selecting the manager pods, which every webhook names', () => {
    const service = find(objects, 'Service', WEBHOOK_SERVICE);
    const spec = service.spec as { selector: Record<string, string>; ports: { port: number; targetPort: number }[] };
    expect(spec.ports).toEqual([expect.objectContaining({ port: 443, targetPort: 9876 })]);
    expect(podSpec(find(objects, 'Deployment', MANAGER_DEPLOYMENT)).metadata.labels).toMatchObject(spec.selector);
    const webhooks = objects.filter((o) => o.kind.endsWith('WebhookConfiguration')).flatMap((o) => o.webhooks as { clientConfig: { service: { name: string; namespace: string } } }[]);
    expect(webhooks.length).toBe(2);
    for (const w of webhooks) expect(w.clientConfig.service).toMatchObject({ name: WEBHOOK_SERVICE, namespace: KRUISE_NAMESPACE });
  });

  it('runs kruise-daemon privileged on the host network, with NODE_NAME, the gates, and containerd mounted where it looks', () => {
    const ds = find(objects, 'DaemonSet', DAEMON_DAEMONSET);
    const spec = podSpec(ds).spec;
    const c = spec.containers[0]!;
    expect(c.image).toBe(opts.daemonImage);
    expect(spec.hostNetwork).toBe(true);
    expect(c.securityContext).toEqual({ privileged: true });
    expect(c.env).toContainEqual({ name: 'NODE_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } });
    expect(c.args).toContain('--feature-gates=KruiseDaemon=true,PodProbeMarkerGate=true,InPlaceUpdateEnvFromMetadata=false');
    const mount = (c.volumeMounts as { name: string; mountPath: string }[]).find((m) => m.mountPath === '/hostvarrun/containerd');
    expect(mount, 'kruise-daemon finds containerd at /hostvarrun/containerd/containerd.sock').toBeDefined();
    expect(spec.volumes?.find((v) => v.name === mount!.name)?.hostPath?.path).toBe('/run/containerd');
    expect(spec.tolerations).toEqual([{ operator: 'Exists' }]);
  });

  it("binds the module's roles to service accounts that exist, under the chart's names", () => {
    const accounts = objects.filter((o) => o.kind === 'ServiceAccount').map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    for (const workload of [find(objects, 'Deployment', MANAGER_DEPLOYMENT), find(objects, 'DaemonSet', DAEMON_DAEMONSET)]) {
      expect(accounts).toContain(`${KRUISE_NAMESPACE}/${podSpec(workload).spec.serviceAccountName}`);
    }
    const managerRole = find(objects, 'ClusterRole', 'kruise-manager-role');
    expect(managerRole.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['create', 'get'] }]);
    expect(managerRole.metadata, 'controller-gen stamps are dropped').not.toHaveProperty('creationTimestamp');
    expect(find(objects, 'Role', 'kruise-leader-election-role').metadata.namespace).toBe(KRUISE_NAMESPACE);
    const roleOf = (binding: KubeObject) => (binding.roleRef as { name: string }).name;
    const subjectsOf = (binding: KubeObject) => (binding.subjects as { name: string; namespace: string }[]).map((s) => `${s.namespace}/${s.name}`);
    for (const [bindingKind, bindingName, role, account] of [
      ['ClusterRoleBinding', 'kruise-manager-rolebinding', 'kruise-manager-role', 'kruise-manager'],
      ['RoleBinding', 'kruise-leader-election-rolebinding', 'kruise-leader-election-role', 'kruise-manager'],
      ['ClusterRoleBinding', 'kruise-daemon-rolebinding', 'kruise-daemon-role', 'kruise-daemon'],
      ['RoleBinding', 'kruise-daemon-secret-rolebinding', 'kruise-daemon-secret-role', 'kruise-daemon'],
    ] as const) {
      const b = find(objects, bindingKind, bindingName);
      expect(roleOf(b), bindingName).toBe(role);
      expect(subjectsOf(b), bindingName).toEqual([`${KRUISE_NAMESPACE}/${account}`]);
    }
    expect(objects.map((o) => o.kind)).not.toContain('Secret');
  });

  it('labels kruise-system so the pod webhooks skip its pods (the manager starts before it serves)', () => {
    const ns = find(objects, 'Namespace', KRUISE_NAMESPACE);
    const mutating = find(objects, 'MutatingWebhookConfiguration', MUTATING_CONFIGURATION);
    const mpod = (mutating.webhooks as { name: string; namespaceSelector?: { matchExpressions: { key: string; operator: string }[] } }[]).find((w) => w.name === 'mpod.example.io')!;
    const keys = Object.keys((ns.metadata.labels as Record<string, string> | undefined) ?? {});
    expect(mpod.namespaceSelector!.matchExpressions.filter((e) => e.operator === 'DoesNotExist').some((e) => keys.includes(e.key))).toBe(true);
    expect(objects.findIndex((o) => o.kind === 'CustomResourceDefinition'), 'CRDs come before the workloads').toBeLessThan(objects.findIndex((o) => o.kind === 'Deployment'));
  });

  it('refuses a daemon-config binding for another service account', () => {
    const other = mkdtempSync(join(tmpdir(), 'kc-okcluster-bad-'));
    try {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(other, path)), { recursive: true });
        writeFileSync(join(other, path), path.endsWith('daemonconfig/config/rbac.yaml') ? text.replace('name: kruise-daemon, namespace', 'name: someone-else, namespace') : text);
      }
      expect(() => inClusterObjects({ ...opts, moduleDir: other })).toThrow(/binds .*someone-else.*not kruise-system\/kruise-daemon/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  for (const version of [OPENKRUISE_VERSION, OPENKRUISE_1_9_VERSION]) {
    const real = join(process.env.GOMODCACHE ?? join(process.env.HOME ?? '/root', 'go', 'pkg', 'mod'), 'github.com', 'openkruise', `kruise@${version}`);
    it.skipIf(!existsSync(real))(`generates from the real ${version} module in the Go module cache`, () => {
      const objs = inClusterObjects({ ...opts, moduleDir: real });
      expect(objs.filter((o) => o.kind === 'CustomResourceDefinition').length).toBeGreaterThan(15);
      expect((find(objs, 'ClusterRole', 'kruise-manager-role').rules as unknown[]).length).toBeGreaterThan(5);
      expect((find(objs, 'ClusterRole', 'kruise-daemon-role').rules as { resources: string[] }[]).flatMap((r) => r.resources)).toContain('nodepodprobes/status');
    });
  }
});

describe('the in-cluster images and their tool groups', () => {
  it("builds kruise-daemon on demand, in its own wrapper pinning the manager group's release, and keeps the manager groups apart", () => {
    for (const [daemonId, managerId] of [['openkruise-daemon', 'openkruise'], ['openkruise-daemon-1.9', 'openkruise-1.9']] as const) {
      const daemon = groupById(daemonId);
      expect(daemon.onDemand).toBe(true);
      expect(daemon.version).toBe(groupById(managerId).version);
      const goMod = readFileSync(join(wrapperModuleDir(daemon), 'go.mod'), 'utf8');
      expect(goMod, `${daemonId}/go.mod`).toMatch(new RegExp(`^\\s*github\\.com/openkruise/kruise ${daemon.version.replaceAll('.', '\\.')}\\b`, 'm'));
      expect(goMod, `${daemonId}/go.mod`).toMatch(/^tool github\.com\/openkruise\/kruise\/cmd\/daemon$/m);
      const replaces = (text: string) => [...text.matchAll(/^\s*(\S+) => (\S+ \S+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
      expect(replaces(goMod), `${daemonId} repeats the replace block of ${managerId}`).toEqual(replaces(readFileSync(join(wrapperModuleDir(groupById(managerId)), 'go.mod'), 'utf8')));
      expect(daemon.binaries).toEqual([{ name: 'kruise-daemon', pkg: 'github.com/openkruise/kruise/cmd/daemon' }]);
    }
    expect(openKruiseGroups().map((g) => g.id)).toEqual(['openkruise', 'openkruise-1.9']);
    expect(openKruiseDaemonGroup(OPENKRUISE_1_9_VERSION)?.id).toBe('openkruise-daemon-1.9');
  });

  it('tags localhost/kruise-conformance/<binary>:<version>, the manager non-root', () => {
    const [manager, daemon] = openKruiseImages(OPENKRUISE_1_9_VERSION);
    expect([manager!.tag, daemon!.tag]).toEqual(['localhost/kruise-conformance/kruise-manager:v1.9.1', 'localhost/kruise-conformance/kruise-daemon:v1.9.1']);
    expect(containerfile(manager!)).toMatch(/^FROM localhost\/kruise-ref-base:bookworm\nCOPY manager \/manager\nRUN mkdir -p \/log && chown 65534:65534 \/log\nUSER 65534:65534\nENTRYPOINT \["\/manager"\]$/m);
    expect(containerfile(daemon!)).not.toContain('USER');
    expect(() => openKruiseImages('v0.0.1')).toThrow(/no tool groups build/);
  });

  it('stamps each image by binary, base and Containerfile', () => {
    const s = imageStamp('a', 'base1', 'FROM x');
    expect(new Set([s, imageStamp('b', 'base1', 'FROM x'), imageStamp('a', 'base2', 'FROM x'), imageStamp('a', 'base1', 'FROM y')]).size).toBe(4);
  });
});

describe('impls/openkruise-kind.yaml and openkruise-kind-1.8.yaml', () => {
  for (const [inCluster, outOfCluster, version] of [['openkruise-kind', 'openkruise-1.9', OPENKRUISE_1_9_VERSION], ['openkruise-kind-1.8', 'openkruise', OPENKRUISE_VERSION]] as const) {
    it(`${inCluster} runs ${version} in cluster with the gates of impls/${outOfCluster}.yaml and its claims plus PodProbeMarker.NodeProbes`, () => {
      const kind = loadDescriptor(inCluster);
      const out = loadDescriptor(outOfCluster);
      expect(kind.install).toMatchObject({ type: 'openkruise-in-cluster', version });
      expect(out.install).toMatchObject({ type: 'openkruise', version });
      expect(kind.featureGates).toEqual(out.featureGates);
      expect(kind.configuration).toEqual(out.configuration);
      expect(kind.preDeleteCheck).toEqual(out.preDeleteCheck);
      expect(kind.claims).toEqual([...(out.claims as string[]), 'PodProbeMarker.NodeProbes']);
    });
  }

  it('is refused on the local provider at once, with one line', () => {
    const d = loadDescriptor('openkruise-kind');
    let err: unknown;
    try {
      assertInstallableOn(d, 'local');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).message).not.toContain('\n');
    expect((err as ProviderError).message).toMatch(/^implementation openkruise is installed from images built here .* the local provider's simulated nodes run no containers/);
    expect(() => assertInstallableOn(d, 'kind')).not.toThrow();
  });
});
