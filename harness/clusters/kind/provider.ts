import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PatchStrategy, StorageV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { execa } from 'execa';
import { loadKubeConfig } from '../../kube/client.ts';
import { waitForCollection } from '../../kube/wait.ts';
import { toolPath, toolPaths } from '../../tools/resolve.ts';
import { capabilitiesFrom, clusterFacts, serverVersion } from '../detect.ts';
import { type Capability, type ClusterStatus, InterruptedError, type Provider, ProviderError, type UpResult, alreadyUpError } from '../provider.ts';
import { clusterDir, readState, removeClusterDir, validateClusterName, writeState } from '../state.ts';
import { KIND_ZONES, type KindVersion, kindClusterConfig, loadKindVersions, renderKindConfig, selectKindVersion } from './config.ts';
import { clusterGates, gateMismatches } from './gates.ts';
import { type NodeNetwork, applyPodNetwork, engineNetworkExists, engineNetworkGateway, planPodNetwork, removeEngineNetworkIfUnused } from './network.ts';
import { type LocalNodeImage, chooseNodeImage } from './node-image.ts';
import { localNodeImage } from './local-image.ts';
import { offlineStoragePlan, startNodeRegistries } from './offline.ts';
import { buildCsiImages } from '../../tools/kind-image/csi-images.ts';
import { nodeRegistryBinary } from '../../tools/kind-image/node-registry.ts';
import { KIND_DEFAULT_STORAGE_CLASS, type StoragePlan, storagePlan } from './csi.ts';
import { type CommandRunner, type EngineName, ENGINES, execaRunner, findContainerEngine, findContainerEngines, kindEnv, kindNodeNames, removeNodeVolumes } from './engine.ts';

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
  /** The node image built on this machine; tests inject a fake. */
  localImage?: LocalNodeImage;
  /** The CSI image archives and node registry built here for offline clusters; tests inject a fake. */
  offlineParts?: typeof offlineParts;
}

/** Named waits of `up`; image pulls of the CSI sidecars dominate the second. */
// podCIDRs: a worker appears only once its kubeadm join is through, which took over 60 s at a load
// average of 30 on 2 cores (seen 2026-12-07), so it waits as long as the nodes' Ready wait.
export const KIND_TIMEOUTS = { nodesReadyMs: 180_000, podCIDRsMs: 180_000, csiReadyMs: 300_000, createMs: 600_000 };

interface PodLike {
  metadata?: { name?: string };
  spec?: { podCIDR?: string };
  status?: {
    addresses?: { type: string; address: string }[]; phase?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { name: string; ready: boolean; state?: Record<string, unknown> }[] };
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

  /**
   * The row, engine, node image and tools `up` needs. The checks are read-only and quick; only a
   * node image that must be built here on first use takes minutes (and says so first).
   */
  async preflight(signal?: AbortSignal): Promise<{ row: KindVersion; engine: EngineName; image: string; offline: boolean; kind: string; kubectl: string; csiArchives?: string[]; nodeRegistry?: string }> {
    const row = selectKindVersion(loadKindVersions(), { kubernetesVersion: this.opts.kubernetesVersion, image: this.opts.image });
    const engines = await findContainerEngines(this.run);
    const { kind, kubectl } = toolPaths(['kind', 'kubectl']);
    // Before any image is looked up or built: a name taken by a kind cluster of the user's.
    for (const engine of engines) {
      if ((await this.kindClusters(kind, engine)).includes(this.opts.name)) {
        throw new ProviderError(
          `a kind cluster named "${this.opts.name}" already exists, and the harness did not create it (no ${this.dir})`,
          `pick another --name, or delete it with \`kind delete cluster --name ${this.opts.name}\` if it is yours to delete`,
        );
      }
    }
    const local = this.opts.localImage ?? localNodeImage(this.opts.log, signal);
    const choice = await chooseNodeImage(engines, row, this.opts.image, local, this.run, this.opts.log);
    // Offline, the CSI images and the node registry are built here too (first use: minutes).
    const csiArchives = choice.offline ? await (this.opts.offlineParts ?? offlineParts)(this.opts.log, signal) : undefined;
    return { row: { ...row, image: choice.image }, engine: choice.engine, image: choice.image, offline: choice.offline, kind, kubectl, ...csiArchives };
  }

