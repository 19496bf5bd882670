import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FEATURES } from '../features.ts';
import { generateAllureReport } from './allure-generate.ts';
import { completeAllureResults, writeAllureResults } from './allure-results.ts';
import { buildReport } from './build.ts';
import type { ConformanceReport } from './model.ts';
import { lazyChromium } from './testing/chromium.ts';
import { serveDir } from './testing/static-server.ts';
import { writeAllReports } from './write-all.ts';

const FILE = 'suites/10-cloneset/scale.test.ts';
const SCALE = '[CloneSet.Scale] scale out and in';
const RESIZE = '[CloneSet.InPlaceResize] resize';

/** Four tests: two that started (so allure-vitest wrote them), two that never did. */
function smallReport(): ConformanceReport {
  return buildReport({
    outcomes: [
      { file: FILE, ancestors: [SCALE], name: 'grows', features: ['CloneSet.Scale'], status: 'passed', durationMs: 900 },
      { file: FILE, ancestors: [SCALE], name: 'shrinks', features: ['CloneSet.Scale'], status: 'skipped', skipReason: 'not today', durationMs: 0 },
      { file: FILE, ancestors: [`${RESIZE} (not-run: CloneSet.InPlaceResize needs InPlaceResize, which provider local does not have)`], name: 'resizes', features: ['CloneSet.InPlaceResize'], status: 'skipped', durationMs: 0 },
      { file: 'suites/40-sidecarset/inject.test.ts', ancestors: ['[SidecarSet.Injection] injects'], name: 'injects in order', features: ['SidecarSet.Injection'], status: 'skipped', durationMs: 0 },
    ],
    registry: FEATURES,
    implementation: { name: 'reference', version: '0.1.0', claims: ['CloneSet.Scale', 'CloneSet.InPlaceResize'] },
    provider: { name: 'local', capabilities: ['VolumeExpansion'] },
    kubernetes: { version: 'v1.34.1', featureGates: {} },
    profiles: ['Core', 'Extended'],
    date: '2026-03-01T10:00:00Z',
    durations: { totalMs: 2000, phases: {} },
    notRun: [],
  });
}

/** What allure-vitest 3 writes for a test that ran (fields as observed from a real run, trimmed). */
function vitestResult(name: string, status: 'passed' | 'skipped', uuid: string) {
  return {
    uuid,
    name,
    fullName: `kruise-conformance:${FILE}#${SCALE} ${name}`,
    titlePath: ['kruise-conformance', 'suites', '10-cloneset', 'scale.test.ts', SCALE],
    status,
    statusDetails: {},
    stage: status === 'passed' ? 'finished' : 'pending',
    labels: [
      { name: 'framework', value: 'vitest' },
      { name: 'parentSuite', value: SCALE },
      { name: 'package', value: 'kruise-conformance.suites.10-cloneset.scale.test.ts' },
    ],
    links: [],
    parameters: [],
    steps: [],
    attachments: [],
    start: 1_772_359_200_000,
    stop: 1_772_359_200_900,
  };
}

function seededResults(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'kc-allure-')), 'allure-results');
  mkdirSync(dir);
  writeFileSync(join(dir, '11111111-0000-4000-8000-000000000001-result.json'), JSON.stringify(vitestResult('grows', 'passed', '11111111-0000-4000-8000-000000000001')));
  writeFileSync(join(dir, '11111111-0000-4000-8000-000000000002-result.json'), JSON.stringify(vitestResult('shrinks', 'skipped', '11111111-0000-4000-8000-000000000002')));
  return dir;
}

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { name: string; status: string; statusDetails: { message?: string }; labels: { name: string; value: string }[] };
const labels = (r: ReturnType<typeof read>, name: string) => r.labels.filter((l) => l.name === name).map((l) => l.value);

