import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { md, renderSummary, writeSummary } from './summary.ts';
import { duration } from './symbols.ts';
import { openkruiseSample, referenceSample } from './testing/samples.ts';

const section = (text: string, heading: string): string => {
  const start = text.indexOf(`\n${heading}`);
  if (start < 0) throw new Error(`no section "${heading}" in:\n${text}`);
  const next = text.indexOf('\n## ', start + 1);
  return text.slice(start + 1, next < 0 ? undefined : next);
};

describe('summary.md', () => {
  const report = referenceSample();
  const text = renderSummary(report);

  it('opens with the verdict and what was tested where', () => {
    const [headline, , line] = text.split('\n');
    expect(headline).toBe('# ✗ failure: reference 0.1.0 conformance');
    expect(line).toBe('**Implementation** reference 0.1.0 · **provider** local (VolumeExpansion, Zones) · **Kubernetes** v1.34.1 · 2026-03-01T10:00:00Z · 1m 35s');
  });

  it('has a counts table per profile that matches the model', () => {
    for (const p of report.profiles) {
      const s = section(text, `## ${p.name}: `);
      expect(s.split('\n')[0]).toBe(`## ${p.name}: ${{ success: '✓', partial: '◐', failure: '✗' }[p.result]} ${p.result}`);
      const t = p.tests;
      expect(s).toContain(`| tests | ${t.passed} | ${t.failed} | ${t.skipped} | ${t.notRun} | ${t.notSupported} |`);
      const f = p.features;
      expect(s).toContain(`| features | ${f.passed.length} | ${f.failed.length} | ${f.skipped.length} | ${f.notRun.length} | ${f.notSupported.length} |`);
    }
  });

  it('has one feature row per feature, with symbol, word and reason', () => {
    const rows = section(text, '## Features').split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| status') && !l.startsWith('| ---'));
    expect(rows).toHaveLength(report.features.length);
    expect(rows).toContain('| ✓ passed | `CloneSet.Scale` | Core | 1/1 |  |');
    expect(rows).toContain('| ✗ failed | `CloneSet.MaxSurge` | Core | 0/1 | 1 of 1 tests failed, first: cloneset/maxsurge.test.ts > \\[CloneSet.MaxSurge\\] never more than replicas + maxSurge pods; surge pods removed at the end (seed walkthrough) > CloneSet.MaxSurge holds |');
    expect(rows).toContain('| · not supported | `SidecarSet.Injection` | Core | 0/1 | reference does not claim SidecarSet.Injection |');
    expect(rows).toContain('| ○ not run | `CloneSet.InPlaceResize` | Extended | 0/1 | CloneSet.InPlaceResize needs InPlaceResize, which provider local does not have |');
    // No emoji anywhere (the Emoji_Presentation property covers the ones that render as pictures).
    expect(text).not.toMatch(/\p{Emoji_Presentation}/u);
  });

  it('shows each failure by its first lines, cleaned of terminal colours', () => {
    const s = section(text, '## Failures');
    expect(s).toContain('## Failures (1)');
    expect(s).toContain('```text\nexpected at most 5 pods (replicas 4 + maxSurge 1), observed 6 <pod "a&b">\ntimeline:\n  t+1s created cs-x\n  t+2s surge pod created\n```');
    expect(s).not.toContain('\u001b');
  });

  it('cuts long failures and survives backticks in them', () => {
    const r = referenceSample();
    const t = r.tests.find((x) => x.status === 'failed')!;
    t.failure = ['```js', ...Array.from({ length: 10 }, (_, i) => `line ${i + 1}`)].join('\n');
    const s = section(renderSummary(r), '## Failures');
    expect(s).toContain('````text\n```js\nline 1\nline 2\nline 3\nline 4\nline 5\n… 5 more lines in the full report\n````');
  });

  it('lists what did not run, grouped by reason, and the unclaimed features', () => {
    const s = section(text, '## Not run');
    expect(s).toContain('- phase 90-helm-uninstall (1 files): fail-fast after a failure in phase 10-cloneset');
    expect(s).toContain('- not run: CloneSet.InPlaceResize needs InPlaceResize, which provider local does not have (1 test)\n  - cloneset/inplaceresize.test.ts > \\[CloneSet.InPlaceResize\\]');
    expect(s).toContain('- skipped: exempted "for now" & later (1 test)');
    expect(s).toMatch(/Not claimed by reference: `Preflight\.|Not claimed by reference: `WorkloadSpread\./);
  });

  it('names the other reports', () => {
    expect(section(text, '## Reports')).toBe('## Reports\n\n- junit: `junit.xml`\n- yaml: `conformance-report.yaml`\n');
  });

  it('leaves out empty sections', () => {
    const clean = renderSummary(openkruiseSample());
    expect(clean).not.toContain('## Failures');
    expect(clean).not.toContain('## Reports');
    expect(clean.split('\n')[0]).toBe('# ◐ partial: openkruise 1.8.0 conformance');
  });

  it('lists the slowest 20 tests (name, file, seconds) and the phases, from the model\'s durations', () => {
    const s = section(text, '## Wall time');
    expect(s).toContain('Phases: providerUp 5s · install 3s · phase:10-cloneset 1m 20s.');
    const timed = report.tests.filter((t) => t.status === 'passed' || t.status === 'failed');
    expect(s).toContain(`### Slowest 20 of ${timed.length} tests`);
    const rows = s.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| test') && !l.startsWith('| ---'));
    expect(rows).toHaveLength(20);
    expect(rows[0]).toBe('| \\[CloneSet.MaxSurge\\] never more than replicas + maxSurge pods; surge pods removed at the end (seed walkthrough) > CloneSet.MaxSurge holds | `suites/cloneset/maxsurge.test.ts` | 30.5 |');
    expect(rows[1]).toMatch(/ \| 1\.2 \|$/);
    expect(s).not.toContain('suite files');
  });

  it('lists the slowest suite files when the report has per-file times', () => {
    const r = referenceSample();
    r.durations.files = { 'suites/a.test.ts': 1500, 'suites/cloneset/maxsurge.test.ts': 42_000 };
    const s = section(renderSummary(r), '## Wall time');
    expect(s).toContain('### Slowest 2 of 2 suite files');
    expect(s).toContain('| `suites/cloneset/maxsurge.test.ts` | 42.0 | 1 |\n| `suites/a.test.ts` | 1.5 | 0 |');
  });

  it('shows a repeated run: passes, flaky tests with rates and each distinct failure, then every test', () => {
    const r = referenceSample();
    const flakyId = r.tests.find((t) => t.status === 'failed')!.id;
    const stableId = r.tests.find((t) => t.status === 'passed')!.id;
    r.repeat = {
      passes: 3,
      completed: 3,
      passMs: [60_000, 61_000, 62_500],
      flaky: [flakyId],
      tests: [
        { id: flakyId, runs: 3, passed: 1, failed: 2, failureRate: 0.667, flaky: true, durationMs: { min: 1000, mean: 30_500, max: 40_000 }, failures: [{ message: 'timed out `x`', passes: [1] }, { message: 'expected 5\nobserved 6', passes: [3] }] },
        { id: stableId, runs: 3, passed: 3, failed: 0, failureRate: 0, flaky: false, durationMs: { min: 1, mean: 1200, max: 1300 } },
      ],
    };
    const out = renderSummary(r);
    const s = section(out, '## Repeated run');
    expect(s.split('\n')[0]).toBe('## Repeated run: 3 passes, 1 flaky test, 0 failing in every pass');
    expect(s).toContain('3 of 3 passes completed on one cluster, each in fresh namespaces; pass wall times: 1m 0s, 1m 1s, 1m 3s.');
    expect(s).toContain(`| ${md(flakyId)} | 3 | 1 | 2 | 67% |`);
    expect(s).toContain('pass 1:\n\n```text\ntimed out `x`\n```');
    expect(s).toContain('pass 3:\n\n```text\nexpected 5\nobserved 6\n```');
    expect(s).toContain(`<details><summary>Every test over the passes (2)</summary>`);
    expect(s).toContain(`| ${md(stableId)} | 3 | 3 | 0 | 0% |`);
    expect(section(out, '## Wall time')).toContain('| test | file | seconds | max |');
    expect(section(out, '## Wall time')).toContain('| 30.5 | 40.0 |');
    expect(text).not.toContain('## Repeated run');
  });

  it('is written under its stable name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-summary-'));
    expect(readFileSync(writeSummary(report, dir), 'utf8')).toBe(text);
    expect(writeSummary(report, dir)).toBe(join(dir, 'summary.md'));
  });

  it.each([
    ['a | b', 'a \\| b'],
    ['<script>', '&lt;script>'],
    ['*x* _y_ [l](u) `c`', '\\*x\\* \\_y\\_ \\[l\\](u) \\`c\\`'],
    ['two\nlines', 'two lines'],
  ])('md(%j) = %j', (input, out) => {
    expect(md(input)).toBe(out);
  });

  it.each([
    [800, '0.8s'],
    [59_999, '60s'],
    [95_000, '1m 35s'],
    [3_725_000, '1h 2m 5s'],
  ])('duration(%d) = %s', (ms, out) => {
    expect(duration(ms)).toBe(out);
  });
});
