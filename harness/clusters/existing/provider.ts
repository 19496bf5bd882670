import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../kube/client.ts';
import { MANAGED_BY } from '../../kube/namespace.ts';
import { WaitTimeoutError, waitForCollection } from '../../kube/wait.ts';
import { toolPath } from '../../tools/resolve.ts';
import { type ClusterFacts, capabilitiesFrom, clusterFacts, serverVersion } from '../detect.ts';
import { type Capability, type ClusterStatus, type Provider, ProviderError, type UpResult } from '../provider.ts';
import { clusterDir, readState, removeClusterDir, validateClusterName, writeState } from '../state.ts';
import { type ExistingFlags, checkExistingFlags, singleContextKubeconfig } from './kubeconfig.ts';

export interface ExistingOptions extends ExistingFlags {
  /** Key of the harness's record of the borrowed cluster; the cluster itself is not renamed. */
  name: string;
  /** Feature gates the user requires; checked against what the apiserver reports, never set. */
  featureGates?: Record<string, boolean>;
  log: (line: string) => void;
}

/** How long `down` waits for the harness's namespaces to finish terminating before it gives up waiting. */
export const NAMESPACE_DELETE_TIMEOUT_MS = 120_000;

export const MANAGED_BY_SELECTOR = Object.entries(MANAGED_BY)
  .map(([k, v]) => `${k}=${v}`)
  .join(',');

interface NamespaceLike {
  metadata?: { name?: string };
  status?: { phase?: string };
}

/**
 * A cluster the harness did not create, borrowed by explicit kubeconfig and context after an
 * explicit opt-in. `up` only checks it and records a single-context copy of its kubeconfig;
 * `down` deletes the namespaces the harness labelled as its own and forgets the cluster. Nothing
 * else in the cluster is ever deleted, and the cluster itself never is.
 */
export class ExistingProvider implements Provider {
  readonly name = 'existing' as const;
  private readonly dir: string;

  constructor(private readonly opts: ExistingOptions) {
    validateClusterName(opts.name);
    this.dir = clusterDir('existing', opts.name);
  }

  async up(signal?: AbortSignal): Promise<UpResult> {
    const t0 = performance.now();
    const timings: Record<string, number> = {};
    const source = checkExistingFlags(this.opts);
    const recorded = readState('existing', this.opts.name);
    if (recorded) {
      throw new ProviderError(
        `existing cluster "${this.opts.name}" is already borrowed (context ${String(recorded.extra.context)} of ${String(recorded.extra.source)})`,
        `use it (kubeconfig: ${recorded.kubeconfig}), or run \`kruise-conformance cluster down --provider existing --name ${this.opts.name}\` first, or pick another --name`,
      );
    }
    const { name: context, text } = singleContextKubeconfig(source, this.opts.context);
    const kc = new KubeConfig();
    kc.loadFromString(text);
    const where = `context "${context}" of ${source}`;

    let version: string;
    try {
      version = await serverVersion(kc);
    } catch (err) {
      throw new ProviderError(`the cluster of ${where} does not answer /version: ${firstLine(err)}`, 'check the server address, the network and the credentials in that kubeconfig');
    }
    timings.probe = performance.now() - t0;
    if (signal?.aborted) throw new ProviderError('cluster up was interrupted before anything was recorded', 'run `cluster up` again');

    let facts: ClusterFacts;
    try {
      facts = await clusterFacts(kc);
    } catch (err) {
      throw new ProviderError(
        `cannot read what the cluster of ${where} offers (nodes, storage classes, feature gates from /metrics): ${firstLine(err)}`,
        'use credentials that may list nodes and storage classes and read /metrics (the suites need cluster-admin anyway)',
      );
    }
    const wrong = Object.entries(this.opts.featureGates ?? {}).filter(([gate, want]) => facts.featureGates[gate] !== want);
    if (wrong.length > 0) {
      throw new ProviderError(
        `the cluster of ${where} does not have the requested feature gates: ${wrong.map(([g, w]) => `${g}=${w} (reports ${facts.featureGates[g] ?? 'unknown'})`).join(', ')}`,
        'turn them on in that cluster, or drop them from --feature-gates (the existing provider never changes a cluster)',
      );
    }
    const capabilities = capabilitiesFrom(facts, { helm: helmAvailable() });
    timings.detect = performance.now() - t0 - timings.probe;

    // Record only a cluster that answered: a refused up leaves no state behind.
    mkdirSync(this.dir, { recursive: true });
    const kubeconfig = join(this.dir, 'kubeconfig');
    writeFileSync(kubeconfig, text, { mode: 0o600 });
    chmodSync(kubeconfig, 0o600);
    const server = kc.getCurrentCluster()?.server ?? '';
    writeState({
      provider: 'existing',
      name: this.opts.name,
      kubeconfig,
      server,
      kubernetesVersion: version,
      createdAt: new Date().toISOString(),
      extra: { source, context },
    });
    this.opts.log(`existing: borrowed ${where} (${server}); \`cluster down\` deletes only namespaces labelled ${MANAGED_BY_SELECTOR}`);
    timings.total = performance.now() - t0;
    return { kubeconfig, server, kubernetesVersion: version, featureGates: facts.featureGates, capabilities, timings };
  }

