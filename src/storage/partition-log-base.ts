import { join } from 'node:path';
import { type Logger, noopLogger } from '../common/logger.js';
import type { TopicPartition } from './checkpoint-file.js';
import type { FileHandleCache } from './file-handle-cache.js';
import { GroupCommit } from './group-commit.js';
import { LEADER_EPOCH_CHECKPOINT, LeaderEpochCache } from './leader-epoch-cache.js';
import type { LogConfig } from './log-config.js';
import { DELETED_SUFFIX, LogSegment } from './log-segment.js';
import type { LoadedSegments } from './partition-log-loader.js';
import type { PartitionLogOptions } from './partition-log-types.js';
import { isIoError, StorageError } from './storage-error.js';

/**
 * The state and housekeeping half of PartitionLog (split for size, not for reuse): offsets, the
 * segment list, rolling, deferred file deletion, flushing, group commit, closing and the I/O error
 * policy. The operations (append, read, retention, truncation) are in partition-log.ts.
 */
export abstract class PartitionLogBase {
  readonly dir: string;
  readonly topicPartition: TopicPartition;
  config: LogConfig;
  segments: LogSegment[];
  protected leo: number;
  protected lso: number;
  protected hw: number;
  protected rp: number;
  readonly epochs: LeaderEpochCache;
  protected readonly cache: FileHandleCache;
  protected readonly now: () => number;
  readonly logger: Logger;
  protected readonly onIoError: (err: Error) => void;
  protected readonly isOffline: () => boolean;
  protected readonly schedule: (fn: () => void, delayMs: number) => void;
  protected unflushedMessages = 0;
  protected lastFlushMs: number;
  protected closed = false;
  protected readonly groupCommit: GroupCommit;
  protected pendingRollFlush: Promise<void> = Promise.resolve();
  /** Bytes recovery cut off torn or corrupt tails when this log was opened. */
  readonly truncatedOnLoadBytes: number;

  protected constructor(o: PartitionLogOptions, loaded: LoadedSegments) {
    this.dir = o.dir;
    this.topicPartition = o.topicPartition;
    this.config = o.config;
    this.cache = o.cache;
    this.now = o.now ?? Date.now;
    this.logger = o.logger ?? noopLogger;
    this.onIoError = o.onIoError ?? (() => {});
    this.isOffline = o.isOffline ?? (() => false);
    this.schedule = o.schedule ?? ((fn, ms) => setTimeout(fn, ms).unref());
    this.segments = loaded.segments;
    this.groupCommit = new GroupCommit(() => this.syncForAcks());
    this.truncatedOnLoadBytes = loaded.truncatedBytes;
    this.leo = loaded.logEndOffset;
    this.lso = Math.min(Math.max(o.logStartOffset ?? 0, this.segments[0]!.baseOffset), this.leo);
    this.rp = Math.min(o.recoveryPoint ?? 0, this.leo);
    this.hw = Math.min(Math.max(o.highWatermark ?? 0, this.lso), this.leo);
    this.lastFlushMs = this.now();
    this.epochs = LeaderEpochCache.load(join(o.dir, LEADER_EPOCH_CHECKPOINT));
    this.epochs.truncateFromEnd(this.leo);
    this.epochs.truncateFromStart(this.lso);
  }

  get logEndOffset(): number {
    return this.leo;
  }
  get logStartOffset(): number {
    return this.lso;
  }
  get highWatermark(): number {
    return this.hw;
  }
  /** Every offset below this is known to be on disk (fsynced). */
  get recoveryPoint(): number {
    return this.rp;
  }
  get activeSegment(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }
  /** Total bytes of all segments. */
  get sizeBytes(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }

  /** The broker sets the high watermark; it is clamped to [logStartOffset, logEndOffset]. */
  setHighWatermark(offset: number): void {
    this.hw = Math.min(Math.max(offset, this.lso), this.leo);
  }

  updateConfig(changes: Partial<LogConfig>): void {
    this.config = { ...this.config, ...changes };
    const s = {
      indexIntervalBytes: this.config.indexIntervalBytes,
      segmentIndexBytes: this.config.segmentIndexBytes,
    };
    for (const seg of this.segments) seg.updateSettings(s);
  }

  /** Starts a new active segment at `nextOffset` (the log end offset by default). */
  roll(reason = 'requested', nextOffset = this.leo): void {
    this.checkUsable();
    this.io(() => {
      const old = this.activeSegment;
      if (old.size === 0 && old.baseOffset === nextOffset) return;
      // Queued appends reach the old segment before the new one exists: a crash in between must
      // not leave a segment starting past offsets that were never written.
      old.log.writeQueued();
      old.onBecomeInactive();
      const seg = LogSegment.create(
        this.dir,
        Math.max(nextOffset, this.leo),
        this.cache,
        this.config,
        this.now(),
      );
      if (old.size === 0) {
        this.segments.pop();
        old.deleteFiles();
      }
      this.segments.push(seg);
      this.logger.info({ baseOffset: seg.baseOffset, reason }, 'rolled new log segment');
      if (old.size > 0) {
        // Like Kafka, flush the finished segment in the background; the recovery point moves past it then.
        const upTo = seg.baseOffset;
        this.pendingRollFlush = this.pendingRollFlush
          .then(async () => {
            // Retention or the cleaner may have replaced the segment meanwhile (its files are gone;
            // a cleaned copy was fsynced by the cleaner itself).
            if (this.closed || !this.segments.includes(old)) return;
            await old.flushAll();
            if (upTo > this.rp) this.rp = Math.max(this.rp, Math.min(upTo, this.leo));
          })
          .catch((e: Error) => {
            if (this.segments.includes(old)) this.reportIoError(e);
          });
      }
    });
  }

