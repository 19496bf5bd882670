import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderJunit, writeJunit } from './junit.ts';
import { FAILURE_TEXT, referenceSample } from './testing/samples.ts';
import { attr, child, children, parseXml, text, xmlParseError } from './testing/xml.ts';

// junit.xml is data: a real XML parser checks it, no browser needed.
describe('junit.xml', () => {
  const report = referenceSample();
  const xml = renderJunit(report);

  it('is written under its stable name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-junit-'));
    const path = writeJunit(report, dir);
    expect(path).toBe(join(dir, 'junit.xml'));
    expect(readFileSync(path, 'utf8')).toBe(xml);
  });

  it('is well-formed XML for a real XML parser, escapes included', () => {
    expect(xmlParseError(xml)).toBeNull();
    // The check itself can fail: the same text unescaped, or escaped but with its control
    // characters, is rejected, and so is a bare ampersand.
    const plain = FAILURE_TEXT.replace(/[\u0000-\u001f]/gu, (c) => (c === '\n' ? c : ''));
    expect(xmlParseError(`<a>${plain}</a>`)).toMatch(/^Invalid\w+ at line 1/);
    expect(xmlParseError(`<a>${FAILURE_TEXT.replaceAll('&', '&amp;').replaceAll('<', '&lt;')}</a>`)).toMatch(/U\+001b/);
    expect(xmlParseError('<a>x & y</a>')).toMatch(/'&'/);
  });

  it('has one testsuite per suite file and one testcase per test, with counts that add up', () => {
    const root = child(parseXml(xml), 'testsuites');
    const suites = children(root, 'testsuite');
    const files = [...new Set(report.tests.map((t) => t.file))].sort();
    expect(suites.map((s) => attr(s, 'name'))).toEqual(files);
    for (const s of suites) expect(children(s, 'testcase').length).toBe(Number(attr(s, 'tests')));
    const passed = report.tests.filter((t) => t.status === 'passed').length;
    const failed = report.tests.filter((t) => t.status === 'failed').length;
    expect(['tests', 'failures', 'skipped'].map((a) => Number(attr(root, a)))).toEqual([report.tests.length, failed, report.tests.length - passed - failed]);
    const props = Object.fromEntries(children(child(suites[0]!, 'properties'), 'property').map((p) => [attr(p, 'name'), attr(p, 'value')]));
    expect(props).toMatchObject({ implementation: 'reference 0.1.0', provider: 'local', 'provider.capabilities': 'VolumeExpansion,Zones', 'kubernetes.version': 'v1.34.1', result: 'failure' });
  });

  it('carries the failure, skip and not-run details', () => {
    const cases = children(child(parseXml(xml), 'testsuites'), 'testsuite').flatMap((s) => children(s, 'testcase'));
    const detail = (el: { [k: string]: unknown } | undefined) => (el ? { message: attr(el as never, 'message'), text: text(el as never) } : undefined);
    const byName = (n: string) => {
      const c = cases.find((x) => attr(x, 'name')?.endsWith(n));
      if (!c) throw new Error(`no testcase ending with "${n}" in ${cases.map((x) => attr(x, 'name')).join(' | ')}`);
      return { classname: attr(c, 'classname'), name: attr(c, 'name'), failure: detail(children(c, 'failure')[0]), skipped: detail(children(c, 'skipped')[0]) };
    };
    expect(byName('CloneSet.MaxSurge holds')).toEqual({
      classname: 'suites/cloneset/maxsurge.test.ts',
      name: '[CloneSet.MaxSurge] never more than replicas + maxSurge pods; surge pods removed at the end (seed walkthrough) > CloneSet.MaxSurge holds',
      failure: {
        message: 'expected at most 5 pods (replicas 4 + maxSurge 1), observed 6 <pod "a&b">',
        text: 'expected at most 5 pods (replicas 4 + maxSurge 1), observed 6 <pod "a&b">\ntimeline:\n  t+1s created cs-x\n  t+2s surge pod created',
      },
      skipped: undefined,
    });
    expect(byName('CloneSet.Paused holds').skipped).toEqual({ message: 'exempted "for now" & later', text: 'skipped' });
    expect(byName('CloneSet.InPlaceResize holds').skipped).toEqual({ message: 'CloneSet.InPlaceResize needs InPlaceResize, which provider local does not have', text: 'not-run' });
    expect(byName('SidecarSet.Injection holds').skipped).toEqual({ message: 'reference does not claim SidecarSet.Injection', text: 'not-supported' });
    expect(byName('CloneSet.Scale holds')).toMatchObject({ failure: undefined, skipped: undefined });
  });
});
