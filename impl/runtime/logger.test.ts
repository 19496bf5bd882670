import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

function sink() {
  const lines: string[] = [];
  return { lines, stream: { write: (s: string) => (lines.push(s), true) } };
}

describe('JSON logger', () => {
  it('writes one JSON object per line with ts, level, logger, msg and fields', () => {
    const s = sink();
    const log = createLogger({ name: 'kruise-ref', stream: s.stream, now: () => new Date('2025-01-02T03:04:05.000Z') });
    log.child('cloneset', { controller: 'cloneset' }).info('reconciled', { key: 'ns/a' });
    expect(s.lines).toHaveLength(1);
    expect(s.lines[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(s.lines[0]!)).toEqual({
      ts: '2025-01-02T03:04:05.000Z',
      level: 'info',
      logger: 'kruise-ref.cloneset',
      msg: 'reconciled',
      fields: { controller: 'cloneset', key: 'ns/a' },
    });
  });

  it('serialises errors with their stack and drops lines below the level', () => {
    const s = sink();
    const log = createLogger({ stream: s.stream, level: 'warn' });
    log.info('hidden');
    log.error('boom', { err: new Error('bad thing', { cause: new Error('root') }) });
    expect(s.lines).toHaveLength(1);
    const line = JSON.parse(s.lines[0]!) as { level: string; fields: { err: { message: string; stack: string; cause: { message: string } } } };
    expect(line.level).toBe('error');
    expect(line.fields.err.message).toBe('bad thing');
    expect(line.fields.err.stack).toContain('logger.test.ts');
    expect(line.fields.err.cause.message).toBe('root');
  });

  it('still writes the message when a field cannot be serialised', () => {
    const s = sink();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    createLogger({ stream: s.stream }).warn('odd', { circular });
    expect(JSON.parse(s.lines[0]!)).toMatchObject({ level: 'warn', msg: 'odd', fields: { unserializable: true } });
  });
});
