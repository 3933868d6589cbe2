import { UsageError } from './usage-error.js';

/**
 * Parses `k=v` settings, each given on its own or comma-separated (`a=1,b=2`) as Kafka's scripts
 * accept them. A comma inside a value can be written in square brackets: `k=[a,b]`.
 */
export function parseKeyValues(items: readonly string[], what = 'setting'): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items) {
    for (const part of splitTopLevel(item)) {
      if (part.trim() === '') continue;
      const eq = part.indexOf('=');
      if (eq <= 0) throw new UsageError(`invalid ${what} '${part}': expected key=value`);
      let value = part.slice(eq + 1);
      if (value.startsWith('[') && value.endsWith(']')) value = value.slice(1, -1);
      out.set(part.slice(0, eq).trim(), value);
    }
  }
  return out;
}

/** Splits on commas outside square brackets. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/** Parses an integer option, or raises a usage error naming the flag. */
export function parseIntOption(value: string, flag: string, min = Number.MIN_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${flag} must be an integer, got '${value}'`);
  const n = Number(value);
  if (n < min) throw new UsageError(`${flag} must be at least ${min}, got ${n}`);
  return n;
}
