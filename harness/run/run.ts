/**
 * `kruise-conformance run`: provider up -> prerequisites -> install -> preflight -> suites in
 * order -> reports -> provider down -> exit code. Reports are written whatever happens, and the
 * cluster is taken down on failure and on Ctrl-C.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Capability, UpResult } from '../clusters/provider.ts';
import { InterruptedError } from '../clusters/provider.ts';
import { createProvider } from '../clusters/registry.ts';
import '../clusters/providers.ts';
import { type ClusterConfiguration, applyClusterConfiguration } from '../install/configuration.ts';
import { SUBSTRATE_NAMESPACES, captureClusterState } from './cluster-state.ts';
import { assertInstallableOn, installerFor } from '../install/index.ts';
import type { Installer } from '../install/installer.ts';
import { REPO_ROOT } from '../tools/cache.ts';
import { freePort } from '../util/ports.ts';
import { preDeleteCheckWillRun, resolvePreDeleteCheck } from '../hook-check/tools.ts';
import { loadDescriptor } from './descriptor.ts';
import type { Options } from './options.ts';
import type { FileTiming, PassOutcome } from '../report/repeat.ts';
import { discoverPhases, testNamePattern } from './phases.ts';
import { type ReportInputs, writeReports } from './report-step.ts';
import type { RunEnv } from './run-env.ts';
import { resolveTimeouts } from './timeouts.ts';
import { listPhase, runPhase } from './vitest-phase.ts';
import { readAdmissionLatency } from './admission-step.ts';
import type { AdmissionLatency } from '../report/admission-latency.ts';

export interface RunResult {
  exitCode: number;
  reportDir: string;
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');

export async function run(options: Options, log: (line: string) => void = (l) => console.error(l)): Promise<RunResult> {
  const descriptor = loadDescriptor(options.impl);
  assertInstallableOn(descriptor, options.provider);
  const reportDir = resolve(options.reportDir ?? join(REPO_ROOT, 'reports', `${descriptor.name}-${stamp()}`));
  mkdirSync(reportDir, { recursive: true });
  const timeouts = resolveTimeouts(options.timeouts, options.timeoutMultiplier);
  const runId = `run-${Date.now().toString(36)}`;
  const abort = new AbortController();
  const onSignal = (sig: string) => {
    if (abort.signal.aborted) return;
    log(`\n${sig}: stopping the run, removing the implementation and the cluster...`);
    abort.abort(new InterruptedError('the run was interrupted', 're-run when ready; the cluster and the implementation were removed'));
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);

  const phaseMs: Record<string, number> = {};
  const notRun: { what: string; reason: string }[] = [];
  const outcomes: PassOutcome[] = [];
  const fileTimes: FileTiming[] = [];
  const passMs: number[] = [];
  let completed = 0;
  const t0 = performance.now();
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const s = performance.now();
    try {
      return await fn();
    } finally {
      phaseMs[name] = Math.round(performance.now() - s);
    }
  };

  // The run's own local cluster must not collide with one the user brought up with `make cluster`.
  const port = options.port ?? (options.provider === 'local' ? await freePort() : undefined);
  const provider = createProvider({
    provider: options.provider,
    name: options.clusterName,
    log,
    port,
    image: options.image,
    kubernetesVersion: options.kubernetesVersion,
    kubeconfig: options.kubeconfig,
    context: options.context,
    allowExisting: options.allowExistingCluster,
  });
  let up: UpResult | undefined;
  let installer: Installer | undefined;
  let configuration: ClusterConfiguration | undefined;
  let failed = false;
  let fatal: Error | undefined;
  let forbidden: string[] = [];
  let admission: AdmissionLatency[] | undefined;
  try {
    log(`provider ${options.provider}: bringing up cluster ${options.clusterName}`);
    up = await timed('providerUp', () => provider.up(abort.signal));
    log(`cluster up: Kubernetes ${up.kubernetesVersion}, capabilities ${up.capabilities.join(', ') || 'none'}`);
    await timed('prerequisites', async () => checkPrerequisites(up!, log));

    // Suite CRDs and the descriptor's configuration exist before the implementation starts.
    configuration = await timed('configure', () => applyClusterConfiguration({ kubeconfig: up!.kubeconfig, descriptor, workdir: reportDir, log, signal: abort.signal }));
    installer = installerFor(descriptor);
    log(`installing ${descriptor.name} ${descriptor.version} (${descriptor.install.type})`);
    await timed('install', () => installer!.install({ kubeconfig: up!.kubeconfig, provider, workdir: reportDir, log, signal: abort.signal, timeoutMultiplier: options.timeoutMultiplier }));

    // The chart's pre-delete hook program, for Helm.PreDeleteCheck: its tools built now if it will run.
    const gateInput = { implementation: descriptor.name, claims: options.supportedFeatures ?? descriptor.claims, provider: options.provider, capabilities: up.capabilities, onlyFeatures: options.onlyFeatures, exemptFeatures: options.exemptFeatures };
    const preDeleteCheck = descriptor.preDeleteCheck
      ? await resolvePreDeleteCheck(descriptor.preDeleteCheck, { build: preDeleteCheckWillRun(gateInput), log, signal: abort.signal })
      : undefined;
    const env: RunEnv = {
      runId,
      kubeconfig: up.kubeconfig,
      implementation: {
        name: descriptor.name,
        version: descriptor.version,
        claims: options.supportedFeatures ?? descriptor.claims,
        featureGates: descriptor.featureGates,
        install: descriptor.install.type === 'helm' ? { type: 'helm', release: descriptor.install.release, namespace: descriptor.install.namespace } : { type: descriptor.install.type },
        ...(preDeleteCheck ? { preDeleteCheck } : {}),
      },
      provider: { name: options.provider, capabilities: up.capabilities },
      kubernetes: { version: up.kubernetesVersion, featureGates: up.featureGates },
      timeouts,
      keepNamespaces: options.keepNamespaces,
      onlyFeatures: options.onlyFeatures,
      exemptFeatures: options.exemptFeatures,
    };
    const runEnvFile = join(reportDir, 'run-env.json');

    // --repeat N: the phases N times on this cluster and install (each pass with its own run id and
    // fresh namespaces); the uninstall phase only once, after the last pass.
    const phases = discoverPhases();
    let stopReason: string | undefined;
    const skipped: typeof phases = [];
    for (let pass = 1; pass <= options.repeat && !stopReason; pass++) {
      const repeated = options.repeat > 1;
      writeFileSync(runEnvFile, `${JSON.stringify({ ...env, runId: repeated ? `${runId}-${pass}` : runId }, null, 2)}\n`);
      if (repeated) log(`\n=== pass ${pass} of ${options.repeat}`);
      const passStart = performance.now();
      for (const phase of phases.filter((p) => p.name !== 'uninstall' || pass === options.repeat)) {
        if (abort.signal.aborted) stopReason ??= 'the run was interrupted';
        if (stopReason) {
          skipped.push(phase);
          continue;
        }
        const phaseRun = { phase, runEnvFile, reportDir, parallelism: options.parallelism, namePattern: testNamePattern(options.run, options.skip), failFast: options.failFast, signal: abort.signal, ...(repeated && { pass }) };
        log(`\n== phase ${phase.name}: ${phase.files.length} file(s)${phase.serial ? ', one at a time' : ''}`);
        const result = await timed(`${repeated ? `pass${pass}:` : ''}phase:${phase.name}`, () => runPhase(phaseRun));
        outcomes.push(...result.outcomes.map((o) => ({ ...o, pass })));
        fileTimes.push(...result.files.map((f) => ({ ...f, pass })));
        const phaseFailed = result.exitCode !== 0 || result.outcomes.some((o) => o.status === 'failed');
        if (phaseFailed) failed = true;
        if (abort.signal.aborted) stopReason = 'the run was interrupted';
        else if (phaseFailed && phase.gate) stopReason = `phase ${phase.name} failed${repeated ? ` in pass ${pass}` : ''}`;
        else if (phaseFailed && options.failFast) stopReason = `fail-fast after a failure in phase ${phase.name}`;
        if (result.outcomes.length === 0 && result.exitCode !== 0) notRun.push({ what: `phase ${phase.name}${repeated ? ` (pass ${pass})` : ''}`, reason: `vitest exited with ${result.exitCode} and reported no results` });
      }
      passMs.push(Math.round(performance.now() - passStart));
      if (!stopReason) completed = pass;
      else if (pass < options.repeat) {
        if (!skipped.some((p) => p.name === 'uninstall')) skipped.push(...phases.filter((p) => p.name === 'uninstall'));
        notRun.push({ what: `passes ${pass + 1}-${options.repeat} of ${options.repeat}`, reason: stopReason });
      }
    }
    if (skipped.length > 0) {
      // One listing for every phase that will not run, so the report can name each test not run.
      const reason = stopReason ?? 'the run was interrupted';
      const all = { name: skipped[0]!.name, files: skipped.flatMap((p) => p.files), serial: false, gate: false };
      const pass = Math.max(1, passMs.length);
      outcomes.push(...(await listPhase({ phase: all, runEnvFile, reportDir, parallelism: 1, failFast: false }, reason)).map((o) => ({ ...o, pass })));
      for (const p of skipped) notRun.push({ what: `phase ${p.name} (${p.files.length} files)`, reason });
    }
  } catch (err) {
    failed = true;
    fatal = err as Error;
    const what = up ? (installer ? 'the run' : 'the install') : 'the cluster';
    notRun.push({ what: 'all suites', reason: `${what} failed: ${fatal.message.split('\n')[0]}` });
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    if (up && failed && !abort.signal.aborted) {
      const ns = 'namespace' in descriptor.install ? [descriptor.install.namespace] : descriptor.install.type === 'openkruise-in-cluster' ? ['kruise-system'] : [];
      await captureClusterState({ kubeconfig: up.kubeconfig, reportDir, logNamespaces: [...ns, ...SUBSTRATE_NAMESPACES], log, ...(provider.exportLogs ? { exportLogs: (d: string) => provider.exportLogs!(d) } : {}) }).catch((e: unknown) => log(`cluster state not captured: ${(e as Error).message}`));
    }
    if (installer) {
      admission = await readAdmissionLatency(installer, reportDir, log);
      await timed('uninstall', () => installer!.uninstall()).catch((e: unknown) => log(`uninstall failed: ${(e as Error).message}`));
      forbidden = installer.forbiddenLogLines();
    }
    await configuration?.remove();
  }

  const interrupted = abort.signal.aborted;
  const keep = options.keep && !failed && !interrupted;
  const keepFailed = failed && !interrupted && process.env.KRUISE_CONFORMANCE_KEEP_FAILED === '1';
  if (up && !keep && !keepFailed) await timed('providerDown', () => provider.down()).catch((e: unknown) => log(`cluster down failed: ${(e as Error).message}`));
  else if (up) log(`keeping cluster ${options.clusterName} (kruise-conformance cluster down --provider ${options.provider} --name ${options.clusterName} removes it)`);

  const inputs: ReportInputs = {
    descriptor,
    options,
    provider: { name: options.provider, capabilities: (up?.capabilities ?? []) as Capability[] },
    kubernetes: { version: up?.kubernetesVersion ?? 'unknown', featureGates: up?.featureGates ?? {} },
    outcomes,
    repeat: { passes: options.repeat, files: fileTimes, passMs, completed },
    notRun,
    phaseMs: { ...phaseMs, total: Math.round(performance.now() - t0) },
    forbiddenLogLines: forbidden,
    implementationLog: installer?.logFile,
    ...(admission ? { admissionLatency: admission } : {}),
  };
  const exitCode = await writeReports(reportDir, inputs, log);
  if (fatal) log(`\nrun failed: ${fatal.message}`);
  if (interrupted) return { exitCode: 130, reportDir };
  return { exitCode: fatal ? Math.max(exitCode, 1) : exitCode, reportDir };
}

/** What the suites rely on from the substrate, checked up front and reported, not assumed. */
function checkPrerequisites(up: UpResult, log: (line: string) => void): void {
  const lacking = (['InPlaceResize', 'VolumeExpansion', 'Zones', 'RealKubelet', 'Helm'] as const).filter((c) => !up.capabilities.includes(c));
  if (lacking.length > 0) log(`substrate lacks: ${lacking.join(', ')} (tests that need them are reported as not run)`);
  const gates = Object.entries(up.featureGates)
    .filter(([k]) => ['InPlacePodVerticalScaling'].includes(k))
    .map(([k, v]) => `${k}=${v}`);
  if (gates.length > 0) log(`Kubernetes feature gates seen: ${gates.join(', ')}`);
}
