import type { Clock, TimerHandle } from '../../common/clock.js';

/**
 * A request that waits for a condition (acks=all reaching the high watermark, a fetch reaching
 * min.bytes) or for its timeout, whichever comes first: Kafka's DelayedOperation.
 */
export interface DelayedOperation {
  /** Checks the condition; returns true when the operation can complete now. */
  isSatisfied(): boolean;
  /** Completes the operation, exactly once: on satisfaction or on timeout (`expired`). */
  complete(expired: boolean): void;
}

interface Entry {
  op: DelayedOperation;
  keys: readonly string[];
  timer: TimerHandle | null;
  done: boolean;
}

/**
 * Holds delayed operations by watch key (e.g. "topic-partition"). `checkAndComplete(key)` is called
 * when something that key watches changes (an append, a high watermark move).
 */
export class Purgatory {
  private readonly watchers = new Map<string, Set<Entry>>();
  private pending = 0;

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.pending;
  }

  /** Completes at once when already satisfied; otherwise watches `keys` until satisfied or `timeoutMs` passes. */
  tryCompleteElseWatch(op: DelayedOperation, keys: readonly string[], timeoutMs: number): void {
    if (op.isSatisfied()) {
      op.complete(false);
      return;
    }
    const entry: Entry = { op, keys, timer: null, done: false };
    this.pending++;
    for (const k of keys) {
      let set = this.watchers.get(k);
      if (!set) {
        set = new Set();
        this.watchers.set(k, set);
      }
      set.add(entry);
    }
    entry.timer = this.clock.setTimer(timeoutMs, () => this.finish(entry, true));
  }

  checkAndComplete(key: string): void {
    const set = this.watchers.get(key);
    if (!set) return;
    for (const entry of [...set]) {
      if (!entry.done && entry.op.isSatisfied()) this.finish(entry, false);
    }
  }

  /** Completes every waiting operation as expired (shutdown). */
  expireAll(): void {
    for (const set of [...this.watchers.values()]) for (const e of [...set]) this.finish(e, true);
  }

  private finish(entry: Entry, expired: boolean): void {
    if (entry.done) return;
    entry.done = true;
    this.pending--;
    entry.timer?.cancel();
    for (const k of entry.keys) {
      const set = this.watchers.get(k);
      set?.delete(entry);
      if (set && set.size === 0) this.watchers.delete(k);
    }
    entry.op.complete(expired);
  }
}
