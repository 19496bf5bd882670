import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Capability } from '../clusters/provider.ts';
import { FEATURES, type Feature } from '../features.ts';
import { notRunFromList, type RawOutcome } from '../run/outcomes.ts';
import { REPO_ROOT } from '../tools/cache.ts';
import { type BuildInput, buildReport, exitCodeFor, type TestOutcome } from './build.ts';
import { featureResult } from './feature-results.ts';
import type { TestResult } from './model.ts';
import { splitGateSuffix, testId, testResult } from './test-results.ts';

// A registry of its own, so the rules are tested apart from the real feature list.
const f = (id: string, profile: Feature['profile'], extra: Partial<Feature> = {}): Feature => ({
  id,
  area: 'CloneSet',
  profile,
  title: `${id} title`,
  since: '1.0',
  source: 'test',
  needs: [],
  gates: [],
  ...extra,
});
const REGISTRY: Feature[] = [
  f('P.Api', 'Core', { area: 'Preflight', mandatory: true }),
  f('C.Basic', 'Core'),
  f('C.Vol', 'Core', { needs: ['VolumeExpansion'] }),
  f('E.Resize', 'Extended', { needs: ['InPlaceResize'] }),
  f('E.Extra', 'Extended'),
];
const REG = new Map(REGISTRY.map((x) => [x.id, x]));

const outcome = (features: string[], o: Partial<TestOutcome> = {}): TestOutcome => ({
  file: 'suites/10-x/a.test.ts',
  ancestors: [`[${features.join(', ')}] does things`],
  name: `${features.join('+')} works`,
  features,
  status: 'passed',
  durationMs: 10,
  ...o,
});

interface Run {
  claims?: 'all' | string[];
  caps?: Capability[];
  exempt?: string[];
  only?: string[];
}
const ctx = (r: Run = {}) => ({
  implementation: 'impl-x',
  claims: r.claims ?? 'all',
  provider: 'local',
  capabilities: r.caps ?? (['VolumeExpansion', 'InPlaceResize'] as Capability[]),
  onlyFeatures: r.only ?? [],
  exemptFeatures: r.exempt ?? [],
  registry: REG,
});

function input(outcomes: TestOutcome[], r: Run & { profiles?: ('Core' | 'Extended')[]; notRun?: BuildInput['notRun'] } = {}): BuildInput {
  return {
    outcomes,
    registry: REGISTRY,
    implementation: { name: 'impl-x', version: '1.2.3', claims: r.claims ?? 'all' },
    provider: { name: 'local', capabilities: r.caps ?? ['VolumeExpansion', 'InPlaceResize'] },
    kubernetes: { version: 'v1.34.1', featureGates: {} },
    profiles: r.profiles ?? ['Core', 'Extended'],
    date: '2026-01-02T03:04:05Z',
    durations: { totalMs: 1000, phases: { providerUp: 100 } },
    notRun: r.notRun ?? [],
    exemptFeatures: r.exempt,
    onlyFeatures: r.only,
  };
}

