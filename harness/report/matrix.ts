/**
 * The compatibility matrix: several conformance reports side by side, feature by feature, as one
 * static HTML page (inline CSS, no scripts, no external assets) that can be published as is.
 * Rows are the features grouped by area, in registry order; columns are the reports, in the order
 * given. Pure: the same reports give the same bytes.
 */
import { FEATURES } from '../features.ts';
import type { ConformanceReport, FeatureResult, Profile } from './model.ts';
import { resultLabel, STATUS_SYMBOL, STATUS_WORD } from './symbols.ts';
import { escapeXml as esc } from './text.ts';

interface Row {
  id: string;
  area: string;
  profile: Profile;
  title: string;
}

const CSS = `
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1f2328; }
h1 { font-size: 20px; margin: 0 0 4px; }
p.lead { margin: 0 0 16px; color: #59636e; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d1d9e0; padding: 4px 8px; vertical-align: top; }
thead th { position: sticky; top: 0; background: #f6f8fa; text-align: left; z-index: 1; }
th.impl .name { font-weight: 600; font-size: 15px; }
th.impl .meta { font-weight: 400; color: #59636e; font-size: 12px; }
tr.area th { background: #eef1f4; text-align: left; font-size: 13px; letter-spacing: .02em; }
th.feature { text-align: left; font-weight: 600; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
th.feature .title { font-family: system-ui, sans-serif; font-weight: 400; color: #59636e; font-size: 12px; max-width: 420px; }
td.profile { font-size: 12px; color: #59636e; }
td.cell { white-space: nowrap; min-width: 110px; }
td.cell .n { font-size: 11px; color: #59636e; margin-left: 4px; }
.s-passed { background: #dafbe1; }
.s-failed { background: #ffebe9; }
.s-skipped { background: #f6f8fa; }
.s-not-run { background: #fff8c5; }
.s-not-supported { background: #ffffff; color: #8c959f; }
.s-absent { background: #ffffff; color: #8c959f; }
.r-success { color: #1a7f37; } .r-partial { color: #9a6700; } .r-failure { color: #d1242f; }
tfoot th, tfoot td { background: #f6f8fa; font-weight: 600; }
p.legend { margin-top: 12px; font-size: 12px; color: #59636e; }
`;

/** Registry order first; features only some report knows (an older or newer registry) after. */
function rows(reports: readonly ConformanceReport[]): Row[] {
  const known: Row[] = FEATURES.map((f) => ({ id: f.id, area: f.area, profile: f.profile, title: f.title }));
  const seen = new Set(known.map((r) => r.id));
  const extra: Row[] = [];
  for (const r of reports) {
    for (const f of r.features) {
      if (seen.has(f.id)) continue;
      seen.add(f.id);
      extra.push({ id: f.id, area: f.id.split('.')[0] ?? f.id, profile: f.profile, title: f.title });
    }
  }
  const present = new Set(reports.flatMap((r) => r.features.map((f) => f.id)));
  return [...known, ...extra].filter((r) => present.has(r.id));
}

function groupByArea(list: readonly Row[]): [string, Row[]][] {
  const groups = new Map<string, Row[]>();
  for (const r of list) groups.set(r.area, [...(groups.get(r.area) ?? []), r]);
  return [...groups];
}

function header(r: ConformanceReport): string {
  const impl = `${r.implementation.name} ${r.implementation.version}`;
  const caps = r.provider.capabilities.join(', ') || 'no optional capabilities';
  return [
    `<th scope="col" class="impl">`,
    `<div class="name">${esc(impl)}</div>`,
    `<div class="meta" title="${esc(caps)}">provider ${esc(r.provider.name)} · Kubernetes ${esc(r.kubernetes.version)}</div>`,
    `<div class="meta">${esc(r.date)}</div>`,
    `<div class="result r-${r.result}">${esc(resultLabel(r.result))}</div>`,
    `</th>`,
  ].join('');
}

function cell(f: FeatureResult | undefined): string {
  if (!f) return `<td class="cell s-absent" title="not in this report">—</td>`;
  const total = f.tests.passed + f.tests.failed + f.tests.skipped + f.tests.notRun;
  const title = f.reason ?? `${f.tests.passed} of ${total} tests passed`;
  const counts = total > 0 ? `<span class="n">${f.tests.passed}/${total}</span>` : '';
  return `<td class="cell s-${f.status}" title="${esc(title)}">${STATUS_SYMBOL[f.status]} ${STATUS_WORD[f.status]}${counts}</td>`;
}

function coreSummary(r: ConformanceReport): string {
  const core = r.features.filter((f) => f.profile === 'Core');
  const passed = core.filter((f) => f.status === 'passed').length;
  const claimed = core.filter((f) => f.status !== 'not-supported').length;
  const title = `${passed} of ${claimed} claimed Core features passed; ${core.length - claimed} not supported`;
  return `<td class="cell" title="${esc(title)}">${passed}/${core.length}<span class="n">${claimed} claimed</span></td>`;
}

export function renderMatrix(reports: readonly ConformanceReport[]): string {
  if (reports.length === 0) throw new Error('renderMatrix: no reports to compare');
  const byReport = reports.map((r) => new Map(r.features.map((f) => [f.id, f])));
  const width = 2 + reports.length;
  const body: string[] = [];
  for (const [area, list] of groupByArea(rows(reports))) {
    body.push(`<tr class="area"><th colspan="${width}" scope="rowgroup">${esc(area)}</th></tr>`);
    for (const row of list) {
      body.push(
        `<tr class="feature" data-feature="${esc(row.id)}">` +
          `<th scope="row" class="feature">${esc(row.id)}<div class="title">${esc(row.title)}</div></th>` +
          `<td class="profile">${row.profile}</td>` +
          byReport.map((m) => cell(m.get(row.id))).join('') +
          `</tr>`,
      );
    }
  }
  const legend = (Object.keys(STATUS_SYMBOL) as (keyof typeof STATUS_SYMBOL)[]).map((s) => `${STATUS_SYMBOL[s]} ${STATUS_WORD[s]}`).join(' · ');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>kruise-conformance: compatibility matrix</title>',
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<h1>OpenKruise API conformance: compatibility matrix</h1>',
    `<p class="lead">${reports.length} report${reports.length > 1 ? 's' : ''}; each cell is a feature's verdict and its passed/total tests (hover for the reason).</p>`,
    '<table id="matrix">',
    `<thead><tr><th scope="col">Feature</th><th scope="col">Profile</th>${reports.map(header).join('')}</tr></thead>`,
    `<tbody>\n${body.join('\n')}\n</tbody>`,
    `<tfoot><tr class="summary"><th scope="row">Core features passed</th><td class="profile">Core</td>${reports.map(coreSummary).join('')}</tr></tfoot>`,
    '</table>',
    `<p class="legend">${esc(legend)}. Unclaimed features are not supported, not failed; not run means the substrate or the run could not exercise them.</p>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
