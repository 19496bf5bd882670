/**
 * Per-profile and overall verdicts. A profile succeeds when every test of the features the
 * implementation claims in it passed (and each claimed feature has a test); one failure fails it;
 * anything else (not run, skipped) makes it partial. Unclaimed features do not count against it.
 */
import type { ConformanceReport, FeatureResult, Profile, ProfileReport, ProfileResult, TestResult } from './model.ts';

/** The profiles a test belongs to: those of its registered features. A test that names none
 *  (a suite file that failed to load) counts for the first requested profile, so it is not lost. */
export function testProfiles(t: TestResult, profileOf: ReadonlyMap<string, Profile>, requested: readonly Profile[]): Profile[] {
  const own = [...new Set(t.features.map((id) => profileOf.get(id)).filter((p): p is Profile => p !== undefined))];
  if (own.length > 0) return own;
  return requested.includes('Core') ? ['Core'] : requested.slice(0, 1);
}

function tally(tests: readonly TestResult[]): ProfileReport['tests'] {
  const c = { passed: 0, failed: 0, skipped: 0, notRun: 0, notSupported: 0 };
  for (const t of tests) {
    if (t.status === 'passed') c.passed++;
    else if (t.status === 'failed') c.failed++;
    else if (t.status === 'skipped') c.skipped++;
    else if (t.status === 'not-run') c.notRun++;
    else c.notSupported++;
  }
  return c;
}

function byOutcome(features: readonly FeatureResult[]): ProfileReport['features'] {
  const ids = (s: FeatureResult['status']) => features.filter((f) => f.status === s).map((f) => f.id);
  return { passed: ids('passed'), failed: ids('failed'), skipped: ids('skipped'), notRun: ids('not-run'), notSupported: ids('not-supported') };
}

export function profileResult(tests: readonly TestResult[], claimedFeatures: readonly FeatureResult[]): ProfileResult {
  if (tests.some((t) => t.status === 'failed') || claimedFeatures.some((f) => f.status === 'failed')) return 'failure';
  const testsPassed = tests.every((t) => t.status === 'passed' || t.status === 'not-supported');
  const featuresPassed = claimedFeatures.every((f) => f.status === 'passed');
  return testsPassed && featuresPassed ? 'success' : 'partial';
}

function summarize(name: Profile, result: ProfileResult, c: ProfileReport['tests'], features: ProfileReport['features']): string {
  const claimedTests = c.passed + c.failed + c.skipped + c.notRun;
  const claimedFeatures = features.passed.length + features.failed.length + features.skipped.length + features.notRun.length;
  const verdict = { success: 'succeeded', partial: 'partially succeeded', failure: 'failed' }[result];
  const parts = [`${c.passed} of ${claimedTests} tests passed`];
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.skipped) parts.push(`${c.skipped} skipped`);
  if (c.notRun) parts.push(`${c.notRun} not run`);
  const unsupported = features.notSupported.length ? `; ${features.notSupported.length} not supported` : '';
  return `${name} ${verdict}: ${parts.join(', ')}; ${features.passed.length} of ${claimedFeatures} claimed features passed${unsupported}.`;
}

export function profileReport(
  name: Profile,
  tests: readonly TestResult[],
  features: readonly FeatureResult[],
  profileOf: ReadonlyMap<string, Profile>,
  requested: readonly Profile[],
): ProfileReport {
  const mine = tests.filter((t) => testProfiles(t, profileOf, requested).includes(name));
  const feats = features.filter((f) => f.profile === name);
  const claimed = feats.filter((f) => f.status !== 'not-supported');
  const result = profileResult(mine, claimed);
  const counts = tally(mine);
  const grouped = byOutcome(feats);
  return { name, result, summary: summarize(name, result, counts, grouped), tests: counts, features: grouped };
}

/**
 * Core decides: anything short of a Core success fails a full run; then any gap makes it partial.
 * A run that chose a subset cannot certify Core: it is partial when what it ran of Core passed
 * (the same rule as its exit code), a failure otherwise.
 */
export function overallResult(profiles: readonly ProfileReport[], notRun: ConformanceReport['notRun'], selection = false): ProfileResult {
  const core = profiles.find((p) => p.name === 'Core');
  if (core && selection && core.result !== 'success') {
    const ranClean = core.tests.failed === 0 && core.tests.notRun === 0 && core.tests.passed > 0;
    return ranClean ? 'partial' : 'failure';
  }
  if (core && core.result !== 'success') return 'failure';
  if (profiles.some((p) => p.result !== 'success') || notRun.length > 0) return 'partial';
  return 'success';
}