describe('per-test status', () => {
  const rows: { name: string; outcome: TestOutcome; run?: Run; status: TestResult['status']; reason?: string; failure?: string }[] = [
    { name: 'a claimed passing test passes', outcome: outcome(['C.Basic']), status: 'passed' },
    { name: 'a claimed failing test fails with its text', outcome: outcome(['C.Basic'], { status: 'failed', failure: 'expected 3 pods\nobserved 2' }), status: 'failed', failure: 'expected 3 pods\nobserved 2' },
    { name: 'a failure without text still says so', outcome: outcome(['C.Basic'], { status: 'failed', failure: '  ' }), status: 'failed', failure: 'failed without a message' },
    { name: 'a skip keeps its note', outcome: outcome(['C.Basic'], { status: 'skipped', skipReason: 'flaky on kwok' }), status: 'skipped', reason: 'flaky on kwok' },
    { name: 'a skip without a note says so', outcome: outcome(['C.Basic'], { status: 'skipped' }), status: 'skipped', reason: 'skipped by the test itself, without a reason' },
    { name: 'unclaimed is not-supported, whatever vitest said', outcome: outcome(['C.Basic']), run: { claims: ['E.Extra'] }, status: 'not-supported', reason: 'impl-x does not claim C.Basic' },
    { name: 'a mandatory feature is claimed even when left out', outcome: outcome(['P.Api']), run: { claims: [] }, status: 'passed' },
    { name: 'a missing capability is not-run, naming it and the provider', outcome: outcome(['C.Vol'], { status: 'skipped' }), run: { caps: [] }, status: 'not-run', reason: 'C.Vol needs VolumeExpansion, which provider local does not have' },
    { name: 'unclaimed outranks a missing capability', outcome: outcome(['C.Vol'], { status: 'skipped' }), run: { claims: ['C.Basic'], caps: [] }, status: 'not-supported', reason: 'impl-x does not claim C.Vol' },
    { name: 'one unclaimed feature of several makes the test not-supported', outcome: outcome(['C.Basic', 'E.Extra']), run: { claims: ['C.Basic'] }, status: 'not-supported', reason: 'impl-x does not claim E.Extra' },
    { name: 'the harness stopping a phase is not-run', outcome: outcome(['C.Basic'], { status: 'skipped', notRunReason: 'phase 00-preflight failed' }), status: 'not-run', reason: 'phase 00-preflight failed' },
    { name: 'unclaimed outranks a stopped phase', outcome: outcome(['C.Basic'], { status: 'skipped', notRunReason: 'phase 00-preflight failed' }), run: { claims: [] }, status: 'not-supported', reason: 'impl-x does not claim C.Basic' },
    { name: 'an exempted feature is skipped', outcome: outcome(['C.Basic'], { status: 'skipped' }), run: { exempt: ['C.Basic'] }, status: 'skipped', reason: 'C.Basic exempted by the run configuration' },
    { name: 'a test outside the selection is skipped', outcome: outcome(['C.Basic'], { status: 'skipped' }), run: { only: ['E.Extra'] }, status: 'skipped', reason: 'not selected (features: E.Extra)' },
    { name: 'an exempted test that ran anyway keeps its outcome', outcome: outcome(['C.Basic'], { status: 'failed', failure: 'boom' }), run: { exempt: ['C.Basic'] }, status: 'failed', failure: 'boom' },
    {
      name: 'the verdict written into a gated describe title is used when the run agrees on nothing',
      outcome: outcome(['C.Basic'], { status: 'skipped', ancestors: ['[C.Basic] does things (not-run: C.Basic needs Zones, which provider kind does not have)'] }),
      status: 'not-run',
      reason: 'C.Basic needs Zones, which provider kind does not have',
    },
    { name: 'unknown feature ids do not gate', outcome: outcome(['Nope.Nope'], { status: 'failed', failure: 'x' }), run: { claims: [] }, status: 'failed', failure: 'x' },
    { name: 'a test with no features keeps its outcome', outcome: outcome([], { name: '(file)', status: 'failed', failure: 'import error' }), status: 'failed', failure: 'import error' },
  ];
  it.each(rows)('$name', ({ outcome: o, run, status, reason, failure }) => {
    const r = testResult(o, ctx(run));
    expect({ status: r.status, reason: r.reason, failure: r.failure }).toEqual({ status, reason, failure });
  });

  it('ids are the file under suites/, the describe chain and the title, gate suffix removed', () => {
    const o = outcome(['C.Basic'], { ancestors: ['[C.Basic] scale (not-supported: impl-x does not claim C.Basic)', 'inner'], name: 'grows' });
    const r = testResult(o, ctx({ claims: [] }));
    expect(r.id).toBe('10-x/a.test.ts > [C.Basic] scale > inner > grows');
    expect(r.ancestors).toEqual(['[C.Basic] scale', 'inner']);
    expect(testId('harness/x.test.ts', [], 't')).toBe('harness/x.test.ts > t');
  });

  it.each([
    ['[A.B] t (skipped: not selected (features: X.Y))', { title: '[A.B] t', gate: { status: 'skipped', reason: 'not selected (features: X.Y)' } }],
    ['[A.B] t (note)', { title: '[A.B] t (note)' }],
    ['plain', { title: 'plain' }],
  ])('splitGateSuffix(%j)', (title, expected) => {
    expect(splitGateSuffix(title)).toEqual(expected);
  });
});

