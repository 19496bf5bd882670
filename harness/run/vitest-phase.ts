/**
 * One phase = one vitest process over the phase's files. Its progress streams to the terminal
 * (one line per test with state and time); results come back through vitest's JSON reporter and
 * Allure results land in the report directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from '../tools/cache.ts';
import { type RawOutcome, fileTimings, notRunFromList, outcomesFromVitestJson } from './outcomes.ts';
import type { FileTimingRow } from './timing-reporter.ts';
import type { Phase } from './phases.ts';
import { RUN_ENV_VAR } from './run-env.ts';

export interface PhaseRun {
  phase: Phase;
  runEnvFile: string;
  reportDir: string;
  parallelism: number;
  namePattern?: string;
  failFast: boolean;
  signal?: AbortSignal;
  /** `run --repeat`: the pass number, which names the phase's result files (vitest-features-2.json). */
  pass?: number;
}

export interface PhaseResult {
  outcomes: RawOutcome[];
  exitCode: number;
  durationMs: number;
  /** Each suite file's wall time as vitest measured it, by path relative to the repo root. */
  files: { file: string; durationMs: number }[];
}

const vitestBin = () => join(REPO_ROOT, 'node_modules', '.bin', 'vitest');

function env(run: PhaseRun, extra: Record<string, string>): Record<string, string> {
  return {
    [RUN_ENV_VAR]: run.runEnvFile,
    KRUISE_CONFORMANCE_PARALLELISM: String(run.phase.serial ? 1 : run.parallelism),
    FORCE_COLOR: process.stdout.isTTY ? '1' : '0',
    ...extra,
  };
}

export async function runPhase(run: PhaseRun): Promise<PhaseResult> {
  const base = `vitest-${run.phase.name}${run.pass ? `-${run.pass}` : ''}`;
  const json = join(run.reportDir, `${base}.json`);
  const timings = join(run.reportDir, `${base}-timings.json`);
  const args = ['run', '--project', 'conformance', ...run.phase.files];
  if (run.phase.serial) args.push('--no-file-parallelism');
  if (run.namePattern) args.push('-t', run.namePattern);
  if (run.failFast) args.push('--bail', '1');
  const t0 = performance.now();
  const r = await execa(vitestBin(), args, {
    cwd: REPO_ROOT,
    env: env(run, {
      KRUISE_CONFORMANCE_VITEST_JSON: json,
      KRUISE_CONFORMANCE_VITEST_TIMINGS: timings,
      KRUISE_CONFORMANCE_ALLURE_RESULTS: join(run.reportDir, 'allure-results'),
      KRUISE_CONFORMANCE_PROGRESS: 'verbose',
    }),
    stdio: ['ignore', 'inherit', 'inherit'],
    reject: false,
    cancelSignal: run.signal,
    forceKillAfterDelay: 5000,
  });
  const durationMs = performance.now() - t0;
  const files = existsSync(timings) ? fileTimings(JSON.parse(readFileSync(timings, 'utf8')) as FileTimingRow[]) : [];
  if (!existsSync(json)) {
    return { outcomes: [], exitCode: r.exitCode ?? 1, durationMs, files };
  }
  return { outcomes: outcomesFromVitestJson(JSON.parse(readFileSync(json, 'utf8'))), exitCode: r.exitCode ?? 1, durationMs, files };
}

/** The tests of a phase that will not run, by name, so the report can list them as not run. */
export async function listPhase(run: PhaseRun, reason: string): Promise<RawOutcome[]> {
  const json = join(run.reportDir, `vitest-${run.phase.name}-list.json`);
  const r = await execa(vitestBin(), ['list', '--project', 'conformance', `--json=${json}`, ...run.phase.files], {
    cwd: REPO_ROOT,
    env: env(run, {}),
    reject: false,
  });
  if (r.exitCode !== 0 || !existsSync(json)) return [];
  return notRunFromList(JSON.parse(readFileSync(json, 'utf8')) as { name: string; file: string }[], reason);
}
