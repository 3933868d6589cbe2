/** A cancellable timer returned by a Clock. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * Time as the deterministic cores see it: wall-clock milliseconds, a monotonic reading for durations,
 * and timers. Production uses systemClock; simulations inject a virtual clock.
 */
export interface Clock {
  /** Milliseconds since the epoch (record timestamps, retention). */
  nowMs(): number;
  /** Monotonic milliseconds (timeouts, durations); never goes back. */
  monotonicMs(): number;
  setTimer(delayMs: number, fn: () => void): TimerHandle;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  monotonicMs: () => performance.now(),
  setTimer(delayMs, fn) {
    const t = setTimeout(fn, Math.max(0, delayMs));
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

/** A virtual clock for tests and simulations: time moves only when advanced. */
export class ManualClock implements Clock {
  private now: number;
  private timers: { at: number; seq: number; fn: () => void; cancelled: boolean }[] = [];
  private seq = 0;

  constructor(startMs = 1_700_000_000_000) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  monotonicMs(): number {
    return this.now;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const t = { at: this.now + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.timers.push(t);
    return { cancel: () => (t.cancelled = true) };
  }

  /** Moves time forward, firing due timers in time order (ties in creation order). */
  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.now = next.at;
      next.fn();
    }
    this.now = target;
  }
}
