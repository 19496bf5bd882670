/**
 * A vitest reporter that writes each suite file's wall time as vitest measured it (environment
 * set-up, runner preparation, setup files, import and collection, then every test and hook) to the
 * JSON file named by KRUISE_CONFORMANCE_VITEST_TIMINGS. The JSON reporter's per-file start and end
 * only span the tests, not the beforeAll/afterAll hooks where namespaces are made and removed.
 */
import { writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

export interface FileTimingRow {
  /** Absolute path of the suite file. */
  file: string;
  durationMs: number;
  /** The parts: collectMs = import and suite callbacks, testsMs = tests and hooks. */
  collectMs: number;
  setupMs: number;
  testsMs: number;
}

export function timingRow(m: Pick<TestModule, 'moduleId' | 'diagnostic'>): FileTimingRow {
  const d = m.diagnostic();
  const setupMs = d.environmentSetupDuration + d.prepareDuration + d.setupDuration;
  return { file: m.moduleId, durationMs: Math.round(setupMs + d.collectDuration + d.duration), collectMs: Math.round(d.collectDuration), setupMs: Math.round(setupMs), testsMs: Math.round(d.duration) };
}

export default class TimingReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const out = process.env.KRUISE_CONFORMANCE_VITEST_TIMINGS;
    if (!out) return;
    writeFileSync(out, `${JSON.stringify(testModules.map(timingRow), null, 2)}\n`);
  }
}
