/**
 * `run --repeat N`: the outcomes of N suite passes on one cluster folded into the outcomes one
 * report is built from, plus the per-test record of the passes (RepeatReport). Pure: the passes'
 * outcomes and timings in, the merged outcomes, per-file times and the repeat record out.
 *
 * Merging a test over the passes: failed when it failed in any pass (its failure text says in how
 * many and which, then the first failure), else passed when it passed in any, else the first
 * pass's outcome (skipped or not run). Its duration is the mean over the passes it ran in.
 */
import type { RepeatReport, RepeatTestResult } from './model.ts';
import { type TestOutcome, splitGateSuffix, testId } from './test-results.ts';

/** A test outcome from pass `pass` (1-based). */
export interface PassOutcome extends TestOutcome {
  pass: number;
}

/** A suite file's wall time in one pass, as vitest measured it. */
export interface FileTiming {
  pass: number;
  file: string;
  durationMs: number;
}

export interface RepeatInput {
  /** Passes asked for. */
  passes: number;
  outcomes: readonly PassOutcome[];
  files?: readonly FileTiming[];
  /** Wall time of each pass that ran, in order. */
  passMs?: readonly number[];
  /** Passes that ran to their end (default: as many as passMs has). */
  completed?: number;
}

export interface RepeatOutput {
  outcomes: TestOutcome[];
  /** Mean wall time per suite file over the passes it ran in. */
  fileMs: Record<string, number>;
  /** Only when more than one pass was asked for. */
  repeat?: RepeatReport;
}

const ran = (o: TestOutcome) => !o.notRunReason && (o.status === 'passed' || o.status === 'failed');
const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : Math.round(xs.reduce((a, b) => a + b, 0) / xs.length));

/** The id a test has in the report, whatever gate suffix its describe titles carried in a pass. */
export function outcomeId(o: TestOutcome): string {
  return testId(o.file, o.ancestors.map((a) => splitGateSuffix(a).title), o.name);
}

/**
 * What makes two failure texts "the same failure": the first non-empty line with numbers and
 * generated name suffixes (`cs-7x2kq`, `kc-cloneset-abcde`) taken out, colours stripped.
 */
export function failureKey(text: string): string {
  // eslint-disable-next-line no-control-regex
  const first = text.replace(/\u001b\[[0-9;]*m/g, '').split('\n').find((l) => l.trim()) ?? '';
  return first
    .trim()
    .replace(/-[a-z0-9]{5}\b/g, '-*')
    .replace(/\d+(\.\d+)?/g, 'N');
}

function merge(list: readonly PassOutcome[], passes: number): TestOutcome {
  const { pass: _pass, ...first } = list[0]!;
  const ranIn = list.filter(ran);
  const durationMs = ranIn.length ? mean(ranIn.map((o) => o.durationMs)) : first.durationMs;
  const failed = list.filter((o) => !o.notRunReason && o.status === 'failed');
  if (failed.length > 0) {
    const { pass: _p, ...f } = failed[0]!;
    const text = f.failure ?? 'failed without a message';
    const failure = passes > 1 ? `failed in ${failed.length} of ${ranIn.length} passes (pass ${failed.map((o) => o.pass).join(', ')}); first failure (pass ${failed[0]!.pass}):\n${text}` : text;
    return { ...f, durationMs, failure };
  }
  const passed = list.find((o) => !o.notRunReason && o.status === 'passed');
  if (passed) {
    const { pass: _p, ...p } = passed;
    return { ...p, durationMs };
  }
  return first;
}

function record(id: string, list: readonly PassOutcome[]): RepeatTestResult | undefined {
  const ranIn = list.filter(ran);
  if (ranIn.length === 0) return undefined;
  const failedIn = ranIn.filter((o) => o.status === 'failed');
  const passed = ranIn.length - failedIn.length;
  const ms = ranIn.map((o) => o.durationMs);
  const groups = new Map<string, { message: string; passes: number[] }>();
  for (const o of failedIn) {
    const text = (o.failure ?? 'failed without a message').trim();
    const k = failureKey(text);
    const g = groups.get(k);
    if (g) g.passes.push(o.pass);
    else groups.set(k, { message: text, passes: [o.pass] });
  }
  return {
    id,
    runs: ranIn.length,
    passed,
    failed: failedIn.length,
    failureRate: Math.round((failedIn.length / ranIn.length) * 1000) / 1000,
    flaky: passed > 0 && failedIn.length > 0,
    durationMs: { min: Math.min(...ms), mean: mean(ms), max: Math.max(...ms) },
    ...(groups.size > 0 && { failures: [...groups.values()] }),
  };
}

export function aggregatePasses(input: RepeatInput): RepeatOutput {
  const byId = new Map<string, PassOutcome[]>();
  for (const o of input.outcomes) {
    const id = outcomeId(o);
    const list = byId.get(id);
    if (list) list.push(o);
    else byId.set(id, [o]);
  }
  for (const list of byId.values()) list.sort((a, b) => a.pass - b.pass);

  const outcomes = [...byId.values()].map((list) => merge(list, input.passes));

  const perFile = new Map<string, number[]>();
  for (const f of input.files ?? []) perFile.set(f.file, [...(perFile.get(f.file) ?? []), f.durationMs]);
  const fileMs = Object.fromEntries([...perFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([f, ms]) => [f, mean(ms)]));

  if (input.passes <= 1) return { outcomes, fileMs };
  const tests = [...byId]
    .map(([id, list]) => record(id, list))
    .filter((t): t is RepeatTestResult => t !== undefined)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const passMs = [...(input.passMs ?? [])];
  return {
    outcomes,
    fileMs,
    repeat: { passes: input.passes, completed: input.completed ?? passMs.length, passMs, flaky: tests.filter((t) => t.flaky).map((t) => t.id), tests },
  };
}
