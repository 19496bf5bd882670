import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../tools/cache.ts';
import { KUBERNETES_RELEASES, type KubernetesRelease } from '../../tools/catalog.ts';
import { ProviderError } from '../provider.ts';

/** Tunables of the simulated kubelet and storage, filled into the stage files. */
export interface SimulationTimings {
  /** Delay from scheduled to Running+Ready, and from a restart to ready again. */
  podStartDelayMs: number;
  /** Time a resize stays in progress before status follows spec. */
  podResizeDelayMs: number;
  /** Grace periods longer than this are shortened to it (a kubelet would wait the full period). */
  podMaxGraceSeconds: number;
  /** Time a volume expansion stays in progress. */
  pvcResizeDelayMs: number;
}

export const DEFAULT_TIMINGS: SimulationTimings = {
  podStartDelayMs: 500,
  podResizeDelayMs: 300,
  podMaxGraceSeconds: 1,
  pvcResizeDelayMs: 500,
};

export const LOCAL_DATA_DIR = join(REPO_ROOT, 'clusters', 'local');
export const STAGE_FILES = ['node.yaml', 'pod.yaml', 'volume.yaml'];

/**
 * The Kubernetes release a local cluster runs: the default one, or the one asked for by minor
 * ("1.30", "v1.30") or by its exact pinned patch ("v1.30.14"). Anything else is refused with the
 * releases on offer, never replaced by the nearest one.
 */
export function selectKubernetes(asked?: string): KubernetesRelease {
  const offered = KUBERNETES_RELEASES.map((r) => r.minor).join(', ');
  if (asked === undefined || asked.trim() === '') return KUBERNETES_RELEASES[0]!;
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(asked.trim());
  if (!m) throw new ProviderError(`--kubernetes-version "${asked}" is not a Kubernetes minor (1.30) or release (v1.30.14)`, `pass one of: ${offered}`);
  const release = KUBERNETES_RELEASES.find((r) => r.minor === `${m[1]}.${m[2]}`);
  if (!release) {
    throw new ProviderError(`the local provider runs Kubernetes ${offered}, not ${asked}`, `pass --kubernetes-version ${KUBERNETES_RELEASES.map((r) => r.minor).join(' or ')}, or use --provider kind for other releases`);
  }
  if (m[3] !== undefined && `v${m[1]}.${m[2]}.${m[3]}` !== release.version) {
    throw new ProviderError(`the local provider pins Kubernetes ${release.minor} at ${release.version}, not ${asked}`, `pass --kubernetes-version ${release.minor}`);
  }
  return release;
}

/** Release-dependent behaviour of the API server and of the kubelet the stages stand in for. */
export interface KubernetesBehaviour {
  /** The pods/resize subresource exists (1.32+); before, resources change by a plain pod update. */
  resizeSubresource: boolean;
  /** How a kubelet marks a resize in progress: PodResizeInProgress condition (1.33+) or status.resize. */
  resizeReporting: 'conditions' | 'status.resize';
  /** Watches may ask for initial events (WatchList, on by default from 1.32); before, only lists. */
  watchList: boolean;
}

export function kubernetesBehaviour(release: KubernetesRelease): KubernetesBehaviour {
  const minor = Number(release.minor.split('.')[1]);
  return { resizeSubresource: minor >= 32, resizeReporting: minor >= 33 ? 'conditions' : 'status.resize', watchList: minor >= 32 };
}

/** The stage files with their ${PLACEHOLDERS} filled; an unknown placeholder is an error, not a silent blank. */
export function renderStages(timings: SimulationTimings, release: KubernetesRelease = KUBERNETES_RELEASES[0]!): string {
  const values: Record<string, string> = {
    POD_START_DELAY_MS: String(timings.podStartDelayMs),
    POD_RESIZE_DELAY_MS: String(timings.podResizeDelayMs),
    POD_MAX_GRACE_SECONDS: String(timings.podMaxGraceSeconds),
    PVC_RESIZE_DELAY_MS: String(timings.pvcResizeDelayMs),
    POD_RESIZE_REPORTING: kubernetesBehaviour(release).resizeReporting,
  };
  return STAGE_FILES.map((file) => {
    const text = readFileSync(join(LOCAL_DATA_DIR, 'stages', file), 'utf8');
    return text.replace(/\$\{([A-Z_]+)\}/g, (_, key: string) => {
      const value = values[key];
      if (value === undefined) throw new Error(`clusters/local/stages/${file}: unknown placeholder \${${key}}`);
      return value;
    });
  }).join('\n---\n');
}

/**
 * The kwok controller's own configuration. Pod IPs come from a /16 so that thousands of
 * simulated pods get distinct addresses; nothing ever connects to them. The per-node pod sync
 * streams its watch only where the apiserver serves watch-list (1.32+); 1.30 refuses it.
 */
export function kwokConfiguration(release: KubernetesRelease = KUBERNETES_RELEASES[0]!): string {
  return [
    'apiVersion: config.kwok.x-k8s.io/v1alpha1',
    'kind: KwokConfiguration',
    'options:',
    '  cidr: 10.244.0.1/16',
    '  manageAllNodes: true',
    '  nodeLeaseDurationSeconds: 40',
    '  podPlayStageParallelism: 16',
    '  nodePlayStageParallelism: 4',
    '  nodeLeaseParallelism: 4',
    '  podsOnNodeSyncParallelism: 4',
    '  enablePodsOnNodeSyncListPager: true',
    `  enablePodsOnNodeSyncStreamWatch: ${kubernetesBehaviour(release).watchList}`,
  ].join('\n');
}

export function kwokConfigFile(timings: SimulationTimings, release?: KubernetesRelease): string {
  return `${kwokConfiguration(release)}\n---\n${renderStages(timings, release)}\n`;
}
