import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { isGroupComplete } from '../../tools/cache.ts';
import { type KubernetesRelease, type ToolGroup, type ToolName, groupById } from '../../tools/catalog.ts';
import { installTools } from '../../tools/install.ts';
import { overrideEnvName, toolPaths } from '../../tools/resolve.ts';
import { loadKubeConfig } from '../../kube/client.ts';
import { waitForCollection } from '../../kube/wait.ts';
import { isPortFree } from '../../util/ports.ts';
import { killProcesses, processesMentioning } from '../../util/processes.ts';
import { apiserverFeatureGates, capabilitiesFrom, clusterFacts, serverVersion } from '../detect.ts';
import { type Capability, type ClusterStatus, InterruptedError, type Provider, ProviderError, type UpResult, alreadyUpError } from '../provider.ts';
import { clusterDir, readState, removeClusterDir, validateClusterName, writeState } from '../state.ts';
import { acquireCreateLock } from './create-lock.ts';
import { DEFAULT_TIMINGS, LOCAL_DATA_DIR, type SimulationTimings, kwokConfigFile, selectKubernetes } from './config.ts';

export interface LocalOptions {
  name: string;
  /** Port of the kube-apiserver on 127.0.0.1. */
  apiserverPort: number;
  /** Kubernetes minor ("1.30") or pinned release; the default release when absent. */
  kubernetesVersion?: string;
  /**
   * Build the release's binaries when they are missing (a release other than the default one is
   * built only on first use). False: a missing binary is an error that names the command to run.
   */
  buildMissingTools?: boolean;
  /** Feature gates passed to every component; each is verified from the running apiserver. */
  featureGates: Record<string, boolean>;
  timings: SimulationTimings;
  /** Ready nodes expected from clusters/local/nodes.yaml. */
  expectedNodes: number;
  log: (line: string) => void;
}

export const LOCAL_DEFAULTS: Omit<LocalOptions, 'name' | 'log'> = {
  apiserverPort: 36443,
  featureGates: { InPlacePodVerticalScaling: true },
  timings: DEFAULT_TIMINGS,
  expectedNodes: 6,
};

const TOOLS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'etcd', 'kwok', 'kwokctl'] as const;

/**
 * A real control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) with
 * kwok's simulated nodes, all started by kwokctl's binary runtime from our pinned builds.
 * Everything lives under one directory, so `down` can always find and remove it.
 */
export class LocalProvider implements Provider {
  readonly name = 'local' as const;
  /** The Kubernetes release this cluster runs; chosen at construction so a bad version fails first. */
  readonly release: KubernetesRelease;
  private readonly dir: string;

  constructor(private readonly opts: LocalOptions) {
    validateClusterName(opts.name);
    this.release = selectKubernetes(opts.kubernetesVersion);
    this.dir = clusterDir('local', opts.name);
  }

  private get kubeGroup(): ToolGroup {
    return groupById(this.release.group);
  }

  private get kwokWorkdir(): string {
    return join(this.dir, 'kwok');
  }

  private get kwokKubeconfig(): string {
    return join(this.kwokWorkdir, 'clusters', this.opts.name, 'kubeconfig.yaml');
  }

  private kwokEnv(kubectl: string): Record<string, string> {
    return {
      KWOK_WORKDIR: this.kwokWorkdir,
      KWOK_KUBE_VERSION: this.release.version,
      KWOK_KUBECTL_BINARY: kubectl,
      KWOK_RUNTIME: 'binary',
      // kwokctl looks for kubectl on PATH before it would download one.
      PATH: `${dirname(kubectl)}:${process.env.PATH ?? ''}`,
    };
  }

