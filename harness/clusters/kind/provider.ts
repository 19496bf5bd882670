import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PatchStrategy, StorageV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { execa } from 'execa';
import { loadKubeConfig } from '../../kube/client.ts';
import { waitForCollection } from '../../kube/wait.ts';
import { toolPath, toolPaths } from '../../tools/resolve.ts';
import { apiserverFeatureGates, capabilitiesFrom, clusterFacts, serverVersion } from '../detect.ts';
import { type Capability, type ClusterStatus, InterruptedError, type Provider, ProviderError, type UpResult, alreadyUpError } from '../provider.ts';
import { clusterDir, readState, removeClusterDir, validateClusterName, writeState } from '../state.ts';
import { KIND_ZONES, type KindVersion, kindClusterConfig, loadKindVersions, renderKindConfig, selectKindVersion } from './config.ts';
import { CSI_NAMESPACE, CSI_POD_SELECTOR, KIND_DEFAULT_STORAGE_CLASS, csiManifestPaths } from './csi.ts';
import { type CommandRunner, type EngineName, ENGINES, execaRunner, findContainerEngine, kindEnv, requireNodeImage } from './engine.ts';

export interface KindOptions {
  name: string;
  /** Kubernetes minor of the row in clusters/kind/versions.yaml ("1.34"); else inferred or the default. */
  kubernetesVersion?: string;
  /** Node image override (--image); the row's feature gates still apply. */
  image?: string;
  /** Extra feature gates, merged over the row's; each is verified from the running apiserver. */
  featureGates: Record<string, boolean>;
  log: (line: string) => void;
  /** Runs the container-engine probes; tests inject a fake. */
  run?: CommandRunner;
}

/** Named waits of `up`; image pulls of the CSI sidecars dominate the second. */
export const KIND_TIMEOUTS = { nodesReadyMs: 180_000, csiReadyMs: 300_000, createMs: 600_000 };

interface PodLike {
  metadata?: { name?: string };
  status?: { phase?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { name: string; ready: boolean; state?: Record<string, unknown> }[] };
}
const condition = (o: PodLike, type: string) => o.status?.conditions?.find((c) => c.type === type)?.status ?? 'unknown';

/**
 * Real kubelets in containers: `kind create cluster` with a config generated from
 * clusters/kind/versions.yaml, then the CSI hostpath driver from clusters/csi/. Before anything is
 * created the container engine and the node image are checked, so a machine without them fails
 * in well under two seconds and keeps nothing. The cluster's kubeconfig is its own file in the
 * state directory; the user's ~/.kube/config is never written.
 */
export class KindProvider implements Provider {
  readonly name = 'kind' as const;
  private readonly dir: string;
  private readonly run: CommandRunner;

  constructor(private readonly opts: KindOptions) {
    validateClusterName(opts.name);
    this.dir = clusterDir('kind', opts.name);
    this.run = opts.run ?? execaRunner;
  }

  private get kubeconfigPath(): string {
    return join(this.dir, 'kubeconfig');
  }

  /** The row, engine and tools `up` needs; every check here is read-only and quick. */
  async preflight(): Promise<{ row: KindVersion; engine: EngineName; kind: string; kubectl: string }> {
    const row = selectKindVersion(loadKindVersions(), { kubernetesVersion: this.opts.kubernetesVersion, image: this.opts.image });
    const engine = await findContainerEngine(this.run);
    await requireNodeImage(engine, row.image, row.kubernetesVersion, this.run);
    const { kind, kubectl } = toolPaths(['kind', 'kubectl']);
    return { row, engine, kind, kubectl };
  }