describe('Allure results for tests that never started', () => {
  it('adds one skipped result per missing test, with the reason and the model labels', () => {
    const dir = seededResults();
    const { added } = completeAllureResults(smallReport(), dir);
    const results = added.map(read).sort((a, b) => a.name.localeCompare(b.name));
    expect(results.map((r) => [r.name, r.status, r.statusDetails.message])).toEqual([
      ['injects in order', 'skipped', 'not-supported: reference does not claim SidecarSet.Injection'],
      ['resizes', 'skipped', 'not-run: CloneSet.InPlaceResize needs InPlaceResize, which provider local does not have'],
    ]);
    const resize = results[1]!;
    expect({ epic: labels(resize, 'epic'), feature: labels(resize, 'feature'), tag: labels(resize, 'tag'), parentSuite: labels(resize, 'parentSuite') }).toEqual({
      epic: ['CloneSet'],
      feature: ['CloneSet.InPlaceResize'],
      tag: ['Extended'],
      parentSuite: [RESIZE],
    });
  });

  it('labels the results vitest wrote and gives their skips a reason, without duplicating them', () => {
    const dir = seededResults();
    const { updated } = completeAllureResults(smallReport(), dir);
    expect(updated.map((f) => read(f).name).sort()).toEqual(['grows', 'shrinks']);
    const grows = read(join(dir, '11111111-0000-4000-8000-000000000001-result.json'));
    const shrinks = read(join(dir, '11111111-0000-4000-8000-000000000002-result.json'));
    expect(labels(grows, 'feature')).toEqual(['CloneSet.Scale']);
    expect(labels(grows, 'framework')).toEqual(['vitest']);
    expect(grows.statusDetails.message).toBeUndefined();
    expect(shrinks.statusDetails.message).toBe('skipped: not today');
    const names = readdirSync(dir).filter((f) => f.endsWith('-result.json')).map((f) => read(join(dir, f)).name);
    expect(names.sort()).toEqual(['grows', 'injects in order', 'resizes', 'shrinks']);
  });

  it('writes the same files when run twice', () => {
    const dir = seededResults();
    const first = completeAllureResults(smallReport(), dir);
    const second = completeAllureResults(smallReport(), dir);
    expect(second.added).toEqual(first.added);
    expect(second.updated).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.endsWith('-result.json'))).toHaveLength(4);
  });

  it('from the model alone (no vitest results) writes every test, failures with their text', () => {
    const report = smallReport();
    report.tests[0]!.status = 'failed';
    report.tests[0]!.failure = 'expected 3 pods\nobserved 2';
    const dir = mkdtempSync(join(tmpdir(), 'kc-allure-'));
    const resultsDir = writeAllureResults(report, dir);
    expect(resultsDir).toBe(join(dir, 'allure-results'));
    const all = readdirSync(resultsDir).filter((f) => f.endsWith('-result.json')).map((f) => JSON.parse(readFileSync(join(resultsDir, f), 'utf8')));
    expect(all).toHaveLength(4);
    const failed = all.find((r) => r.status === 'failed');
    expect(failed.statusDetails).toEqual({ message: 'expected 3 pods', trace: 'expected 3 pods\nobserved 2' });
    expect(readFileSync(join(resultsDir, 'environment.properties'), 'utf8')).toContain('implementation=reference 0.1.0\nprovider=local\n');
  });
});

describe('allure generate', () => {
  const chromium = lazyChromium();
  afterAll(() => chromium.close());

  it('turns the completed results into an HTML report that shows every test', async () => {
    // The run's layout: allure-vitest's results in <dir>/allure-results, then every writer.
    const dir = dirname(seededResults());
    const report = smallReport();
    const written = await writeAllReports(report, dir);
    expect(written.errors).toEqual([]);
    const out = join(dir, 'allure-report');
    expect(written.paths.allureReport).toBe(out);
    expect(written.report.artifacts).toMatchObject({ allureReport: 'allure-report', allureResults: 'allure-results' });
    expect(existsSync(join(out, 'index.html'))).toBe(true);

    // The report fetches its data, which Chromium refuses over file://: serve it on loopback.
    const server = await serveDir(out);
    const page = await (await chromium.get()).newPage();
    try {
      await page.goto(server.url);
      const stats = page.locator('.summary-widget__stats');
      await stats.waitFor({ timeout: 30_000 });
      const text = (await stats.innerText()).replace(/\s+/g, ' ').trim();
      expect(text).toBe(`${report.tests.length} test cases`);
    } finally {
      await page.close();
      await server.close();
    }
  }, 180_000);

  it('says what is wrong when there are no results', async () => {
    await expect(generateAllureReport('/nonexistent/allure-results', tmpdir())).rejects.toThrow('no Allure results at /nonexistent/allure-results');
  });
});
