import pc from 'picocolors';

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

/**
 * One readable line per entry, for a terminal: `12:00:00.123 INFO  listening listener=PLAINTEXT
 * port=9092`, the level in colour when `colour`. Same fields as the JSON lines, same level filter;
 * made by hand (a few string joins) rather than with a pretty-printer library, which would add its
 * start-up to every `strom server` for lines that are not on any hot path.
 */
export function prettyLinesLogger(
  write: (line: string) => void = (line) => process.stderr.write(line),
  level: LogLevel = 'info',
  bound: LogFields = {},
  now: () => number = Date.now,
  colour = false,
): Logger {
  const min = LEVELS[level];
  const emit = (lvl: LogLevel, fields: LogFields, msg: string): void => {
    if (LEVELS[lvl] < min) return;
    const parts = [clockTime(now()), levelLabel(lvl, colour), msg];
    for (const [key, value] of Object.entries({ ...bound, ...fields })) {
      if (value !== undefined) parts.push(`${key}=${prettyValue(value)}`);
    }
    write(`${parts.join(' ')}\n`);
  };
  return {
    debug: (f, m) => emit('debug', f, m),
    info: (f, m) => emit('info', f, m),
    warn: (f, m) => emit('warn', f, m),
    error: (f, m) => emit('error', f, m),
    child: (fields) => prettyLinesLogger(write, level, { ...bound, ...fields }, now, colour),
  };
}

/** Local wall-clock time with milliseconds, as a terminal reader expects. */
function clockTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * The level name is the only colour in a line, so errors and warnings stand out. Always coloured
 * here: the caller decides whether the stream takes colour (`colour`).
 */
const colours = pc.createColors(true);
const LEVEL_COLOURS: Record<LogLevel, (s: string) => string> = {
  debug: colours.gray,
  info: colours.cyan,
  warn: colours.yellow,
  error: colours.red,
};

function levelLabel(lvl: LogLevel, colour: boolean): string {
  const label = lvl.toUpperCase().padEnd(5);
  return colour ? LEVEL_COLOURS[lvl](label) : label;
}

/** A field's value: bare when it is one plain word, JSON otherwise; errors as their message. */
function prettyValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return JSON.stringify(`${value.name}: ${value.message}${code !== undefined ? ` (${String(code)})` : ''}`);
  }
  return JSON.stringify(value, errorReplacer) ?? String(value);
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
