/**
 * Every format from one report into one directory, under stable names. Each writer runs on its
 * own: one that fails (no Java for Allure, a full disk) is reported and the others still write.
 * The report written to YAML/JSON lists, in `artifacts`, the files that were written beside it.
 */
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { generateAllureReport } from './allure-generate.ts';
import { completeAllureResults } from './allure-results.ts';
import { writeJunit } from './junit.ts';
import type { ConformanceReport } from './model.ts';
import { REPORT_FILES, type ReportFormat } from './names.ts';
import { writeJsonReport, writeYamlReport } from './serialize.ts';
import { writeSummary } from './summary.ts';

export interface WriteAllOptions {
  /** Complete the Allure results in <dir>/allure-results and generate the HTML report (default true). */
  allure?: boolean;
  signal?: AbortSignal;
}

export interface WriteAllResult {
  /** The report as written: `artifacts` filled in. */
  report: ConformanceReport;
  /** Absolute paths by format, for the writers that succeeded. */
  paths: Partial<Record<ReportFormat, string>>;
  errors: { format: ReportFormat; message: string }[];
}

export async function writeAllReports(report: ConformanceReport, dir: string, options: WriteAllOptions = {}): Promise<WriteAllResult> {
  mkdirSync(dir, { recursive: true });
  const paths: WriteAllResult['paths'] = {};
  const errors: WriteAllResult['errors'] = [];
  const attempt = async (format: ReportFormat, write: () => string | Promise<string>) => {
    try {
      paths[format] = await write();
    } catch (err) {
      errors.push({ format, message: (err as Error).message });
    }
  };

  if (options.allure ?? true) {
    const resultsDir = join(dir, REPORT_FILES.allureResults);
    await attempt('allureResults', () => {
      completeAllureResults(report, resultsDir);
      return resultsDir;
    });
    if (paths.allureResults) await attempt('allureReport', () => generateAllureReport(resultsDir, dir, options.signal));
  }
  await attempt('junit', () => writeJunit(report, dir));

  // What the summary and the saved report point at: what exists now plus the three still to write.
  const artifacts: Record<string, string> = {};
  for (const [format, path] of Object.entries(paths)) artifacts[format] = relative(dir, path);
  for (const format of ['summary', 'yaml', 'json'] as const) artifacts[format] = REPORT_FILES[format];
  const written: ConformanceReport = { ...report, artifacts: Object.fromEntries(Object.entries(artifacts).sort(([a], [b]) => (a < b ? -1 : 1))) };

  await attempt('summary', () => writeSummary(written, dir));
  await attempt('yaml', () => writeYamlReport(written, dir));
  await attempt('json', () => writeJsonReport(written, dir));
  return { report: written, paths, errors };
}
