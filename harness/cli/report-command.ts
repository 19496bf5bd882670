import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { readReport } from '../report/load.ts';
import { renderMatrix } from '../report/matrix.ts';
import { writeAllReports } from '../report/write-all.ts';

interface MatrixFlags {
  out?: string;
}

interface RenderFlags {
  dir: string;
  allure: boolean;
}

/** `report matrix`: several saved reports (YAML or JSON) side by side in one HTML page. */
export function matrixAction(files: string[], flags: MatrixFlags, print: (line: string) => void = (l) => console.log(l)): string {
  const reports = files.map((f) => readReport(f));
  const out = resolve(flags.out ?? 'matrix.html');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, renderMatrix(reports));
  print(`matrix of ${reports.length} report(s): ${out}`);
  return out;
}

/** `report render`: every format again from a saved report, e.g. after the writers changed. */
export async function renderAction(file: string, flags: RenderFlags, print: (line: string) => void = (l) => console.log(l)): Promise<void> {
  const report = readReport(file);
  const dir = resolve(flags.dir);
  const result = await writeAllReports(report, dir, { allure: flags.allure });
  for (const [format, path] of Object.entries(result.paths)) print(`${format}: ${path}`);
  if (result.errors.length > 0) {
    throw new Error(`some formats were not written: ${result.errors.map((e) => `${e.format}: ${e.message}`).join('; ')}`);
  }
}

export function registerReportCommand(program: Command): void {
  const report = program.command('report').description('render saved conformance reports');
  report
    .command('matrix')
    .description('compare conformance reports (YAML or JSON) feature by feature in one static HTML page')
    .argument('<reports...>', 'conformance-report.yaml / .json files')
    .option('-o, --out <file>', 'HTML file to write (default matrix.html)')
    .action((files: string[], flags: MatrixFlags) => {
      matrixAction(files, flags);
    });
  report
    .command('render')
    .description('write every format (YAML, JSON, JUnit, summary, Allure) again from a saved report')
    .argument('<report>', 'a conformance-report.yaml or .json file')
    .requiredOption('--dir <dir>', 'directory to write into')
    .option('--no-allure', 'skip the Allure results and HTML report')
    .action(async (file: string, flags: RenderFlags) => {
      await renderAction(file, flags);
    });
}
