import { LatencyHistogram } from '../common/latency-histogram.js';

/**
 * How long each fsync of a partition log took, in milliseconds, over the whole process: Kafka's
 * LogFlushStats.LogFlushRateAndTimeMs, which is also one timer per JVM. Recorded by the flusher
 * (flush.ms and flush.messages flushes, rolled segments, group commit rounds); fsyncs are far
 * fewer than appends, so the two clock reads around each cost nothing that matters.
 */
export const logFlushStats = { flushTimeMs: new LatencyHistogram() };

/** Times one flush into `logFlushStats`. */
export function recordLogFlush(startMs: number): void {
  logFlushStats.flushTimeMs.record(performance.now() - startMs);
}
