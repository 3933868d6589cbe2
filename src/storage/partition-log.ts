export * from './partition-log-types.js';

import { join } from 'node:path';
import { type Logger, noopLogger } from '../common/logger.js';
import { validateAndAssign } from './append-validator.js';
import type { TopicPartition } from './checkpoint-file.js';
import type { FileHandleCache } from './file-handle-cache.js';
import type { FileSlice } from './file-slice.js';
import { GroupCommit } from './group-commit.js';
import { LEADER_EPOCH_CHECKPOINT, LeaderEpochCache } from './leader-epoch-cache.js';
import { isDeleteEnabled, type LogConfig } from './log-config.js';
import { DELETED_SUFFIX, LogSegment } from './log-segment.js';
import { loadSegments } from './partition-log-loader.js';
import {
  type AppendOptions,
  type AppendResult,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  type PartitionLogOptions,
  type ReadOptions,
  type ReadResult,
} from './partition-log-types.js';
import { planRetention } from './retention-plan.js';
import { shouldRoll } from './segment-roll.js';
import { isIoError, StorageError } from './storage-error.js';
import { findOffsetForTimestamp } from './timestamp-lookup.js';

/**
 * One partition's log: segments on disk, offsets, the high watermark and leader epochs. Appends are
 * synchronous up to the write, so concurrent callers are ordered by the event loop; in fsync mode
 * the returned promise waits for a shared fsync (group commit).
 */
export class PartitionLog {
  readonly dir: string;
  readonly topicPartition: TopicPartition;
  config: LogConfig;
  segments: LogSegment[];
  private leo: number;
  private lso: number;
  private hw: number;
  private rp: number;
  readonly epochs: LeaderEpochCache;
  private readonly cache: FileHandleCache;
  private readonly now: () => number;
  readonly logger: Logger;
  private readonly onIoError: (err: Error) => void;
  private readonly isOffline: () => boolean;
  private readonly schedule: (fn: () => void, delayMs: number) => void;
  private unflushedMessages = 0;
  private lastFlushMs: number;
  private closed = false;
  private readonly groupCommit: GroupCommit;
  private pendingRollFlush: Promise<void> = Promise.resolve();
  /** Bytes recovery cut off torn or corrupt tails when this log was opened. */
  readonly truncatedOnLoadBytes: number;

