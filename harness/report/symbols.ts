/**
 * How statuses and results read in Markdown and HTML: a plain Unicode symbol (no emoji, which
 * render differently everywhere) and a word, so a table is readable without colour.
 */
import type { FeatureStatus, ProfileResult, TestStatus } from './model.ts';

export const STATUS_SYMBOL: Record<TestStatus | FeatureStatus, string> = {
  passed: '✓',
  failed: '✗',
  skipped: '–',
  'not-run': '○',
  'not-supported': '·',
};

export const STATUS_WORD: Record<TestStatus | FeatureStatus, string> = {
  passed: 'passed',
  failed: 'failed',
  skipped: 'skipped',
  'not-run': 'not run',
  'not-supported': 'not supported',
};

export const RESULT_SYMBOL: Record<ProfileResult, string> = { success: '✓', partial: '◐', failure: '✗' };

export const statusLabel = (s: TestStatus | FeatureStatus): string => `${STATUS_SYMBOL[s]} ${STATUS_WORD[s]}`;
export const resultLabel = (r: ProfileResult): string => `${RESULT_SYMBOL[r]} ${r}`;

/** 95000 -> "1m 35s"; 800 -> "0.8s". */
export function duration(ms: number): string {
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m ${s % 60}s` : `${m}m ${s % 60}s`;
}
