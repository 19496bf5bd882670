/**
 * summary.md: the run at a glance for a CI step summary ($GITHUB_STEP_SUMMARY) or a PR comment:
 * verdict, what was tested where, counts per profile, a verdict per feature, the failures' first
 * lines, what did not run and why, the passes of a repeated run (flaky tests with their distinct
 * failures), the slowest tests and suite files, and where the other reports are.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConformanceReport, ProfileReport, TestResult } from './model.ts';
import { REPORT_FILES } from './names.ts';
import { duration, resultLabel, statusLabel } from './symbols.ts';
import { cleanText } from './text.ts';

/** Lines of a failure shown in the summary; the full text is in the other reports. */
const FAILURE_LINES = 6;

/** Plain text that Markdown must not interpret (emphasis, links, HTML tags, table pipes). */
export function md(text: string): string {
  return cleanText(text)
    .replace(/[\\`*_[\]|#]/g, (c) => `\\${c}`)
    .replace(/</g, '&lt;')
    .replace(/\r?\n/g, ' ');
}

function fenced(text: string): string[] {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}text`, text, fence];
}

function table(head: string[], rows: (string | number)[][]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function header(r: ConformanceReport): string[] {
  const impl = `${r.implementation.name} ${r.implementation.version}`;
  const caps = r.provider.capabilities.length ? r.provider.capabilities.join(', ') : 'no optional capabilities';
  return [
    `# ${resultLabel(r.result)}: ${md(impl)} conformance`,
    '',
    `**Implementation** ${md(impl)} · **provider** ${md(r.provider.name)} (${md(caps)}) · **Kubernetes** ${md(r.kubernetes.version)} · ${md(r.date)} · ${duration(r.durations.totalMs)}`,
    '',
  ];
}

function profileSection(p: ProfileReport): string[] {
  const f = p.features;
  return [
    `## ${p.name}: ${resultLabel(p.result)}`,
    '',
    md(p.summary),
    '',
    ...table(
      ['', 'passed', 'failed', 'skipped', 'not run', 'not supported'],
      [
        ['tests', p.tests.passed, p.tests.failed, p.tests.skipped, p.tests.notRun, p.tests.notSupported],
        ['features', f.passed.length, f.failed.length, f.skipped.length, f.notRun.length, f.notSupported.length],
      ],
    ),
    '',
  ];
}

function featureSection(r: ConformanceReport): string[] {
  const rows = r.features.map((f) => {
    const ran = f.tests.passed + f.tests.failed;
    const total = ran + f.tests.skipped + f.tests.notRun;
    return [statusLabel(f.status), `\`${f.id}\``, f.profile, total ? `${f.tests.passed}/${total}` : '–', md(f.reason ?? '')];
  });
  return ['## Features', '', ...table(['status', 'feature', 'profile', 'passed', 'reason'], rows), ''];
}

function failureSection(tests: readonly TestResult[]): string[] {
  const failed = tests.filter((t) => t.status === 'failed');
  if (failed.length === 0) return [];
  const out = [`## Failures (${failed.length})`, ''];
  for (const t of failed) {
    const lines = cleanText(t.failure ?? '').split('\n').filter((l) => l.trim());
    const shown = lines.slice(0, FAILURE_LINES);
    if (lines.length > FAILURE_LINES) shown.push(`… ${lines.length - FAILURE_LINES} more lines in the full report`);
    out.push(`**${md(t.id)}** (${t.features.map((id) => `\`${id}\``).join(', ') || 'no feature'})`, '', ...fenced(shown.join('\n')), '');
  }
  return out;
}

function notRunSection(r: ConformanceReport): string[] {
  const tests = r.tests.filter((t) => t.status === 'not-run' || t.status === 'skipped');
  if (tests.length === 0 && r.notRun.length === 0) return [];
  const out = ['## Not run', ''];
  for (const n of r.notRun) out.push(`- ${md(n.what)}: ${md(n.reason)}`);
  const byReason = new Map<string, TestResult[]>();
  for (const t of tests) {
    const key = `${t.status === 'skipped' ? 'skipped' : 'not run'}: ${t.reason ?? 'no reason given'}`;
    byReason.set(key, [...(byReason.get(key) ?? []), t]);
  }
  for (const [reason, ts] of byReason) {
    out.push(`- ${md(reason)} (${ts.length} test${ts.length > 1 ? 's' : ''})`);
    for (const t of ts) out.push(`  - ${md(t.id)}`);
  }
  const unsupported = r.features.filter((f) => f.status === 'not-supported').map((f) => `\`${f.id}\``);
  if (unsupported.length) out.push('', `Not claimed by ${md(r.implementation.name)}: ${unsupported.join(', ')}.`);
  return [...out, ''];
}

function admissionSection(r: ConformanceReport): string[] {
  const rows = r.admissionLatency ?? [];
  if (rows.length === 0) return [];
  return [
    '## Admission latency (from the implementation\'s metrics)',
    '',
    '| webhook | requests | p50 | p99 | mean |',
    '|---|---|---|---|---|',
    ...rows.map((a) => `| \`${md(a.webhook)}\` | ${a.count} | ${a.p50Ms} ms | ${a.p99Ms} ms | ${a.meanMs} ms |`),
    '',
  ];
}

