import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { z } from 'zod';
import { REPO_ROOT } from '../../tools/cache.ts';
import { ProviderError } from '../provider.ts';

export const KIND_DATA_DIR = join(REPO_ROOT, 'clusters', 'kind');
export const VERSIONS_FILE = join(KIND_DATA_DIR, 'versions.yaml');

const minor = z.string().regex(/^1\.\d+$/, 'a Kubernetes minor such as "1.34"');

const versionRow = z.strictObject({
  kubernetesVersion: z.string().regex(/^v1\.\d+\.\d+$/, 'a release such as v1.34.10'),
  image: z.string().min(1),
  featureGates: z.record(z.string().regex(/^[A-Za-z0-9]+$/), z.boolean()).default({}),
  notes: z.string().optional(),
  containerdConfigPatches: z.array(z.string()).optional(),
});

const versionsFile = z
  .strictObject({ default: minor, versions: z.record(minor, versionRow) })
  .refine((f) => f.default in f.versions, { message: 'default names a minor that has no row', path: ['default'] });

export type KindVersion = z.infer<typeof versionRow> & { minor: string };
export type KindVersions = z.infer<typeof versionsFile>;

/** Parse and check the version table; an invalid file names the key path and what was expected. */
export function parseKindVersions(text: string, source = VERSIONS_FILE): KindVersions {
  const result = versionsFile.safeParse(parseYaml(text));
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${source}: ${issues}`);
  }
  for (const [key, row] of Object.entries(result.data.versions)) {
    if (!row.kubernetesVersion.startsWith(`v${key}.`)) throw new Error(`${source}: versions.${key}.kubernetesVersion is ${row.kubernetesVersion}, not a ${key} release`);
  }
  return result.data;
}

export function loadKindVersions(): KindVersions {
  return parseKindVersions(readFileSync(VERSIONS_FILE, 'utf8'));
}

/** "kindest/node:v1.32.5@sha256:..." -> "1.32"; undefined when the tag names no version. */
export function minorOfImage(image: string): string | undefined {
  const m = /:v(1\.\d+)\.\d+(?:[-@+].*)?$/.exec(image);
  return m?.[1];
}

/**
 * The row to build from: the minor asked for, else the one the --image tag names, else the
 * table's default. `--image` replaces the row's image but keeps its feature gates.
 */
export function selectKindVersion(table: KindVersions, want: { kubernetesVersion?: string; image?: string }): KindVersion {
  const asked = want.kubernetesVersion?.replace(/^v/, '');
  const key = asked ? (/^1\.\d+/.exec(asked)?.[0] ?? asked) : (want.image && minorOfImage(want.image)) || table.default;
  const row = table.versions[key];
  if (!row) {
    throw new ProviderError(
      `no kind node image is known for Kubernetes ${key} (${VERSIONS_FILE} lists ${Object.keys(table.versions).join(', ')})`,
      `pass --kubernetes-version ${Object.keys(table.versions).join('|')}, or add a row for ${key} to clusters/kind/versions.yaml`,
    );
  }
  return { ...row, minor: key, image: want.image ?? row.image };
}

/** The zones the workers are spread over: one worker each, so Zones holds with the fewest nodes. */
export const KIND_ZONES = ['zone-a', 'zone-b', 'zone-c'] as const;
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export interface KindNodeConfig {
  role: 'control-plane' | 'worker';
  image: string;
  labels?: Record<string, string>;
  extraMounts?: { hostPath: string; containerPath: string }[];
}

/** The part of kind's v1alpha4 Cluster config the harness uses. */
export interface KindClusterConfig {
  kind: 'Cluster';
  apiVersion: 'kind.x-k8s.io/v1alpha4';
  name: string;
  featureGates?: Record<string, boolean>;
  containerdConfigPatches?: string[];
  kubeadmConfigPatches?: string[];
  networking: { apiServerAddress: string; disableDefaultCNI?: boolean; podSubnet?: string };
  nodes: KindNodeConfig[];
}

/** kind's default pod subnet, written out: the harness's own CNI splits it by the nodes' podCIDRs. */
export const KIND_POD_SUBNET = '10.244.0.0/16';
/** Where every node sees the host directory that backs the harness's own CSI driver's volumes. */
export const CSI_DATA_NODE_PATH = '/var/lib/kruise-conformance-csi';

/**
 * Always patched into the nodes' containerd: on a host whose processes lack CAP_SYS_RESOURCE no
 * one may lower oom_score_adj, and every pod sandbox asks for -998, so without it no pod starts
 * (docs/kind-offline-status.md). Where containerd runs at -999 already the clamp changes nothing.
 */
export const CONTAINERD_RESTRICT_OOM = '[plugins."io.containerd.grpc.v1.cri"]\n  restrict_oom_score_adj = true\n';

export const CONTAINERD_HOSTS_DIR = '/etc/containerd/certs.d';
/** Offline nodes: containerd reads per-registry hosts.toml files from here on every pull (offline.ts writes them). */
export const CONTAINERD_CONFIG_PATH_PATCH = `[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "${CONTAINERD_HOSTS_DIR}"\n`;

/**
 * Offline nodes: the kubelet re-syncs each pod every 10 s instead of every minute. Online volume
 * expansion's node step (NodeExpandVolume) waits for that sync, so with the default a PVC
 * expansion through the harness's CSI driver takes up to a minute; upstream's hostpath driver
 * has the same wait.
 */
export const KUBELET_SYNC_PATCH = 'kind: KubeletConfiguration\nsyncFrequency: 10s\n';

export interface KindConfigOptions {
  name: string;
  featureGates?: Record<string, boolean>;
  /**
   * The node image is the one built here (no kindnetd in it): kind installs no CNI, the harness
   * writes its own (network.ts), and `csiDataDir` is mounted into every node for the harness's CSI driver.
   */
  offline?: { csiDataDir: string };
}

/**
 * kind's cluster config for one row of the table. Pure: the same inputs give the same config.
 * `featureGates` from the user are merged over the row's; the apiserver is bound to loopback so
 * the cluster is not reachable from the network.
 */
export function kindClusterConfig(row: KindVersion, opts: KindConfigOptions): KindClusterConfig {
  const gates = { ...row.featureGates, ...opts.featureGates };
  const mounts = opts.offline ? { extraMounts: [{ hostPath: opts.offline.csiDataDir, containerPath: CSI_DATA_NODE_PATH }] } : {};
  const config: KindClusterConfig = {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: opts.name,
    networking: { apiServerAddress: '127.0.0.1', ...(opts.offline ? { disableDefaultCNI: true, podSubnet: KIND_POD_SUBNET } : {}) },
    nodes: [
      { role: 'control-plane', image: row.image, ...mounts },
      ...KIND_ZONES.map((zone): KindNodeConfig => ({ role: 'worker', image: row.image, labels: { [ZONE_LABEL]: zone }, ...mounts })),
    ],
  };
  if (Object.keys(gates).length > 0) config.featureGates = gates;
  if (opts.offline) config.kubeadmConfigPatches = [KUBELET_SYNC_PATCH];
  config.containerdConfigPatches = [CONTAINERD_RESTRICT_OOM, ...(opts.offline ? [CONTAINERD_CONFIG_PATH_PATCH] : []), ...(row.containerdConfigPatches ?? [])];
  return config;
}

export function renderKindConfig(config: KindClusterConfig): string {
  return `# Generated by kruise-conformance from clusters/kind/versions.yaml; edit the table, not this file.\n${stringify(config)}`;
}
