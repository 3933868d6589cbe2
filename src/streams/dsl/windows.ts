import type { Window } from '../state/window-store.js';
import { StreamsError } from '../streams-error.js';

// Kafka's window specifications, durations in milliseconds. Kafka 3.x names the grace period
// explicitly: ofSizeWithNoGrace / ofSizeAndGrace and so on (KIP-633).

function checkMs(what: string, ms: number, min: number): void {
  if (!Number.isSafeInteger(ms) || ms < min)
    throw new StreamsError('CONFIG_INVALID', `${what} must be an integer of at least ${min} ms, got ${ms}`);
}

/**
 * Kafka's TimeWindows: windows of a fixed size, tumbling (advance = size) or hopping (advanceBy).
 * A record at t falls in every window with start <= t < start + size. Windows start at multiples
 * of the advance from the epoch.
 */
export class TimeWindows {
  private constructor(
    readonly sizeMs: number,
    readonly advanceMs: number,
    readonly graceMs: number,
  ) {}

  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return TimeWindows.ofSizeAndGrace(sizeMs, 0);
  }

  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    checkMs('Window size (sizeMs)', sizeMs, 1);
    checkMs('Grace period (afterWindowEnd)', graceMs, 0);
    return new TimeWindows(sizeMs, sizeMs, graceMs);
  }

  /** Hopping windows: a new window every `advanceMs` (0 < advance <= size). */
  advanceBy(advanceMs: number): TimeWindows {
    checkMs('Window advancement interval', advanceMs, 1);
    if (advanceMs > this.sizeMs)
      throw new StreamsError(
        'CONFIG_INVALID',
        `Window advancement interval should be more than zero and less than window duration which is ${this.sizeMs} ms, but given advancement interval is: ${advanceMs} ms`,
      );
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }

  size(): number {
    return this.sizeMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }

  /** The windows a record at `timestampMs` belongs to, by start (Kafka's windowsFor). */
  windowsFor(timestampMs: number): Window[] {
    const out: Window[] = [];
    let start =
      Math.floor(Math.max(0, timestampMs - this.sizeMs + this.advanceMs) / this.advanceMs) * this.advanceMs;
    for (; start <= timestampMs; start += this.advanceMs) out.push({ start, end: start + this.sizeMs });
    return out;
  }
}

/**
 * Kafka's SessionWindows: a key's records closer than the inactivity gap to each other form one
 * session; sessions that a record bridges merge. A session [start, end] spans its first and last
 * record.
 */
export class SessionWindows {
  private constructor(
    readonly inactivityGapMs: number,
    readonly graceMs: number,
  ) {}

  static ofInactivityGapWithNoGrace(inactivityGapMs: number): SessionWindows {
    return SessionWindows.ofInactivityGapAndGrace(inactivityGapMs, 0);
  }

  static ofInactivityGapAndGrace(inactivityGapMs: number, graceMs: number): SessionWindows {
    checkMs('Gap time (inactivityGap)', inactivityGapMs, 1);
    checkMs('Grace period (afterWindowEnd)', graceMs, 0);
    return new SessionWindows(inactivityGapMs, graceMs);
  }

  inactivityGap(): number {
    return this.inactivityGapMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }
}

/**
 * Kafka's SlidingWindows (KIP-450): windows of `timeDifferenceMs` defined by the records
 * themselves: each record opens the window [t - d, t] ending at it and, when later records fall
 * within d after it, the window [t + 1, t + 1 + d] starting just after it; both ends inclusive.
 * So every distinct set of records at most d apart is aggregated once.
 */
export class SlidingWindows {
  private constructor(
    readonly timeDifferenceMs: number,
    readonly graceMs: number,
  ) {}

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return SlidingWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    checkMs('Window time difference', timeDifferenceMs, 0);
    checkMs('Window grace period', graceMs, 0);
    return new SlidingWindows(timeDifferenceMs, graceMs);
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }
}

/**
 * Kafka's JoinWindows: a record of one stream joins the other stream's records of the same key
 * whose timestamps are at most `beforeMs` earlier and `afterMs` later (both `timeDifferenceMs`
 * unless changed with before/after).
 */
export class JoinWindows {
  private constructor(
    readonly beforeMs: number,
    readonly afterMs: number,
    readonly graceMs: number,
  ) {}

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    return JoinWindows.ofTimeDifferenceAndGrace(timeDifferenceMs, 0);
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    checkMs('Time difference (timeDifference)', timeDifferenceMs, 0);
    checkMs('Grace period (afterWindowEnd)', graceMs, 0);
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, graceMs);
  }

  /** Other-stream records up to `timeDifferenceMs` earlier join (after stays). */
  before(timeDifferenceMs: number): JoinWindows {
    if (timeDifferenceMs + this.afterMs < 0)
      throw new StreamsError(
        'CONFIG_INVALID',
        'Window interval (ie, beforeMs+afterMs) must not be negative.',
      );
    return new JoinWindows(timeDifferenceMs, this.afterMs, this.graceMs);
  }

  /** Other-stream records up to `timeDifferenceMs` later join (before stays). */
  after(timeDifferenceMs: number): JoinWindows {
    if (timeDifferenceMs + this.beforeMs < 0)
      throw new StreamsError(
        'CONFIG_INVALID',
        'Window interval (ie, beforeMs+afterMs) must not be negative.',
      );
    return new JoinWindows(this.beforeMs, timeDifferenceMs, this.graceMs);
  }

  size(): number {
    return this.beforeMs + this.afterMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }
}
