/**
 * From the run's raw outcomes to the reports on disk, the final table and the exit code. Written
 * whatever happened to the run: a failed install still leaves a report saying what did not run.
 */
import { relative } from 'node:path';
import type { Capability } from '../clusters/provider.ts';
import { FEATURES } from '../features.ts';
import type { AdmissionLatency } from '../report/admission-latency.ts';
import { buildReport, exitCodeFor } from '../report/build.ts';
import type { ConformanceReport } from '../report/model.ts';
import { writeAllReports } from '../report/write-all.ts';
import type { Descriptor } from './descriptor.ts';
import type { Options } from './options.ts';
import { type FileTiming, type PassOutcome, aggregatePasses } from '../report/repeat.ts';

export interface ReportInputs {
  descriptor: Descriptor;
  options: Options;
  provider: { name: string; capabilities: Capability[] };
  kubernetes: { version: string; featureGates: Record<string, boolean> };
  /** Every pass's outcomes, each with its pass number (1 without --repeat). */
  outcomes: PassOutcome[];
  /** Passes asked for and made, suite file wall times per pass. */
  repeat: { passes: number; files: FileTiming[]; passMs: number[]; completed: number };
  notRun: { what: string; reason: string }[];
  phaseMs: Record<string, number>;
  forbiddenLogLines: string[];
  implementationLog?: string;
  admissionLatency?: AdmissionLatency[];
}

/** Whether the run chose a subset of the tests (--features, --run, --skip). */
const selected = (o: Options): boolean => o.onlyFeatures.length > 0 || !!o.run || !!o.skip;

/** The final table: one line per profile, as a user reads it at the end of a run. */
export function profileTable(report: ConformanceReport): string {
  const rows = report.profiles.map((p) => [p.name, p.result, p.tests.passed, p.tests.failed, p.tests.skipped, p.tests.notRun, p.tests.notSupported].map(String));
  const head = ['profile', 'result', 'passed', 'failed', 'skipped', 'not-run', 'not-supported'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

export async function writeReports(dir: string, inputs: ReportInputs, log: (line: string) => void): Promise<number> {
  const d = inputs.descriptor;
  const { total, ...phases } = inputs.phaseMs;
  const notRun = [...inputs.notRun];
  if (inputs.forbiddenLogLines.length > 0) {
    notRun.push({ what: 'implementation log check', reason: `${inputs.forbiddenLogLines.length} fatal/unhandled-rejection line(s) in ${inputs.implementationLog}: ${inputs.forbiddenLogLines[0]!.slice(0, 300)}` });
  }
  const merged = aggregatePasses({ passes: inputs.repeat.passes, outcomes: inputs.outcomes, files: inputs.repeat.files, passMs: inputs.repeat.passMs, completed: inputs.repeat.completed });
  const report = buildReport({
    outcomes: merged.outcomes,
    registry: FEATURES,
    implementation: { name: d.name, version: d.version, url: d.url, contact: d.contact, claims: inputs.options.supportedFeatures ?? d.claims, featureGates: d.featureGates },
    provider: inputs.provider,
    kubernetes: inputs.kubernetes,
    profiles: inputs.options.profiles,
    date: new Date().toISOString(),
    durations: { totalMs: total ?? 0, phases, files: merged.fileMs },
    notRun,
    onlyFeatures: inputs.options.onlyFeatures,
    selection: selected(inputs.options),
    exemptFeatures: inputs.options.exemptFeatures,
    ...(inputs.admissionLatency ? { admissionLatency: inputs.admissionLatency } : {}),
    ...(merged.repeat ? { repeat: merged.repeat } : {}),
  });
  const { report: written, paths, errors } = await writeAllReports(report, dir);
  log(`\n${profileTable(written)}\n`);
  if (written.repeat) log(repeatLines(written).join('\n'));
  log(`result: ${written.result} (${d.name} ${d.version} on ${inputs.provider.name}, Kubernetes ${inputs.kubernetes.version}, ${((total ?? 0) / 1000).toFixed(0)} s)`);
  for (const [format, path] of Object.entries(paths)) log(`  ${format.padEnd(14)} ${relative(process.cwd(), path) || path}`);
  for (const e of errors) log(`  ${e.format.padEnd(14)} NOT WRITTEN: ${e.message}`);
  if (inputs.forbiddenLogLines.length > 0) log(`implementation log has ${inputs.forbiddenLogLines.length} fatal line(s); see ${inputs.implementationLog}`);
  const selection = selected(inputs.options);
  const code = exitCodeFor(written, { failOnExtended: inputs.options.failOnExtended, selection });
  const exitCode = Math.max(code, inputs.forbiddenLogLines.length > 0 ? 1 : 0);
  log(`exit code ${exitCode}: 0 only when every Core test ${selection ? 'selected by this run' : 'of the requested profiles'} passed${inputs.options.failOnExtended ? ' and no Extended test failed' : ''}`);
  return exitCode;
}

/** The end of a repeated run's log: passes, flaky tests with rates, tests that failed every time. */
export function repeatLines(report: ConformanceReport): string[] {
  const rep = report.repeat;
  if (!rep) return [];
  const flaky = rep.tests.filter((t) => t.flaky);
  const always = rep.tests.filter((t) => t.failed > 0 && t.passed === 0);
  const lines = [`repeat: ${rep.completed} of ${rep.passes} passes completed (${rep.passMs.map((ms) => `${(ms / 1000).toFixed(0)} s`).join(', ')}); ${rep.tests.length} test${rep.tests.length === 1 ? '' : 's'} ran; ${flaky.length} flaky, ${always.length} failed in every pass`];
  for (const t of flaky) lines.push(`  flaky ${t.failed}/${t.runs} (${Math.round(t.failureRate * 100)}%): ${t.id}`);
  for (const t of always) lines.push(`  failed ${t.failed}/${t.runs}: ${t.id}`);
  return lines;
}
