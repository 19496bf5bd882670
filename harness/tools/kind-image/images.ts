/**
 * The container images a kind node needs for Kubernetes v1.34 with kind v0.33.0, each built on
 * this machine from our own builds: the four images kubeadm runs from the Kubernetes release,
 * etcd and CoreDNS at the releases kubeadm v1.34 deploys, and the pod sandbox image containerd's
 * config names. Every image is one layer: the static binary at the path kubeadm's manifests run
 * it from, plus (kube-proxy) the iptables userland from Debian's packages in the node rootfs.
 * Tags are exactly those kubeadm and containerd ask for, so nothing is ever pulled.
 */
import { KUBERNETES_VERSION, type ToolGroup, type ToolName } from '../catalog.ts';

/** Where a file of an image comes from: a binary of a tool group, or the pause program built here. */
export type ImageFileSource = { tool: ToolName; group: ToolGroup['id'] } | { pause: string };

export interface ImageSpec {
  /** Short name for logs and archive files. */
  name: string;
  /** Every reference the image is imported under, fully qualified. */
  tags: string[];
  files: { source: ImageFileSource; path: string }[];
  entrypoint: string[];
  /** "uid:gid"; root when absent. */
  user?: string;
  /**
   * Debian packages, with their dependency closure, copied from the node rootfs into the image.
   */
  debianPackages?: string[];
  /** Alternatives links to set: /usr/sbin/<name> -> /etc/alternatives/<name> -> target. */
  alternatives?: Record<string, string>;
}

export const IMAGE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The sandbox image of kind v0.33.0's containerd config (kind swaps kubeadm's pause:3.10.1 for
 * it); both tags point at the same image so either name resolves without a pull.
 */
export const SANDBOX_IMAGE = 'registry.k8s.io/pause:3.10';
/** kubeadm v1.34's defaults (cmd/kubeadm/app/constants): etcd 3.6.5-0, CoreDNS v1.12.1, pause 3.10.1. */
export const ETCD_IMAGE_TAG = '3.6.5-0';
export const COREDNS_VERSION = 'v1.12.1';

function controlPlane(name: 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler'): ImageSpec {
  return {
    name,
    tags: [`registry.k8s.io/${name}:${KUBERNETES_VERSION}`],
    files: [{ source: { tool: name, group: 'kube' }, path: `/usr/local/bin/${name}` }],
    entrypoint: [`/usr/local/bin/${name}`],
  };
}

function pauseImage(name: string, version: string, tags: string[]): ImageSpec {
  return { name, tags, files: [{ source: { pause: version }, path: '/pause' }], entrypoint: ['/pause'], user: '65535:65535' };
}

export const NODE_IMAGES: readonly ImageSpec[] = [
  controlPlane('kube-apiserver'),
  controlPlane('kube-controller-manager'),
  controlPlane('kube-scheduler'),
  {
    name: 'kube-proxy',
    tags: [`registry.k8s.io/kube-proxy:${KUBERNETES_VERSION}`],
    files: [{ source: { tool: 'kube-proxy', group: 'kube-node' }, path: '/usr/local/bin/kube-proxy' }],
    entrypoint: ['/usr/local/bin/kube-proxy'],
    // kube-proxy's iptables mode runs iptables(-save|-restore) and ip6tables; conntrack cleanup
    // goes through netlink, no binary. The backend is legacy, the one kind's entrypoint selects in
    // a podman node (its rule count picks legacy when neither backend holds rules yet), so
    // kube-proxy's and the kubelet's rules land in the same tables.
    debianPackages: ['iptables'],
    alternatives: Object.fromEntries(
      ['iptables', 'iptables-save', 'iptables-restore', 'ip6tables', 'ip6tables-save', 'ip6tables-restore'].map((name) => [
        name,
        `/usr/sbin/${name.replace(/^(ip6?tables)/, '$1-legacy')}`,
      ]),
    ),
  },
  {
    name: 'etcd',
    tags: [`registry.k8s.io/etcd:${ETCD_IMAGE_TAG}`],
    files: [{ source: { tool: 'etcd', group: 'kind-etcd' }, path: '/usr/local/bin/etcd' }],
    entrypoint: ['/usr/local/bin/etcd'],
  },
  {
    name: 'coredns',
    tags: [`registry.k8s.io/coredns/coredns:${COREDNS_VERSION}`],
    files: [{ source: { tool: 'coredns', group: 'coredns' }, path: '/coredns' }],
    entrypoint: ['/coredns'],
  },
  pauseImage('pause', '3.10', [SANDBOX_IMAGE, 'registry.k8s.io/pause:3.10.1']),
  // The images the suites' workloads run (suites/lib/workloads.ts IMAGE_V1..V3): each is its own
  // image (the pause program stamped with its version, so the image IDs differ), so an image
  // change is a real image change to the kubelet and to the in-place update's imageID check.
  pauseImage('pause-3.9', '3.9', ['registry.k8s.io/pause:3.9']),
  pauseImage('pause-3.8', '3.8', ['registry.k8s.io/pause:3.8']),
];

