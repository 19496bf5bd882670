import type { Command } from 'commander';
import { loadOptions } from '../run/options.ts';
import { run } from '../run/run.ts';

interface RunFlags {
  config?: string;
  impl?: string;
  provider?: string;
  name?: string;
  port?: string;
  kubernetesVersion?: string;
  image?: string;
  kubeconfig?: string;
  context?: string;
  allowExistingCluster?: boolean;
  profile?: string[];
  supportedFeatures?: string;
  exemptFeatures?: string;
  features?: string;
  run?: string;
  skip?: string;
  failFast?: boolean;
  failOnExtended?: boolean;
  parallelism?: string;
  repeat?: string;
  keep?: boolean;
  keepNamespaces?: boolean;
  reportDir?: string;
  timeout?: string[];
  timeoutMultiplier?: string;
}

const list = (v?: string) => (v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean));
const num = (v: string | undefined, flag: string) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${flag}: "${v}" is not a number`);
  return n;
};

/** --timeout podsReady=90s --timeout pvcExpand=2m */
export function parseTimeoutFlags(values: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const m = /^([a-zA-Z]+)=(.+)$/.exec(v);
    if (!m) throw new Error(`--timeout: "${v}" is not name=duration (e.g. podsReady=90s)`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('bring up a cluster, install an implementation, run the conformance suites in order, write the reports, take the cluster down')
    .option('-c, --config <file>', 'options file (conformance.yaml); flags win over it')
    .option('--impl <name|file>', 'implementation: a descriptor in impls/ (reference, openkruise, openkruise-1.9, ...) or a descriptor file (default reference)')
    .option('--provider <name>', 'local (default), kind, or existing')
    .option('--name <name>', 'cluster name (default kc-run)')
    .option('--port <port>', 'local: kube-apiserver port')
    .option('--kubernetes-version <minor>', 'Kubernetes minor of the cluster (kind: any it has an image for; local: 1.34 default or 1.30, built on first use)')
    .option('--image <image>', 'kind: node image')
    .option('--kubeconfig <path>', 'existing: kubeconfig file')
    .option('--context <name>', 'existing: context')
    .option('--allow-existing-cluster', 'existing: opt in to a cluster the harness did not create')
    .option('--profile <profile...>', 'Core and/or Extended (default both)')
    .option('--supported-features <ids>', 'override the features the implementation claims (comma-separated)')
    .option('--exempt-features <ids>', 'features to skip, reported as skipped (comma-separated)')
    .option('--features <ids>', 'run only these features (comma-separated)')
    .option('--run <regex>', 'run only tests whose full name matches')
    .option('--skip <regex>', 'skip tests whose full name matches')
    .option('--fail-fast', 'stop after the first failing phase')
    .option('--fail-on-extended', 'a failed Extended test makes the exit code non-zero')
    .option('--parallelism <n>', 'suite files run at once (default 4)')
    .option('--repeat <n>', 'run the suites n times on one cluster and install (fresh namespaces each pass) and report each test\'s passes, failures and flakes; any failure in any pass fails the run')
    .option('--keep', 'keep the cluster after a successful run')
    .option('--keep-namespaces', 'keep test namespaces for debugging')
    .option('--report-dir <dir>', 'where reports go (default reports/<impl>-<timestamp>)')
    .option('--timeout <name=duration...>', 'override a named timeout, e.g. podsReady=90s')
    .option('--timeout-multiplier <x>', 'multiply every timeout (slow substrates)')
    .action(async (flags: RunFlags) => {
      const options = loadOptions(flags.config, {
        impl: flags.impl,
        provider: flags.provider,
        clusterName: flags.name,
        port: num(flags.port, '--port'),
        kubernetesVersion: flags.kubernetesVersion,
        image: flags.image,
        kubeconfig: flags.kubeconfig,
        context: flags.context,
        allowExistingCluster: flags.allowExistingCluster,
        profiles: flags.profile,
        supportedFeatures: list(flags.supportedFeatures),
        exemptFeatures: list(flags.exemptFeatures),
        onlyFeatures: list(flags.features),
        run: flags.run,
        skip: flags.skip,
        failFast: flags.failFast,
        failOnExtended: flags.failOnExtended,
        parallelism: num(flags.parallelism, '--parallelism'),
        repeat: num(flags.repeat, '--repeat'),
        keep: flags.keep,
        keepNamespaces: flags.keepNamespaces,
        reportDir: flags.reportDir,
        timeouts: flags.timeout ? parseTimeoutFlags(flags.timeout) : undefined,
        timeoutMultiplier: num(flags.timeoutMultiplier, '--timeout-multiplier'),
      });
      const result = await run(options);
      process.exitCode = result.exitCode;
    });
}