describe('per-feature status', () => {
  const t = (features: string[], status: TestResult['status'], extra: Partial<TestResult> = {}): TestResult => ({
    id: `${features.join('+')} ${status} ${extra.name ?? ''}`.trim(),
    file: 'suites/10-x/a.test.ts',
    name: extra.name ?? status,
    ancestors: [],
    features,
    status,
    durationMs: 5,
    ...extra,
  });
  type Gate = { status: TestResult['status']; reason: string };
  const rows: { name: string; feature: string; claims?: 'all' | string[]; gate?: Gate; tests: TestResult[]; expected: Partial<ReturnType<typeof featureResult>> }[] = [
    { name: 'no test in the run: not-run', feature: 'C.Basic', tests: [t(['E.Extra'], 'passed')], expected: { status: 'not-run', reason: 'no test ran', tests: { passed: 0, failed: 0, skipped: 0, notRun: 0 }, durationMs: 0 } },
    {
      name: 'unclaimed: not-supported, tests counted as not run',
      feature: 'C.Basic',
      claims: ['E.Extra'],
      tests: [t(['C.Basic'], 'not-supported', { reason: 'impl-x does not claim C.Basic' })],
      expected: { status: 'not-supported', reason: 'impl-x does not claim C.Basic', tests: { passed: 0, failed: 0, skipped: 0, notRun: 1 } },
    },
    {
      name: 'no test, and the substrate lacks what it needs: not-run with that reason',
      feature: 'C.Vol',
      tests: [],
      gate: { status: 'not-run', reason: 'C.Vol needs VolumeExpansion, which provider local does not have' },
      expected: { status: 'not-run', reason: 'no test ran: C.Vol needs VolumeExpansion, which provider local does not have' },
    },
    { name: 'no test, exempted by the run: skipped', feature: 'C.Basic', tests: [], gate: { status: 'skipped', reason: 'C.Basic exempted by the run configuration' }, expected: { status: 'skipped', reason: 'no test ran: C.Basic exempted by the run configuration' } },
    { name: 'a gate does not override tests that ran', feature: 'C.Basic', tests: [t(['C.Basic'], 'passed')], gate: { status: 'skipped', reason: 'x' }, expected: { status: 'passed', reason: undefined } },
    { name: 'unclaimed with no tests is still not-supported', feature: 'C.Basic', claims: [], tests: [], expected: { status: 'not-supported', reason: 'impl-x does not claim C.Basic' } },
    { name: 'mandatory and left out of the claims: judged on its tests', feature: 'P.Api', claims: [], tests: [t(['P.Api'], 'passed')], expected: { status: 'passed', reason: undefined } },
    {
      name: 'every test passed: passed, durations summed',
      feature: 'C.Basic',
      tests: [t(['C.Basic'], 'passed', { name: 'a' }), t(['C.Basic', 'E.Extra'], 'passed', { name: 'b' })],
      expected: { status: 'passed', reason: undefined, tests: { passed: 2, failed: 0, skipped: 0, notRun: 0 }, durationMs: 10 },
    },
    {
      name: 'one failure fails it and names the first',
      feature: 'C.Basic',
      tests: [t(['C.Basic'], 'passed'), t(['C.Basic'], 'failed'), t(['C.Basic'], 'not-run', { reason: 'r' })],
      expected: { status: 'failed', reason: '1 of 3 tests failed, first: C.Basic failed', tests: { passed: 1, failed: 1, skipped: 0, notRun: 1 } },
    },
    {
      name: 'not-run outranks skipped; distinct reasons listed once',
      feature: 'C.Vol',
      tests: [t(['C.Vol'], 'not-run', { reason: 'needs X', name: 'a' }), t(['C.Vol'], 'not-run', { reason: 'needs X', name: 'b' }), t(['C.Vol'], 'skipped', { reason: 's' }), t(['C.Vol'], 'passed')],
      expected: { status: 'not-run', reason: 'needs X', tests: { passed: 1, failed: 0, skipped: 1, notRun: 2 } },
    },
    {
      name: 'skipped only: skipped with both reasons',
      feature: 'C.Basic',
      tests: [t(['C.Basic'], 'skipped', { reason: 'a', name: '1' }), t(['C.Basic'], 'skipped', { reason: 'b', name: '2' })],
      expected: { status: 'skipped', reason: 'a; b', tests: { passed: 0, failed: 0, skipped: 2, notRun: 0 } },
    },
  ];
  it.each(rows)('$name', ({ feature, claims, gate, tests, expected }) => {
    const r = featureResult(REG.get(feature)!, tests, 'impl-x', claims ?? 'all', gate);
    expect(r).toMatchObject({ id: feature, profile: REG.get(feature)!.profile, title: `${feature} title`, since: '1.0' });
    const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, r[k as keyof typeof r]]));
    expect(picked).toEqual(expected);
  });
});

