/**
 * Counts records sent with a delivery callback and not yet acknowledged, so that a command can
 * bound them (memory) and wait for the last ones, without a promise per record. The first failure
 * is kept and wakes any waiter.
 */
export class SendWindow {
  private inFlight = 0;
  failure: Error | null = null;
  private waiter: { limit: number; wake: () => void } | null = null;

  constructor(private readonly max: number) {}

  get full(): boolean {
    return this.inFlight >= this.max;
  }

  /** Counts one more record in flight. */
  add(): void {
    this.inFlight++;
  }

  /** The delivery callback: one record is done, with `err` if it failed. */
  readonly settle = (err: Error | null): void => {
    if (err) this.failure ??= err;
    this.inFlight--;
    const w = this.waiter;
    if (w !== null && (this.inFlight <= w.limit || this.failure !== null)) {
      this.waiter = null;
      w.wake();
    }
  };

  /** Resolves once at most `limit` records are in flight, or one has failed. */
  below(limit: number): Promise<void> {
    if (this.inFlight <= limit || this.failure !== null) return Promise.resolve();
    return new Promise((wake) => {
      this.waiter = { limit, wake };
    });
  }
}