  async up(signal?: AbortSignal): Promise<UpResult> {
    const timings: Record<string, number> = {};
    const t0 = performance.now();
    const existing = await this.status();
    if (existing.state !== 'down') {
      throw alreadyUpError(`kind cluster "${this.opts.name}"`, existing, this.dir, `kruise-conformance cluster down --provider kind --name ${this.opts.name}`);
    }
    const { row, engine, kind, kubectl } = await this.preflight();
    if ((await this.kindClusters(kind, engine)).includes(this.opts.name)) {
      throw new ProviderError(
        `a kind cluster named "${this.opts.name}" already exists, and the harness did not create it (no ${this.dir})`,
        `pick another --name, or delete it with \`kind delete cluster --name ${this.opts.name}\` if it is yours to delete`,
      );
    }
    timings.checks = performance.now() - t0;
    this.opts.log(`kind: Kubernetes ${row.kubernetesVersion} from ${row.image} on ${engine}${row.notes ? ` (${row.notes})` : ''}`);

    mkdirSync(this.dir, { recursive: true });
    try {
      const config = kindClusterConfig(row, { name: this.opts.name, featureGates: this.opts.featureGates });
      const configPath = join(this.dir, 'kind-config.yaml');
      writeFileSync(configPath, renderKindConfig(config));
      await this.createCluster(kind, engine, configPath, signal);
      timings.create = performance.now() - t0 - timings.checks;
      const kc = loadKubeConfig(this.kubeconfigPath);

      const t1 = performance.now();
      await this.installStorage(kubectl, signal);
      const expectedNodes = 1 + KIND_ZONES.length;
      await waitForCollection<PodLike>(kc, { path: '/api/v1/nodes' }, (nodes) => nodes.filter((n) => condition(n, 'Ready') === 'True').length >= expectedNodes, {
        timeoutMs: KIND_TIMEOUTS.nodesReadyMs,
        describe: `${expectedNodes} kind nodes to become Ready`,
        render: (nodes) => nodes.map((n) => `${n.metadata?.name}: Ready=${condition(n, 'Ready')}`).join('\n'),
        signal,
      });
      timings.nodes = performance.now() - t1;
      const t2 = performance.now();
      await waitForCollection<PodLike>(
        kc,
        { path: `/api/v1/namespaces/${CSI_NAMESPACE}/pods`, labelSelector: CSI_POD_SELECTOR },
        (pods) => pods.length > 0 && pods.every((p) => condition(p, 'Ready') === 'True'),
        {
          timeoutMs: KIND_TIMEOUTS.csiReadyMs,
          describe: `the CSI hostpath driver's pods in ${CSI_NAMESPACE} to become Ready`,
          render: (pods) =>
            pods
              .map((p) => `${p.metadata?.name}: ${p.status?.phase}, ${(p.status?.containerStatuses ?? []).map((c) => `${c.name}=${c.ready ? 'ready' : Object.keys(c.state ?? {})[0]}`).join(' ')}`)
              .join('\n') || '(no pods)',
          signal,
        },
      );
      timings.storage = performance.now() - t2;

      const gates = await apiserverFeatureGates(kc);
      const wanted = { ...row.featureGates, ...this.opts.featureGates };
      const wrong = Object.entries(wanted).filter(([gate, want]) => gates[gate] !== want);
      if (wrong.length > 0) {
        throw new ProviderError(
          `the kind cluster's kube-apiserver does not report the requested feature gates: ${wrong.map(([g, w]) => `${g}=${w} (reports ${gates[g] ?? 'unknown'})`).join(', ')}`,
          `check the gate names against Kubernetes ${row.kubernetesVersion} and ${configPath}`,
        );
      }
      const version = await serverVersion(kc);
      const server = kc.getCurrentCluster()?.server ?? '';
      const capabilities = capabilitiesFrom(await clusterFacts(kc), { helm: helmAvailable() });
      writeState({
        provider: 'kind',
        name: this.opts.name,
        kubeconfig: this.kubeconfigPath,
        server,
        kubernetesVersion: version,
        createdAt: new Date().toISOString(),
        extra: { engine, image: row.image, minor: row.minor, featureGates: wanted },
      });
      timings.total = performance.now() - t0;
      return { kubeconfig: this.kubeconfigPath, server, kubernetesVersion: version, featureGates: gates, capabilities, timings };
    } catch (err) {
      if (process.env.KRUISE_CONFORMANCE_KEEP_FAILED && !signal?.aborted) {
        this.opts.log(`KRUISE_CONFORMANCE_KEEP_FAILED is set: leaving the failed kind cluster "${this.opts.name}" and ${this.dir}`);
        throw err;
      }
      await this.down();
      if (signal?.aborted) throw new InterruptedError(`cluster up of "${this.opts.name}" was interrupted; everything it started was removed`, 'run `cluster up` again');
      throw err;
    }
  }