/** The binaries the node itself runs, and where kind v0.33.0's node-image contract puts them. */
export const NODE_BINARIES: readonly { tool: ToolName; group: ToolGroup['id']; path: string }[] = [
  { tool: 'kubelet', group: 'kube-node', path: '/usr/bin/kubelet' },
  { tool: 'kubeadm', group: 'kube-node', path: '/usr/bin/kubeadm' },
  { tool: 'kubectl', group: 'kube', path: '/usr/bin/kubectl' },
  { tool: 'crictl', group: 'crictl', path: '/usr/local/bin/crictl' },
];

/** The tool groups a node image is made from. */
export function imageToolGroups(): ToolGroup['id'][] {
  const ids = new Set<ToolGroup['id']>();
  for (const b of NODE_BINARIES) ids.add(b.group);
  for (const image of NODE_IMAGES) for (const f of image.files) if ('group' in f.source) ids.add(f.source.group);
  return [...ids].sort();
}

/**
 * The image config of a one-layer image (the JSON a docker-archive's config file holds): fixed
 * creation time, so the same layer gives the same image ID on every build.
 */
export function imageConfig(spec: ImageSpec, layerDiffId: string, arch: string): Record<string, unknown> {
  const config: Record<string, unknown> = { Env: [`PATH=${IMAGE_PATH}`], Entrypoint: spec.entrypoint, WorkingDir: '/' };
  if (spec.user) config.User = spec.user;
  return {
    architecture: arch,
    os: 'linux',
    created: '1970-01-01T00:00:00Z',
    config,
    rootfs: { type: 'layers', diff_ids: [layerDiffId] },
    history: [{ created: '1970-01-01T00:00:00Z', created_by: `kruise-conformance kind-image: ${spec.name}` }],
  };
}

/** A docker-archive's manifest.json for one image of one layer. */
export function archiveManifest(spec: ImageSpec, configFile: string, layerFile: string): unknown[] {
  return [{ Config: configFile, RepoTags: spec.tags, Layers: [layerFile] }];
}

/**
 * The packages to copy for `roots`: each with every package it Depends or Pre-Depends on,
 * transitively, from a dpkg status file. Of alternatives (`a | b`) the first installed one is
 * taken; version constraints and architecture qualifiers are ignored. A root that is not
 * installed is an error, so a renamed package fails the build instead of making a broken image.
 */
export function dependencyClosure(status: string, roots: readonly string[]): string[] {
  const installed = new Map<string, string[]>();
  for (const stanza of status.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}: (.*(?:\\n .*)*)`, 'm').exec(stanza)?.[1]?.replace(/\n /g, ' ') ?? '';
    const pkg = field('Package');
    if (!pkg || !/install ok installed/.test(field('Status'))) continue;
    const deps = [field('Pre-Depends'), field('Depends')].filter(Boolean).join(', ');
    installed.set(pkg, deps ? deps.split(',').map((d) => d.trim()).filter(Boolean) : []);
  }
  const name = (dep: string) => dep.trim().split(/[\s(:]/)[0]!;
  const seen = new Set<string>();
  const visit = (pkg: string, from?: string) => {
    if (seen.has(pkg)) return;
    const deps = installed.get(pkg);
    if (!deps) throw new Error(`package ${pkg}${from ? ` (needed by ${from})` : ''} is not installed in the node rootfs`);
    seen.add(pkg);
    for (const dep of deps) {
      const choice = dep.split('|').map(name).find((alt) => installed.has(alt));
      if (!choice) throw new Error(`no installed package satisfies "${dep}" (needed by ${pkg})`);
      visit(choice, pkg);
    }
  };
  for (const root of roots) visit(root);
  return [...seen].sort();
}
