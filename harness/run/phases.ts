/**
 * The suites run in phases, in order: preflight first (it stops the run when the implementation
 * is not there), then the feature suites in parallel, then the serial ones one file at a time,
 * and last the phase that uninstalls (Helm). Each phase is one vitest invocation.
 */
import { existsSync, globSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../tools/cache.ts';

export interface Phase {
  name: 'preflight' | 'features' | 'serial' | 'uninstall';
  files: string[];
  serial: boolean;
  /** A failure here stops the run: later phases are reported as not run. */
  gate: boolean;
}

export function discoverPhases(root = REPO_ROOT): Phase[] {
  const files = (pattern: string) => globSync(pattern, { cwd: root }).sort();
  const areas = files('suites/[0-9][0-9]-*/**/*.test.ts').filter((f) => !f.startsWith('suites/00-'));
  const isLast = (f: string) => /^suites\/9\d-/.test(f);
  const phases: Phase[] = [
    { name: 'preflight', files: files('suites/00-preflight/**/*.test.ts'), serial: false, gate: true },
    { name: 'features', files: areas.filter((f) => !isLast(f) && !f.endsWith('.serial.test.ts')), serial: false, gate: false },
    { name: 'serial', files: areas.filter((f) => !isLast(f) && f.endsWith('.serial.test.ts')), serial: true, gate: false },
    { name: 'uninstall', files: areas.filter(isLast), serial: true, gate: false },
  ];
  return phases.filter((p) => p.files.length > 0 && p.files.every((f) => existsSync(join(root, f))));
}

/** vitest -t takes one regular expression over full test names: combine run and skip. */
export function testNamePattern(run?: string, skip?: string): string | undefined {
  if (!run && !skip) return undefined;
  return `^${skip ? `(?!.*(?:${skip}))` : ''}${run ? `(?=.*(?:${run}))` : ''}.*$`;
}
