/**
 * The exit code policy, read from the report alone: 0 only when every Core test of the claimed
 * features passed (not run or skipped is not passed). Extended failures count only when asked for;
 * an Extended test that did not run never fails the run.
 */
import type { ConformanceReport } from './model.ts';

export interface ExitPolicy {
  failOnExtended: boolean;
  /** The run chose a subset (--features, --run, --skip): tests left out by that choice are
   *  skipped, not failures, so Core passes when nothing failed or went unrun and something passed. */
  selection?: boolean;
}

export function exitCodeFor(report: ConformanceReport, policy: ExitPolicy): 0 | 1 {
  // `run --repeat N` exists to find flakes: a test that failed in any pass, Extended too, fails it.
  if (report.repeat && report.tests.some((t) => t.status === 'failed')) return 1;
  const core = report.profiles.find((p) => p.name === 'Core');
  if (core && policy.selection) {
    if (core.tests.failed > 0 || core.tests.notRun > 0 || core.tests.passed === 0) return 1;
  } else if (core && core.result !== 'success') return 1;
  const extended = report.profiles.find((p) => p.name === 'Extended');
  if (policy.failOnExtended && extended?.result === 'failure') return 1;
  return 0;
}
