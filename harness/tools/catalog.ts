/**
 * The pinned tools the harness runs, each built from its Go module by the Go toolchain through a
 * small wrapper module in harness/tools/go/<group>/ (go.mod + go.sum pin every dependency).
 * Binaries that share a module are built by one `go build`, so the Kubernetes binaries share
 * one compilation of k8s.io/kubernetes.
 */
export const KUBERNETES_VERSION = 'v1.34.10';
/**
 * The second Kubernetes the local provider can run, on request: 1.30 is the newest minor
 * OpenKruise 1.8 was tested on, and v1.30.14 the newest 1.30 patch the Go module proxy serves.
 */
export const KUBERNETES_1_30_VERSION = 'v1.30.14';
/** The OpenKruise release whose manager the `openkruise` group builds; must match its wrapper go.mod. */
export const OPENKRUISE_VERSION = 'v1.8.3';
/**
 * The newest OpenKruise release after 1.8 the Go module proxy serves here (v1.9.2 and v1.10.x
 * are refused), built by the on-demand `openkruise-1.9` group for impls/openkruise-1.9.yaml.
 */
export const OPENKRUISE_1_9_VERSION = 'v1.9.1';

export interface ToolBinary {
  /** Name of the binary in the cache's bin directory and on PATH. */
  name: string;
  /** Go package path of its main package. */
  pkg: string;
  /** Official release download, used only with `--source download` (a machine with internet). */
  download?: { url: string; sha256Url: string; archiveMember?: string };
}

export interface ToolGroup {
  id:
    | 'kube'
    | 'kube-1.30'
    | 'kube-node'
    | 'etcd'
    | 'kind-etcd'
    | 'coredns'
    | 'crictl'
    | 'csi-provisioner'
    | 'csi-resizer'
    | 'kwok'
    | 'kind'
    | 'helm'
    | 'openkruise'
    | 'openkruise-1.9'
    | 'openkruise-helm-hook'
    | 'openkruise-1.9-helm-hook'
    | 'openkruise-daemon'
    | 'openkruise-daemon-1.9';
  /** The upstream module and version, as pinned in the wrapper go.mod. */
  module: string;
  version: string;
  binaries: ToolBinary[];
  ldflags: string[];
  /**
   * The group whose wrapper module (harness/tools/go/<id>/) builds this one, when it is another
   * group's: a second program of the same pinned module needs no go.mod of its own.
   */
  wrapperOf?: ToolGroup['id'];
  /** Needed by the local provider (and so by `make tools` on every machine). */
  neededByLocal: boolean;
  /**
   * Built only when asked for by name (`tools install --group <id>`) or by the installer that
   * runs it, never by a plain `tools install`: an implementation under test, not a harness tool.
   */
  onDemand?: boolean;
}

const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
/** The version stamp `kube-apiserver --version` and /version report, as Kubernetes' own release build sets it. */
function kubeLdflags(version: string): string[] {
  const minor = /^v1\.(\d+)\./.exec(version)?.[1];
  if (!minor) throw new Error(`not a Kubernetes v1.x.y version: ${version}`);
  return [
    '-s',
    '-w',
    `-X k8s.io/component-base/version.gitVersion=${version}`,
    '-X k8s.io/component-base/version.gitMajor=1',
    `-X k8s.io/component-base/version.gitMinor=${minor}`,
    '-X k8s.io/component-base/version.gitTreeState=clean',
    `-X k8s.io/client-go/pkg/version.gitVersion=${version}`,
    '-X k8s.io/client-go/pkg/version.gitMajor=1',
    `-X k8s.io/client-go/pkg/version.gitMinor=${minor}`,
  ];
}

const KUBE_BINARIES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'] as const;

function kubeBinary(version: string, name: string): ToolBinary {
  const url = `https://dl.k8s.io/release/${version}/bin/linux/${arch}/${name}`;
  return { name, pkg: `k8s.io/kubernetes/cmd/${name}`, download: { url, sha256Url: `${url}.sha256` } };
}

function kubeGroup(id: 'kube' | 'kube-1.30', version: string, onDemand: boolean): ToolGroup {
  return {
    id,
    module: 'k8s.io/kubernetes',
    version,
    binaries: KUBE_BINARIES.map((name) => kubeBinary(version, name)),
    ldflags: kubeLdflags(version),
    neededByLocal: !onDemand,
    ...(onDemand ? { onDemand } : {}),
  };
}

/**
 * A release of OpenKruise's manager, whose main package is the module root. Every release builds
 * the same binary name; each group has its own versioned cache directory, so they coexist.
 */
function openKruiseGroup(id: 'openkruise' | 'openkruise-1.9', version: string): ToolGroup {
  return {
    id,
    module: 'github.com/openkruise/kruise',
    version,
    binaries: [{ name: 'kruise-manager', pkg: 'github.com/openkruise/kruise' }],
    ldflags: ['-s', '-w'],
    neededByLocal: false,
    onDemand: true,
  };
}

/**
 * OpenKruise's chart pre-delete hook program (github.com/openkruise/kruise/cmd/helm_hook) of a
 * release, built from the same wrapper module as that release's manager. It lists with the
 * in-cluster config only; the harness runs it for Helm.PreDeleteCheck (harness/kube/pre-delete-check.ts).
 */
