/**
 * Allure results from the model. allure-vitest writes a result only for tests that started, so
 * tests that were not run, not supported or skipped at collection have none: this adds one per
 * such test (status "skipped", the reason as the message) and puts the feature labels on the
 * results vitest did write, so Allure's Behaviors view groups every test by area and feature.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ConformanceReport, FeatureResult, TestResult } from './model.ts';
import { REPORT_FILES } from './names.ts';
import { splitGateSuffix } from './test-results.ts';
import { cleanText } from './text.ts';

interface Label {
  name: string;
  value: string;
}

/** The part of Allure's result format this module reads and writes. */
interface AllureResult {
  uuid: string;
  historyId?: string;
  testCaseId?: string;
  fullName?: string;
  name?: string;
  titlePath?: string[];
  status?: 'passed' | 'failed' | 'broken' | 'skipped';
  statusDetails?: { message?: string; trace?: string };
  stage?: string;
  start?: number;
  stop?: number;
  labels?: Label[];
  [key: string]: unknown;
}

export interface AllureCompletion {
  /** Result files written for tests that had none. */
  added: string[];
  /** Existing result files that got feature labels or a skip reason. */
  updated: string[];
}

const sha = (s: string, alg = 'sha256') => createHash(alg).update(s).digest('hex');

/** A stable uuid per test, so writing twice replaces instead of duplicating. */
function uuidFor(t: TestResult): string {
  const h = sha(`kruise-conformance:${t.id}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const key = (path: readonly string[], name: string) => `${path.join('\u0000')}\u0001${name}`;

/** Keys for every possible start of the file inside Allure's titlePath ([project?, ...file, ...describes]). */
function keysOf(r: AllureResult): string[] {
  const path = (r.titlePath ?? []).map((p) => splitGateSuffix(p).title);
  return path.map((_, i) => key(path.slice(i), r.name ?? ''));
}

function testKey(t: TestResult): string {
  return key([...t.file.split('/'), ...t.ancestors], t.name);
}

function featureLabels(t: TestResult, features: ReadonlyMap<string, FeatureResult>): Label[] {
  const primary = t.features[0];
  const labels: Label[] = [];
  if (primary) labels.push({ name: 'epic', value: primary.split('.')[0]! });
  for (const id of t.features) labels.push({ name: 'feature', value: id });
  const profiles = [...new Set(t.features.map((id) => features.get(id)?.profile).filter((p) => p !== undefined))];
  for (const p of profiles) labels.push({ name: 'tag', value: p });
  return labels;
}

function suiteLabels(t: TestResult): Label[] {
  const [parent, suite, ...rest] = t.ancestors.length ? t.ancestors : [t.file];
  const labels: Label[] = [{ name: 'parentSuite', value: parent! }];
  if (suite) labels.push({ name: 'suite', value: suite });
  if (rest.length) labels.push({ name: 'subSuite', value: rest.join(' > ') });
  return labels;
}

function resultFor(t: TestResult, report: ConformanceReport, features: ReadonlyMap<string, FeatureResult>): AllureResult {
  const start = Date.parse(report.date) || 0;
  const fullName = `${t.file}#${[...t.ancestors, t.name].join(' ')}`;
  const status = t.status === 'passed' ? 'passed' : t.status === 'failed' ? 'failed' : 'skipped';
  const message = t.status === 'failed' ? cleanText(t.failure ?? '').split('\n')[0] : t.status === 'passed' ? undefined : `${t.status}: ${t.reason ?? 'no reason given'}`;
  return {
    uuid: uuidFor(t),
    historyId: sha(fullName, 'md5'),
    testCaseId: sha(fullName, 'md5'),
    fullName,
    name: t.name,
    titlePath: [...t.file.split('/'), ...t.ancestors],
    status,
    statusDetails: { ...(message !== undefined && { message }), ...(t.status === 'failed' && { trace: cleanText(t.failure ?? '') }) },
    stage: 'finished',
    start,
    stop: start + t.durationMs,
    labels: [
      ...featureLabels(t, features),
      ...suiteLabels(t),
      { name: 'package', value: t.file.replace(/\//g, '.') },
      { name: 'framework', value: 'kruise-conformance' },
    ],
    links: [],
    parameters: [],
    steps: [],
    attachments: [],
  };
}

function readResults(dir: string): { file: string; result: AllureResult }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => ({ file: join(dir, f), result: JSON.parse(readFileSync(join(dir, f), 'utf8')) as AllureResult }));
}

function environment(report: ConformanceReport): string {
  const props: [string, string][] = [
    ['implementation', `${report.implementation.name} ${report.implementation.version}`],
    ['provider', report.provider.name],
    ['capabilities', report.provider.capabilities.join(', ') || 'none'],
    ['kubernetes', report.kubernetes.version],
    ['result', report.result],
  ];
  // .properties: escape the separator characters and backslashes.
  return `${props.map(([k, v]) => `${k}=${v.replace(/[\\:=]/g, (c) => `\\${c}`)}`).join('\n')}\n`;
}

export function completeAllureResults(report: ConformanceReport, resultsDir: string): AllureCompletion {
  mkdirSync(resultsDir, { recursive: true });
  const features = new Map(report.features.map((f) => [f.id, f]));
  const byKey = new Map(report.tests.map((t) => [testKey(t), t]));
  const ours = new Set(report.tests.map((t) => `${uuidFor(t)}-result.json`));
  const covered = new Set<string>();
  const updated: string[] = [];

  for (const { file, result } of readResults(resultsDir)) {
    if (ours.has(basename(file))) continue; // ours from an earlier write: replaced below
    const test = keysOf(result).map((k) => byKey.get(k)).find((t) => t !== undefined);
    if (!test) continue;
    covered.add(test.id);
    let changed = false;
    const labels = result.labels ?? [];
    if (!labels.some((l) => l.name === 'feature')) {
      result.labels = [...labels, ...featureLabels(test, features)];
      changed = true;
    }
    if (result.status === 'skipped' && !result.statusDetails?.message && test.reason) {
      result.statusDetails = { ...result.statusDetails, message: `${test.status}: ${test.reason}` };
      changed = true;
    }
    if (changed) {
      writeFileSync(file, JSON.stringify(result));
      updated.push(file);
    }
  }

  const added: string[] = [];
  for (const t of report.tests) {
    if (covered.has(t.id)) continue;
    const r = resultFor(t, report, features);
    const file = join(resultsDir, `${r.uuid}-result.json`);
    writeFileSync(file, JSON.stringify(r));
    added.push(file);
  }
  const env = join(resultsDir, 'environment.properties');
  if (!existsSync(env)) writeFileSync(env, environment(report));
  return { added, updated };
}

/** Writer form: <dir>/allure-results completed from the report; returns that directory. */
export function writeAllureResults(report: ConformanceReport, dir: string): string {
  const resultsDir = join(dir, REPORT_FILES.allureResults);
  completeAllureResults(report, resultsDir);
  return resultsDir;
}