  private constructor(o: PartitionLogOptions, loaded: ReturnType<typeof loadSegments>) {
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

  /** Opens (creating if needed) the partition directory, recovering it after an unclean stop. */
  static open(o: PartitionLogOptions): PartitionLog {
    const logger = o.logger ?? noopLogger;
    const loaded = loadSegments(o.dir, o.config, o.cache, {
      recoveryPoint: o.recoveryPoint ?? 0,
      logStartOffset: o.logStartOffset ?? 0,
      hadCleanShutdown: o.hadCleanShutdown ?? false,
      nowMs: (o.now ?? Date.now)(),
      logger,
    });
    const log = new PartitionLog({ ...o, logger }, loaded);
    logger.debug({ logEndOffset: log.leo, segments: loaded.segments.length }, 'partition log loaded');
    return log;
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

  /**
   * Validates, assigns offsets (patching base offsets in place) and writes the batches in `records`.
   * Throws StorageError (CORRUPT_MESSAGE, INVALID_RECORD, MESSAGE_TOO_LARGE, INVALID_TIMESTAMP,
   * RECORD_LIST_TOO_LARGE, KAFKA_STORAGE_ERROR) and leaves the log unchanged on failure.
   */
  append(records: Buffer, opts: AppendOptions = {}): Promise<AppendResult> {
    let result: AppendResult;
    try {
      result = this.appendSync(records, opts);
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.config.durability === 'fsync') return this.groupCommit.waitDurable().then(() => result);
    return Promise.resolve(result);
  }

  /** The write half of append; in fsync mode the data is not yet durable when it returns. */
  appendSync(records: Buffer, opts: AppendOptions = {}): AppendResult {
    this.checkUsable();
    const nowMs = this.now();
    const v = validateAndAssign(records, this.config, {
      nowMs,
      nextOffset: this.leo,
      origin: opts.origin ?? 'client',
      leaderEpoch: opts.leaderEpoch ?? null,
    });
    this.io(() => {
      const reason = shouldRoll(
        this.activeState(),
        { sizeBytes: records.length, maxTimestamp: v.maxTimestamp, lastOffset: v.lastOffset },
        this.config,
        nowMs,
      );
      if (reason !== null) this.roll(reason, v.firstOffset);
      const seg = this.activeSegment;
      const before = seg.size;
      try {
        seg.append(records, v.batches, this.config.indexIntervalBytes);
      } catch (e) {
        // Never leave a partial batch behind: cut the file back to where this append began.
        try {
          seg.log.truncate(before);
          seg.size = before;
        } catch {}
        throw e;
      }
    });
    for (const b of v.batches) {
      const epoch = records.readInt32BE(b.position + 12);
      if (epoch >= 0 && epoch > this.epochs.latestEpoch())
        this.io(() => this.epochs.assign(epoch, b.baseOffset));
    }
    this.leo = v.lastOffset + 1;
    this.unflushedMessages += v.recordCount;
    if (this.config.durability === 'default' && this.unflushedMessages >= this.config.flushMessages)
      this.flushSync();
    return {
      baseOffset: v.firstOffset,
      lastOffset: v.lastOffset,
      logAppendTime: v.logAppendTime,
      logStartOffset: this.lso,
      maxTimestamp: v.maxTimestamp,
      offsetOfMaxTimestamp: v.offsetOfMaxTimestamp,
      recordCount: v.recordCount,
    };
  }

  private activeState() {
    const a = this.activeSegment;
    return {
      baseOffset: a.baseOffset,
      sizeBytes: a.size,
      rollingBasedTimestamp: a.rollingBasedTimestamp(),
      createdMs: a.createdMs,
      offsetIndexFull: a.offsetIndex.isFull(),
      timeIndexFull: a.timeIndex.isFull(),
    };
  }

  /** Starts a new active segment at `nextOffset` (the log end offset by default). */
  roll(reason = 'requested', nextOffset = this.leo): void {
    this.checkUsable();
    this.io(() => {
      const old = this.activeSegment;
      if (old.size === 0 && old.baseOffset === nextOffset) return;
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
            if (this.closed) return;
            await old.flushAll();
            if (upTo > this.rp && this.segments.includes(old))
              this.rp = Math.max(this.rp, Math.min(upTo, this.leo));
          })
          .catch((e: Error) => this.reportIoError(e));
      }
    });
  }

  /** Reads from the batch holding fetchOffset; OFFSET_OUT_OF_RANGE outside [logStartOffset, logEndOffset]. */
  read(opts: ReadOptions): ReadResult {
    this.checkUsable();
    const { fetchOffset } = opts;
    const result = (slices: FileSlice[]): ReadResult => ({
      slices,
      sizeBytes: slices.reduce((n, s) => n + s.length, 0),
      logStartOffset: this.lso,
      logEndOffset: this.leo,
      highWatermark: this.hw,
    });
    if (fetchOffset < this.lso || fetchOffset > this.leo) {
      throw new StorageError(
        'OFFSET_OUT_OF_RANGE',
        `offset ${fetchOffset} is outside [${this.lso}, ${this.leo}] for ${this.topicPartition.topic}-${this.topicPartition.partition}`,
      );
    }
    const maxOffset = opts.maxOffset ?? null;
    if (fetchOffset === this.leo || (maxOffset !== null && fetchOffset >= maxOffset)) return result([]);
    return this.io(() => {
      for (let i = this.floorSegment(fetchOffset); i < this.segments.length; i++) {
        const seg = this.segments[i]!;
        seg.ensureIndexes(this.config.indexIntervalBytes);
        const slice = seg.read(
          Math.max(fetchOffset, seg.baseOffset),
          opts.maxBytes,
          maxOffset,
          opts.minOneMessage ?? true,
        );
        if (slice !== null) return result([slice]);
        if (
          maxOffset !== null &&
          i + 1 < this.segments.length &&
          this.segments[i + 1]!.baseOffset >= maxOffset
        )
          break;
      }
      return result([]);
    });
  }

  /** Index of the last segment whose base offset is <= offset (0 if none). */
  private floorSegment(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /**
   * ListOffsets: the first offset whose timestamp is >= `timestamp`, or EARLIEST/LATEST/MAX_TIMESTAMP.
   * Null when no record is that late. The leader epoch is that of the returned offset.
   */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number; leaderEpoch: number } | null {
    this.checkUsable();
    const withEpoch = (offset: number, ts: number) => ({
      offset,
      timestamp: ts,
      leaderEpoch: this.epochFor(offset),
    });
    if (timestamp === EARLIEST_TIMESTAMP) return withEpoch(this.lso, -1);
    if (timestamp === LATEST_TIMESTAMP) return withEpoch(this.leo, -1);
    const found = this.io(() =>
      findOffsetForTimestamp(this.segments, timestamp, this.lso, this.config.indexIntervalBytes),
    );
    return found === null ? null : withEpoch(found.offset, found.timestamp);
  }

  private epochFor(offset: number): number {
    let epoch = -1;
    for (const e of this.epochs.all()) if (e.startOffset <= offset) epoch = e.epoch;
    return epoch;
  }

  /** OffsetForLeaderEpoch (KIP-101/279): see LeaderEpochCache.endOffsetFor. */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    this.checkUsable();
    return this.epochs.endOffsetFor(epoch, this.leo);
  }

  /** Records that `epoch` starts at the log end offset (a new leader, before its first append). */
  assignEpochStartOffset(epoch: number, startOffset = this.leo): void {
    this.checkUsable();
    this.io(() => this.epochs.assign(epoch, startOffset));
  }

  private setLogStartOffset(offset: number): void {
    this.lso = offset;
    if (this.hw < offset) this.hw = offset;
    this.epochs.truncateFromStart(offset);
  }

  private setLogEndOffset(offset: number): void {
    this.leo = offset;
    this.hw = Math.min(this.hw, offset);
    this.rp = Math.min(this.rp, offset);
    this.lso = Math.min(this.lso, offset);
  }

  private resetOffsets(offset: number): void {
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
        try {
          s.deleteFiles();
        } catch (e) {
          this.logger.warn({ err: e, segment: s.baseOffset }, 'could not delete a segment file');
        }
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

  /** Deletes old segments by retention.ms, retention.bytes and the log start offset. Returns how many. */
  deleteOldSegments(): number {
    this.checkUsable();
    return this.io(() => {
      for (const s of this.segments.slice(0, -1)) s.ensureIndexes(this.config.indexIntervalBytes);
      const plan = planRetention({
        segments: this.segments.map((s) => ({
          baseOffset: s.baseOffset,
          sizeBytes: s.size,
          largestTimestamp: s.size === 0 ? Number.POSITIVE_INFINITY : s.largestTimestamp(),
        })),
        logStartOffset: this.lso,
        logEndOffset: this.leo,
        highWatermark: this.hw,
        retentionMs: this.config.retentionMs,
        retentionBytes: this.config.retentionBytes,
        deleteEnabled: isDeleteEnabled(this.config),
        nowMs: this.now(),
      });
      if (plan.deleteCount === 0) return 0;
      if (plan.rollFirst) this.roll(plan.reason ?? 'retention');
      const doomed = this.segments.slice(0, plan.deleteCount);
      this.segments = this.segments.slice(plan.deleteCount);
      this.deleteSegmentFiles(doomed);
      const first = this.segments[0]!.baseOffset;
      if (first > this.lso) this.setLogStartOffset(first);
      this.logger.info(
        { segments: doomed.length, reason: plan.reason, logStartOffset: this.lso },
        'deleted old log segments',
      );
      return doomed.length;
    });
  }

  /** DeleteRecords: moves the log start offset (at most to the high watermark). Returns the low watermark. */
  deleteRecordsBefore(offset: number): number {
    this.checkUsable();
    if (offset > this.hw || offset < 0) {
      throw new StorageError(
        'OFFSET_OUT_OF_RANGE',
        `cannot move the log start offset to ${offset}: the high watermark is ${this.hw}`,
      );
    }
    if (offset > this.lso) {
      this.io(() => this.setLogStartOffset(offset));
      this.deleteOldSegments();
    }
    return this.lso;
  }

  /**
   * Removes everything at and after `offset` (a follower diverging from its leader). Batches are
   * removed whole. Below the log start offset the log is emptied and restarts at `offset`.
   */
  truncateTo(offset: number): void {
    this.checkUsable();
    if (offset >= this.leo) return;
    if (offset < this.lso) {
      this.truncateFullyAndStartAt(offset);
      return;
    }
    this.io(() => {
      const keep = this.segments.filter((s) => s.baseOffset <= offset);
      const drop = this.segments.filter((s) => s.baseOffset > offset);
      this.segments = keep.length > 0 ? keep : [this.segments[0]!];
      const active = this.activeSegment;
      active.ensureIndexes(this.config.indexIntervalBytes);
      active.truncateTo(offset);
      this.deleteSegmentFiles(drop.filter((s) => s !== active));
      this.setLogEndOffset(active.readNextOffset());
      this.epochs.truncateFromEnd(this.leo);
      this.logger.info({ offset, logEndOffset: this.leo }, 'truncated log');
    });
  }

  truncateFullyAndStartAt(offset: number): void {
    this.checkUsable();
    this.io(() => {
      const old = this.segments;
      this.segments = [];
      this.deleteSegmentFiles(old);
      this.segments = [LogSegment.create(this.dir, offset, this.cache, this.config, this.now())];
      this.resetOffsets(offset);
      this.epochs.truncateFromEnd(-1);
      this.logger.info({ offset }, 'truncated log fully');
    });
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

  private flushSync(): void {
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

  private checkUsable(): void {
    if (this.closed) throw new StorageError('LOG_CLOSED', `log ${this.dir} is closed`);
    if (this.isOffline()) {
      throw new StorageError('KAFKA_STORAGE_ERROR', `the log dir of ${this.dir} is offline`);
    }
  }

  /** Runs file work; an operating-system error takes the log dir offline and becomes KAFKA_STORAGE_ERROR. */
  private io<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (!isIoError(e)) throw e;
      this.reportIoError(e);
      throw new StorageError('KAFKA_STORAGE_ERROR', `I/O error on ${this.dir}: ${e.message}`, { cause: e });
    }
  }

  private reportIoError(e: Error): void {
    this.onIoError(e);
  }
}