describe('profile results, overall result and exit code', () => {
  const all = () => [outcome(['P.Api']), outcome(['C.Basic']), outcome(['C.Vol']), outcome(['E.Resize']), outcome(['E.Extra'])];
  const replace = (id: string, o: Partial<TestOutcome>) => all().map((x) => (x.features[0] === id ? { ...x, ...o } : x));
  type Row = { name: string; input: BuildInput; core?: string; extended?: string; overall: string; exit: number; exitStrict: number };
  const rows: Row[] = [
    { name: 'everything passes', input: input(all()), core: 'success', extended: 'success', overall: 'success', exit: 0, exitStrict: 0 },
    { name: 'a Core test fails', input: input(replace('C.Basic', { status: 'failed', failure: 'x' })), core: 'failure', extended: 'success', overall: 'failure', exit: 1, exitStrict: 1 },
    { name: 'an Extended test fails', input: input(replace('E.Extra', { status: 'failed', failure: 'x' })), core: 'success', extended: 'failure', overall: 'partial', exit: 0, exitStrict: 1 },
    { name: 'an Extended test cannot run on the substrate', input: input(all(), { caps: ['VolumeExpansion'] }), core: 'success', extended: 'partial', overall: 'partial', exit: 0, exitStrict: 0 },
    { name: 'a Core test cannot run on the substrate', input: input(all(), { caps: ['InPlaceResize'] }), core: 'partial', extended: 'success', overall: 'failure', exit: 1, exitStrict: 1 },
    { name: 'a claimed Core feature has no test', input: input(all().filter((o) => o.features[0] !== 'C.Basic')), core: 'partial', extended: 'success', overall: 'failure', exit: 1, exitStrict: 1 },
    { name: 'an Extended feature with no test because the substrate lacks a capability', input: input(all().filter((o) => o.features[0] !== 'E.Resize'), { caps: ['VolumeExpansion'] }), core: 'success', extended: 'partial', overall: 'partial', exit: 0, exitStrict: 0 },
    { name: 'a skipped Core test', input: input(replace('C.Basic', { status: 'skipped' })), core: 'partial', extended: 'success', overall: 'failure', exit: 1, exitStrict: 1 },
    { name: 'unclaimed features do not count against a profile', input: input(all(), { claims: ['C.Basic', 'E.Extra'], caps: [] }), core: 'success', extended: 'success', overall: 'success', exit: 0, exitStrict: 0 },
    { name: 'an unclaimed failing test does not fail the run', input: input(replace('C.Vol', { status: 'failed', failure: 'x' }), { claims: ['C.Basic', 'E.Resize', 'E.Extra'] }), core: 'success', extended: 'success', overall: 'success', exit: 0, exitStrict: 0 },
    { name: 'something not run at all makes it partial', input: input(all(), { notRun: [{ what: 'phase 90-helm', reason: 'fail-fast' }] }), core: 'success', extended: 'success', overall: 'partial', exit: 0, exitStrict: 0 },
    { name: 'Core only: Extended outcomes are not judged', input: input(replace('E.Extra', { status: 'failed', failure: 'x' }), { profiles: ['Core'] }), core: 'success', overall: 'success', exit: 0, exitStrict: 0 },
    { name: 'Extended only: its failure is partial overall', input: input(replace('E.Extra', { status: 'failed', failure: 'x' }), { profiles: ['Extended'] }), extended: 'failure', overall: 'partial', exit: 0, exitStrict: 1 },
    { name: 'a suite file that failed to load counts for Core', input: input([...all(), outcome([], { name: '(file)', ancestors: [], status: 'failed', failure: 'SyntaxError' })]), core: 'failure', extended: 'success', overall: 'failure', exit: 1, exitStrict: 1 },
    { name: 'nothing ran (the cluster did not come up)', input: input([], { notRun: [{ what: 'all suites', reason: 'the cluster failed: port in use' }] }), core: 'partial', extended: 'partial', overall: 'failure', exit: 1, exitStrict: 1 },
  ];
  it.each(rows)('$name', ({ input: i, core, extended, overall, exit, exitStrict }) => {
    const r = buildReport(i);
    const got = {
      core: r.profiles.find((p) => p.name === 'Core')?.result,
      extended: r.profiles.find((p) => p.name === 'Extended')?.result,
      overall: r.result,
      exit: exitCodeFor(r, { failOnExtended: false }),
      exitStrict: exitCodeFor(r, { failOnExtended: true }),
    };
    expect(got).toEqual({ core, extended, overall, exit, exitStrict });
  });

  it('a run that selected a subset is partial when the Core tests it ran passed, a failure when one failed', () => {
    const chosen = (outcomes: TestOutcome[]) => ({ ...input(outcomes, { only: ['C.Basic'] }), selection: true });
    const skippedRest = all().map((x) => (x.features[0] === 'C.Basic' ? x : { ...x, status: 'skipped' as const }));
    const clean = buildReport(chosen(skippedRest));
    expect([clean.profiles[0]!.result, clean.result, exitCodeFor(clean, { failOnExtended: false, selection: true })]).toEqual(['partial', 'partial', 0]);
    const failed = buildReport(chosen(skippedRest.map((x) => (x.features[0] === 'C.Basic' ? { ...x, status: 'failed' as const, failure: 'x' } : x))));
    expect([failed.result, exitCodeFor(failed, { failOnExtended: false, selection: true })]).toEqual(['failure', 1]);
    // The same outcomes without the selection flag are a full run that skipped Core tests: a failure.
    expect(buildReport(input(skippedRest)).result).toBe('failure');
  });

  it('a selected subset (--features/--run/--skip): skipped tests are not failures, failures and unrun tests are', () => {
    const skipped = buildReport(input(replace('C.Basic', { status: 'skipped' })));
    expect(exitCodeFor(skipped, { failOnExtended: false, selection: true })).toBe(0);
    const failed = buildReport(input(replace('C.Basic', { status: 'failed', failure: 'x' })));
    expect(exitCodeFor(failed, { failOnExtended: false, selection: true })).toBe(1);
    const nothing = buildReport(input(all().map((o) => ({ ...o, status: 'skipped' as const }))));
    expect(exitCodeFor(nothing, { failOnExtended: false, selection: true }), 'nothing passed: nothing certified').toBe(1);
  });

  it('a test proving a Core and an Extended feature counts for both profiles', () => {
    const r = buildReport(input([outcome(['C.Basic', 'E.Extra'], { status: 'failed', failure: 'x' })]));
    expect(r.profiles.map((p) => [p.name, p.tests.failed, p.result])).toEqual([
      ['Core', 1, 'failure'],
      ['Extended', 1, 'failure'],
    ]);
  });

  it("takes the runner's raw outcomes as they are (a phase listed but not run)", () => {
    const raw: RawOutcome[] = notRunFromList([{ name: '[C.Basic] does things > works', file: join(REPO_ROOT, 'suites/10-x/a.test.ts') }], 'phase 10-x was not run: fail-fast');
    const r = buildReport(input(raw));
    expect(r.tests).toEqual([
      { id: '10-x/a.test.ts > [C.Basic] does things > works', file: 'suites/10-x/a.test.ts', name: 'works', ancestors: ['[C.Basic] does things'], features: ['C.Basic'], status: 'not-run', reason: 'phase 10-x was not run: fail-fast', durationMs: 0 },
    ]);
  });

  it("says why a feature had no test when the run's gate knows", () => {
    const r = buildReport(input([], { caps: [], exempt: ['E.Extra'] }));
    expect(r.features.map((x) => [x.id, x.status, x.reason])).toEqual([
      ['P.Api', 'not-run', 'no test ran'],
      ['C.Basic', 'not-run', 'no test ran'],
      ['C.Vol', 'not-run', 'no test ran: C.Vol needs VolumeExpansion, which provider local does not have'],
      ['E.Resize', 'not-run', 'no test ran: E.Resize needs InPlaceResize, which provider local does not have'],
      ['E.Extra', 'skipped', 'no test ran: E.Extra exempted by the run configuration'],
    ]);
  });

  it('rejects a run with no profile', () => {
    expect(() => buildReport(input([], { profiles: [] }))).toThrow(/no profile requested/);
  });
});

