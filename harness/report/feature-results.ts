/**
 * A verdict per feature from the verdicts of the tests that name it. A feature passes only when it
 * has tests and every one passed; the worst outcome among its tests decides otherwise.
 */
import type { Feature } from '../features.ts';
import type { FeatureResult, FeatureStatus, TestResult } from './model.ts';

/** Worst first: one failed test fails the feature, then not-run, skipped, not-supported. */
const PRECEDENCE: readonly FeatureStatus[] = ['failed', 'not-run', 'skipped', 'not-supported', 'passed'];

export function isClaimed(f: Feature, claims: 'all' | readonly string[]): boolean {
  return f.mandatory === true || claims === 'all' || claims.includes(f.id);
}

export function countTests(tests: readonly TestResult[]): FeatureResult['tests'] {
  const c = { passed: 0, failed: 0, skipped: 0, notRun: 0 };
  for (const t of tests) {
    if (t.status === 'passed') c.passed++;
    else if (t.status === 'failed') c.failed++;
    else if (t.status === 'skipped') c.skipped++;
    // not-supported tests did not run either; the feature's status says why.
    else c.notRun++;
  }
  return c;
}

function reasonFor(status: FeatureStatus, tests: readonly TestResult[]): string | undefined {
  if (status === 'passed') return undefined;
  const worst = tests.filter((t) => t.status === status);
  if (status === 'failed') {
    const first = worst[0]!;
    return `${worst.length} of ${tests.length} tests failed, first: ${first.id}`;
  }
  const reasons = [...new Set(worst.map((t) => t.reason ?? 'no reason given'))];
  return reasons.join('; ');
}

/**
 * `gate` is what the run's gate says of the feature alone (harness/run/gating.ts): when no test of
 * it ran, it explains why (a missing capability, an exemption) instead of a bare "no test ran".
 */
export function featureResult(
  f: Feature,
  tests: readonly TestResult[],
  implementation: string,
  claims: 'all' | readonly string[],
  gate?: { status: FeatureStatus; reason: string },
): FeatureResult {
  const mine = tests.filter((t) => t.features.includes(f.id));
  const base = {
    id: f.id,
    profile: f.profile,
    title: f.title,
    since: f.since,
    tests: countTests(mine),
    durationMs: mine.reduce((s, t) => s + t.durationMs, 0),
  };
  if (!isClaimed(f, claims)) return { ...base, status: 'not-supported', reason: `${implementation} does not claim ${f.id}` };
  if (mine.length === 0) {
    if (gate && gate.status !== 'not-supported') return { ...base, status: gate.status, reason: `no test ran: ${gate.reason}` };
    return { ...base, status: 'not-run', reason: 'no test ran' };
  }
  const status = PRECEDENCE.find((s) => mine.some((t) => t.status === s))!;
  const reason = reasonFor(status, mine);
  return reason === undefined ? { ...base, status } : { ...base, status, reason };
}