function openKruiseHelmHookGroup(id: 'openkruise-helm-hook' | 'openkruise-1.9-helm-hook', manager: 'openkruise' | 'openkruise-1.9', version: string): ToolGroup {
  return {
    id,
    module: 'github.com/openkruise/kruise',
    version,
    binaries: [{ name: 'kruise-helm-hook', pkg: 'github.com/openkruise/kruise/cmd/helm_hook' }],
    ldflags: ['-s', '-w'],
    wrapperOf: manager,
    neededByLocal: false,
    onDemand: true,
  };
}

/**
 * kruise-daemon, the node agent of a release (main package cmd/daemon of the same module), in its
 * own wrapper module, not the manager's (wrapperOf): it imports packages the manager does not
 * (k8s.io/gengo), so its go.sum differs and the manager's stamp stays as it is. Upstream's
 * Dockerfile builds it with CGO_ENABLED=0, as goBuild builds every group. Built on demand for the
 * in-cluster install's image (harness/install/openkruise-image.ts).
 */
function daemonGroup(id: 'openkruise-daemon' | 'openkruise-daemon-1.9', version: string): ToolGroup {
  return {
    id,
    module: 'github.com/openkruise/kruise',
    version,
    binaries: [{ name: 'kruise-daemon', pkg: 'github.com/openkruise/kruise/cmd/daemon' }],
    ldflags: ['-s', '-w'],
    neededByLocal: false,
    onDemand: true,
  };
}

export const TOOL_GROUPS: readonly ToolGroup[] = [
  kubeGroup('kube', KUBERNETES_VERSION, false),
  // Built only when a cluster at 1.30 is asked for (its binaries share names with `kube`'s; the
  // cache keeps each group in its own versioned directory, so both coexist).
  kubeGroup('kube-1.30', KUBERNETES_1_30_VERSION, true),
  {
    id: 'etcd',
    module: 'go.etcd.io/etcd/server/v3',
    version: 'v3.6.16',
    binaries: [{ name: 'etcd', pkg: 'go.etcd.io/etcd/server/v3' }],
    ldflags: ['-s', '-w'],
    neededByLocal: true,
  },
  {
    id: 'kwok',
    module: 'sigs.k8s.io/kwok',
    version: 'v0.8.0',
    binaries: ['kwok', 'kwokctl'].map((name) => {
      const url = `https://github.com/kubernetes-sigs/kwok/releases/download/v0.8.0/${name}-linux-${arch}`;
      return {
        name,
        pkg: `sigs.k8s.io/kwok/cmd/${name}`,
        download: { url, sha256Url: 'https://github.com/kubernetes-sigs/kwok/releases/download/v0.8.0/checksums.txt' },
      };
    }),
    ldflags: ['-s', '-w'],
    neededByLocal: true,
  },
  {
    id: 'kind',
    module: 'sigs.k8s.io/kind',
    version: 'v0.33.0',
    binaries: [
      {
        name: 'kind',
        pkg: 'sigs.k8s.io/kind',
        download: {
          url: `https://github.com/kubernetes-sigs/kind/releases/download/v0.33.0/kind-linux-${arch}`,
          sha256Url: `https://github.com/kubernetes-sigs/kind/releases/download/v0.33.0/kind-linux-${arch}.sha256sum`,
        },
      },
    ],
    ldflags: ['-s', '-w'],
    neededByLocal: false,
  },
  {
    id: 'helm',
    module: 'helm.sh/helm/v3',
    version: 'v3.22.0',
    binaries: [
      {
        name: 'helm',
        pkg: 'helm.sh/helm/v3/cmd/helm',
        download: {
          url: `https://get.helm.sh/helm-v3.22.0-linux-${arch}.tar.gz`,
          sha256Url: `https://get.helm.sh/helm-v3.22.0-linux-${arch}.tar.gz.sha256sum`,
          archiveMember: `linux-${arch}/helm`,
        },
      },
    ],
    ldflags: ['-s', '-w', '-X helm.sh/helm/v3/internal/version.version=v3.22.0'],
    neededByLocal: false,
  },
  // What the kind node image (`make kind-image`, harness/tools/kind-image/) needs besides `kube`'s
  // control-plane binaries: the node binaries of the same Kubernetes release (their own wrapper
  // module, so `kube`'s stamp is unchanged; the Go build cache is shared), and the etcd, CoreDNS
  // and crictl releases kubeadm v1.34 and kind v0.33 expect. Built on demand by the image build.
  {
    id: 'kube-node',
    module: 'k8s.io/kubernetes',
    version: KUBERNETES_VERSION,
    binaries: ['kubelet', 'kubeadm', 'kube-proxy'].map((name) => kubeBinary(KUBERNETES_VERSION, name)),
    ldflags: kubeLdflags(KUBERNETES_VERSION),
    neededByLocal: false,
    onDemand: true,
  },
  {
    id: 'kind-etcd',
    module: 'go.etcd.io/etcd/server/v3',
    version: 'v3.6.5',
    binaries: [{ name: 'etcd', pkg: 'go.etcd.io/etcd/server/v3' }],
    ldflags: ['-s', '-w'],
    neededByLocal: false,
    onDemand: true,
  },
  {
    id: 'coredns',
    module: 'github.com/coredns/coredns',
    version: 'v1.12.1',
    binaries: [{ name: 'coredns', pkg: 'github.com/coredns/coredns' }],
    ldflags: ['-s', '-w'],
    neededByLocal: false,
    onDemand: true,
  },
  {
    id: 'crictl',
    module: 'sigs.k8s.io/cri-tools',
    version: 'v1.34.0',
    binaries: [{ name: 'crictl', pkg: 'sigs.k8s.io/cri-tools/cmd/crictl' }],
    ldflags: ['-s', '-w', '-X sigs.k8s.io/cri-tools/pkg/version.Version=v1.34.0'],
    neededByLocal: false,
    onDemand: true,
  },
  // The CSI sidecars of the kind provider's own CSI deployment on the node image built here
  // (clusters/kind/csi/): the newest releases the Go module proxy serves (upstream's 1.34 manifests
  // pin resizer v2.2.1, which it refuses). Built on demand by the kind provider.
  {
    id: 'csi-provisioner',
    module: 'github.com/kubernetes-csi/external-provisioner/v6',
    version: 'v6.3.0',
    binaries: [{ name: 'csi-provisioner', pkg: 'github.com/kubernetes-csi/external-provisioner/v6/cmd/csi-provisioner' }],
    ldflags: ['-s', '-w', '-X main.version=v6.3.0'],
    neededByLocal: false,
    onDemand: true,
  },
  {
    id: 'csi-resizer',
    module: 'github.com/kubernetes-csi/external-resizer/v2',
    version: 'v2.2.0',
    binaries: [{ name: 'csi-resizer', pkg: 'github.com/kubernetes-csi/external-resizer/v2/cmd/csi-resizer' }],
    ldflags: ['-s', '-w', '-X main.version=v2.2.0'],
    neededByLocal: false,
    onDemand: true,
  },
  // OpenKruise's manager, certified out of cluster by impls/openkruise.yaml (v1.8.3, the newest
  // 1.8.x the Go module proxy serves here) and impls/openkruise-1.9.yaml.
  openKruiseGroup('openkruise', OPENKRUISE_VERSION),
  openKruiseGroup('openkruise-1.9', OPENKRUISE_1_9_VERSION),
  openKruiseHelmHookGroup('openkruise-helm-hook', 'openkruise', OPENKRUISE_VERSION),
  openKruiseHelmHookGroup('openkruise-1.9-helm-hook', 'openkruise-1.9', OPENKRUISE_1_9_VERSION),
  daemonGroup('openkruise-daemon', OPENKRUISE_VERSION),
  daemonGroup('openkruise-daemon-1.9', OPENKRUISE_1_9_VERSION),
];

