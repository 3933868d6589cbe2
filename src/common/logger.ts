/** Fields attached to a log line: `topic`, `partition`, `offset`, `nodeId` and the like. */
export type LogFields = Record<string, unknown>;

/**
 * The structured logger every component accepts by injection: a fixed message plus fields,
 * pino-style `(fields, msg)`. `child` binds fields (a partition, a connection) to every line.
 */
export interface Logger {
  debug(fields: LogFields, msg: string): void;
  info(fields: LogFields, msg: string): void;
  warn(fields: LogFields, msg: string): void;
  error(fields: LogFields, msg: string): void;
  child(fields: LogFields): Logger;
}

const noop = (): void => {};

/** Discards everything; the default when a caller injects nothing. */
export const noopLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => noopLogger,
};

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** One JSON object per line: `{"time":…,"level":…,"msg":…, …bound fields, …fields}`. */
export function jsonLinesLogger(
  write: (line: string) => void = (line) => process.stderr.write(line),
  level: LogLevel = 'info',
  bound: LogFields = {},
  now: () => number = Date.now,
): Logger {
  const min = LEVELS[level];
  const emit = (lvl: LogLevel, fields: LogFields, msg: string): void => {
    if (LEVELS[lvl] < min) return;
    const line = { time: now(), level: lvl, msg, ...bound, ...fields };
    write(`${JSON.stringify(line, errorReplacer)}\n`);
  };
  return {
    debug: (f, m) => emit('debug', f, m),
    info: (f, m) => emit('info', f, m),
    warn: (f, m) => emit('warn', f, m),
    error: (f, m) => emit('error', f, m),
    child: (fields) => jsonLinesLogger(write, level, { ...bound, ...fields }, now),
  };
}

/** Errors have no enumerable fields, so JSON.stringify would print `{}`; bigints would throw. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code !== undefined ? { code } : {}) };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}