  async up(signal?: AbortSignal): Promise<UpResult> {
    const timings: Record<string, number> = {};
    const t0 = performance.now();
    const existing = await this.status();
    if (existing.state !== 'down') {
      throw alreadyUpError(`local cluster "${this.opts.name}"`, existing, this.dir, `kruise-conformance cluster down --name ${this.opts.name}`);
    }
    await this.buildReleaseIfMissing(signal);
    const tools = toolPaths(TOOLS, [this.kubeGroup]);
    const port = this.opts.apiserverPort;
    if (!(await isPortFree(port))) {
      throw new ProviderError(`port ${port} on 127.0.0.1 is already in use, so the kube-apiserver cannot listen on it`, `pass --port <free port>, or stop what listens on ${port}`);
    }
    timings.checks = performance.now() - t0;

    mkdirSync(this.dir, { recursive: true });
    try {
      await this.startControlPlane(tools, signal);
      timings.controlPlane = performance.now() - t0 - timings.checks;
      const kubeconfig = join(this.dir, 'kubeconfig');
      copyFileSync(this.kwokKubeconfig, kubeconfig);
      const kc = loadKubeConfig(kubeconfig);

      const t1 = performance.now();
      await execa(tools.kubectl, ['--kubeconfig', kubeconfig, 'apply', '-f', join(LOCAL_DATA_DIR, 'storage.yaml'), '-f', join(LOCAL_DATA_DIR, 'nodes.yaml')], { cancelSignal: signal });
      await waitForCollection<NodeLike>(kc, { path: '/api/v1/nodes' }, (nodes) => nodes.filter(isReady).length >= this.opts.expectedNodes, {
        timeoutMs: 60_000,
        describe: `${this.opts.expectedNodes} simulated nodes to become Ready`,
        render: (nodes) => nodes.map((n) => `${n.metadata?.name}: Ready=${readyStatus(n)}`).join('\n'),
        signal,
      });
      timings.nodes = performance.now() - t1;

      const gates = await apiserverFeatureGates(kc);
      const wrong = Object.entries(this.opts.featureGates).filter(([gate, want]) => gates[gate] !== want);
      if (wrong.length > 0) {
        throw new ProviderError(
          `the running kube-apiserver does not report the requested feature gates: ${wrong.map(([g, w]) => `${g}=${w} (reports ${gates[g] ?? 'unknown'})`).join(', ')}`,
          'check the gate names against Kubernetes ' + this.release.version + ' and the apiserver log in ' + join(this.kwokWorkdir, 'clusters', this.opts.name, 'logs'),
        );
      }
      const version = await serverVersion(kc);
      // An override binary may be another patch, never another minor than the one asked for.
      if (!version.startsWith(`v${this.release.minor}.`)) {
        throw new ProviderError(`asked for Kubernetes ${this.release.minor}, but the kube-apiserver reports ${version}`, `check ${overrideEnvName('kube-apiserver', this.kubeGroup)} (or unset it)`);
      }
      const server = kc.getCurrentCluster()?.server ?? '';
      const capabilities = capabilitiesFrom(await clusterFacts(kc), { helm: this.helmAvailable() });
      writeState({
        provider: 'local',
        name: this.opts.name,
        kubeconfig,
        server,
        kubernetesVersion: version,
        createdAt: new Date().toISOString(),
        extra: { apiserverPort: port, kubernetesRelease: this.release.version, featureGates: this.opts.featureGates, timings: this.opts.timings },
      });
      timings.total = performance.now() - t0;
      return { kubeconfig, server, kubernetesVersion: version, featureGates: gates, capabilities, timings };
    } catch (err) {
      // A failed or interrupted up leaves nothing behind: no process, no directory (unless the
      // user asked to keep a failed cluster for debugging).
      if (process.env.KRUISE_CONFORMANCE_KEEP_FAILED && !signal?.aborted) {
        this.opts.log(`KRUISE_CONFORMANCE_KEEP_FAILED is set: leaving the failed cluster in ${this.dir}`);
        throw err;
      }
      await this.down();
      if (signal?.aborted) throw new InterruptedError(`cluster up of "${this.opts.name}" was interrupted; everything it started was removed`, 'run `cluster up` again');
      throw err;
    }
  }

  /**
   * A release other than the default one is an on-demand tool group: built here on first use
   * (minutes, once) unless the caller asked for missing tools to be an error, or every one of its
   * binaries is overridden by the user.
   */
  private async buildReleaseIfMissing(signal?: AbortSignal): Promise<void> {
    const group = this.kubeGroup;
    if (!group.onDemand || isGroupComplete(group) || this.opts.buildMissingTools === false) return;
    if (group.binaries.every((b) => process.env[overrideEnvName(b.name as ToolName, group)])) return;
    this.opts.log(`Kubernetes ${this.release.version} is not built yet: building it once (several minutes; \`tools install --group ${group.id}\` does the same ahead of time)`);
    await installTools({ groups: [group.id], log: this.opts.log, signal });
  }

