/**
 * One interface for every substrate the suites can run on. A provider owns the life of its
 * cluster (local, kind) or only borrows it (existing); either way the harness talks to it
 * through a kubeconfig file and learns what it can do from `capabilities`.
 */

/** What a substrate can make observable through the API. Tests declare which they need. */
export const CAPABILITIES = [
  'InPlaceResize', // pod cpu/memory change in place (pods/resize from 1.32, a plain update before) and status.containerStatuses[].resources follows
  'VolumeExpansion', // a StorageClass with allowVolumeExpansion whose expansions complete
  'Zones', // nodes spread over >= 3 topology.kubernetes.io/zone values
  'MultiArch', // nodes of more than one kubernetes.io/arch
  'RealKubelet', // containers really run (Jobs complete, probes execute, images pull)
  'Helm', // a helm binary is available to install charts
  'SimulatedNodes', // a node a test creates with annotation kwok.x-k8s.io/node=fake becomes Ready (kwok runs it), so tests can add nodes and play their agents
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const PROVIDER_NAMES = ['local', 'kind', 'existing'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export interface ClusterStatus {
  provider: ProviderName;
  name: string;
  /** up: serving; down: nothing of it exists; degraded: some of it exists but it does not serve. */
  state: 'up' | 'down' | 'degraded';
  kubeconfig?: string;
  server?: string;
  kubernetesVersion?: string;
  detail?: string;
}

export interface UpResult {
  kubeconfig: string;
  server: string;
  kubernetesVersion: string;
  /** Feature gates as the running apiserver reports them (read back, not assumed). */
  featureGates: Record<string, boolean>;
  capabilities: Capability[];
  /** Milliseconds spent, by phase, for the record and the README's figures. */
  timings: Record<string, number>;
}

export interface Provider {
  readonly name: ProviderName;
  /** Bring the cluster up and wait until it serves and its nodes are Ready. Refuses a second up. */
  up(signal?: AbortSignal): Promise<UpResult>;
  /** Remove every process, container and directory the provider made. Idempotent. */
  down(): Promise<void>;
  status(): Promise<ClusterStatus>;
  /** Path of the cluster's kubeconfig file; throws a ProviderError when the cluster is not up. */
  kubeconfig(): Promise<string>;
  /** Capabilities of the running cluster, detected from it where the API can tell. */
  capabilities(): Promise<Capability[]>;
  /** Make a locally built image available to the cluster's nodes (kind load). */
  loadImage(image: string): Promise<void>;
  /**
   * This machine's address as the cluster's apiserver reaches it, for an implementation run out
   * of cluster to serve its webhooks on; 127.0.0.1 when absent (the apiserver runs on this host).
   */
  hostAddress?(): Promise<string>;
  /**
   * The substrate's own logs (kubelet and container runtime journals of every node) into dir, for
   * a failed run's record; absent when the provider has none beyond what the API serves.
   */
  exportLogs?(dir: string): Promise<void>;
}

/**
 * An error the user can act on: `message` is one line that says what is wrong, `fix` one line
 * that says what to do. The CLI prints both and exits non-zero without a stack trace.
 */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** The user interrupted an operation (Ctrl-C); whatever it had started has been cleaned up. */
export class InterruptedError extends ProviderError {
  constructor(message: string, fix: string) {
    super(message, fix);
    this.name = 'InterruptedError';
  }
}

/**
 * The refusal of a second `up` for a cluster that is up or partly up: one line saying so, and
 * what to do (use it, or take it down with `downCommand`).
 */
export function alreadyUpError(what: string, existing: ClusterStatus, dir: string, downCommand: string): ProviderError {
  return new ProviderError(
    `${what} is already ${existing.state === 'up' ? 'up' : 'partly up'} (${dir})`,
    existing.state === 'up'
      ? `use it (kubeconfig: ${existing.kubeconfig}), or run \`${downCommand}\` first, or pick another --name`
      : `run \`${downCommand}\` to clean it up`,
  );
}
