import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../tools/cache.ts';

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

/** The stage files with their ${PLACEHOLDERS} filled; an unknown placeholder is an error, not a silent blank. */
export function renderStages(timings: SimulationTimings): string {
  const values: Record<string, string> = {
    POD_START_DELAY_MS: String(timings.podStartDelayMs),
    POD_RESIZE_DELAY_MS: String(timings.podResizeDelayMs),
    POD_MAX_GRACE_SECONDS: String(timings.podMaxGraceSeconds),
    PVC_RESIZE_DELAY_MS: String(timings.pvcResizeDelayMs),
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
 * simulated pods get distinct addresses; nothing ever connects to them.
 */
export function kwokConfiguration(): string {
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
    '  enablePodsOnNodeSyncStreamWatch: true',
  ].join('\n');
}

export function kwokConfigFile(timings: SimulationTimings): string {
  return `${kwokConfiguration()}\n---\n${renderStages(timings)}\n`;
}
