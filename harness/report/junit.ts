/**
 * JUnit XML from the report: one <testsuite> per suite file, one <testcase> per test (classname =
 * file, name = describe chain and title). Tests that did not pass or fail are <skipped> with the
 * reason, so CI test views show them instead of dropping them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConformanceReport, TestResult } from './model.ts';
import { REPORT_FILES } from './names.ts';
import { escapeAttr, escapeXml, firstLine, seconds } from './text.ts';

function attrs(a: Record<string, string | number>): string {
  return Object.entries(a)
    .map(([k, v]) => ` ${k}="${escapeAttr(String(v))}"`)
    .join('');
}

function properties(report: ConformanceReport, indent: string): string[] {
  const props: [string, string][] = [
    ['implementation', `${report.implementation.name} ${report.implementation.version}`],
    ['implementation.name', report.implementation.name],
    ['implementation.version', report.implementation.version],
    ['provider', report.provider.name],
    ['provider.capabilities', report.provider.capabilities.join(',')],
    ['kubernetes.version', report.kubernetes.version],
    ['profiles', report.profiles.map((p) => `${p.name}=${p.result}`).join(',')],
    ['result', report.result],
  ];
  return [`${indent}<properties>`, ...props.map(([name, value]) => `${indent}  <property${attrs({ name, value })}/>`), `${indent}</properties>`];
}

function testcase(t: TestResult): string[] {
  const open = `    <testcase${attrs({ classname: t.file, name: [...t.ancestors, t.name].join(' > '), time: seconds(t.durationMs) })}`;
  if (t.status === 'passed') return [`${open}/>`];
  if (t.status === 'failed') {
    const text = t.failure ?? 'failed without a message';
    return [`${open}>`, `      <failure${attrs({ message: firstLine(text), type: 'AssertionError' })}>${escapeXml(text)}</failure>`, '    </testcase>'];
  }
  return [`${open}>`, `      <skipped${attrs({ message: t.reason ?? t.status })}>${escapeXml(t.status)}</skipped>`, '    </testcase>'];
}

function counts(tests: readonly TestResult[]) {
  return {
    tests: tests.length,
    failures: tests.filter((t) => t.status === 'failed').length,
    errors: 0,
    skipped: tests.filter((t) => t.status !== 'passed' && t.status !== 'failed').length,
    time: seconds(tests.reduce((s, t) => s + t.durationMs, 0)),
  };
}

export function renderJunit(report: ConformanceReport): string {
  const byFile = new Map<string, TestResult[]>();
  for (const t of report.tests) byFile.set(t.file, [...(byFile.get(t.file) ?? []), t]);
  const files = [...byFile.keys()].sort();
  const name = `kruise-conformance ${report.implementation.name} ${report.implementation.version}`;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attrs({ name, ...counts(report.tests), timestamp: report.date })}>`];
  for (const file of files) {
    const tests = byFile.get(file)!;
    lines.push(`  <testsuite${attrs({ name: file, ...counts(tests), timestamp: report.date })}>`);
    lines.push(...properties(report, '    '));
    for (const t of tests) lines.push(...testcase(t));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

export function writeJunit(report: ConformanceReport, dir: string): string {
  const path = join(dir, REPORT_FILES.junit);
  writeFileSync(path, renderJunit(report));
  return path;
}
