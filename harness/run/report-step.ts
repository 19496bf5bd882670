/**
 * From the run's raw outcomes to the reports on disk and the exit code.
 * (Provisional: writes the raw outcomes until the report builder lands.)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Capability } from '../clusters/provider.ts';
import type { Descriptor } from './descriptor.ts';
import type { Options } from './options.ts';
import type { RawOutcome } from './outcomes.ts';

export interface ReportInputs {
  descriptor: Descriptor;
  options: Options;
  provider: { name: string; capabilities: Capability[] };
  kubernetes: { version: string; featureGates: Record<string, boolean> };
  outcomes: RawOutcome[];
  notRun: { what: string; reason: string }[];
  phaseMs: Record<string, number>;
  forbiddenLogLines: string[];
  implementationLog?: string;
}

export async function writeReports(dir: string, inputs: ReportInputs, log: (line: string) => void): Promise<number> {
  const file = join(dir, 'outcomes.json');
  writeFileSync(file, `${JSON.stringify(inputs, null, 2)}\n`);
  const failed = inputs.outcomes.filter((o) => o.status === 'failed').length;
  log(`outcomes: ${inputs.outcomes.length} tests, ${failed} failed -> ${file}`);
  return failed > 0 || inputs.forbiddenLogLines.length > 0 || inputs.notRun.length > 0 ? 1 : 0;
}
