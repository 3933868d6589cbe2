/**
 * Group commit for the fsync durability mode: an append waits for an fsync that started after its
 * write. At most one fsync runs at a time; appends arriving meanwhile wait together for the next,
 * so under load one fsync acknowledges many appends.
 */
export class GroupCommit {
  private readonly sync: () => Promise<void>;
  private running: Promise<void> | null = null;
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  /** fsync rounds run so far. */
  syncs = 0;

  constructor(sync: () => Promise<void>) {
    this.sync = sync;
  }

  /** Resolves once an fsync that began after this call has completed. */
  waitDurable(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.kick();
    });
  }

  /** Resolves when no round is running (close waits for this). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private kick(): void {
    if (this.running !== null || this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    this.syncs++;
    this.running = this.sync().then(
      () => {
        for (const w of waiters) w.resolve();
      },
      (e: Error) => {
        for (const w of waiters) w.reject(e);
      },
    );
    void this.running.finally(() => {
      this.running = null;
      this.kick();
    });
  }
}