  private async startControlPlane(tools: Record<(typeof TOOLS)[number], string>, signal?: AbortSignal): Promise<void> {
    const configPath = join(this.dir, 'kwok-config.yaml');
    writeFileSync(configPath, kwokConfigFile(this.opts.timings, this.release));
    const gates = Object.entries(this.opts.featureGates).map(([k, v]) => `${k}=${v}`).join(',');
    const logPath = join(this.dir, 'kwokctl-create.log');
    writeFileSync(logPath, '');
    // kwokctl picks etcd and component ports by probing downwards from 32767 in each process, so
    // two clusters created at the same moment get the same etcd port and the second apiserver
    // joins the first cluster's etcd (seen: one run's CRDs appearing in another's cluster). Creates
    // are therefore serialized on this machine until kwokctl returns, when its ports are bound.
    const release = await acquireCreateLock(signal, (m) => this.opts.log(m));
    try {
      await execa(
        tools.kwokctl,
        [
          'create', 'cluster',
          `--name=${this.opts.name}`,
          '--runtime=binary',
          `--kube-apiserver-binary=${tools['kube-apiserver']}`,
          `--kube-controller-manager-binary=${tools['kube-controller-manager']}`,
          `--kube-scheduler-binary=${tools['kube-scheduler']}`,
          `--kwok-controller-binary=${tools.kwok}`,
          `--etcd-binary=${tools.etcd}`,
          `--kube-apiserver-port=${this.opts.apiserverPort}`,
          '--kube-authorization=true',
          '--kube-admission=true',
          `--kube-feature-gates=${gates}`,
          `--config=${configPath}`,
          // Never touch the user's ~/.kube/config.
          '--kubeconfig=',
          '--wait=2m',
          '--timeout=3m',
        ],
        { env: this.kwokEnv(tools.kubectl), stdin: 'ignore', stdout: { file: logPath, append: true }, stderr: { file: logPath, append: true }, cancelSignal: signal, forceKillAfterDelay: 3000 },
      );
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ProviderError(`kwokctl could not start the local control plane: ${(err as Error).message.split('\n')[0]}`, `read ${logPath}`);
    } finally {
      await release();
    }
  }

  private helmAvailable(): boolean {
    try {
      toolPaths(['helm']);
      return true;
    } catch {
      return false;
    }
  }

  async down(): Promise<void> {
    if (existsSync(join(this.kwokWorkdir, 'clusters', this.opts.name))) {
      try {
        const { kwokctl, kubectl } = toolPaths(['kwokctl', 'kubectl'], [this.kubeGroup]);
        // kwokctl removes its context from the kubeconfig it is given (an empty value is refused):
        // give it our own copy, never the user's.
        await execa(kwokctl, ['delete', 'cluster', `--name=${this.opts.name}`, `--kubeconfig=${join(this.dir, 'kubeconfig')}`], {
          env: this.kwokEnv(kubectl),
          stdin: 'ignore',
          timeout: 30_000,
          reject: false,
        });
      } catch {
        // tools gone: the process sweep below still stops everything
      }
    }
    // Whatever kwokctl did not stop (an interrupted create, a crash) is found by its paths.
    await killProcesses(processesMentioning(this.dir));
    removeClusterDir('local', this.opts.name);
  }

  async status(): Promise<ClusterStatus> {
    const state = readState('local', this.opts.name);
    const leftovers = processesMentioning(this.dir);
    if (!state) {
      const partial = leftovers.length > 0 || existsSync(this.dir);
      return { provider: 'local', name: this.opts.name, state: partial ? 'degraded' : 'down', detail: partial ? `${leftovers.length} processes, directory ${this.dir}` : undefined };
    }
    try {
      const kc = loadKubeConfig(state.kubeconfig);
      const version = await serverVersion(kc);
      return { provider: 'local', name: this.opts.name, state: 'up', kubeconfig: state.kubeconfig, server: state.server, kubernetesVersion: version };
    } catch (err) {
      return { provider: 'local', name: this.opts.name, state: 'degraded', kubeconfig: state.kubeconfig, detail: (err as Error).message };
    }
  }

  async kubeconfig(): Promise<string> {
    const state = readState('local', this.opts.name);
    if (!state) throw new ProviderError(`local cluster "${this.opts.name}" is not up`, 'run `kruise-conformance cluster up` (or `make cluster`)');
    return state.kubeconfig;
  }

  async capabilities(): Promise<Capability[]> {
    const kc = loadKubeConfig(await this.kubeconfig());
    return capabilitiesFrom(await clusterFacts(kc), { helm: this.helmAvailable() });
  }

  async loadImage(image: string): Promise<void> {
    throw new ProviderError(`the local provider runs no containers, so image ${image} cannot be loaded`, 'run the implementation out of cluster, or use --provider kind');
  }
}

interface NodeLike {
  metadata?: { name?: string };
  status?: { conditions?: { type: string; status: string }[] };
}
const readyStatus = (n: NodeLike) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'unknown';
const isReady = (n: NodeLike) => readyStatus(n) === 'True';
