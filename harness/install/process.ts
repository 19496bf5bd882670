/**
 * Runs an implementation as a process outside the cluster, as controller developers do: CRDs
 * applied, the manager started with the cluster's kubeconfig, ready once its readiness URL
 * answers. Its output goes to a log file that the run checks for crashes at the end.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ResultPromise, execa } from 'execa';
import { freePort } from '../util/ports.ts';
import { REPO_ROOT } from '../tools/cache.ts';
import { dirname } from 'node:path';
import { type ProcessInstallSpec, type Descriptor, repoPath } from '../run/descriptor.ts';
import { applyManifests } from './kubectl.ts';
import type { InstallContext, Installer } from './installer.ts';

export function expandPlaceholders(text: string, values: Record<string, string>): string {
  return text.replace(/\{([a-zA-Z]+(?::[a-zA-Z]+)?)\}/g, (whole, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`unknown placeholder ${whole} in the implementation descriptor (known: ${Object.keys(values).join(', ')})`);
    return v;
  });
}

export function featureGatesFlag(gates: Record<string, boolean>): string {
  return Object.entries(gates)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export async function waitReady(url: string, child: ResultPromise, timeoutMs: number, logFile: string, signal?: AbortSignal): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = 'no answer yet';
  let exited: string | undefined;
  child.then(
    (r) => (exited = `exited with code ${r.exitCode}`),
    (e: unknown) => (exited = `exited: ${(e as Error).message.split('\n')[0]}`),
  );
  while (performance.now() < deadline) {
    if (signal?.aborted) throw new Error('interrupted while waiting for the implementation to become ready');
    if (exited) throw new Error(`the implementation ${exited} before it became ready; last lines of ${logFile}:\n${tail(logFile, 15)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    // Readiness is an HTTP endpoint of another process: there is nothing to watch, so poll it.
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the implementation did not become ready within ${timeoutMs / 1000} s (${url}: ${last}); last lines of ${logFile}:\n${tail(logFile, 15)}`);
}

/** Lines of a captured log that contain any of the forbidden markers (none when there is no log). */
export function forbiddenLines(logFile: string | undefined, markers: readonly string[]): string[] {
  if (!logFile) return [];
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((l) => markers.some((m) => l.includes(m)));
}

/** Ask a child process to stop and wait for it; nothing to do when it already exited. */
export async function stopChild(child: ResultPromise | undefined): Promise<void> {
  if (!child || (child.exitCode !== undefined && child.exitCode !== null)) return;
  child.kill('SIGTERM');
  await child;
}

export function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export class ProcessInstaller implements Installer {
  private child: ResultPromise | undefined;
  logFile: string | undefined;
  metricsUrl: string | undefined;
  constructor(
    private readonly d: Descriptor,
    private readonly spec: ProcessInstallSpec,
    private readonly readyTimeoutMs = 60_000,
  ) {}

  async install(ctx: InstallContext): Promise<void> {
    await applyManifests(ctx.kubeconfig, this.spec.crds.map(repoPath), ctx.signal);
    const webhookHost = (await ctx.provider.hostAddress?.()) ?? '127.0.0.1';
    const values: Record<string, string> = { kubeconfig: ctx.kubeconfig, featureGates: featureGatesFlag(this.d.featureGates), workdir: ctx.workdir, webhookHost };
    for (const placeholder of JSON.stringify(this.spec).matchAll(/\{port:([a-zA-Z]+)\}/g)) {
      const key = `port:${placeholder[1]}`;
      values[key] ??= String(await freePort());
    }
    const argv = this.spec.command.map((a) => expandPlaceholders(a, values));
    const ready = expandPlaceholders(this.spec.ready, values);
    this.metricsUrl = this.spec.metrics ? expandPlaceholders(this.spec.metrics, values) : undefined;
    this.logFile = join(ctx.workdir, `${this.d.name}.log`);
    ctx.log(`starting ${this.d.name}: ${argv.join(' ')} (log: ${this.logFile})`);
    this.child = execa(argv[0]!, argv.slice(1), {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.spec.env, PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}:${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
      stdout: { file: this.logFile, append: true },
      stderr: { file: this.logFile, append: true },
      stdin: 'ignore',
      reject: false,
      cleanup: true,
      forceKillAfterDelay: 5000,
    });
    await waitReady(ready, this.child, this.readyTimeoutMs * (ctx.timeoutMultiplier ?? 1), this.logFile, ctx.signal);
  }

  async uninstall(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    await stopChild(child);
  }

  forbiddenLogLines(): string[] {
    return forbiddenLines(this.logFile, this.spec.forbiddenLog);
  }
}
