import { GroupCommit } from './group-commit.js';
import { recordLogFlush } from './log-flush-stats.js';
import type { LogOffsets } from './log-offsets.js';
import type { LogSegment } from './log-segment.js';
import type { SegmentList } from './segment-list.js';
import { StorageError } from './storage-error.js';

/** What the flusher needs of its partition log. */
export interface FlushedLog {
  readonly offsets: LogOffsets;
  readonly segmentList: SegmentList;
  readonly isClosed: boolean;
  now(): number;
  /** Runs file work, mapping an operating-system error to KAFKA_STORAGE_ERROR (and the dir offline). */
  io<T>(fn: () => T): T;
  reportIoError(e: Error): void;
}

/**
 * When a partition's bytes are fsynced and how far the recovery point follows: a rolled
 * segment in the background (as Kafka's UnifiedLog.roll schedules flush), flush.messages and
 * flush.ms in the default mode, group commit before acknowledgements in fsync mode, and
 * everything on close.
 */
export class LogFlusher {
  private unflushedMessages = 0;
  private lastFlushMs: number;
  /** The background syncs of rolled segments, in order; a flush or close waits for them first. */
  private rolledSegmentSyncs: Promise<void> = Promise.resolve();
  private readonly groupCommit: GroupCommit;

  constructor(private readonly log: FlushedLog) {
    this.lastFlushMs = log.now();
    this.groupCommit = new GroupCommit(() => this.syncActiveForAcks());
  }

  /** Records appended since the last flush; the caller flushes when flush.messages is reached. */
  recordsAppended(count: number): number {
    this.unflushedMessages += count;
    return this.unflushedMessages;
  }

  /** fsyncs issued for acknowledgements in fsync mode (group commit makes this lower than appends). */
  get groupCommitSyncs(): number {
    return this.groupCommit.syncs;
  }

  /** Resolves once an fsync of the active segment that began after this call completed (fsync mode). */
  waitDurable(): Promise<void> {
    return this.groupCommit.waitDurable();
  }

  /**
   * A roll finished `old`, whose offsets end at `upTo`: fsync its files off the event loop, then
   * move the recovery point past it.
   */
  syncRolledSegment(old: LogSegment, upTo: number): void {
    const log = this.log;
    this.rolledSegmentSyncs = this.rolledSegmentSyncs
      .then(async () => {
        // Retention or the cleaner may have replaced the segment meanwhile (its files are gone;
        // a cleaned copy was fsynced by the cleaner itself).
        if (log.isClosed || !log.segmentList.includes(old)) return;
        const startMs = performance.now();
        await old.syncFiles();
        recordLogFlush(startMs);
        log.offsets.markFlushedUpTo(Math.min(upTo, log.offsets.logEndOffset));
      })
      .catch((e: Error) => {
        if (log.segmentList.includes(old)) log.reportIoError(e);
      });
  }

  /** flush.ms: fsyncs now when records wait and the last flush is that old. */
  flushIfDue(flushMs: number): void {
    if (this.unflushedMessages === 0) return;
    if (this.log.now() - this.lastFlushMs >= flushMs) this.syncUnflushedNow();
  }

  /** Waits for the rolled segments' syncs, then fsyncs the rest: the recovery point becomes the log end. */
  async flush(): Promise<void> {
    await this.rolledSegmentSyncs;
    this.syncUnflushedNow();
  }

  /**
   * fsyncs, on the event loop, every segment holding offsets past the recovery point (their log
   * and index files); the recovery point becomes the log end offset.
   */
  syncUnflushedNow(): void {
    const log = this.log;
    log.io(() => {
      const startMs = performance.now();
      const target = log.offsets.logEndOffset;
      const recovered = log.offsets.recoveryPoint;
      const segs = log.segmentList.all;
      for (let i = 0; i < segs.length; i++) {
        const end = i + 1 < segs.length ? segs[i + 1]!.baseOffset : Number.POSITIVE_INFINITY;
        if (end > recovered) segs[i]!.syncFilesNow();
      }
      recordLogFlush(startMs);
      log.offsets.markFlushedUpTo(target);
      this.unflushedMessages = 0;
      this.lastFlushMs = log.now();
    });
  }

  /** One group commit round: fsync the active segment's data, then move the recovery point. */
  private async syncActiveForAcks(): Promise<void> {
    const log = this.log;
    const target = log.offsets.logEndOffset;
    const seg = log.segmentList.active;
    try {
      await this.rolledSegmentSyncs;
      const startMs = performance.now();
      await seg.syncLogData();
      recordLogFlush(startMs);
    } catch (e) {
      log.reportIoError(e as Error);
      throw new StorageError('KAFKA_STORAGE_ERROR', `fsync failed: ${(e as Error).message}`, { cause: e });
    }
    log.offsets.markFlushedUpTo(target);
    this.unflushedMessages = 0;
  }

  /** Close, first step: the background and group-commit syncs under way are done. */
  async settle(): Promise<void> {
    await this.rolledSegmentSyncs;
    await this.groupCommit.idle();
  }

  /** Close, second step: every segment's files fsynced off the event loop, the recovery point at the end. */
  async syncAll(): Promise<void> {
    const log = this.log;
    const target = log.offsets.logEndOffset;
    await Promise.all(log.segmentList.all.map((s) => s.syncFiles()));
    log.offsets.markFlushedUpTo(target);
  }
}
