// Structured JSON logger: one object per line with ts, level, logger, msg and fields.
// The harness parses these lines (and fails a run on any "fatal"), so the shape is a contract.
import type { Writable } from 'node:stream';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export type LogFields = Record<string, unknown>;

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, fatal: 50 };

/** Logger writes one JSON object per line; child() appends a dotted name segment and fixed fields. */
export interface Logger {
  readonly name: string;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  fatal(msg: string, fields?: LogFields): void;
  child(name: string, fields?: LogFields): Logger;
  enabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  name?: string;
  /** Lowest level written; default from KRUISE_REF_LOG_LEVEL, else "info". */
  level?: LogLevel;
  /** Destination; default process.stderr. */
  stream?: Pick<Writable, 'write'>;
  /** Clock seam for tests. */
  now?: () => Date;
}

export function isLogLevel(v: string): v is LogLevel {
  return v in LEVEL_ORDER;
}

/** serializeError turns an Error (and its cause chain) into plain JSON so the stack survives. */
export function serializeError(err: unknown): unknown {
  if (err instanceof Error) {
    const out: Record<string, unknown> = { name: err.name, message: err.message, stack: err.stack };
    const code = (err as { code?: unknown }).code;
    if (code !== undefined) out.code = code;
    const status = (err as { code?: unknown; statusCode?: unknown }).statusCode;
    if (status !== undefined) out.statusCode = status;
    if (err.cause !== undefined) out.cause = serializeError(err.cause);
    return out;
  }
  return err;
}

function normalizeFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v instanceof Error ? serializeError(v) : v;
  return out;
}

class JsonLogger implements Logger {
  constructor(
    readonly name: string,
    private readonly _base: LogFields,
    private readonly _minLevel: number,
    private readonly _stream: Pick<Writable, 'write'>,
    private readonly _now: () => Date,
  ) {}

  enabled(level: LogLevel): boolean {
    return LEVEL_ORDER[level] >= this._minLevel;
  }

  private _write(level: LogLevel, msg: string, fields?: LogFields): void {
    if (!this.enabled(level)) return;
    const merged = fields ? { ...this._base, ...normalizeFields(fields) } : this._base;
    const line: Record<string, unknown> = { ts: this._now().toISOString(), level, logger: this.name, msg };
    if (Object.keys(merged).length > 0) line.fields = merged;
    let text: string;
    try {
      text = JSON.stringify(line);
    } catch {
      // Circular or BigInt fields must not lose the message itself.
      text = JSON.stringify({ ts: line.ts, level, logger: this.name, msg, fields: { unserializable: true } });
    }
    this._stream.write(text + '\n');
  }

  debug(msg: string, fields?: LogFields): void { this._write('debug', msg, fields); }
  info(msg: string, fields?: LogFields): void { this._write('info', msg, fields); }
  warn(msg: string, fields?: LogFields): void { this._write('warn', msg, fields); }
  error(msg: string, fields?: LogFields): void { this._write('error', msg, fields); }
  fatal(msg: string, fields?: LogFields): void { this._write('fatal', msg, fields); }

  child(name: string, fields?: LogFields): Logger {
    const childName = this.name ? `${this.name}.${name}` : name;
    return new JsonLogger(childName, { ...this._base, ...(fields ? normalizeFields(fields) : {}) }, this._minLevel, this._stream, this._now);
  }
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const envLevel = process.env.KRUISE_REF_LOG_LEVEL;
  const level: LogLevel = opts.level ?? (envLevel && isLogLevel(envLevel) ? envLevel : 'info');
  return new JsonLogger(opts.name ?? 'kruise-ref', {}, LEVEL_ORDER[level], opts.stream ?? process.stderr, opts.now ?? (() => new Date()));
}

let fatalHandlersInstalled = false;

/**
 * installFatalHandlers logs an unhandled rejection or uncaught exception as level "fatal" with its
 * stack and exits non-zero; a controller process that limps on after one would hide the bug.
 */
export function installFatalHandlers(logger: Logger, exit: (code: number) => void = (c) => process.exit(c)): void {
  if (fatalHandlersInstalled) return;
  fatalHandlersInstalled = true;
  process.on('unhandledRejection', (reason) => {
    logger.fatal('unhandled promise rejection', { err: serializeError(reason) });
    exit(70);
  });
  process.on('uncaughtException', (err) => {
    logger.fatal('uncaught exception', { err: serializeError(err) });
    exit(70);
  });
}
