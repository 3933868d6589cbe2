/** How a quota rate is sampled: Kafka's MetricConfig of a quota sensor. */
export interface QuotaWindow {
  /** quota.window.num */
  readonly samples: number;
  /** quota.window.size.seconds, in ms */
  readonly windowMs: number;
}

interface Sample {
  value: number;
  eventCount: number;
  startTimeMs: number;
  lastEventMs: number;
}

/**
 * A rate per second over sampled windows, as Kafka's Rate over a SampledTotal (the quota sensors
 * of ClientQuotaManager): values add up in the current sample, a sample is complete once its window
 * has passed, samples without an event for `samples` windows are reset, and the rate divides the
 * total by the time elapsed since the oldest sample, never less than `samples - 1` whole windows (so
 * the first burst after a quiet period is not measured over a few milliseconds). The ring holds one
 * sample more than `samples`, for the one that overlaps the start of the measured window.
 * Time is passed in, so the computation is deterministic.
 */
export class QuotaRate {
  private readonly samples: Sample[] = [];
  private current = 0;

  constructor(private readonly window: QuotaWindow) {}

  record(value: number, nowMs: number): void {
    let sample = this.currentSample(nowMs);
    if (nowMs - sample.startTimeMs >= this.window.windowMs) sample = this.advance(nowMs);
    sample.value += value;
    sample.eventCount++;
    sample.lastEventMs = nowMs;
  }

  /** The rate per second at `nowMs`. */
  measure(nowMs: number): number {
    this.purgeObsolete(nowMs);
    let total = 0;
    for (const s of this.samples) total += s.value;
    return total / (this.windowSizeMs(nowMs) / 1000);
  }

  /** The time the rate is measured over (Kafka's Rate.windowSize), at least 1 ms. */
  windowSizeMs(nowMs: number): number {
    this.purgeObsolete(nowMs);
    let elapsed = nowMs - this.oldestStart(nowMs);
    const fullWindows = Math.floor(elapsed / this.window.windowMs);
    const minFullWindows = this.window.samples - 1;
    if (fullWindows < minFullWindows) elapsed += (minFullWindows - fullWindows) * this.window.windowMs;
    return Math.max(elapsed, 1);
  }

  /** When the last value was recorded (for expiring idle rates). */
  lastEventMs(): number {
    let last = Number.NEGATIVE_INFINITY;
    for (const s of this.samples) if (s.eventCount > 0 && s.lastEventMs > last) last = s.lastEventMs;
    return last;
  }

  private currentSample(nowMs: number): Sample {
    if (this.samples.length === 0) this.samples.push(newSample(nowMs));
    return this.samples[this.current]!;
  }

  private advance(nowMs: number): Sample {
    this.current = (this.current + 1) % (this.window.samples + 1);
    if (this.current >= this.samples.length) {
      const s = newSample(nowMs);
      this.samples.push(s);
      return s;
    }
    const s = this.samples[this.current]!;
    reset(s, nowMs);
    return s;
  }

  private oldestStart(nowMs: number): number {
    if (this.samples.length === 0) this.samples.push(newSample(nowMs));
    let oldest = this.samples[0]!.startTimeMs;
    for (const s of this.samples) if (s.startTimeMs < oldest) oldest = s.startTimeMs;
    return oldest;
  }

  /** Samples with no event for the whole monitored window are reset; one overlapping its start is kept. */
  private purgeObsolete(nowMs: number): void {
    const expireAgeMs = this.window.samples * this.window.windowMs;
    for (const s of this.samples) if (nowMs - s.lastEventMs >= expireAgeMs) reset(s, nowMs);
  }
}

function newSample(nowMs: number): Sample {
  return { value: 0, eventCount: 0, startTimeMs: nowMs, lastEventMs: nowMs };
}

function reset(s: Sample, nowMs: number): void {
  s.value = 0;
  s.eventCount = 0;
  s.startTimeMs = nowMs;
  s.lastEventMs = nowMs;
}

/**
 * The delay that brings an observed rate back to its bound if nothing more is recorded (Kafka's
 * QuotaUtils.throttleTime): with O observed over a window W and a bound T, waiting X more gives
 * O * W / (W + X) = T, so X = (O - T) / T * W.
 */
export function throttleTimeMs(observed: number, bound: number, windowSizeMs: number): number {
  return Math.round(((observed - bound) / bound) * windowSizeMs);
}

/**
 * An average over two windows of 30 s, as Kafka's Avg with the default MetricConfig: what its
 * throttle-time metric of each quota id reads. NaN when nothing was recorded in the last minute,
 * as Kafka's Avg.
 */
export class RecentAverage {
  private current = { sum: 0, count: 0, startMs: Number.NEGATIVE_INFINITY };
  private previous = { sum: 0, count: 0, startMs: Number.NEGATIVE_INFINITY };

  constructor(private readonly windowMs = 30_000) {}

  record(value: number, nowMs: number): void {
    if (nowMs - this.current.startMs >= this.windowMs) {
      this.previous = this.current;
      this.current = { sum: 0, count: 0, startMs: nowMs };
    }
    this.current.sum += value;
    this.current.count++;
  }

  measure(nowMs: number): number {
    let sum = 0;
    let count = 0;
    for (const w of [this.current, this.previous]) {
      if (nowMs - w.startMs >= 2 * this.windowMs) continue;
      sum += w.sum;
      count += w.count;
    }
    return count === 0 ? Number.NaN : sum / count;
  }
}
