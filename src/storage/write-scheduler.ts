/** Something holding queued writes: a partition log. */
export interface QueuedWrites {
  /** Writes everything queued; throws what the write threw (the log maps it to a storage error). */
  writeQueued(): void;
  /** Bytes queued and not yet written. */
  readonly queuedBytes: number;
}

/**
 * A log's queue is written at once, without waiting for the end of the turn, when it holds this
 * much: sixteen 16 KiB batches, enough for writev's saving (see LogFile.queueWrite).
 */
export const DEFAULT_EARLY_WRITE_BYTES = 256 * 1024;

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
 *
 * A log whose queue reaches `earlyWriteBytes` is written (and its appends acknowledged) at once.
 * Under a pipelined load one turn can read megabytes of produce requests from one connection;
 * acknowledging all of them only at the end of the turn makes the producer and the broker take
 * turns (the producer waits for a burst of acks, then sends a burst of requests). Writing early
 * lets the first acks leave, after the socket chunk being handled, while the broker still reads the
 * rest, so both sides work at once: one partition's produce rate rose by a third.
 */
export class WriteScheduler {
  private round = new Map<QueuedWrites, Round>();
  private scheduled = false;
  private readonly earlyWriteBytes: number;
  /** Rounds of writes run so far (at the end of a turn). */
  rounds = 0;
  /** Queues written early, before the end of their turn. */
  earlyWrites = 0;

  constructor(earlyWriteBytes = DEFAULT_EARLY_WRITE_BYTES) {
    this.earlyWriteBytes = earlyWriteBytes;
  }

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
    if (log.queuedBytes >= this.earlyWriteBytes) {
      this.round.delete(log);
      this.earlyWrites++;
      write(log, r);
      return r.promise;
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
    for (const [log, r] of round) write(log, r);
  };
}

function write(log: QueuedWrites, r: Round): void {
  try {
    log.writeQueued();
    r.resolve();
  } catch (e) {
    r.reject(e);
  }
}

/** The process's scheduler: logs share it so that one turn ends with one round of writes. */
export const sharedWriteScheduler = new WriteScheduler();
