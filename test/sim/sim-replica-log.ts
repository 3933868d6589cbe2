import type { FollowerLogView } from '../../src/broker/replication/follower-truncation.js';
import { LeaderEpochCache } from '../../src/storage/leader-epoch-cache.js';

/** One record of a simulated partition log: the leader epoch it was written in and a unique value. */
export interface SimEntry {
  readonly epoch: number;
  readonly value: number;
}

/**
 * A partition replica's log on a simulated disk: entries (one record per offset), the leader-epoch
 * cache (storage's LeaderEpochCache, in memory) and the high watermark. Writes reach the "page
 * cache" at once; `flush` makes them durable. A process crash keeps the page cache; a machine
 * crash loses what was not flushed, as after a power loss.
 */
export class SimReplicaLog implements FollowerLogView {
  entries: SimEntry[] = [];
  logStartOffset = 0;
  highWatermark = 0;
  private flushedEnd = 0;
  /** The high watermark as last checkpointed (replication-offset-checkpoint). */
  private checkpointedHighWatermark = 0;
  private cache = new LeaderEpochCache(null);

  get logEndOffset(): number {
    return this.logStartOffset + this.entries.length;
  }
  latestEpoch(): number {
    return this.cache.latestEpoch();
  }
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    return this.cache.endOffsetFor(epoch, this.logEndOffset);
  }
  epochEntries(): readonly { epoch: number; startOffset: number }[] {
    return this.cache.all();
  }
  entryAt(offset: number): SimEntry | undefined {
    return this.entries[offset - this.logStartOffset];
  }

  /** A leader's append, or a follower's of what it fetched: each entry's epoch goes through the cache (Kafka's maybeAssignEpochStartOffset). */
  append(entries: readonly SimEntry[]): void {
    for (const e of entries) {
      if (this.cache.isUpdateNeeded(e.epoch, this.logEndOffset))
        this.cache.assign(e.epoch, this.logEndOffset);
      this.entries.push(e);
    }
  }

  /** A new leader records where its epoch starts (storage's assignEpochStartOffset). */
  assignEpochStart(epoch: number): void {
    this.cache.assign(epoch, this.logEndOffset);
  }

  truncateTo(offset: number): void {
    if (offset >= this.logEndOffset) {
      if (offset === this.logEndOffset) this.cache.truncateFromEnd(offset);
      return;
    }
    if (offset < this.logStartOffset) {
      this.truncateFullyAndStartAt(offset);
      return;
    }
    this.entries.length = offset - this.logStartOffset;
    this.cache.truncateFromEnd(offset);
    this.highWatermark = Math.min(this.highWatermark, offset);
    this.flushedEnd = Math.min(this.flushedEnd, offset);
  }

  truncateFullyAndStartAt(offset: number): void {
    this.entries = [];
    this.logStartOffset = offset;
    this.cache = new LeaderEpochCache(null);
    this.highWatermark = offset;
    this.flushedEnd = offset;
  }

  setHighWatermark(hw: number): void {
    this.highWatermark = Math.max(this.logStartOffset, Math.min(hw, this.logEndOffset));
  }

  /** fsync of the log and the periodic high watermark checkpoint. */
  flush(): void {
    this.flushedEnd = this.logEndOffset;
    this.checkpointedHighWatermark = this.highWatermark;
  }

  /**
   * A restart. After a machine crash the unflushed tail is gone; either way the leader-epoch cache
   * is cut to the log end and the high watermark comes from its checkpoint, as storage's open does.
   */
  restart(lostUnflushed: boolean): void {
    if (lostUnflushed) this.entries.length = Math.max(0, this.flushedEnd - this.logStartOffset);
    this.flushedEnd = this.logEndOffset;
    this.cache.truncateFromEnd(this.logEndOffset);
    this.highWatermark = Math.min(this.checkpointedHighWatermark, this.logEndOffset);
  }
}
