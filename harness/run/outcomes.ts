/**
 * Raw test outcomes as vitest reports them (its JSON reporter and `vitest list --json`), mapped to
 * the shape the report builder takes: file, describe chain, title, features, status, duration.
 */
import { relative } from 'node:path';
import { REPO_ROOT } from '../tools/cache.ts';
import { featuresOfTitles } from './gating.ts';

export interface RawOutcome {
  file: string;
  ancestors: string[];
  name: string;
  features: string[];
  status: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  failure?: string;
  /** Set when the harness, not vitest, decided the outcome (e.g. "preflight failed"). */
  notRunReason?: string;
}

interface VitestJson {
  testResults?: {
    name: string;
    status?: string;
    message?: string;
    assertionResults: { ancestorTitles: string[]; title: string; status: string; duration?: number | null; failureMessages?: string[] }[];
  }[];
}

/** The noise vitest adds to failure messages (stack frames inside node_modules) goes. */
export function trimFailure(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^\s+at .*(node_modules|node:internal)/.test(l))
    .join('\n')
    .trim();
}

export function outcomesFromVitestJson(json: VitestJson): RawOutcome[] {
  const out: RawOutcome[] = [];
  for (const file of json.testResults ?? []) {
    const rel = relative(REPO_ROOT, file.name);
    if (file.assertionResults.length === 0 && file.status === 'failed') {
      // The file failed before any test ran (import error, failed beforeAll): one failed entry.
      out.push({ file: rel, ancestors: [], name: '(file)', features: [], status: 'failed', durationMs: 0, failure: trimFailure(file.message ?? 'the suite file failed to load') });
      continue;
    }
    for (const a of file.assertionResults) {
      const status = a.status === 'passed' ? 'passed' : a.status === 'failed' ? 'failed' : 'skipped';
      out.push({
        file: rel,
        ancestors: a.ancestorTitles,
        name: a.title,
        features: featuresOfTitles(a.ancestorTitles),
        status,
        durationMs: Math.round(a.duration ?? 0),
        failure: status === 'failed' ? trimFailure((a.failureMessages ?? []).join('\n')) || 'failed without a message' : undefined,
      });
    }
  }
  return out;
}

interface VitestListEntry {
  name: string;
  file: string;
}

/** `vitest list --json` gives "describe > describe > test" names; mark them all not run. */
export function notRunFromList(entries: VitestListEntry[], reason: string): RawOutcome[] {
  return entries.map((e) => {
    const parts = e.name.split(' > ');
    const ancestors = parts.slice(0, -1);
    return { file: relative(REPO_ROOT, e.file), ancestors, name: parts.at(-1) ?? e.name, features: featuresOfTitles(ancestors), status: 'skipped', durationMs: 0, notRunReason: reason };
  });
}

/** The timing reporter's rows (absolute paths) as report rows (paths relative to the repo root). */
export function fileTimings(rows: readonly { file: string; durationMs: number }[]): { file: string; durationMs: number }[] {
  return rows.map((r) => ({ file: relative(REPO_ROOT, r.file), durationMs: r.durationMs }));
}
