/**
 * The pinned tools the harness runs, each built from its Go module by the Go toolchain through a
 * small wrapper module in harness/tools/go/<group>/ (go.mod + go.sum pin every dependency).
 * Binaries that share a module are built by one `go build`, so the Kubernetes binaries share
 * one compilation of k8s.io/kubernetes.
 */
export const KUBERNETES_VERSION = 'v1.34.10';
/** The OpenKruise release whose manager the `openkruise` group builds; must match its wrapper go.mod. */
export const OPENKRUISE_VERSION = 'v1.8.3';

export interface ToolBinary {
  /** Name of the binary in the cache's bin directory and on PATH. */
  name: string;
  /** Go package path of its main package. */
  pkg: string;
  /** Official release download, used only with `--source download` (a machine with internet). */
  download?: { url: string; sha256Url: string; archiveMember?: string };
}

export interface ToolGroup {
  id: 'kube' | 'etcd' | 'kwok' | 'kind' | 'helm' | 'openkruise';
  /** The upstream module and version, as pinned in the wrapper go.mod. */
  module: string;
  version: string;
  binaries: ToolBinary[];
  ldflags: string[];
  /** Needed by the local provider (and so by `make tools` on every machine). */
  neededByLocal: boolean;
  /**
   * Built only when asked for by name (`tools install --group <id>`) or by the installer that
   * runs it, never by a plain `tools install`: an implementation under test, not a harness tool.
   */
  onDemand?: boolean;
}

const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
const kubeLdflags = [
  '-s',
  '-w',
  `-X k8s.io/component-base/version.gitVersion=${KUBERNETES_VERSION}`,
  '-X k8s.io/component-base/version.gitMajor=1',
  '-X k8s.io/component-base/version.gitMinor=34',
  '-X k8s.io/component-base/version.gitTreeState=clean',
  `-X k8s.io/client-go/pkg/version.gitVersion=${KUBERNETES_VERSION}`,
  '-X k8s.io/client-go/pkg/version.gitMajor=1',
  '-X k8s.io/client-go/pkg/version.gitMinor=34',
];

function kubeBinary(name: string): ToolBinary {
  const url = `https://dl.k8s.io/release/${KUBERNETES_VERSION}/bin/linux/${arch}/${name}`;
  return { name, pkg: `k8s.io/kubernetes/cmd/${name}`, download: { url, sha256Url: `${url}.sha256` } };
}

export const TOOL_GROUPS: readonly ToolGroup[] = [
  {
    id: 'kube',
    module: 'k8s.io/kubernetes',
    version: KUBERNETES_VERSION,
    binaries: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'].map(kubeBinary),
    ldflags: kubeLdflags,
    neededByLocal: true,
  },
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
  {
    // OpenKruise's manager, certified out of cluster by impls/openkruise.yaml. Its main package is
    // the module root. v1.8.3 is the newest 1.8.x the Go module proxy serves here.
    id: 'openkruise',
    module: 'github.com/openkruise/kruise',
    version: OPENKRUISE_VERSION,
    binaries: [{ name: 'kruise-manager', pkg: 'github.com/openkruise/kruise' }],
    ldflags: ['-s', '-w'],
    neededByLocal: false,
    onDemand: true,
  },
];

export type ToolName =
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kubectl'
  | 'etcd'
  | 'kwok'
  | 'kwokctl'
  | 'kind'
  | 'helm'
  | 'kruise-manager';

export function groupOf(tool: ToolName): ToolGroup {
  const group = TOOL_GROUPS.find((g) => g.binaries.some((b) => b.name === tool));
  if (!group) throw new Error(`unknown tool ${tool}`);
  return group;
}
