import type { SelfTime } from './cpu-profile-summary.js';
import type { LatencySummary } from './latency.js';

/**
 * What one suite run records: every figure with the baseline it is compared with (a ceiling or a
 * peer measured in the same run), the load generators' CPU use, and what was skipped and why.
 * Written as JSON to bench/results/ and read back by write-report.ts.
 */
export interface Figure {
  /** Section of the report: ceilings, strom, peers, clients, startup, peer:<name>. */
  section: string;
  /** Stable identifier, e.g. `strom.throughput.p16.acks1`. */
  id: string;
  label: string;
  /** Who was measured: strom, nats, redis, kafkajs, a peer's name, node. */
  system: string;
  value: number;
  unit: string;
  baseline?: { label: string; value: number };
  /** value / baseline.value. */
  ratio?: number;
  /** Load generators' CPU in percent of one core each, e.g. [producer, consumer]. */
  generatorCpuPercent?: number[];
  latency?: LatencySummary;
  note?: string;
}

export interface Machine {
  hostname: string;
  node: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  disk: string;
  kernel: string;
}

export interface SuiteResults {
  date: string;
  mode: 'quick' | 'full';
  secondsPerWorkload: number;
  machine: Machine;
  durationSeconds: number;
  figures: Figure[];
  skipped: string[];
  /** Top self-time functions of the broker during a produce workload. */
  profile?: { workload: string; top: SelfTime[] };
}

export class Recorder {
  readonly figures: Figure[] = [];
  readonly skipped: string[] = [];

  add(f: Figure): Figure {
    if (f.baseline && f.baseline.value > 0 && Number.isFinite(f.value)) f.ratio = f.value / f.baseline.value;
    this.figures.push(f);
    console.log(`  ${formatFigure(f)}`);
    return f;
  }

  skip(what: string, why: string): void {
    const line = `${what}: skipped, ${why}`;
    this.skipped.push(line);
    console.log(`  ${line}`);
  }

  find(id: string): Figure | undefined {
    return this.figures.find((f) => f.id === id);
  }
}

export function formatValue(value: number, unit: string): string {
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

export function formatFigure(f: Figure): string {
  let s = `${f.label}: ${formatValue(f.value, f.unit)}`;
  if (f.baseline) s += ` (${f.ratio?.toFixed(2) ?? '–'}× ${f.baseline.label})`;
  if (f.latency) {
    const l = f.latency;
    s += `, e2e p50 ${l.p50Ms.toFixed(2)} ms p99 ${l.p99Ms.toFixed(2)} ms p99.9 ${l.p999Ms.toFixed(2)} ms`;
  }
  if (f.generatorCpuPercent)
    s += `, generator CPU ${f.generatorCpuPercent.map((c) => `${c.toFixed(0)}%`).join('/')}`;
  if (f.note) s += ` [${f.note}]`;
  return s;
}
