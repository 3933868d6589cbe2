/** Something holding queued writes: a partition log. */
export interface QueuedWrites {
  /** Writes everything queued; throws what the write threw (the log maps it to a storage error). */
  writeQueued(): void;
}

interface Round {
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Writes the appends of one turn of the event loop together. An append queues its bytes (see
 * LogFile.queueWrite) and waits here; once the turn's I/O callbacks have run (setImmediate), each
 * log writes its queue in one writev and its appends are acknowledged. Under load a turn carries
 * many produce requests, so the kernel sees a few large writes instead of one per batch; idle, an
 * append waits for nothing but the end of the current turn.
 */
export class WriteScheduler {
  private round = new Map<QueuedWrites, Round>();
  private scheduled = false;
  /** Rounds of writes run so far. */
  rounds = 0;

  /** Resolves once `log`'s queued writes are in the file (the page cache); rejects if they failed. */
  whenWritten(log: QueuedWrites): Promise<void> {
    let r = this.round.get(log);
    if (r === undefined) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      r = { promise, resolve, reject };
      this.round.set(log, r);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.writeRound);
    }
    return r.promise;
  }

  private readonly writeRound = (): void => {
    this.scheduled = false;
    this.rounds++;
    const round = this.round;
    this.round = new Map();
    for (const [log, r] of round) {
      try {
        log.writeQueued();
        r.resolve();
      } catch (e) {
        r.reject(e);
      }
    }
  };
}

/** The process's scheduler: logs share it so that one turn ends with one round of writes. */
export const sharedWriteScheduler = new WriteScheduler();
