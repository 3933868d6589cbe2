import type { Cancellable, Punctuator } from '../processor/processor.js';

interface Schedule {
  next: number;
  readonly interval: number;
  readonly node: string;
  readonly punctuator: Punctuator;
  cancelled: boolean;
}

/**
 * Kafka's PunctuationQueue and PunctuationSchedule: punctuators due at or before a time run in due
 * order; after running, a schedule moves to its next multiple of the interval past the time,
 * skipping the ones missed in a gap (a gap in the data or a pause) instead of running each.
 */
export class PunctuationQueue {
  private readonly schedules: Schedule[] = [];

  schedule(startMs: number, intervalMs: number, node: string, punctuator: Punctuator): Cancellable {
    const s: Schedule = { next: startMs, interval: intervalMs, node, punctuator, cancelled: false };
    this.schedules.push(s);
    return {
      cancel: () => {
        s.cancelled = true;
      },
    };
  }

  /** Runs the punctuators due at `timeMs` with `run(node, punctuator)`; true if any ran. */
  maybePunctuate(
    timeMs: number,
    run: (node: string, punctuator: Punctuator, timeMs: number) => void,
  ): boolean {
    let punctuated = false;
    for (;;) {
      this.prune();
      let due: Schedule | null = null;
      for (const s of this.schedules) if (s.next <= timeMs && (due === null || s.next < due.next)) due = s;
      if (due === null) return punctuated;
      run(due.node, due.punctuator, timeMs);
      punctuated = true;
      let next = due.next + due.interval;
      if (timeMs >= next)
        next = due.next + (Math.floor((timeMs - due.next) / due.interval) + 1) * due.interval;
      due.next = next;
    }
  }

  private prune(): void {
    for (let i = this.schedules.length - 1; i >= 0; i--)
      if (this.schedules[i]!.cancelled) this.schedules.splice(i, 1);
  }
}
