import type { ProgressLine } from './progress-line.js';

/** Latencies kept for percentiles at most, as in Kafka's ProducerPerformance (one in N beyond). */
const LATENCY_SAMPLES_MAX = 500_000;
/** How often the live line (terminal only) is refreshed. */
const PROGRESS_INTERVAL_MS = 1000;

export interface LatencySummary {
  avg: number;
  max: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
}

/** Percentiles in Kafka's rounding (whole milliseconds) over the sampled latencies. */
export function latencySummary(latenciesMs: Float64Array): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  const n = sorted.length;
  const at = (q: number): number => (n === 0 ? 0 : Math.trunc(sorted[Math.min(n - 1, Math.trunc(q * n))]!));
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    avg: n === 0 ? 0 : sum / n,
    max: n === 0 ? 0 : sorted[n - 1]!,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    p999: at(0.999),
  };
}

/**
 * producer-perf-test's figures, kept as Kafka's `ProducerPerformance.Stats` keeps them: count,
 * total and maximum over every acknowledged record, percentiles over at most 500,000 samples
 * (every Nth record), so memory stays bounded whatever --num-records is.
 */
export class ProducerPerfStats {
  private readonly samples: Float64Array;
  private readonly sampling: number;
  private sampled = 0;
  count = 0;
  private totalMs = 0;
  private maxMs = 0;
  private windowStart = performance.now();
  private windowCount = 0;
  private windowTotalMs = 0;
  private windowMaxMs = 0;

  constructor(
    numRecords: number,
    private readonly recordSize: number,
    readonly progress: ProgressLine,
  ) {
    this.sampling = Math.max(1, Math.trunc(numRecords / Math.min(numRecords, LATENCY_SAMPLES_MAX)));
    this.samples = new Float64Array(Math.ceil(numRecords / this.sampling));
  }

  /** Counts one acknowledged record and its latency (delivery time minus send time). */
  record(latencyMs: number): void {
    if (this.count % this.sampling === 0 && this.sampled < this.samples.length) {
      this.samples[this.sampled++] = latencyMs;
    }
    this.count++;
    this.totalMs += latencyMs;
    if (latencyMs > this.maxMs) this.maxMs = latencyMs;
    this.windowCount++;
    this.windowTotalMs += latencyMs;
    if (latencyMs > this.windowMaxMs) this.windowMaxMs = latencyMs;
    // Checking the clock every 1024 acks keeps the progress line off the per-record cost.
    if ((this.count & 1023) === 0 && this.progress.enabled) this.maybeShowWindow();
  }

  private maybeShowWindow(): void {
    const now = performance.now();
    if (now - this.windowStart < PROGRESS_INTERVAL_MS) return;
    const secs = (now - this.windowStart) / 1000;
    const n = this.windowCount;
    this.progress.update(
      `${n} records sent, ${(n / secs).toFixed(1)} records/sec (${((n * this.recordSize) / secs / 1048576).toFixed(2)} MB/sec), ${(this.windowTotalMs / n).toFixed(1)} ms avg latency, ${this.windowMaxMs.toFixed(1)} ms max latency.`,
    );
    this.windowStart = now;
    this.windowCount = 0;
    this.windowTotalMs = 0;
    this.windowMaxMs = 0;
  }

  /** Kafka's final line (or the same figures as JSON) for a run that took `elapsedMs`. */
  summary(elapsedMs: number, json: boolean): string {
    const p = latencySummary(this.samples.subarray(0, this.sampled));
    const secs = elapsedMs / 1000;
    const rate = this.count / secs;
    const mb = (this.count * this.recordSize) / secs / 1048576;
    const avg = this.count === 0 ? 0 : this.totalMs / this.count;
    return json
      ? `${JSON.stringify({ records: this.count, recordsPerSec: rate, mbPerSec: mb, avgLatencyMs: avg, maxLatencyMs: this.maxMs, p50Ms: p.p50, p95Ms: p.p95, p99Ms: p.p99, p999Ms: p.p999 })}\n`
      : `${this.count} records sent, ${rate.toFixed(6)} records/sec (${mb.toFixed(2)} MB/sec), ${avg.toFixed(2)} ms avg latency, ${this.maxMs.toFixed(2)} ms max latency, ${p.p50} ms 50th, ${p.p95} ms 95th, ${p.p99} ms 99th, ${p.p999} ms 99.9th.\n`;
  }
}
