import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** One family's samples, as MetricsRegistry computes them on a scrape. */
export interface FamilySamples {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values: readonly {
    readonly labels?: Readonly<Record<string, string | number>>;
    readonly value: number;
  }[];
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
  const parts: string[] = [];
  let slice = 0;
  for (const f of families) {
    const name = escapeString(f.name);
    let text = `# HELP ${name} ${escapeString(f.help)}\n# TYPE ${name} ${f.type}`;
    for (const v of f.values) {
      text += `\n${name}${labelsOf(v.labels)} ${sampleValue(v.value)}`;
      if (++slice >= SAMPLES_PER_SLICE) {
        slice = 0;
        await yieldToEventLoop();
      }
    }
    parts.push(text);
  }
  return `${parts.join('\n\n')}\n`;
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
