/**
 * One raw outcome (what vitest saw) to one TestResult (what the report says): the implementation's
 * claims and the substrate's capabilities decide before vitest's outcome does, through the same
 * gate the suites use at collection time, so the report and the suites never disagree.
 */
import type { Capability } from '../clusters/provider.ts';
import type { Feature } from '../features.ts';
import { gateTest } from '../run/gating.ts';
import type { TestResult, TestStatus } from './model.ts';

/** A test as the runner saw it; `RawOutcome` from harness/run/outcomes.ts fits this shape. */
export interface TestOutcome {
  /** Suite file relative to the repo root. */
  file: string;
  ancestors: readonly string[];
  name: string;
  features: readonly string[];
  status: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  failure?: string;
  /** The note given to `ctx.skip(note)`, when vitest passed one on. */
  skipReason?: string;
  /** The harness, not vitest, decided the test did not run (a phase was stopped). */
  notRunReason?: string;
}

/** Everything about the run that decides a test's status besides its own outcome. */
export interface GateContext {
  implementation: string;
  claims: 'all' | readonly string[];
  provider: string;
  capabilities: readonly Capability[];
  onlyFeatures: readonly string[];
  exemptFeatures: readonly string[];
  registry: ReadonlyMap<string, Feature>;
}

/**
 * Gated describes carry their verdict in the title ("[A.B] title (not-run: reason)", see
 * suites/lib/conformance.ts). The suffix is cut so test ids stay the same whether or not a test ran.
 */
const GATE_SUFFIX = / \((not-supported|not-run|skipped): (.+)\)$/;

export function splitGateSuffix(title: string): { title: string; gate?: { status: TestStatus; reason: string } } {
  const m = GATE_SUFFIX.exec(title);
  if (!m) return { title };
  return { title: title.slice(0, m.index), gate: { status: m[1] as TestStatus, reason: m[2]! } };
}

/** `<file relative to suites/> > <describe titles> > <title>`. */
export function testId(file: string, ancestors: readonly string[], name: string): string {
  const rel = file.replace(/\\/g, '/').replace(/^suites\//, '');
  return [rel, ...ancestors, name].join(' > ');
}

export function testResult(o: TestOutcome, ctx: GateContext): TestResult {
  const split = o.ancestors.map(splitGateSuffix);
  const ancestors = split.map((s) => s.title);
  const titleGate = split.find((s) => s.gate)?.gate;
  const known = o.features.map((id) => ctx.registry.get(id)).filter((f): f is Feature => f !== undefined);
  const base = { id: testId(o.file, ancestors, o.name), file: o.file, name: o.name, ancestors, features: [...o.features], durationMs: o.durationMs };

  const gate = gateTest(known, ctx);
  // Declared (unclaimed) and substrate (missing capability) verdicts outrank vitest's outcome.
  if (gate && gate.status !== 'skipped') return { ...base, status: gate.status, reason: gate.reason };
  if (o.notRunReason) return { ...base, status: 'not-run', reason: o.notRunReason };
  if (o.status === 'passed') return { ...base, status: 'passed' };
  if (o.status === 'failed') return { ...base, status: 'failed', failure: o.failure?.trim() || 'failed without a message' };
  if (gate) return { ...base, status: gate.status, reason: gate.reason };
  if (titleGate) return { ...base, status: titleGate.status, reason: titleGate.reason };
  return { ...base, status: 'skipped', reason: o.skipReason?.trim() || 'skipped by the test itself, without a reason' };
}