/** Tests and files listed by wall time in the summary; the report has every one. */
export const SLOWEST = 20;

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const testName = (t: TestResult) => [...t.ancestors, t.name].join(' > ');

function durationSection(r: ConformanceReport): string[] {
  const timed = r.tests.filter((t) => t.status === 'passed' || t.status === 'failed');
  const phases = Object.entries(r.durations.phases);
  const files = Object.entries(r.durations.files ?? {});
  if (timed.length === 0 && phases.length === 0 && files.length === 0) return [];
  const repeat = new Map((r.repeat?.tests ?? []).map((t) => [t.id, t]));
  const out = ['## Wall time', ''];
  if (phases.length) out.push(`Phases: ${phases.map(([p, ms]) => `${md(p)} ${duration(ms)}`).join(' · ')}.`, '');
  const over = r.repeat ? ' (mean over the passes it ran in; max)' : '';
  if (timed.length) {
    const slow = [...timed].sort((a, b) => b.durationMs - a.durationMs || (a.id < b.id ? -1 : 1)).slice(0, SLOWEST);
    out.push(`### Slowest ${slow.length} of ${timed.length} tests${over}`, '');
    const head = r.repeat ? ['test', 'file', 'seconds', 'max'] : ['test', 'file', 'seconds'];
    const rows = slow.map((t) => {
      const row = [md(testName(t)), `\`${t.file}\``, seconds(t.durationMs)];
      if (r.repeat) row.push(seconds(repeat.get(t.id)?.durationMs.max ?? t.durationMs));
      return row;
    });
    out.push(...table(head, rows), '');
  }
  if (files.length) {
    const tests = new Map<string, number>();
    for (const t of timed) tests.set(t.file, (tests.get(t.file) ?? 0) + 1);
    const slow = [...files].sort(([fa, a], [fb, b]) => b - a || (fa < fb ? -1 : 1)).slice(0, SLOWEST);
    out.push(`### Slowest ${slow.length} of ${files.length} suite files (vitest: collect, hooks and tests${r.repeat ? '; mean over the passes' : ''})`, '');
    out.push(...table(['file', 'seconds', 'tests run'], slow.map(([f, ms]) => [`\`${f}\``, seconds(ms), tests.get(f) ?? 0])), '');
  }
  return out;
}

function repeatSection(r: ConformanceReport): string[] {
  const rep = r.repeat;
  if (!rep) return [];
  const flaky = rep.tests.filter((t) => t.flaky);
  const always = rep.tests.filter((t) => t.failed > 0 && t.passed === 0);
  const out = [
    `## Repeated run: ${rep.passes} passes, ${flaky.length} flaky test${flaky.length === 1 ? '' : 's'}, ${always.length} failing in every pass`,
    '',
    `${rep.completed} of ${rep.passes} passes completed on one cluster, each in fresh namespaces; pass wall times: ${rep.passMs.map(duration).join(', ') || 'none'}. A test is flaky when it both passed and failed.`,
    '',
  ];
  const row = (t: (typeof rep.tests)[number]) => [md(t.id), t.runs, t.passed, t.failed, `${Math.round(t.failureRate * 100)}%`];
  const head = ['test', 'runs', 'passed', 'failed', 'failure rate'];
  if (flaky.length) {
    out.push(`### Flaky (${flaky.length})`, '', ...table(head, flaky.map(row)), '');
    for (const t of flaky) {
      out.push(`**${md(t.id)}**: ${t.failures?.length ?? 0} distinct failure${t.failures?.length === 1 ? '' : 's'}`, '');
      for (const f of t.failures ?? []) {
        const lines = cleanText(f.message).split('\n').filter((l) => l.trim());
        const shown = lines.slice(0, FAILURE_LINES);
        if (lines.length > FAILURE_LINES) shown.push(`… ${lines.length - FAILURE_LINES} more lines in the full report`);
        out.push(`pass ${f.passes.join(', ')}:`, '', ...fenced(shown.join('\n')), '');
      }
    }
  }
  if (always.length) out.push(`### Failed in every pass it ran in (${always.length})`, '', ...table(head, always.map(row)), '');
  out.push(`<details><summary>Every test over the passes (${rep.tests.length})</summary>`, '', ...table(head, rep.tests.map(row)), '', '</details>', '');
  return out;
}

function artifactsSection(r: ConformanceReport): string[] {
  const entries = Object.entries(r.artifacts ?? {});
  if (entries.length === 0) return [];
  return ['## Reports', '', ...entries.map(([kind, path]) => `- ${md(kind)}: \`${path}\``), ''];
}

export function renderSummary(report: ConformanceReport): string {
  return [
    ...header(report),
    ...report.profiles.flatMap(profileSection),
    ...featureSection(report),
    ...failureSection(report.tests),
    ...notRunSection(report),
    ...admissionSection(report),
    ...repeatSection(report),
    ...durationSection(report),
    ...artifactsSection(report),
  ].join('\n');
}

export function writeSummary(report: ConformanceReport, dir: string): string {
  const path = join(dir, REPORT_FILES.summary);
  writeFileSync(path, renderSummary(report));
  return path;
}
