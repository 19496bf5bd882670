/**
 * The report as YAML and JSON: the same model, the same key order, so the two diff the same way.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ConformanceReport } from './model.ts';
import { REPORT_FILES } from './names.ts';

export function reportToYaml(report: ConformanceReport): string {
  // lineWidth 0: failure texts stay as written instead of being folded.
  return stringify(report, { lineWidth: 0 });
}

export function reportToJson(report: ConformanceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function writeYamlReport(report: ConformanceReport, dir: string): string {
  const path = join(dir, REPORT_FILES.yaml);
  writeFileSync(path, reportToYaml(report));
  return path;
}

export function writeJsonReport(report: ConformanceReport, dir: string): string {
  const path = join(dir, REPORT_FILES.json);
  writeFileSync(path, reportToJson(report));
  return path;
}
