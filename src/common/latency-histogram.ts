/** Buckets per doubling: each bucket is 2^(1/8) ≈ 9% wide, the precision of a reported quantile. */
const BUCKETS_PER_DOUBLING = 8;
/** The smallest value told apart, in milliseconds (1 µs); smaller values share the first bucket. */
const FLOOR_MS = 0.001;
/** 2^32 µs (about 72 minutes) and above share the last bucket. */
const BUCKET_COUNT = 32 * BUCKETS_PER_DOUBLING;

/**
 * Durations in milliseconds, for the quantiles Kafka's Yammer histograms report (TotalTimeMs,
 * RequestQueueTimeMs, LogFlushRateAndTimeMs): a fixed array of logarithmic buckets, so recording
 * is one logarithm and one increment, and memory does not grow with the values recorded.
 *
 * Kafka's histograms decay (recent values weigh more); these keep two windows instead, the
 * current one and the one before it, and `rotate` (called by whoever reads them, at most once per
 * `windowMs`) drops the older: quantiles cover the last one to two windows.
 */
export class LatencyHistogram {
  private current = new Float64Array(BUCKET_COUNT);
  private previous = new Float64Array(BUCKET_COUNT);
  private windowStartMs = Number.NEGATIVE_INFINITY;
  /** Values recorded since creation (Kafka's Count attribute). */
  count = 0;
  /** Their sum, in milliseconds. */
  sumMs = 0;

  record(ms: number): void {
    this.count++;
    this.sumMs += ms;
    const i = ms <= FLOOR_MS ? 0 : Math.floor(Math.log2(ms / FLOOR_MS) * BUCKETS_PER_DOUBLING);
    this.current[i < BUCKET_COUNT ? i : BUCKET_COUNT - 1]! += 1;
  }

  /** Starts a new window when the current one is `windowMs` old (`nowMs` on any monotonic clock). */
  rotate(nowMs: number, windowMs: number): void {
    if (nowMs - this.windowStartMs < windowMs) return;
    const dropped = this.previous;
    this.previous = this.current;
    dropped.fill(0);
    this.current = dropped;
    this.windowStartMs = nowMs;
  }

  /**
   * The value below which a fraction `q` (0..1) of the recent values fall: the upper bound of
   * the bucket holding it, so never below the true quantile by more than a bucket. 0 when empty.
   */
  quantile(q: number): number {
    let total = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) total += this.current[i]! + this.previous[i]!;
    if (total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * total));
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.current[i]! + this.previous[i]!;
      if (seen >= rank) return FLOOR_MS * 2 ** ((i + 1) / BUCKETS_PER_DOUBLING);
    }
    return FLOOR_MS * 2 ** (BUCKET_COUNT / BUCKETS_PER_DOUBLING);
  }
}
