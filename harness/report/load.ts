/**
 * Reading a saved report (YAML or JSON, by content: JSON is YAML) and checking it against the
 * schema. A bad file gives one error that names the file and the first offending field.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { ConformanceReport } from './model.ts';
import { ReportSchema } from './schema.ts';

export class ReportFileError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${file}: ${field ? `${field}: ` : ''}${detail}`);
    this.name = 'ReportFileError';
  }
}

export function parseReport(text: string, file: string): ConformanceReport {
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new ReportFileError(file, '', `not YAML or JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const parsed = ReportSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const [first, ...rest] = parsed.error.issues;
  const field = first!.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
  const more = rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  throw new ReportFileError(file, field || '(root)', `${first!.message}${more}`);
}

export function readReport(file: string): ConformanceReport {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ReportFileError(file, '', `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseReport(text, file);
}