describe('the whole report', () => {
  it('is built field by field, sorted and complete', () => {
    const i: BuildInput = {
      ...input(
        [
          outcome(['E.Resize'], { status: 'skipped', file: 'suites/20-b/z.test.ts' }),
          outcome(['C.Basic'], { status: 'failed', failure: 'expected 3, observed 2', durationMs: 40 }),
          outcome(['P.Api'], { file: 'suites/00-preflight/api.test.ts', durationMs: 7 }),
        ],
        { claims: ['C.Basic', 'E.Resize'], caps: ['Zones', 'InPlaceResize'], profiles: ['Extended', 'Core'] },
      ),
      implementation: { name: 'impl-x', version: '1.2.3', url: 'https://example.org', contact: ['@me'], claims: ['C.Basic', 'E.Resize'], featureGates: { Z: true, A: false } },
      kubernetes: { version: 'v1.34.1', featureGates: { InPlacePodVerticalScaling: true, A: false } },
      artifacts: { yaml: 'conformance-report.yaml' },
    };
    expect(buildReport(i)).toEqual({
      apiVersion: 'conformance.kruise.io/v1alpha1',
      kind: 'ConformanceReport',
      result: 'failure',
      date: '2026-01-02T03:04:05Z',
      implementation: { name: 'impl-x', version: '1.2.3', url: 'https://example.org', contact: ['@me'], featureGates: { A: false, Z: true } },
      kubernetes: { version: 'v1.34.1', featureGates: { A: false, InPlacePodVerticalScaling: true } },
      provider: { name: 'local', capabilities: ['InPlaceResize', 'Zones'] },
      profiles: [
        {
          name: 'Core',
          result: 'failure',
          summary: 'Core failed: 1 of 2 tests passed, 1 failed; 1 of 2 claimed features passed; 1 not supported.',
          tests: { passed: 1, failed: 1, skipped: 0, notRun: 0, notSupported: 0 },
          features: { passed: ['P.Api'], failed: ['C.Basic'], skipped: [], notRun: [], notSupported: ['C.Vol'] },
        },
        {
          name: 'Extended',
          result: 'partial',
          summary: 'Extended partially succeeded: 0 of 1 tests passed, 1 skipped; 0 of 1 claimed features passed; 1 not supported.',
          tests: { passed: 0, failed: 0, skipped: 1, notRun: 0, notSupported: 0 },
          features: { passed: [], failed: [], skipped: ['E.Resize'], notRun: [], notSupported: ['E.Extra'] },
        },
      ],
      features: [
        { id: 'P.Api', profile: 'Core', title: 'P.Api title', since: '1.0', status: 'passed', tests: { passed: 1, failed: 0, skipped: 0, notRun: 0 }, durationMs: 7 },
        { id: 'C.Basic', profile: 'Core', title: 'C.Basic title', since: '1.0', status: 'failed', reason: '1 of 1 tests failed, first: 10-x/a.test.ts > [C.Basic] does things > C.Basic works', tests: { passed: 0, failed: 1, skipped: 0, notRun: 0 }, durationMs: 40 },
        { id: 'C.Vol', profile: 'Core', title: 'C.Vol title', since: '1.0', status: 'not-supported', reason: 'impl-x does not claim C.Vol', tests: { passed: 0, failed: 0, skipped: 0, notRun: 0 }, durationMs: 0 },
        { id: 'E.Resize', profile: 'Extended', title: 'E.Resize title', since: '1.0', status: 'skipped', reason: 'skipped by the test itself, without a reason', tests: { passed: 0, failed: 0, skipped: 1, notRun: 0 }, durationMs: 10 },
        { id: 'E.Extra', profile: 'Extended', title: 'E.Extra title', since: '1.0', status: 'not-supported', reason: 'impl-x does not claim E.Extra', tests: { passed: 0, failed: 0, skipped: 0, notRun: 0 }, durationMs: 0 },
      ],
      tests: [
        { id: '00-preflight/api.test.ts > [P.Api] does things > P.Api works', file: 'suites/00-preflight/api.test.ts', name: 'P.Api works', ancestors: ['[P.Api] does things'], features: ['P.Api'], status: 'passed', durationMs: 7 },
        { id: '10-x/a.test.ts > [C.Basic] does things > C.Basic works', file: 'suites/10-x/a.test.ts', name: 'C.Basic works', ancestors: ['[C.Basic] does things'], features: ['C.Basic'], status: 'failed', failure: 'expected 3, observed 2', durationMs: 40 },
        { id: '20-b/z.test.ts > [E.Resize] does things > E.Resize works', file: 'suites/20-b/z.test.ts', name: 'E.Resize works', ancestors: ['[E.Resize] does things'], features: ['E.Resize'], status: 'skipped', reason: 'skipped by the test itself, without a reason', durationMs: 10 },
      ],
      durations: { totalMs: 1000, phases: { providerUp: 100 } },
      notRun: [],
      artifacts: { yaml: 'conformance-report.yaml' },
    });
  });

  it('is pure: frozen input, same output twice', () => {
    const i = deepFreeze(input([outcome(['C.Basic']), outcome(['E.Extra'], { status: 'failed', failure: 'x' })], { notRun: [{ what: 'w', reason: 'r' }] }));
    const a = buildReport(i);
    expect(buildReport(i)).toEqual(a);
    a.notRun.push({ what: 'mutated', reason: 'by the caller' });
    expect(i.notRun).toHaveLength(1);
  });

  it('with the real registry and no outcomes, every claimed feature is not-run and the run fails', () => {
    const r = buildReport({ ...input([]), registry: FEATURES, implementation: { name: 'reference', version: '0', claims: ['CloneSet.Scale'] } });
    expect(r.features).toHaveLength(FEATURES.length);
    const notRun = r.features.filter((x) => x.status === 'not-run').map((x) => x.id);
    expect(notRun).toEqual(['Preflight.APIServed', 'Preflight.Webhooks', 'CloneSet.Scale']);
    expect(r.features.find((x) => x.id === 'CloneSet.Scale')?.reason).toBe('no test ran');
    expect(r.result).toBe('failure');
    expect(exitCodeFor(r, { failOnExtended: false })).toBe(1);
  });
});

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
