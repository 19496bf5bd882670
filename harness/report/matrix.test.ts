import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FEATURES } from '../features.ts';
import { REPO_ROOT } from '../tools/cache.ts';
import { renderMatrix } from './matrix.ts';
import { lazyChromium } from './testing/chromium.ts';
import { openkruiseSample, referenceSample } from './testing/samples.ts';

const AREAS = [...new Set(FEATURES.map((f) => f.area))];

describe('renderMatrix (text)', () => {
  it('is deterministic and self-contained: no scripts, links or external URLs', () => {
    const html = renderMatrix([referenceSample(), openkruiseSample()]);
    expect(renderMatrix([referenceSample(), openkruiseSample()])).toBe(html);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|url\(|@import/i);
    expect(html.startsWith('<!doctype html>')).toBe(true);
  });

  it('escapes what reports say', () => {
    const r = openkruiseSample();
    r.implementation.name = '<script>alert(1)</script>';
    r.features[0]!.reason = '"quoted" & <b>bold</b>';
    const html = renderMatrix([r]);
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('title="&quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;"');
  });

  it('refuses an empty list', () => {
    expect(() => renderMatrix([])).toThrow(/no reports/);
  });
});

describe('the matrix in a browser', () => {
  const chromium = lazyChromium();
  afterAll(() => chromium.close());

  it('shows one row per feature grouped by area, one column per report, and the Core summary', async () => {
    const reference = referenceSample();
    const openkruise = openkruiseSample();
    // A feature only one report knows, as with reports from two registry versions.
    openkruise.features.push({ id: 'Future.Thing', profile: 'Extended', title: 'something later', since: '1.9', status: 'passed', tests: { passed: 2, failed: 0, skipped: 0, notRun: 0 }, durationMs: 5 });
    const html = renderMatrix([reference, openkruise]);
    const file = join(mkdtempSync(join(tmpdir(), 'kc-matrix-')), 'matrix.html');
    writeFileSync(file, html);

    const page = await (await chromium.get()).newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await page.goto(pathToFileURL(file).href);
      const shots = join(REPO_ROOT, 'reports', 'screenshots');
      mkdirSync(shots, { recursive: true });
      const png = join(shots, 'matrix.png');
      await page.screenshot({ path: png, fullPage: true });
      expect(statSync(png).size).toBeGreaterThan(10_000);
      expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');

      const shape = await page.evaluate(() => {
        const table = document.querySelector('table#matrix');
        if (!table) return null;
        const text = (e: Element) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim();
        return {
          head: [...table.querySelectorAll('thead th')].map(text),
          areas: [...table.querySelectorAll('tbody tr.area')].map(text),
          areaSpans: [...table.querySelectorAll('tbody tr.area th')].map((th) => (th as HTMLTableCellElement).colSpan),
          features: [...table.querySelectorAll('tbody tr.feature')].map((tr) => ({
            id: tr.getAttribute('data-feature'),
            cells: [...tr.children].map(text),
            titles: [...tr.querySelectorAll('td.cell')].map((td) => td.getAttribute('title')),
          })),
          foot: [...table.querySelectorAll('tfoot td, tfoot th')].map(text),
          footTitles: [...table.querySelectorAll('tfoot td.cell')].map((td) => td.getAttribute('title')),
        };
      });
      expect(shape, 'no table#matrix on the page').not.toBeNull();
      const s = shape!;

      expect(s.head).toEqual([
        'Feature',
        'Profile',
        'reference 0.1.0 provider local · Kubernetes v1.34.1 2026-03-01T10:00:00Z ✗ failure',
        'openkruise 1.8.0 provider kind · Kubernetes v1.33.2 2026-03-02T11:30:00Z ◐ partial',
      ]);
      expect(s.areas).toEqual([...AREAS, 'Future']);
      expect(new Set(s.areaSpans)).toEqual(new Set([4]));
      expect(s.features.map((f) => f.id)).toEqual([...FEATURES.map((f) => f.id), 'Future.Thing']);
      for (const f of s.features) expect(f.cells, f.id ?? '').toHaveLength(4);

      const row = (id: string) => s.features.find((f) => f.id === id)!;
      expect(row('CloneSet.Scale').cells.slice(1)).toEqual(['Core', '✓ passed1/1', '✓ passed1/1']);
      expect(row('CloneSet.MaxSurge').cells.slice(1)).toEqual(['Core', '✗ failed0/1', '✓ passed1/1']);
      expect(row('CloneSet.MaxSurge').titles[0]).toMatch(/^1 of 1 tests failed, first: cloneset\/maxsurge\.test\.ts > /);
      expect(row('CloneSet.InPlaceResize').cells.slice(1)).toEqual(['Extended', '○ not run0/1', '✓ passed1/1']);
      expect(row('CloneSet.InPlaceResize').titles).toEqual(['CloneSet.InPlaceResize needs InPlaceResize, which provider local does not have', '1 of 1 tests passed']);
      expect(row('SidecarSet.Injection').cells.slice(1)).toEqual(['Core', '· not supported0/1', '✓ passed1/1']);
      expect(row('Helm.PreDeleteHook').cells.slice(1)).toEqual(['Extended', '· not supported0/1', '○ not run0/1']);
      expect(row('Future.Thing').cells).toEqual(['Future.Thing something later', 'Extended', '—', '✓ passed2/2']);
      expect(row('Future.Thing').titles[0]).toBe('not in this report');

      const coreTotal = FEATURES.filter((f) => f.profile === 'Core').length;
      const passed = (r: typeof reference) => r.features.filter((f) => f.profile === 'Core' && f.status === 'passed').length;
      const claimed = (r: typeof reference) => r.features.filter((f) => f.profile === 'Core' && f.status !== 'not-supported').length;
      expect(s.foot).toEqual([
        'Core features passed',
        'Core',
        `${passed(reference)}/${coreTotal}${claimed(reference)} claimed`,
        `${passed(openkruise)}/${coreTotal}${claimed(openkruise)} claimed`,
      ]);
      expect(passed(openkruise)).toBe(coreTotal);
      expect(s.footTitles[0]).toBe(`${passed(reference)} of ${claimed(reference)} claimed Core features passed; ${coreTotal - claimed(reference)} not supported`);
    } finally {
      await page.close();
    }
  }, 60_000);
});
