import * as hdr from 'hdr-histogram-js';

/**
 * End-to-end latency across processes: the producer writes a wall-clock stamp with sub-millisecond
 * precision into the first 8 bytes of a value, the consumer subtracts it from its own clock. Both
 * run on one machine, so they share the clock.
 */
export function stampNowMs(): number {
  return performance.timeOrigin + performance.now();
}

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /** [percentile, ms] pairs for a percentile curve. */
  curve: [number, number][];
}

export const CURVE_PERCENTILES = [0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100];

/** An HDR histogram in microseconds, up to 2 minutes, 3 significant digits. */
export class LatencyRecorder {
  private readonly histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });

  /** Records `count` messages stamped at `stampMs` as received now. */
  record(stampMs: number, count = 1): void {
    const us = Math.round((stampNowMs() - stampMs) * 1000);
    this.histogram.recordValueWithCount(Math.min(120_000_000, Math.max(1, us)), count);
  }

  summary(): LatencySummary | null {
    const h = this.histogram;
    if (h.totalCount === 0) return null;
    const at = (p: number): number => h.getValueAtPercentile(p) / 1000;
    return {
      count: h.totalCount,
      p50Ms: at(50),
      p99Ms: at(99),
      p999Ms: at(99.9),
      maxMs: h.maxValue / 1000,
      curve: CURVE_PERCENTILES.map((p) => [p, p === 100 ? h.maxValue / 1000 : at(p)]),
    };
  }
}
