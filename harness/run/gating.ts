/**
 * Whether a test may run, decided once from its features and the run: the suites use it to skip
 * at collection time, the report uses it to say why. One function, so the two never disagree.
 */
import type { Capability } from '../clusters/provider.ts';
import type { Feature } from '../features.ts';
import type { TestStatus } from '../report/model.ts';

export interface GateInput {
  implementation: string;
  claims: 'all' | readonly string[];
  provider: string;
  capabilities: readonly Capability[];
  onlyFeatures: readonly string[];
  exemptFeatures: readonly string[];
}

export interface Gate {
  status: Extract<TestStatus, 'not-supported' | 'not-run' | 'skipped'>;
  reason: string;
}

/** undefined = the test runs; otherwise what to report instead. */
export function gateTest(features: readonly Feature[], run: GateInput): Gate | undefined {
  for (const f of features) {
    const claimed = f.mandatory || run.claims === 'all' || run.claims.includes(f.id);
    if (!claimed) return { status: 'not-supported', reason: `${run.implementation} does not claim ${f.id}` };
  }
  for (const f of features) {
    const missing = f.needs.filter((c) => !run.capabilities.includes(c));
    if (missing.length > 0) return { status: 'not-run', reason: `${f.id} needs ${missing.join(', ')}, which provider ${run.provider} does not have` };
  }
  for (const f of features) {
    if (run.exemptFeatures.includes(f.id)) return { status: 'skipped', reason: `${f.id} exempted by the run configuration` };
  }
  if (run.onlyFeatures.length > 0 && !features.some((f) => f.mandatory || run.onlyFeatures.includes(f.id))) {
    return { status: 'skipped', reason: `not selected (features: ${run.onlyFeatures.join(', ')})` };
  }
  return undefined;
}

/** Feature ids are written at the head of describe titles as "[A.B, C.D] title". */
export const FEATURE_TAG = /^\[([A-Za-z]+\.[A-Za-z][A-Za-z0-9]*(?:, *[A-Za-z]+\.[A-Za-z][A-Za-z0-9]*)*)\] /;

export function featureTitle(ids: readonly string[], title: string): string {
  return `[${ids.join(', ')}] ${title}`;
}

export function featuresOfTitles(titles: readonly string[]): string[] {
  for (const t of titles) {
    const m = FEATURE_TAG.exec(t);
    if (m) return m[1]!.split(',').map((s) => s.trim());
  }
  return [];
}