  async up(signal?: AbortSignal): Promise<UpResult> {
    const timings: Record<string, number> = {};
    const t0 = performance.now();
    const existing = await this.status();
    if (existing.state !== 'down') {
      throw alreadyUpError(`kind cluster "${this.opts.name}"`, existing, this.dir, `kruise-conformance cluster down --provider kind --name ${this.opts.name}`);
    }
    const { row, engine, offline, kind, kubectl, csiArchives, nodeRegistry } = await this.preflight(signal);
    if (signal?.aborted) throw new InterruptedError(`cluster up of "${this.opts.name}" was interrupted before anything was created`, 'run `cluster up` again');
    timings.checks = performance.now() - t0;
    this.opts.log(`kind: Kubernetes ${row.kubernetesVersion} from ${row.image} on ${engine}${offline ? ' (built here: the harness provides the pod network and the CSI driver)' : ''}`);

    mkdirSync(this.dir, { recursive: true });
    try {
      // kind makes its engine network on first use; the harness removes it at down only if it made it.
      if (!(await engineNetworkExists(engine, this.run))) writeFileSync(this.networkMarker, `${this.opts.name}\n`);
      const csiDataDir = join(this.dir, 'csi-data');
      if (offline) mkdirSync(csiDataDir, { recursive: true });
      const config = kindClusterConfig(row, { name: this.opts.name, featureGates: this.opts.featureGates, ...(offline ? { offline: { csiDataDir } } : {}) });
      const configPath = join(this.dir, 'kind-config.yaml');
      writeFileSync(configPath, renderKindConfig(config));
      // Recorded before create, so a later `down` knows the engine even if up fails half-way.
      writeFileSync(join(this.dir, 'engine'), engine);
      await this.createCluster(kind, engine, configPath, signal);
      timings.create = performance.now() - t0 - timings.checks;
      const kc = loadKubeConfig(this.kubeconfigPath);
      const expectedNodes = 1 + KIND_ZONES.length;

      const t1 = performance.now();
      if (offline) {
        const names = await this.setupPodNetwork(kc, engine, expectedNodes, signal);
        await startNodeRegistries(engine, names, nodeRegistry!, this.run);
        this.opts.log(`kind: kc-node-registry answers pulls of registry.k8s.io and docker.io images on ${names.length} nodes`);
      }
      const storage = storagePlan(offline, () => (csiArchives ? offlineStoragePlan(csiArchives, expectedNodes) : undefined));
      await this.installStorage(kubectl, storage, signal);
      const nodes = await waitForCollection<PodLike>(kc, { path: '/api/v1/nodes' }, (nodes) => nodes.filter((n) => condition(n, 'Ready') === 'True').length >= expectedNodes, {
        timeoutMs: KIND_TIMEOUTS.nodesReadyMs,
        describe: `${expectedNodes} kind nodes to become Ready`,
        render: (nodes) => nodes.map((n) => `${n.metadata?.name}: Ready=${condition(n, 'Ready')}`).join('\n'),
        signal,
      });
      timings.nodes = performance.now() - t1;
      const t2 = performance.now();
      if (storage) await this.waitForStorage(kc, storage, signal);
      timings.storage = performance.now() - t2;

      const wanted = { ...row.featureGates, ...this.opts.featureGates };
      const components = await clusterGates(kc, nodes.map((n) => n.metadata?.name ?? '').filter(Boolean));
      const wrong = gateMismatches(wanted, components);
      if (wrong.length > 0) {
        throw new ProviderError(`the kind cluster does not report the requested feature gates: ${wrong.join(', ')}`, `check the gate names against Kubernetes ${row.kubernetesVersion} and ${configPath}`);
      }
      const resize = components.map((c) => `${c.component}=${c.gates.InPlacePodVerticalScaling ?? 'unknown'}`).join(', ');
      this.opts.log(`kind: InPlacePodVerticalScaling read back: ${resize}`);
      const gates = components[0]!.gates;
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
        extra: { engine, image: row.image, offline, minor: row.minor, featureGates: wanted, kubeletGates: Object.fromEntries(components.slice(1).map((c) => [c.component, c.gates.InPlacePodVerticalScaling])) },
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

  /** Marker that the harness made kind's engine network (shared by every kind cluster). */
  private get networkMarker(): string {
    return join(clusterDir('kind', this.opts.name), '..', '.engine-network-made-by-harness');
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
      const last = readFileSync(logPath, 'utf8').trim().split('\n').filter((l) => /ERROR|error|failed/.test(l)).at(-1);
      throw new ProviderError(`kind could not create cluster "${this.opts.name}": ${last?.trim() ?? (err as Error).message.split('\n')[0]}`, `read ${logPath}`);
    }
  }

  /** kindnetd's job, for a node image without it: a CNI config per node and routes between the nodes' pod CIDRs. */
  private async setupPodNetwork(kc: ReturnType<typeof loadKubeConfig>, engine: EngineName, expected: number, signal?: AbortSignal): Promise<string[]> {
    const toNetwork = (n: PodLike): NodeNetwork => ({ name: n.metadata?.name ?? '', address: n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '', podCIDR: n.spec?.podCIDR ?? '' });
    const nodes = await waitForCollection<PodLike>(kc, { path: '/api/v1/nodes' }, (nodes) => nodes.length >= expected && nodes.every((n) => toNetwork(n).podCIDR && toNetwork(n).address), {
      timeoutMs: KIND_TIMEOUTS.podCIDRsMs,
      describe: `${expected} kind nodes with a pod CIDR and an address`,
      render: (nodes) => nodes.map((n) => `${n.metadata?.name}: ${JSON.stringify(toNetwork(n))}`).join('\n'),
      signal,
    });
    const plans = planPodNetwork(nodes.map(toNetwork).sort((a, b) => a.name.localeCompare(b.name)));
    await applyPodNetwork(engine, plans, this.run);
    this.opts.log(`kind: pod network: ptp + host-local on ${plans.length} nodes, ${plans.reduce((n, p) => n + p.routes.length, 0)} routes`);
    return plans.map((p) => p.node);
  }

  /** The CSI driver and classes of the plan, and kind's own default class demoted so `expandable` is the only default. */
  private async installStorage(kubectl: string, plan: StoragePlan | undefined, signal?: AbortSignal): Promise<void> {
    const storage = loadKubeConfig(this.kubeconfigPath).makeApiClient(StorageV1Api);
    try {
      await storage.patchStorageClass(
        { name: KIND_DEFAULT_STORAGE_CLASS, body: { metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
    if (!plan) {
      this.opts.log('kind: no CSI driver for this node image yet: StorageClasses expandable/fixed are not installed (no VolumeExpansion)');
      return;
    }
    for (const archive of plan.imageArchives) await this.loadArchive(archive);
    const files = plan.manifests.flatMap((f) => ['-f', f]);
    await execa(kubectl, ['--kubeconfig', this.kubeconfigPath, 'apply', ...files], { stdin: 'ignore', cancelSignal: signal });
  }

  private async waitForStorage(kc: ReturnType<typeof loadKubeConfig>, plan: StoragePlan, signal?: AbortSignal): Promise<void> {
    await waitForCollection<PodLike>(
      kc,
      { path: `/api/v1/namespaces/${plan.namespace}/pods`, labelSelector: plan.podSelector },
      (pods) => pods.length >= plan.minPods && pods.every((p) => condition(p, 'Ready') === 'True'),
      {
        timeoutMs: KIND_TIMEOUTS.csiReadyMs,
        describe: `${plan.describe}'s pods in ${plan.namespace} to become Ready`,
        render: (pods) =>
          pods
            .map((p) => `${p.metadata?.name}: ${p.status?.phase}, ${(p.status?.containerStatuses ?? []).map((c) => `${c.name}=${c.ready ? 'ready' : Object.keys(c.state ?? {})[0]}`).join(' ')}`)
            .join('\n') || '(no pods)',
        signal,
      },
    );
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
    const file = join(this.dir, 'engine');
    const recorded = readState('kind', this.opts.name)?.extra.engine ?? (existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined);
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
    const orphans = await removeNodeVolumes(engine, kindNodeNames(this.opts.name, KIND_ZONES.length), this.run);
    if (orphans.length > 0) this.opts.log(`kind: removed ${orphans.length} node volume(s) kind left behind (${orphans.map((v) => v.slice(0, 12)).join(', ')})`);
    removeClusterDir('kind', this.opts.name);
    // kind leaves its engine network behind; the harness removes it when it made it and no
    // container (of any cluster) is on it any more.
    if (existsSync(this.networkMarker)) {
      const outcome = await removeEngineNetworkIfUnused(engine, this.run).catch((e: unknown) => `kept: ${(e as Error).message}`);
      if (outcome === 'removed' || outcome === 'absent') rmSync(this.networkMarker, { force: true });
      if (outcome === 'removed') this.opts.log(`kind: removed the ${engine} network kind (made by the harness, now unused)`);
    }
  }

  /** The host's address as the nodes reach it: where an out-of-cluster implementation serves its webhooks. */
  async hostAddress(): Promise<string> {
    return engineNetworkGateway(await this.engine(), this.run);
  }

  /** Load a docker-archive file into every node of the cluster (no engine store involved). */
  private async loadArchive(archive: string): Promise<void> {
    const engine = await this.engine();
    const r = await execa(toolPath('kind'), ['load', 'image-archive', '--name', this.opts.name, archive], { env: kindEnv(engine), stdin: 'ignore', reject: false });
    if (r.exitCode !== 0) throw new ProviderError(`cannot load ${archive} into kind cluster "${this.opts.name}": ${r.stderr.trim().split('\n').at(-1)}`, 'rebuild it (delete the file) and run `cluster up` again');
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
  async exportLogs(dir: string): Promise<void> {
    await this.kubeconfig(); // refuses when the cluster is not up
    const engine = await this.engine();
    // kind's own collector: per node, the kubelet and containerd journals, every container's log.
    const r = await execa(toolPath('kind'), ['export', 'logs', dir, `--name=${this.opts.name}`], { env: kindEnv(engine), stdin: 'ignore', reject: false, timeout: 180_000 });
    if (r.exitCode !== 0) throw new Error(`kind export logs failed: ${r.stderr.trim().split('\n').at(-1)}`);
  }

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

/** Build (or find) what an offline cluster loads: the CSI images and the node registry binary. */
async function offlineParts(log: (line: string) => void, signal?: AbortSignal): Promise<{ csiArchives: string[]; nodeRegistry: string }> {
  try {
    const csi = await buildCsiImages({ log, signal });
    if (csi.outcome === 'built') log(`kind: built the CSI images in ${(csi.ms / 1000).toFixed(0)} s (cached for next time)`);
    return { csiArchives: csi.archives, nodeRegistry: await nodeRegistryBinary(signal) };
  } catch (err) {
    if (signal?.aborted || err instanceof ProviderError) throw err;
    throw new ProviderError(`cannot build the offline CSI images or node registry: ${(err as Error).message.split('\n')[0]}`, 'check the Go toolchain and podman (`make kind-image` works), then run `cluster up` again');
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
