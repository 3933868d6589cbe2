export * from './partition-log-types.js';

import { noopLogger } from '../common/logger.js';
import { validateAndAssign } from './append-validator.js';
import type { FileSlice } from './file-slice.js';
import { isDeleteEnabled } from './log-config.js';
import { LogSegment } from './log-segment.js';
import { PartitionLogBase } from './partition-log-base.js';
import { type LoadedSegments, loadSegments } from './partition-log-loader.js';
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
import { StorageError } from './storage-error.js';
import { findOffsetForTimestamp } from './timestamp-lookup.js';
import { sharedWriteScheduler, type WriteScheduler } from './write-scheduler.js';

/**
 * One partition's log: segments on disk, offsets, the high watermark and leader epochs. Appends
 * assign offsets synchronously, so concurrent callers are ordered by the event loop; their bytes
 * are written together at the end of the turn, or sooner once 256 KiB are queued (see
 * WriteScheduler), and in fsync mode the returned promise also waits for a shared fsync (group
 * commit).
 */
export class PartitionLog extends PartitionLogBase {
  /** Segments with bytes queued by `append`, in order (the active one, and the one before a roll). */
  private queuedSegments: LogSegment[] = [];
  private readonly writes: WriteScheduler;

  private constructor(o: PartitionLogOptions, loaded: LoadedSegments) {
    super(o, loaded);
    this.writes = o.writeScheduler ?? sharedWriteScheduler;
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

  /**
   * Validates, assigns offsets (patching base offsets in place) and writes the batches in `records`.
   * Throws StorageError (CORRUPT_MESSAGE, INVALID_RECORD, MESSAGE_TOO_LARGE, INVALID_TIMESTAMP,
   * RECORD_LIST_TOO_LARGE, KAFKA_STORAGE_ERROR) and leaves the log unchanged on failure.
   */
  append(records: Buffer, opts: AppendOptions = {}): Promise<AppendResult> {
    let result: AppendResult;
    try {
      result = this.appendBatches(records, opts, true);
    } catch (e) {
      return Promise.reject(e);
    }
    // Offsets are assigned now, in call order; the bytes reach the file with the other appends of
    // this turn of the event loop, and only then is the append acknowledged.
    const written = this.writes.whenWritten(this);
    if (this.config.durability === 'fsync')
      return written.then(() => this.groupCommit.waitDurable()).then(() => result);
    return written.then(() => result);
  }

  /** Append's synchronous form: written to the file (in fsync mode not yet durable) when it returns. */
  appendSync(records: Buffer, opts: AppendOptions = {}): AppendResult {
    return this.appendBatches(records, opts, false);
  }

  /** Bytes `append` queued and not yet written. */
  get queuedBytes(): number {
    let n = 0;
    for (const s of this.queuedSegments) n += s.log.queuedBytes;
    return n;
  }

  /** Writes the bytes `append` queued (the write scheduler calls this at the end of the turn). */
  writeQueued(): void {
    if (this.queuedSegments.length === 0) return;
    const segments = this.queuedSegments;
    this.queuedSegments = [];
    this.io(() => {
      for (const s of segments) s.log.writeQueued();
    });
  }

  private appendBatches(records: Buffer, opts: AppendOptions, queued: boolean): AppendResult {
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
      if (queued) {
        // A failed write cuts the file back itself (LogFile.writeQueued) and takes the dir offline.
        seg.append(records, v.batches, this.config.indexIntervalBytes, true);
        if (this.queuedSegments[this.queuedSegments.length - 1] !== seg) this.queuedSegments.push(seg);
        return;
      }
      // Earlier queued bytes first, outside the rollback below: `seg.size` already counts them, so
      // cutting back to it after their failed write would extend the file with zeros.
      seg.log.writeQueued();
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

  /** Reads from the batch holding fetchOffset; OFFSET_OUT_OF_RANGE outside [logStartOffset, logEndOffset]. */
  read(opts: ReadOptions): ReadResult {
    this.checkUsable();
    const { fetchOffset } = opts;
    if (fetchOffset < this.lso || fetchOffset > this.leo) {
      throw new StorageError(
        'OFFSET_OUT_OF_RANGE',
        `offset ${fetchOffset} is outside [${this.lso}, ${this.leo}] for ${this.topicPartition.topic}-${this.topicPartition.partition}`,
      );
    }
    const maxOffset = opts.maxOffset ?? null;
    if (fetchOffset === this.leo || (maxOffset !== null && fetchOffset >= maxOffset))
      return this.readResult(null);
    return this.io(() => {
      for (let i = this.floorSegment(fetchOffset); i < this.segments.length; i++) {
        const seg = this.segments[i]!;
        seg.ensureIndexes(this.config.indexIntervalBytes);
        // A bound at or past the segment's end bounds nothing: no need to find its batch (the
        // tailing consumer's case, with the high watermark at the log end).
        const segmentEnd = i + 1 < this.segments.length ? this.segments[i + 1]!.baseOffset : this.leo;
        const slice = seg.read(
          Math.max(fetchOffset, seg.baseOffset),
          opts.maxBytes,
          maxOffset !== null && maxOffset < segmentEnd ? maxOffset : null,
          opts.minOneMessage ?? true,
          i === this.segments.length - 1,
        );
        if (slice !== null) return this.readResult(slice);
        if (
          maxOffset !== null &&
          i + 1 < this.segments.length &&
          this.segments[i + 1]!.baseOffset >= maxOffset
        )
          break;
      }
      return this.readResult(null);
    });
  }

  /** Every fetch of every partition ends here: a plain object, no closure or array walk. */
  private readResult(slice: FileSlice | null): ReadResult {
    return {
      slices: slice === null ? [] : [slice],
      sizeBytes: slice === null ? 0 : slice.length,
      logStartOffset: this.lso,
      logEndOffset: this.leo,
      highWatermark: this.hw,
    };
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
}
