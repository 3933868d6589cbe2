/**
 * At most `max` tasks run at once; the others wait their turn in arrival order. For work that is
 * cheap to queue but costly to run side by side (CPU, thread-pool slots, buffers).
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new RangeError(`concurrency limit ${max} must be at least 1`);
  }

  /** Tasks running now and waiting to run. */
  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.max) this.running++;
    // A finishing task hands its slot straight to the next waiter, so `running` stays counted.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
