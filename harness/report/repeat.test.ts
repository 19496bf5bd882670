import { describe, expect, it } from 'vitest';
import { FEATURES } from '../features.ts';
import { buildReport } from './build.ts';
import { exitCodeFor } from './exit-code.ts';
import { repeatLines } from '../run/report-step.ts';
import { type PassOutcome, aggregatePasses, failureKey, outcomeId } from './repeat.ts';

const FILE = 'suites/10-cloneset/scale.test.ts';
const DESCRIBE = '[CloneSet.Scale] scaling';

/** One outcome of test `name` in pass `pass`: p = passed, f:<text> = failed, s = skipped, n = not run. */
function o(pass: number, name: string, what: string, durationMs = 1000, describe = DESCRIBE): PassOutcome {
  const base = { pass, file: FILE, ancestors: [describe], name, features: ['CloneSet.Scale'], durationMs };
  if (what === 'p') return { ...base, status: 'passed' };
  if (what === 's') return { ...base, status: 'skipped', durationMs: 0 };
  if (what === 'n') return { ...base, status: 'skipped', durationMs: 0, notRunReason: 'phase preflight failed in pass 2' };
  return { ...base, status: 'failed', failure: what.slice(2) };
}

const id = (name: string) => `10-cloneset/scale.test.ts > ${DESCRIBE} > ${name}`;

describe('aggregatePasses: N passes -> merged outcomes and the repeat record', () => {
  const cases: {
    name: string;
    passes: number;
    outcomes: PassOutcome[];
    merged: { status: string; durationMs: number; failureStart?: string };
    record?: { runs: number; passed: number; failed: number; failureRate: number; flaky: boolean; failures?: number[][] };
  }[] = [
    {
      name: 'passed every time: passed, stable, mean duration',
      passes: 3,
      outcomes: [o(1, 't', 'p', 1000), o(2, 't', 'p', 2000), o(3, 't', 'p', 3000)],
      merged: { status: 'passed', durationMs: 2000 },
      record: { runs: 3, passed: 3, failed: 0, failureRate: 0, flaky: false },
    },
    {
      name: 'failed once of three: failed, flaky, failure says which pass',
      passes: 3,
      outcomes: [o(1, 't', 'p'), o(2, 't', 'f:timed out after 30000 ms waiting for cs-ab12c'), o(3, 't', 'p')],
      merged: { status: 'failed', durationMs: 1000, failureStart: 'failed in 1 of 3 passes (pass 2); first failure (pass 2):\ntimed out after 30000 ms' },
      record: { runs: 3, passed: 2, failed: 1, failureRate: 0.333, flaky: true, failures: [[2]] },
    },
    {
      name: 'failed every time: failed, not flaky, the same failure grouped across ids and numbers',
      passes: 2,
      outcomes: [o(1, 't', 'f:expected 5 pods, observed 6 in kc-cloneset-x7f2k'), o(2, 't', 'f:expected 5 pods, observed 7 in kc-cloneset-q9z3m')],
      merged: { status: 'failed', durationMs: 1000, failureStart: 'failed in 2 of 2 passes (pass 1, 2); first failure (pass 1):\nexpected 5 pods, observed 6' },
      record: { runs: 2, passed: 0, failed: 2, failureRate: 1, flaky: false, failures: [[1, 2]] },
    },
    {
      name: 'two distinct failures are listed apart',
      passes: 4,
      outcomes: [o(1, 't', 'f:timed out waiting for Ready'), o(2, 't', 'p'), o(3, 't', 'f:expected revision r2, observed r1'), o(4, 't', 'f:timed out waiting for Ready')],
      merged: { status: 'failed', durationMs: 1000, failureStart: 'failed in 3 of 4 passes (pass 1, 3, 4)' },
      record: { runs: 4, passed: 1, failed: 3, failureRate: 0.75, flaky: true, failures: [[1, 4], [3]] },
    },
    {
      name: 'skipped every time: skipped, no record',
      passes: 2,
      outcomes: [o(1, 't', 's'), o(2, 't', 's')],
      merged: { status: 'skipped', durationMs: 0 },
    },
    {
      name: 'passed in pass 1, not run in pass 2 (a gate stopped it): passed, one run',
      passes: 3,
      outcomes: [o(2, 't', 'n'), o(1, 't', 'p', 1500)],
      merged: { status: 'passed', durationMs: 1500 },
      record: { runs: 1, passed: 1, failed: 0, failureRate: 0, flaky: false },
    },
    {
      name: 'one pass: the outcome as it was, failure text untouched, no record',
      passes: 1,
      outcomes: [o(1, 't', 'f:boom')],
      merged: { status: 'failed', durationMs: 1000, failureStart: 'boom' },
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const out = aggregatePasses({ passes: c.passes, outcomes: c.outcomes, passMs: Array.from({ length: c.passes }, () => 60_000) });
      expect(out.outcomes).toHaveLength(1);
      const m = out.outcomes[0]!;
      expect(m).not.toHaveProperty('pass');
      expect({ status: m.status, durationMs: m.durationMs }).toEqual({ status: c.merged.status, durationMs: c.merged.durationMs });
      if (c.merged.failureStart) expect(m.failure?.startsWith(c.merged.failureStart), m.failure).toBe(true);
      else expect(m.failure).toBeUndefined();
      if (c.passes === 1) {
        expect(out.repeat).toBeUndefined();
        return;
      }
      const rec = out.repeat!.tests.find((t) => t.id === id('t'));
      if (!c.record) {
        expect(rec).toBeUndefined();
        return;
      }
      expect(rec).toMatchObject({ runs: c.record.runs, passed: c.record.passed, failed: c.record.failed, failureRate: c.record.failureRate, flaky: c.record.flaky });
      expect(rec!.failures?.map((f) => f.passes)).toEqual(c.record.failures);
      expect(out.repeat!.flaky).toEqual(c.record.flaky ? [id('t')] : []);
    });
  }

  it('keys a test by its report id whatever gate suffix a pass put on its describe', () => {
    const gated = o(2, 't', 's', 0, `${DESCRIBE} (not-run: CloneSet.Scale needs Zones, which provider local does not have)`);
    expect(outcomeId(gated)).toBe(id('t'));
    const out = aggregatePasses({ passes: 2, outcomes: [o(1, 't', 'p'), gated] });
    expect(out.outcomes).toHaveLength(1);
  });

  it('gives min, mean and max duration, the passes wall times, and per-file means', () => {
    const out = aggregatePasses({
      passes: 3,
      outcomes: [o(1, 't', 'p', 100), o(2, 't', 'p', 400), o(3, 't', 'f:x', 1000), o(1, 'u', 'p', 5)],
      files: [
        { pass: 1, file: FILE, durationMs: 10_000 },
        { pass: 2, file: FILE, durationMs: 20_000 },
        { pass: 1, file: 'suites/00-preflight/crds.test.ts', durationMs: 999 },
      ],
      passMs: [70_000, 71_000, 72_000],
      completed: 3,
    });
    expect(out.repeat!.tests.find((t) => t.id === id('t'))!.durationMs).toEqual({ min: 100, mean: 500, max: 1000 });
    expect(out.repeat!.tests.map((t) => t.id)).toEqual([id('t'), id('u')]);
    expect(out.repeat).toMatchObject({ passes: 3, completed: 3, passMs: [70_000, 71_000, 72_000] });
    expect(out.fileMs).toEqual({ 'suites/00-preflight/crds.test.ts': 999, [FILE]: 15_000 });
  });

  it('groups failures by first line without numbers and generated names', () => {
    expect(failureKey('\u001b[31mtimed out after 30000 ms waiting for pod cs-abc12 Ready\u001b[39m\nmore')).toBe('timed out after N ms waiting for pod cs-* Ready');
    expect(failureKey('\n\nexpected 3\n')).toBe('expected N');
  });
});

