#!/usr/bin/env -S npx tsx
// kruise-ref: the reference implementation's manager process.
//   kruise-ref manager --kubeconfig PATH [--context NAME] --feature-gates A=true,B=false
//     --webhook-host 127.0.0.1 --webhook-port N --metrics-port N --health-port N [--leader-elect]
//   kruise-ref helm-hook [--kubeconfig PATH] [--context NAME] [--all-kinds]
// Exit codes (manager): 0 after a graceful stop (SIGINT/SIGTERM), 1 when leadership is lost or start
// fails, 2 for bad flags, 70 for an unhandled error (logged as level "fatal").
// Exit codes (helm-hook): 0 no blocking object, 1 blocking objects exist, 2 bad flags, 3 the check
// could not be made (API unreachable, forbidden); any non-zero code refuses the uninstall.
import { hostname } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { KubeConfig } from '@kubernetes/client-node';
import { namedControllers } from '../controllers/index.ts';
import { createLogger, FeatureGateError, FeatureGates, installFatalHandlers, isLogLevel, Manager, type Logger, type LogLevel } from '../runtime/index.ts';
import { describeResult, kubeHookApi, runHookCheck } from './helm-hook.ts';
import { podProbeMarkerAdmission, portAccepts, sidecarSetAdmission, startWebhooks, type WebhookHandle } from './webhooks.ts';
import { loadWhitelist, workloadSpreadDeps } from './workloadspread.ts';

export interface ManagerFlags {
  kubeconfig?: string;
  context?: string;
  featureGates: string;
  webhooks: boolean;
  webhookHost: string;
  webhookPort: number;
  webhookServiceName?: string;
  webhookServiceNamespace?: string;
  webhookCertSecret?: string;
  webhookConfigurations: 'manage' | 'patch-ca';
  metricsHost: string;
  metricsPort: number;
  healthHost: string;
  healthPort: number;
  leaderElect: boolean;
  leaderElectionNamespace: string;
  leaderElectionId: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
  concurrency: number;
  /** Comma-separated short names (see impl/controllers/index.ts), or '*' for all. */
  controllers: string;
  logLevel: LogLevel;
  /** Namespace of ConfigMap kruise-configuration (the WorkloadSpread custom-workload whitelist). */
  kruiseNamespace: string;
}