  private async createCluster(kind: string, engine: EngineName, configPath: string, signal?: AbortSignal): Promise<void> {
    const logPath = join(this.dir, 'kind-create.log');
    writeFileSync(logPath, '');
    try {
      await execa(kind, ['create', 'cluster', `--name=${this.opts.name}`, `--config=${configPath}`, `--kubeconfig=${this.kubeconfigPath}`], {
        env: kindEnv(engine),
        stdin: 'ignore',
        stdout: { file: logPath, append: true },
        stderr: { file: logPath, append: true },
        cancelSignal: signal,
        forceKillAfterDelay: 5000,
        timeout: KIND_TIMEOUTS.createMs,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ProviderError(`kind could not create cluster "${this.opts.name}": ${(err as Error).message.split('\n')[0]}`, `read ${logPath}`);
    }
  }

  /** Our CSI driver and classes, and kind's own default class demoted so `expandable` is the only default. */
  private async installStorage(kubectl: string, signal?: AbortSignal): Promise<void> {
    const storage = loadKubeConfig(this.kubeconfigPath).makeApiClient(StorageV1Api);
    try {
      await storage.patchStorageClass(
        { name: KIND_DEFAULT_STORAGE_CLASS, body: { metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
    const files = csiManifestPaths().flatMap((f) => ['-f', f]);
    await execa(kubectl, ['--kubeconfig', this.kubeconfigPath, 'apply', ...files], { stdin: 'ignore', cancelSignal: signal });
  }

  /** Names of the kind clusters the engine holds; throws a ProviderError when kind cannot list them. */
  private async kindClusters(kind: string, engine: EngineName): Promise<string[]> {
    const r = await execa(kind, ['get', 'clusters'], { env: kindEnv(engine), stdin: 'ignore', reject: false, timeout: 30_000 });
    if (r.exitCode !== 0) {
      throw new ProviderError(`kind cannot list its clusters: ${r.stderr.trim().split('\n')[0]}`, `check that \`${engine} ps\` works`);
    }
    return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  }

  /** The engine the cluster was made with, else the one that answers now. */
  private async engine(): Promise<EngineName> {
    const recorded = readState('kind', this.opts.name)?.extra.engine;
    if (typeof recorded === 'string' && (ENGINES as readonly string[]).includes(recorded)) return recorded as EngineName;
    return findContainerEngine(this.run);
  }

  async down(): Promise<void> {
    // Only a cluster this harness made has a directory; a kind cluster of the same name that the
    // user made themselves is never touched.
    if (!existsSync(this.dir)) return;
    const engine = await this.engine().catch((err: unknown) => {
      throw new ProviderError(
        `cannot delete kind cluster "${this.opts.name}": ${(err as Error).message}`,
        `start the container engine and run \`cluster down\` again (its record stays in ${this.dir})`,
      );
    });
    const kind = toolPath('kind');
    const r = await execa(kind, ['delete', 'cluster', `--name=${this.opts.name}`, `--kubeconfig=${this.kubeconfigPath}`], {
      env: kindEnv(engine),
      stdin: 'ignore',
      reject: false,
      timeout: 120_000,
    });
    if (r.exitCode !== 0) {
      throw new ProviderError(`kind delete cluster "${this.opts.name}" failed: ${r.stderr.trim().split('\n').at(-1)}`, `run \`kind delete cluster --name ${this.opts.name}\` by hand, then \`cluster down\` again`);
    }
    removeClusterDir('kind', this.opts.name);
  }

  async status(): Promise<ClusterStatus> {
    const base = { provider: 'kind' as const, name: this.opts.name };
    if (!existsSync(this.dir)) return { ...base, state: 'down' };
    const state = readState('kind', this.opts.name);
    if (!state) return { ...base, state: 'degraded', detail: `partly created: ${this.dir} exists without a record of a finished up` };
    try {
      const engine = await this.engine();
      const names = await this.kindClusters(toolPath('kind'), engine);
      if (!names.includes(this.opts.name)) return { ...base, state: 'degraded', kubeconfig: state.kubeconfig, detail: `${engine} holds no kind cluster "${this.opts.name}"` };
      const version = await serverVersion(loadKubeConfig(state.kubeconfig));
      return { ...base, state: 'up', kubeconfig: state.kubeconfig, server: state.server, kubernetesVersion: version };
    } catch (err) {
      return { ...base, state: 'degraded', kubeconfig: state.kubeconfig, detail: (err as Error).message };
    }
  }

  async kubeconfig(): Promise<string> {
    const state = readState('kind', this.opts.name);
    if (!state) throw new ProviderError(`kind cluster "${this.opts.name}" is not up`, `run \`kruise-conformance cluster up --provider kind --name ${this.opts.name}\``);
    return state.kubeconfig;
  }

  async capabilities(): Promise<Capability[]> {
    const kc = loadKubeConfig(await this.kubeconfig());
    return capabilitiesFrom(await clusterFacts(kc), { helm: helmAvailable() });
  }

  /** Copy a locally built image into every node's containerd, so pods use it without a registry. */
  async loadImage(image: string): Promise<void> {
    await this.kubeconfig(); // refuses when the cluster is not up
    const engine = await this.engine();
    const kind = toolPath('kind');
    const opts = { env: kindEnv(engine), stdin: 'ignore' as const, reject: false as const };
    let r;
    if (engine === 'docker') {
      r = await execa(kind, ['load', 'docker-image', '--name', this.opts.name, image], opts);
    } else {
      // `kind load docker-image` always asks docker; with podman the image goes through an archive.
      const archive = join(this.dir, 'load-image.tar');
      try {
        const saved = await execa('podman', ['save', '-o', archive, image], opts);
        r = saved.exitCode === 0 ? await execa(kind, ['load', 'image-archive', '--name', this.opts.name, archive], opts) : saved;
      } finally {
        rmSync(archive, { force: true });
      }
    }
    if (r.exitCode !== 0) {
      throw new ProviderError(`cannot load image ${image} into kind cluster "${this.opts.name}": ${r.stderr.trim().split('\n').at(-1)}`, `check that \`${engine} image inspect ${image}\` finds it`);
    }
  }
}

function helmAvailable(): boolean {
  try {
    toolPath('helm');
    return true;
  } catch {
    return false;
  }
}
