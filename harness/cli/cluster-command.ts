import type { Command } from 'commander';
import { DEFAULT_CLUSTER_NAME, createProvider, type ProviderConfig } from '../clusters/registry.ts';
import '../clusters/providers.ts';

interface ClusterFlags {
  provider: string;
  name: string;
  port?: string;
  featureGates?: string;
  image?: string;
  kubernetesVersion?: string;
  kubeconfig?: string;
  context?: string;
  allowExistingCluster?: boolean;
}

/** "A=true,B=false" -> { A: true, B: false }, with a clear error on anything else. */
export function parseFeatureGates(text: string): Record<string, boolean> {
  const gates: Record<string, boolean> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9]+)=(true|false)$/.exec(part);
    if (!m) throw new Error(`--feature-gates: "${part}" is not Name=true|false`);
    gates[m[1]!] = m[2] === 'true';
  }
  return gates;
}

function providerConfig(flags: ClusterFlags): ProviderConfig {
  const port = flags.port === undefined ? undefined : Number(flags.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`--port: "${flags.port}" is not a port number`);
  return {
    provider: flags.provider,
    name: flags.name,
    log: (line) => console.error(line),
    port,
    featureGates: flags.featureGates ? parseFeatureGates(flags.featureGates) : undefined,
    image: flags.image,
    kubernetesVersion: flags.kubernetesVersion,
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    allowExisting: flags.allowExistingCluster,
  };
}

function withProviderFlags(cmd: Command): Command {
  return cmd
    .option('--provider <name>', 'local (default: real control plane, simulated nodes), kind, or existing', 'local')
    .option('--name <name>', 'cluster name', DEFAULT_CLUSTER_NAME)
    .option('--port <port>', 'local: kube-apiserver port on 127.0.0.1 (default 36443)')
    .option('--feature-gates <gates>', 'extra Kubernetes feature gates, e.g. InPlacePodVerticalScaling=true')
    .option('--image <image>', 'kind: node image')
    .option('--kubernetes-version <minor>', 'Kubernetes minor: kind, of the generated config (e.g. 1.34); local, one of its pinned releases (1.34 default, 1.30 built on first use)')
    .option('--kubeconfig <path>', 'existing: kubeconfig file of the cluster (never the default one)')
    .option('--context <name>', 'existing: context in that kubeconfig')
    .option('--allow-existing-cluster', 'existing: opt in to running against a cluster the harness did not create');
}

/** Runs `fn` with an AbortSignal that fires on the first Ctrl-C; a second Ctrl-C exits at once. */
async function interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let count = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    count += 1;
    if (count === 1) {
      console.error(`\n${sig}: stopping and cleaning up (again to exit at once)`);
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (controller.signal.aborted) process.exitCode = 130;
  }
}

export function registerClusterCommand(program: Command): void {
  const cluster = program.command('cluster').description('bring a cluster up or down, or ask about it');

  withProviderFlags(cluster.command('up').description('create the cluster and wait until its nodes are Ready')).action(async (flags: ClusterFlags) => {
    const provider = createProvider(providerConfig(flags));
    const result = await interruptible((signal) => provider.up(signal));
    const secs = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(2);
    console.log(`cluster "${flags.name}" is up (provider ${provider.name}, Kubernetes ${result.kubernetesVersion}, ${result.server})`);
    console.log(`capabilities: ${result.capabilities.join(', ') || 'none'}`);
    const gates = Object.entries(result.featureGates).filter(([g]) => g === 'InPlacePodVerticalScaling' || (flags.featureGates ?? '').includes(g));
    console.log(`feature gates (read from the apiserver): ${gates.map(([g, v]) => `${g}=${v}`).join(', ')}`);
    console.log(`up in ${secs(result.timings.total)} s (${Object.entries(result.timings).filter(([k]) => k !== 'total').map(([k, v]) => `${k} ${secs(v)} s`).join(', ')})`);
    console.log(result.kubeconfig);
  });

  withProviderFlags(cluster.command('down').description('remove the cluster and everything the harness started for it')).action(async (flags: ClusterFlags) => {
    const started = performance.now();
    await createProvider(providerConfig(flags)).down();
    console.log(`cluster "${flags.name}" is down (${((performance.now() - started) / 1000).toFixed(2)} s)`);
  });

  withProviderFlags(cluster.command('status').description('say whether the cluster is up')).action(async (flags: ClusterFlags) => {
    const status = await createProvider(providerConfig(flags)).status();
    console.log(`${status.provider}/${status.name}: ${status.state}${status.kubernetesVersion ? ` (Kubernetes ${status.kubernetesVersion}, ${status.server})` : ''}${status.detail ? ` - ${status.detail}` : ''}`);
    if (status.state !== 'up') process.exitCode = 1;
  });

  withProviderFlags(cluster.command('kubeconfig').description("print the path of the cluster's kubeconfig file (alone on the last line)")).action(async (flags: ClusterFlags) => {
    console.log(await createProvider(providerConfig(flags)).kubeconfig());
  });
}
