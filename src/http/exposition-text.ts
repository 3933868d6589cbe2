import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** One sample: its labels as an object, or already written as `{k="v",...}` (escaped). */
export interface Sample {
  readonly labels?: Readonly<Record<string, string | number>>;
  /** The labels' text with its braces, written once and reused across scrapes; wins over `labels`. */
  readonly labelText?: string;
  readonly value: number;
}

/**
 * One family's samples, as MetricsRegistry computes them on a scrape: a list, or an iterable
 * computed as the text is written (the per-partition families), so that no list of 10,000
 * samples is built in one turn of the event loop.
 */
export interface FamilySamples {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values: Iterable<Sample>;
}

/** Samples formatted between two yields to the event loop. */
export const SAMPLES_PER_SLICE = 2000;

/**
 * Prometheus' text format 0.0.4 of `families`, written exactly as prom-client's Registry writes
 * it (HELP and TYPE lines, `name{label="value",...} value`, families separated by a blank line),
 * but without its per-sample label objects, and in slices of SAMPLES_PER_SLICE samples with a
 * yield to the event loop between them: 10,000 partitions make about 100,000 samples, and
 * formatting them in one turn held every produce and fetch request waiting behind the scrape.
 */
export async function expositionText(families: readonly FamilySamples[]): Promise<string> {
  // Slices of text, not one string grown over 100,000 lines: each is a short flat string.
  const parts: string[] = [];
  let slice = 0;
  for (const [i, f] of families.entries()) {
    const name = escapeString(f.name);
    let text = `${i === 0 ? '' : '\n\n'}# HELP ${name} ${escapeString(f.help)}\n# TYPE ${name} ${f.type}`;
    for (const v of f.values) {
      text += `\n${name}${v.labelText ?? labelsOf(v.labels)} ${sampleValue(v.value)}`;
      if (++slice >= SAMPLES_PER_SLICE) {
        slice = 0;
        parts.push(text);
        text = '';
        await yieldToEventLoop();
      }
    }
    parts.push(text);
  }
  parts.push('\n');
  return parts.join('');
}

/** `{topic="t",partition="0"}` as labelsOf writes it, for a caller that keeps it across scrapes. */
export function partitionLabelText(topic: string, partition: number): string {
  return `{topic="${escapeLabelValue(topic)}",partition="${partition}"}`;
}

function labelsOf(labels: Readonly<Record<string, string | number>> | undefined): string {
  if (labels === undefined) return '';
  let out = '';
  for (const k in labels) {
    const v = labels[k]!;
    out += `${out === '' ? '{' : ','}${k}="${typeof v === 'string' ? escapeLabelValue(v) : v}"`;
  }
  return out === '' ? '' : `${out}}`;
}

/** As prom-client's getValueAsString. */
function sampleValue(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}

function escapeString(s: string): string {
  return s.includes('\\') || s.includes('\n') ? s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : s;
}

function escapeLabelValue(s: string): string {
  return s.includes('\\') || s.includes('\n') || s.includes('"') ? escapeString(s).replace(/"/g, '\\"') : s;
}