/** selectControllers resolves --controllers; an unknown name is an error that lists the known ones. */
export function selectControllers(spec: string): typeof namedControllers {
  const wanted = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (wanted.length === 0 || wanted.includes('*')) return namedControllers;
  const known = namedControllers.map((c) => c.name);
  const unknown = wanted.filter((w) => !known.includes(w));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown controller(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  return namedControllers.filter((c) => wanted.includes(c.name));
}

function int(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got "${v}"`);
    return n;
  };
}

export function loadKubeConfig(flags: Pick<ManagerFlags, 'kubeconfig' | 'context'>): KubeConfig {
  const kc = new KubeConfig();
  if (flags.kubeconfig) kc.loadFromFile(flags.kubeconfig);
  else kc.loadFromDefault();
  if (flags.context) {
    if (!kc.getContextObject(flags.context)) throw new Error(`context "${flags.context}" not found in the kubeconfig`);
    kc.setCurrentContext(flags.context);
  }
  if (!kc.getCurrentCluster()) throw new Error('no cluster in the kubeconfig (pass --kubeconfig, or run in a pod)');
  return kc;
}

/** runManager builds and runs the manager until a signal or a lost lease; returns the exit code. */
export async function runManager(flags: ManagerFlags, logger: Logger): Promise<number> {
  const log = logger.child('setup');
  const gates = FeatureGates.parse(flags.featureGates);
  const kc = loadKubeConfig(flags);
  log.info('starting kruise-ref manager', { featureGates: gates.toString(), server: kc.getCurrentCluster()?.server, leaderElect: flags.leaderElect });

  const mgr = new Manager({
    kubeConfig: kc,
    gates,
    logger,
    concurrency: flags.concurrency,
    metrics: { host: flags.metricsHost, port: flags.metricsPort },
    health: { host: flags.healthHost, port: flags.healthPort },
    leaderElection: flags.leaderElect
      ? {
          namespace: flags.leaderElectionNamespace,
          name: flags.leaderElectionId,
          identity: `${hostname()}_${process.pid}`,
          leaseDurationMs: flags.leaseDurationSeconds * 1000,
          renewDeadlineMs: flags.renewDeadlineSeconds * 1000,
          retryPeriodMs: flags.retryPeriodSeconds * 1000,
        }
      : false,
  });
  const whitelist = await loadWhitelist(mgr.core, mgr.kc, flags.kruiseNamespace, log);
  for (const c of selectControllers(flags.controllers)) mgr.add(c.factory);

  let webhooks: WebhookHandle | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      log.warn('second signal, exiting immediately', { signal });
      process.exit(130);
    }
    stopping = true;
    log.info('signal received, shutting down', { signal });
    await mgr.stop();
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  try {
    if (flags.webhooks) {
      // Webhooks serve on every replica (leader or not), as in kruise: admission must not depend on the lease.
      webhooks = await startWebhooks({
        host: flags.webhookHost,
        port: flags.webhookPort,
        kc,
        gates,
        logger: logger.child('webhook'),
        observe: mgr.metrics.admissionObserver(),
        workloadSpread: workloadSpreadDeps(kc, (p) => mgr.informer(p), whitelist, logger.child('webhook')),
        sidecarSets: sidecarSetAdmission(mgr),
        podProbeMarkers: podProbeMarkerAdmission(mgr),
        ...(flags.webhookServiceName ? { service: { name: flags.webhookServiceName, namespace: flags.webhookServiceNamespace ?? flags.leaderElectionNamespace } } : {}),
        ...(flags.webhookCertSecret ? { certificateSecret: { name: flags.webhookCertSecret, namespace: flags.webhookServiceNamespace ?? flags.leaderElectionNamespace } } : {}),
        configurations: flags.webhookConfigurations,
      });
      const port = webhooks.port;
      mgr.addReadyCheck('webhook', () => portAccepts(flags.webhookHost === '0.0.0.0' || flags.webhookHost === '::' ? '127.0.0.1' : flags.webhookHost, port));
      log.info('webhook server started', { host: flags.webhookHost, port });
    }
    await mgr.start();
  } catch (err) {
    log.error('manager failed to start', { err });
    await mgr.stop();
    await webhooks?.close();
    return 1;
  }
  const reason = await mgr.done;
  await webhooks?.close();
  if (reason.leaderLost) {
    log.error('leader election lost, exiting');
    return 1;
  }
  return reason.error ? 1 : 0;
}

export interface HelmHookFlags {
  kubeconfig?: string;
  context?: string;
  allKinds: boolean;
}

/** runHelmHook makes the pre-delete check and prints its verdict; returns the exit code. */
export async function runHelmHook(flags: HelmHookFlags, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  try {
    const kc = loadKubeConfig(flags);
    const result = await runHookCheck(kubeHookApi(kc), { allKinds: flags.allKinds });
    const { code, lines } = describeResult(result, { allKinds: flags.allKinds });
    for (const l of lines) (code === 0 ? out : err)(l);
    return code;
  } catch (e) {
    err(`the pre-delete check could not be made, so the uninstall is refused: ${(e as Error).message}`);
    return 3;
  }
}

export function buildProgram(logger: () => Logger, exit: (code: number) => void): Command {
  const program = new Command('kruise-ref').description('Reference implementation of the OpenKruise apps.kruise.io controllers').exitOverride();
  program
    .command('helm-hook')
    .description('Pre-delete check of the Helm chart: exit 1, naming each kind, while CloneSets, Advanced StatefulSets or Advanced DaemonSets exist')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, then the in-cluster config)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('--all-kinds', 'check every apps.kruise.io kind the apiserver serves, not only the three OpenKruise checks', false)
    .action(async (opts: HelmHookFlags) => {
      exit(
        await runHelmHook(
          opts,
          (l) => process.stdout.write(`${l}\n`),
          (l) => process.stderr.write(`${l}\n`),
        ),
      );
    });
  program
    .command('manager')
    .description('Run the controller manager (controllers, webhooks, metrics, health)')
    .option('--kubeconfig <path>', 'kubeconfig file (default: in-cluster config or $KUBECONFIG)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('--feature-gates <gates>', 'comma-separated Name=true|false pairs (OpenKruise 1.8 gates, AllAlpha, AllBeta)', '')
    .option('--no-webhooks', 'do not serve admission webhooks')
    .option('--webhook-host <host>', 'address the webhook server binds and advertises', '127.0.0.1')
    .option('--webhook-port <port>', 'webhook server port', int('--webhook-port', 0), 9876)
    .option('--webhook-service-name <name>', 'in cluster: register webhooks against this Service instead of a URL')
    .option('--webhook-service-namespace <ns>', 'namespace of --webhook-service-name (default: --leader-election-namespace)')
    .option('--webhook-cert-secret <name>', 'in cluster: share the CA and serving certificate through this Secret (namespace as --webhook-service-namespace), filled by the first replica')
    .addOption(
      new Option('--webhook-configurations <mode>', 'manage: create/replace the webhook configurations; patch-ca: they are installed (chart), only write caBundle')
        .choices(['manage', 'patch-ca'])
        .default('manage'),
    )
    .option('--metrics-host <host>', 'metrics bind address', '0.0.0.0')
    .option('--metrics-port <port>', 'Prometheus /metrics port', int('--metrics-port', 0), 8080)
    .option('--health-host <host>', 'health probe bind address', '0.0.0.0')
    .option('--health-port <port>', '/healthz and /readyz port', int('--health-port', 0), 8000)
    .option('--leader-elect', 'elect a leader through a coordination.k8s.io Lease before running controllers', false)
    .option('--leader-election-namespace <ns>', 'namespace of the Lease', process.env.POD_NAMESPACE ?? 'kruise-system')
    .option('--leader-election-id <name>', 'name of the Lease', 'kruise-ref-manager')
    .option('--lease-duration-seconds <n>', 'Lease duration', int('--lease-duration-seconds', 1), 15)
    .option('--renew-deadline-seconds <n>', 'how long the leader retries renewing before giving up', int('--renew-deadline-seconds', 1), 10)
    .option('--retry-period-seconds <n>', 'interval between Lease attempts', int('--retry-period-seconds', 1), 2)
    .option('--concurrency <n>', 'workers per controller', int('--concurrency', 1), 3)
    .option('--kruise-namespace <ns>', 'namespace of ConfigMap kruise-configuration (WorkloadSpread custom-workload whitelist), read at startup; in cluster the pod\'s own (POD_NAMESPACE)', process.env.POD_NAMESPACE || 'kruise-system')
    .option(
      '--controllers <names>',
      `controllers to run, comma-separated (${namedControllers.map((c) => c.name).join(', ')}) or * for all`,
      (v: string) => (selectControllers(v), v),
      '*',
    )
    .addOption(
      new Option('--log-level <level>', 'lowest log level written').choices(['debug', 'info', 'warn', 'error']).default(process.env.KRUISE_REF_LOG_LEVEL ?? 'info'),
    )
    .action(async (opts: Omit<ManagerFlags, 'logLevel'> & { logLevel: string }) => {
      const level = isLogLevel(opts.logLevel) ? opts.logLevel : 'info';
      process.env.KRUISE_REF_LOG_LEVEL = level;
      const log = logger();
      installFatalHandlers(log);
      try {
        exit(await runManager({ ...opts, logLevel: level }, log));
      } catch (err) {
        if (err instanceof FeatureGateError) {
          log.error(`invalid --feature-gates: ${err.message}`);
          exit(2);
          return;
        }
        log.error('manager failed', { err });
        exit(1);
      }
    });
  return program;
}

async function main(): Promise<void> {
  const program = buildProgram(
    () => createLogger({ name: 'kruise-ref' }),
    (code) => process.exit(code),
  );
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    // commander already printed usage errors; --help / --version exit 0.
    const code = (err as { exitCode?: number }).exitCode;
    process.exit(code === 0 ? 0 : 2);
  }
}

if (import.meta.url === new URL(`file://${process.argv[1]}`).href || process.argv[1]?.endsWith('kruise-ref.ts')) {
  void main();
}