describe('a repeated run in the report', () => {
  const build = (passes: number, outcomes: PassOutcome[]) => {
    const merged = aggregatePasses({ passes, outcomes, passMs: Array.from({ length: passes }, () => 1000) });
    return buildReport({
      outcomes: merged.outcomes,
      registry: FEATURES,
      implementation: { name: 'reference', version: '0.1.0', claims: 'all' },
      provider: { name: 'local', capabilities: ['InPlaceResize'] },
      kubernetes: { version: 'v1.34.10', featureGates: {} },
      profiles: ['Core', 'Extended'],
      date: '2026-12-07T00:00:00Z',
      durations: { totalMs: 1, phases: {}, files: merged.fileMs },
      notRun: [],
      selection: true,
      ...(merged.repeat && { repeat: merged.repeat }),
    });
  };

  it('fails, with exit code 1, when a test failed in any pass, even an Extended one', () => {
    const ext = (pass: number, what: string): PassOutcome => ({ ...o(pass, 'e', what), file: 'suites/10-cloneset/resize.test.ts', ancestors: ['[CloneSet.InPlaceResize] resize'], features: ['CloneSet.InPlaceResize'] });
    const r = build(2, [o(1, 't', 'p'), o(2, 't', 'p'), ext(1, 'p'), ext(2, 'f:boom')]);
    expect(r.repeat!.flaky).toEqual(['10-cloneset/resize.test.ts > [CloneSet.InPlaceResize] resize > e']);
    expect(r.result).toBe('failure');
    expect(exitCodeFor(r, { failOnExtended: false, selection: true })).toBe(1);
  });

  it('is judged like a single run when every pass passed', () => {
    const r = build(2, [o(1, 't', 'p'), o(2, 't', 'p')]);
    expect(r.repeat!.flaky).toEqual([]);
    expect(r.result).toBe('partial'); // a selection cannot certify Core
    expect(exitCodeFor(r, { failOnExtended: false, selection: true })).toBe(0);
  });

  it('ends the log with the passes, each flaky test with its rate, and each test that always failed', () => {
    const r = build(3, [o(1, 't', 'p'), o(2, 't', 'f:x'), o(3, 't', 'p'), o(1, 'u', 'f:y'), o(2, 'u', 'f:y'), o(3, 'u', 'f:y'), o(1, 'v', 'p'), o(2, 'v', 'p'), o(3, 'v', 'p')]);
    expect(repeatLines(r)).toEqual([
      'repeat: 3 of 3 passes completed (1 s, 1 s, 1 s); 3 tests ran; 1 flaky, 1 failed in every pass',
      `  flaky 1/3 (33%): ${id('t')}`,
      `  failed 3/3: ${id('u')}`,
    ]);
    expect(repeatLines(build(1, [o(1, 't', 'p')]))).toEqual([]);
  });
});
