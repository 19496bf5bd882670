import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseReport, readReport, ReportFileError } from './load.ts';
import { reportToJson, reportToYaml, writeJsonReport, writeYamlReport } from './serialize.ts';
import { referenceSample } from './testing/samples.ts';

describe('YAML and JSON', () => {
  it('both round-trip to the same model under their stable names', () => {
    const report = referenceSample();
    const dir = mkdtempSync(join(tmpdir(), 'kc-serialize-'));
    const yamlPath = writeYamlReport(report, dir);
    const jsonPath = writeJsonReport(report, dir);
    expect([yamlPath, jsonPath]).toEqual([join(dir, 'conformance-report.yaml'), join(dir, 'conformance-report.json')]);
    expect(readReport(yamlPath)).toEqual(report);
    expect(readReport(jsonPath)).toEqual(report);
    expect(readFileSync(yamlPath, 'utf8')).toBe(reportToYaml(report));
    expect(readFileSync(jsonPath, 'utf8')).toBe(reportToJson(report));
  });

  it('keeps the model key order and lowerCamel names', () => {
    const yaml = reportToYaml(referenceSample());
    expect(yaml.split('\n').filter((l) => /^\w/.test(l)).map((l) => l.split(':')[0])).toEqual([
      'apiVersion', 'kind', 'result', 'date', 'implementation', 'kubernetes', 'provider', 'profiles', 'features', 'tests', 'durations', 'notRun', 'artifacts',
    ]);
    // The counts depend on the registry (features not claimed are not-supported); the names and order do not.
    expect(yaml).toMatch(/    tests:\n      passed: 29\n      failed: 1\n      skipped: 1\n      notRun: 0\n      notSupported: \d+\n/);
  });
});

describe('reading a report back', () => {
  const base = () => JSON.parse(reportToJson(referenceSample())) as Record<string, unknown>;
  const problem = (data: unknown, file = 'bad.yaml'): string => {
    try {
      parseReport(stringify(data), file);
    } catch (err) {
      expect(err).toBeInstanceOf(ReportFileError);
      return (err as Error).message;
    }
    throw new Error('expected the report to be rejected');
  };

  it.each([
    ['a wrong result', (d: any) => { d.profiles[1].result = 'ok'; }, /^bad\.yaml: profiles\[1\]\.result: Invalid option: expected one of "success"\|"partial"\|"failure"$/],
    ['a missing implementation version', (d: any) => { delete d.implementation.version; }, /^bad\.yaml: implementation\.version: .*expected string/],
    ['another apiVersion', (d: any) => { d.apiVersion = 'gateway.networking.k8s.io/v1'; }, /^bad\.yaml: apiVersion: Invalid input: expected "conformance\.kruise\.io\/v1alpha1"$/],
    ['a negative count', (d: any) => { d.features[3].tests.passed = -1; }, /^bad\.yaml: features\[3\]\.tests\.passed: Too small/],
    ['an unknown capability', (d: any) => { d.provider.capabilities = ['Teleport']; }, /^bad\.yaml: provider\.capabilities\[0\]: Invalid option/],
    ['several problems at once', (d: any) => { d.result = 'meh'; d.date = 5; }, /^bad\.yaml: result: Invalid option: .* \(and 1 more problem\)$/],
  ])('names the file and the field for %s', (_what, mutate, expected) => {
    const d = base();
    mutate(d);
    expect(problem(d)).toMatch(expected);
  });

  it('says so when the file is not a report at all', () => {
    expect(problem(['a', 'list'])).toMatch(/^bad\.yaml: \(root\): Invalid input: expected object, received array$/);
    expect(() => parseReport('key: [unclosed', 'x.yaml')).toThrow(/^x\.yaml: not YAML or JSON \(/);
    expect(() => readReport('/nonexistent/r.yaml')).toThrow('/nonexistent/r.yaml: cannot be read (ENOENT)');
  });

  it('accepts a minimal valid report', () => {
    const minimal = { ...base(), profiles: [], features: [], tests: [], notRun: [] };
    delete (minimal as { artifacts?: unknown }).artifacts;
    const dir = mkdtempSync(join(tmpdir(), 'kc-load-'));
    writeFileSync(join(dir, 'r.json'), JSON.stringify(minimal));
    expect(readReport(join(dir, 'r.json')).implementation.name).toBe('reference');
  });
});
