import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerReportCommand } from '../cli/report-command.ts';
import { readReport } from './load.ts';
import { reportToJson, reportToYaml } from './serialize.ts';
import { openkruiseSample, referenceSample } from './testing/samples.ts';
import { writeAllReports } from './write-all.ts';

function program(): Command {
  const p = new Command().name('kruise-conformance').exitOverride().configureOutput({ writeErr: () => {} });
  registerReportCommand(p);
  return p;
}

const run = (args: string[]) => program().parseAsync(['node', 'kruise-conformance', ...args]);

describe('report matrix', () => {
  it('reads YAML and JSON reports and writes one HTML page', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-cli-'));
    writeFileSync(join(dir, 'a.yaml'), reportToYaml(referenceSample()));
    writeFileSync(join(dir, 'b.json'), reportToJson(openkruiseSample()));
    const out = join(dir, 'site', 'matrix.html');
    await run(['report', 'matrix', join(dir, 'a.yaml'), join(dir, 'b.json'), '-o', out]);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<table id="matrix">');
    expect(html).toContain('reference 0.1.0');
    expect(html).toContain('openkruise 1.8.0');
  });

  it('stops on a bad file with one error naming the file and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-cli-'));
    writeFileSync(join(dir, 'good.yaml'), reportToYaml(referenceSample()));
    const bad = openkruiseSample() as unknown as { tests: { status: string }[] };
    bad.tests[2]!.status = 'green';
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const out = join(dir, 'matrix.html');
    await expect(run(['report', 'matrix', join(dir, 'good.yaml'), join(dir, 'bad.json'), '-o', out])).rejects.toThrow(
      `${join(dir, 'bad.json')}: tests[2].status: Invalid option: expected one of "passed"|"failed"|"skipped"|"not-run"|"not-supported"`,
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('report render', () => {
  it('writes every format again from a saved report', async () => {
    const src = mkdtempSync(join(tmpdir(), 'kc-cli-'));
    writeFileSync(join(src, 'conformance-report.yaml'), reportToYaml(referenceSample()));
    const dir = join(src, 'again');
    await run(['report', 'render', join(src, 'conformance-report.yaml'), '--dir', dir, '--no-allure']);
    expect(readdirSync(dir).sort()).toEqual(['conformance-report.json', 'conformance-report.yaml', 'junit.xml', 'summary.md']);
    const again = readReport(join(dir, 'conformance-report.yaml'));
    expect(again.artifacts).toEqual({ json: 'conformance-report.json', junit: 'junit.xml', summary: 'summary.md', yaml: 'conformance-report.yaml' });
    expect({ ...again, artifacts: undefined }).toEqual({ ...referenceSample(), artifacts: undefined });
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('- junit: `junit.xml`');
  });

  it('requires --dir', async () => {
    await expect(run(['report', 'render', 'x.yaml'])).rejects.toThrow(/required option '--dir <dir>' not specified/);
  });
});

describe('writeAllReports', () => {
  it('keeps writing when one writer fails, and says which', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-write-all-'));
    // A file where the Allure results directory should be: that writer fails, the rest do not.
    writeFileSync(join(dir, 'allure-results'), 'in the way');
    const r = await writeAllReports(referenceSample(), dir);
    expect(r.errors.map((e) => e.format)).toEqual(['allureResults']);
    expect(Object.keys(r.paths).sort()).toEqual(['json', 'junit', 'summary', 'yaml']);
    expect(r.report.artifacts).toEqual({ json: 'conformance-report.json', junit: 'junit.xml', summary: 'summary.md', yaml: 'conformance-report.yaml' });
  });
});