  protected setLogStartOffset(offset: number): void {
    this.lso = offset;
    if (this.hw < offset) this.hw = offset;
    this.epochs.truncateFromStart(offset);
  }

  protected setLogEndOffset(offset: number): void {
    this.leo = offset;
    this.hw = Math.min(this.hw, offset);
    this.rp = Math.min(this.rp, offset);
    this.lso = Math.min(this.lso, offset);
  }

  protected resetOffsets(offset: number): void {
    this.leo = offset;
    this.lso = offset;
    this.hw = offset;
    this.rp = offset;
  }

  /** @internal Removes segments from the log and deletes their files after file.delete.delay.ms. */
  deleteSegmentFiles(segs: readonly LogSegment[]): void {
    for (const s of segs) s.changeSuffix('', DELETED_SUFFIX);
    this.scheduleDeletion(segs);
  }

  /** @internal Deletes already renamed (`.deleted`) segment files after file.delete.delay.ms. */
  scheduleDeletion(segs: readonly LogSegment[]): void {
    const run = () => {
      for (const s of segs) {
        s.deleteFilesInBackground().catch((e: unknown) => {
          this.logger.warn({ err: e, segment: s.baseOffset }, 'could not delete a segment file');
        });
      }
    };
    const delay = this.config.fileDeleteDelayMs;
    if (delay <= 0) run();
    else this.schedule(run, delay);
  }

  /** @internal The cleaner swaps a cleaned segment in place of the original (same base offset). */
  replaceSegment(old: LogSegment, cleaned: LogSegment): void {
    const i = this.segments.indexOf(old);
    if (i < 0 || old === this.activeSegment)
      throw new Error('replaceSegment: not an inactive segment of this log');
    this.segments = [...this.segments.slice(0, i), cleaned, ...this.segments.slice(i + 1)];
  }

  /** @internal */
  get nowMs(): number {
    return this.now();
  }

  /** flush.ms: called periodically by the manager. */
  maybeFlush(): void {
    if (this.closed || this.isOffline() || this.unflushedMessages === 0) return;
    if (this.now() - this.lastFlushMs >= this.config.flushMs) this.flushSync();
  }

  /** fsyncs everything written; the recovery point becomes the log end offset. */
  async flush(): Promise<void> {
    this.checkUsable();
    await this.pendingRollFlush;
    this.flushSync();
  }

  protected flushSync(): void {
    this.io(() => {
      const target = this.leo;
      for (let i = 0; i < this.segments.length; i++) {
        const end =
          i + 1 < this.segments.length ? this.segments[i + 1]!.baseOffset : Number.POSITIVE_INFINITY;
        if (end > this.rp) this.segments[i]!.flush();
      }
      this.rp = Math.max(this.rp, target);
      this.unflushedMessages = 0;
      this.lastFlushMs = this.now();
    });
  }

  /** fsyncs issued for acknowledgements in fsync mode (group commit makes this lower than appends). */
  get groupCommitSyncs(): number {
    return this.groupCommit.syncs;
  }

  /** One group commit round: fsync the active segment's data, then move the recovery point. */
  private async syncForAcks(): Promise<void> {
    const target = this.leo;
    const seg = this.activeSegment;
    try {
      await this.pendingRollFlush;
      await seg.flushAsync();
    } catch (e) {
      this.reportIoError(e as Error);
      throw new StorageError('KAFKA_STORAGE_ERROR', `fsync failed: ${(e as Error).message}`, { cause: e });
    }
    this.rp = Math.max(this.rp, target);
    this.unflushedMessages = 0;
  }

  /** Flushes (fsyncs off the event loop) and closes files; a closed log rejects every call. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.pendingRollFlush;
    await this.groupCommit.idle();
    if (!this.isOffline()) {
      try {
        this.activeSegment.onBecomeInactive();
        const target = this.leo;
        await Promise.all(this.segments.map((s) => s.flushAll()));
        this.rp = Math.max(this.rp, target);
      } catch (e) {
        if (!isIoError(e)) throw e;
        this.reportIoError(e);
      }
    }
    this.closed = true;
    for (const s of this.segments) s.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  protected checkUsable(): void {
    if (this.closed) throw new StorageError('LOG_CLOSED', `log ${this.dir} is closed`);
    if (this.isOffline()) {
      throw new StorageError('KAFKA_STORAGE_ERROR', `the log dir of ${this.dir} is offline`);
    }
  }

  /** Runs file work; an operating-system error takes the log dir offline and becomes KAFKA_STORAGE_ERROR. */
  protected io<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (!isIoError(e)) throw e;
      this.reportIoError(e);
      throw new StorageError('KAFKA_STORAGE_ERROR', `I/O error on ${this.dir}: ${e.message}`, { cause: e });
    }
  }

  protected reportIoError(e: Error): void {
    this.onIoError(e);
  }
}