  /** Delete the namespaces the harness made (by label), wait for them to go, and forget the cluster. */
  async down(): Promise<void> {
    const state = readState('existing', this.opts.name);
    if (!state) {
      removeClusterDir('existing', this.opts.name);
      return;
    }
    const kc = loadKubeConfig(state.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    let names: string[];
    try {
      names = (await core.listNamespace({ labelSelector: MANAGED_BY_SELECTOR })).items.map((n) => n.metadata?.name ?? '').filter(Boolean);
    } catch (err) {
      throw new ProviderError(
        `cannot list the harness's namespaces in existing cluster "${this.opts.name}": ${firstLine(err)}`,
        `run \`cluster down --provider existing --name ${this.opts.name}\` again when the cluster answers (its record stays in ${this.dir})`,
      );
    }
    for (const name of names) {
      try {
        await core.deleteNamespace({ name });
      } catch (err) {
        // Gone already, or already terminating.
        const code = (err as { code?: number }).code;
        if (code !== 404 && code !== 409) throw err;
      }
    }
    if (names.length > 0) {
      this.opts.log(`existing: deleting ${names.length} namespace(s) labelled ${MANAGED_BY_SELECTOR}: ${names.join(', ')}`);
      try {
        await waitForCollection<NamespaceLike>(kc, { path: '/api/v1/namespaces', labelSelector: MANAGED_BY_SELECTOR }, (items) => !items.some((n) => names.includes(n.metadata?.name ?? '')), {
          timeoutMs: NAMESPACE_DELETE_TIMEOUT_MS,
          describe: `namespaces ${names.join(', ')} to be deleted`,
          render: (items) => items.map((n) => `${n.metadata?.name}: ${n.status?.phase}`).join('\n'),
        });
      } catch (err) {
        if (!(err instanceof WaitTimeoutError)) throw err;
        // Deletion was requested; the cluster finishes it. Say so rather than keep the record.
        this.opts.log(`existing: some namespaces are still terminating after ${NAMESPACE_DELETE_TIMEOUT_MS / 1000} s:\n${err.lastObserved}`);
      }
    }
    removeClusterDir('existing', this.opts.name);
  }

  async status(): Promise<ClusterStatus> {
    const base = { provider: 'existing' as const, name: this.opts.name };
    const state = readState('existing', this.opts.name);
    if (!state) return { ...base, state: 'down', detail: 'not borrowed' };
    try {
      const version = await serverVersion(loadKubeConfig(state.kubeconfig));
      return { ...base, state: 'up', kubeconfig: state.kubeconfig, server: state.server, kubernetesVersion: version, detail: `context ${String(state.extra.context)} of ${String(state.extra.source)}` };
    } catch (err) {
      return { ...base, state: 'degraded', kubeconfig: state.kubeconfig, detail: firstLine(err) };
    }
  }

  async kubeconfig(): Promise<string> {
    const state = readState('existing', this.opts.name);
    if (!state) {
      throw new ProviderError(
        `existing cluster "${this.opts.name}" is not borrowed`,
        `run \`kruise-conformance cluster up --provider existing --name ${this.opts.name} --kubeconfig <file> --allow-existing-cluster\``,
      );
    }
    return state.kubeconfig;
  }

  async capabilities(): Promise<Capability[]> {
    const kc = loadKubeConfig(await this.kubeconfig());
    return capabilitiesFrom(await clusterFacts(kc), { helm: helmAvailable() });
  }

  async loadImage(image: string): Promise<void> {
    throw new ProviderError(
      `images cannot be loaded into the nodes of an existing cluster (${image})`,
      'push the image to a registry the cluster pulls from and name it by that reference',
    );
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

function helmAvailable(): boolean {
  try {
    toolPath('helm');
    return true;
  } catch {
    return false;
  }
}
