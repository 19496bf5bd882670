import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderJunit, writeJunit } from './junit.ts';
import { lazyChromium, xmlParseError } from './testing/chromium.ts';
import { FAILURE_TEXT, referenceSample } from './testing/samples.ts';

describe('junit.xml', { timeout: 60_000 }, () => {
  const chromium = lazyChromium();
  afterAll(() => chromium.close());

  const report = referenceSample();
  const xml = renderJunit(report);

  it('is written under its stable name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-junit-'));
    const path = writeJunit(report, dir);
    expect(path).toBe(join(dir, 'junit.xml'));
    expect(readFileSync(path, 'utf8')).toBe(xml);
  });

  it('is well-formed XML for a real XML parser, escapes included', async () => {
    const browser = await chromium.get();
    expect(await xmlParseError(browser, xml)).toBeNull();
    // The check itself can fail: the same text unescaped is rejected.
    expect(await xmlParseError(browser, `<a>${FAILURE_TEXT}</a>`)).not.toBeNull();
  });

  it('has one testsuite per suite file and one testcase per test, with counts that add up', async () => {
    const page = await (await chromium.get()).newPage();
    try {
      const shape = await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'application/xml');
        const root = doc.documentElement;
        const suites = [...doc.getElementsByTagName('testsuite')];
        return {
          root: root.tagName,
          rootCounts: ['tests', 'failures', 'skipped'].map((a) => Number(root.getAttribute(a))),
          suites: suites.map((s) => ({ name: s.getAttribute('name'), tests: Number(s.getAttribute('tests')), cases: s.getElementsByTagName('testcase').length })),
          props: Object.fromEntries([...suites[0]!.getElementsByTagName('property')].map((p) => [p.getAttribute('name'), p.getAttribute('value')])),
        };
      }, xml);
      const files = [...new Set(report.tests.map((t) => t.file))].sort();
      expect(shape.root).toBe('testsuites');
      expect(shape.suites.map((s) => s.name)).toEqual(files);
      for (const s of shape.suites) expect(s.cases).toBe(s.tests);
      const passed = report.tests.filter((t) => t.status === 'passed').length;
      const failed = report.tests.filter((t) => t.status === 'failed').length;
      expect(shape.rootCounts).toEqual([report.tests.length, failed, report.tests.length - passed - failed]);
      expect(shape.props).toMatchObject({ implementation: 'reference 0.1.0', provider: 'local', 'provider.capabilities': 'VolumeExpansion,Zones', 'kubernetes.version': 'v1.34.1', result: 'failure' });
    } finally {
      await page.close();
    }
  });

  it('carries the failure, skip and not-run details', async () => {
    const page = await (await chromium.get()).newPage();
    try {
      const cases = await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'application/xml');
        return [...doc.getElementsByTagName('testcase')].map((c) => ({
          classname: c.getAttribute('classname'),
          name: c.getAttribute('name'),
          failure: c.getElementsByTagName('failure')[0] ? { message: c.getElementsByTagName('failure')[0]!.getAttribute('message'), text: c.getElementsByTagName('failure')[0]!.textContent } : undefined,
          skipped: c.getElementsByTagName('skipped')[0] ? { message: c.getElementsByTagName('skipped')[0]!.getAttribute('message'), text: c.getElementsByTagName('skipped')[0]!.textContent } : undefined,
        }));
      }, xml);
      const byName = (n: string) => cases.find((c) => c.name?.endsWith(n));
      expect(byName('CloneSet.MaxSurge holds')).toEqual({
        classname: 'suites/cloneset/maxsurge.test.ts',
        name: '[CloneSet.MaxSurge] never more than replicas + maxSurge pods; surge pods removed at the end (seed walkthrough) > CloneSet.MaxSurge holds',
        failure: {
          message: 'expected at most 5 pods (replicas 4 + maxSurge 1), observed 6 <pod "a&b">',
          text: 'expected at most 5 pods (replicas 4 + maxSurge 1), observed 6 <pod "a&b">\ntimeline:\n  t+1s created cs-x\n  t+2s surge pod created',
        },
        skipped: undefined,
      });
      expect(byName('CloneSet.Paused holds')?.skipped).toEqual({ message: 'exempted "for now" & later', text: 'skipped' });
      expect(byName('CloneSet.InPlaceResize holds')?.skipped).toEqual({ message: 'CloneSet.InPlaceResize needs InPlaceResize, which provider local does not have', text: 'not-run' });
      expect(byName('SidecarSet.Injection holds')?.skipped).toEqual({ message: 'reference does not claim SidecarSet.Injection', text: 'not-supported' });
      expect(byName('CloneSet.Scale holds')).toMatchObject({ failure: undefined, skipped: undefined });
    } finally {
      await page.close();
    }
  });
});
