import type { LogFields, Logger } from '../../src/common/logger.js';

export interface CapturedLine {
  level: string;
  msg: string;
  fields: LogFields;
}

/** A logger that keeps every line, so tests can check what was logged. */
export function captureLogger(
  lines: CapturedLine[] = [],
  bound: LogFields = {},
): Logger & { lines: CapturedLine[] } {
  const emit = (level: string) => (fields: LogFields, msg: string) => {
    lines.push({ level, msg, fields: { ...bound, ...fields } });
  };
  return {
    lines,
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (fields) => captureLogger(lines, { ...bound, ...fields }),
  };
}