/** The OpenKruise releases whose manager can be built, and their tool groups; the first is the default. */
export function openKruiseGroups(): ToolGroup[] {
  return TOOL_GROUPS.filter((g) => g.module === 'github.com/openkruise/kruise' && g.binaries.some((b) => b.name === 'kruise-manager'));
}

/** The group that builds kruise-daemon of an OpenKruise release (v1.9.1), if any. */
export function openKruiseDaemonGroup(version: string): ToolGroup | undefined {
  return TOOL_GROUPS.find((g) => g.version === version && g.binaries.some((b) => b.name === 'kruise-daemon'));
}

/** A Kubernetes release the local provider can run, and the tool group that builds its binaries. */
export interface KubernetesRelease {
  /** "1.34" */
  minor: string;
  /** The pinned patch release, "v1.34.10". */
  version: string;
  group: 'kube' | 'kube-1.30';
}

/** The first is the default; the others are built only when asked for. */
export const KUBERNETES_RELEASES: readonly KubernetesRelease[] = [
  { minor: '1.34', version: KUBERNETES_VERSION, group: 'kube' },
  { minor: '1.30', version: KUBERNETES_1_30_VERSION, group: 'kube-1.30' },
];

export function groupById(id: ToolGroup['id']): ToolGroup {
  const group = TOOL_GROUPS.find((g) => g.id === id);
  if (!group) throw new Error(`unknown tool group ${id}`);
  return group;
}

export type ToolName =
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kubectl'
  | 'kubelet'
  | 'kubeadm'
  | 'kube-proxy'
  | 'etcd'
  | 'coredns'
  | 'crictl'
  | 'csi-provisioner'
  | 'csi-resizer'
  | 'kwok'
  | 'kwokctl'
  | 'kind'
  | 'helm'
  | 'kruise-manager'
  | 'kruise-helm-hook'
  | 'kruise-daemon';

/** The group that provides a tool by default (for a Kubernetes binary: the default release's). */
export function groupOf(tool: ToolName): ToolGroup {
  const group = TOOL_GROUPS.find((g) => g.binaries.some((b) => b.name === tool));
  if (!group) throw new Error(`unknown tool ${tool}`);
  return group;
}
