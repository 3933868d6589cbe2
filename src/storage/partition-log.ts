export * from './partition-log-types.js';

import { dirname, join } from 'node:path';
import { type Logger, noopLogger } from '../common/logger.js';
import { encodeEndTxnMarkerBatch } from '../protocol/records/control-record.js';
import { validateAndAssign } from './append-validator.js';
import type { TopicPartition } from './checkpoint-file.js';
import type { FileHandleCache } from './file-handle-cache.js';
import type { FileSlice } from './file-slice.js';
import { LEADER_EPOCH_CHECKPOINT, LeaderEpochCache } from './leader-epoch-cache.js';
import { isDeleteEnabled, type LogConfig } from './log-config.js';
import { type FlushedLog, LogFlusher } from './log-flusher.js';
import { LogOffsets } from './log-offsets.js';
import { DELETED_SUFFIX, LogSegment } from './log-segment.js';
import { type LoadedSegments, loadSegments } from './partition-log-loader.js';
import {
  type AppendOptions,
  type AppendResult,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  type PartitionLogOptions,
  type ReadOptions,
  type ReadResult,
  type TransactionMarker,
} from './partition-log-types.js';
import type { BatchMetadata } from './producer-state/producer-state-entry.js';
import { ProducerStateManager } from './producer-state/producer-state-manager.js';
import { rebuildProducerState } from './producer-state/rebuild-producer-state.js';
import { planRetention } from './retention-plan.js';
import { SegmentList } from './segment-list.js';
import { shouldRoll } from './segment-roll.js';
import { isIoError, offlineError, StorageError } from './storage-error.js';
import { findOffsetForTimestamp } from './timestamp-lookup.js';
import type { AbortedTxn } from './transaction-index.js';
import { WriteQueue } from './write-queue.js';
import { sharedWriteScheduler, type WriteScheduler } from './write-scheduler.js';

/**
 * One partition's log: segments on disk, offsets, the high watermark and leader epochs. Appends
 * assign offsets synchronously, so concurrent callers are ordered by the event loop; their bytes
 * are written together at the end of the turn, or sooner once 256 KiB are queued (see
 * WriteScheduler), and in fsync mode the returned promise also waits for a shared fsync (group
 * commit).
 *
 * The state lives in parts with their own small APIs: the offsets (`LogOffsets`), the segment
 * list (`SegmentList`), the bytes queued for writing (`WriteQueue`) and when they are fsynced
 * (`LogFlusher`). This class runs the operations over them (append, read, roll, retention,
 * truncation, close) and the I/O error policy: an operating-system error takes the log dir
 * offline and becomes KAFKA_STORAGE_ERROR.
 */
export class PartitionLog implements FlushedLog {
  readonly dir: string;
  readonly topicPartition: TopicPartition;
  config: LogConfig;
  readonly offsets: LogOffsets;
  readonly segmentList: SegmentList;
  readonly epochs: LeaderEpochCache;
  /** Idempotent producers' epochs and last batches (Kafka's ProducerStateManager); snapshots at roll and close. */
  readonly producerState: ProducerStateManager;
  readonly logger: Logger;
  /** Bytes recovery cut off torn or corrupt tails when this log was opened. */
  readonly truncatedOnLoadBytes: number;
  private readonly writeQueue: WriteQueue;
  private readonly flusher: LogFlusher;
  private readonly writes: WriteScheduler;
  private readonly cache: FileHandleCache;
  private readonly clock: () => number;
  private readonly onIoError: (err: Error) => void;
  private readonly isOffline: () => boolean;
  private readonly schedule: (fn: () => void, delayMs: number) => void;
  private closed = false;

  private constructor(o: PartitionLogOptions, loaded: LoadedSegments) {
    this.dir = o.dir;
    this.topicPartition = o.topicPartition;
    this.config = o.config;
    this.cache = o.cache;
    this.clock = o.now ?? Date.now;
    this.logger = o.logger ?? noopLogger;
    this.onIoError = o.onIoError ?? (() => {});
    this.isOffline = o.isOffline ?? (() => false);
    this.schedule = o.schedule ?? ((fn, ms) => setTimeout(fn, ms).unref());
    this.writes = o.writeScheduler ?? sharedWriteScheduler;
    this.segmentList = new SegmentList(loaded.segments);
    this.truncatedOnLoadBytes = loaded.truncatedBytes;
    this.offsets = new LogOffsets({
      logEndOffset: loaded.logEndOffset,
      firstSegmentBaseOffset: this.segmentList.first.baseOffset,
      logStartOffset: o.logStartOffset ?? 0,
      highWatermark: o.highWatermark ?? 0,
      recoveryPoint: o.recoveryPoint ?? 0,
    });
    this.writeQueue = new WriteQueue((write) => this.io(write));
    this.flusher = new LogFlusher(this);
    this.epochs = LeaderEpochCache.load(join(o.dir, LEADER_EPOCH_CHECKPOINT));
    this.epochs.truncateFromEnd(this.offsets.logEndOffset);
    this.epochs.truncateFromStart(this.offsets.logStartOffset);
    this.producerState = new ProducerStateManager(o.dir, this.logger, o.producerIdExpirationMs);
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
    log.loadProducerState(o.hadCleanShutdown ?? false, loaded.txnIndexRebuildFrom);
    logger.debug(
      { logEndOffset: log.logEndOffset, segments: loaded.segments.length },
      'partition log loaded',
    );
    return log;
  }

  get logEndOffset(): number {
    return this.offsets.logEndOffset;
  }
  get logStartOffset(): number {
    return this.offsets.logStartOffset;
  }
  get highWatermark(): number {
    return this.offsets.highWatermark;
  }
  /** Every offset below this is known to be on disk (fsynced). */
  get recoveryPoint(): number {
    return this.offsets.recoveryPoint;
  }
  get segments(): readonly LogSegment[] {
    return this.segmentList.all;
  }
  get activeSegment(): LogSegment {
    return this.segmentList.active;
  }
  /** Total bytes of all segments. */
  get sizeBytes(): number {
    return this.segmentList.sizeBytes;
  }
  get isClosed(): boolean {
    return this.closed;
  }
  /** @internal */
  get nowMs(): number {
    return this.clock();
  }
  /** @internal The log's clock (FlushedLog). */
  now(): number {
    return this.clock();
  }

  /** The broker sets the high watermark; it is clamped to [logStartOffset, logEndOffset]. */
  setHighWatermark(offset: number): void {
    this.offsets.setHighWatermark(offset);
    // Ended transactions below it no longer hold the last stable offset (Kafka's onHighWatermarkUpdated).
    this.producerState.txns.removeCompletedBefore(this.offsets.highWatermark);
  }

  /**
   * The last stable offset (Kafka's UnifiedLog.lastStableOffset): the first offset of the earliest
   * transaction still open or whose marker the high watermark has not passed, bounded by the high
   * watermark. read_committed consumers read below it.
   */
  get lastStableOffset(): number {
    const highWatermark = this.offsets.highWatermark;
    const txns = this.producerState.txns;
    txns.removeCompletedBefore(highWatermark);
    const first = txns.firstUnstableOffset();
    if (first === null) return highWatermark;
    return Math.min(Math.max(first, this.offsets.logStartOffset), highWatermark);
  }

  /**
   * Appends an end-transaction marker for a producer (what WriteTxnMarkers asks of a partition
   * leader; Kafka's MemoryRecords.withEndTransactionMarker appended with origin COORDINATOR): one
   * control batch, transactional, holding the EndTransactionMarker record. It ends the producer's
   * open transaction, if any. Resolves to the marker's offset. Throws (rejects with) StorageError:
   * INVALID_PRODUCER_EPOCH for an epoch older than the producer's, TRANSACTION_COORDINATOR_FENCED for
   * a coordinator epoch older than the producer's last marker's, and the append's own errors.
   */
  appendTransactionMarker(m: TransactionMarker): Promise<number> {
    const batch = encodeEndTxnMarkerBatch({
      producerId: m.producerId,
      producerEpoch: m.producerEpoch,
      coordinatorEpoch: m.coordinatorEpoch,
      commit: m.result === 'COMMIT',
      timestamp: BigInt(this.clock()),
    });
    const opts: AppendOptions = { origin: 'coordinator' };
    if (m.leaderEpoch !== undefined) opts.leaderEpoch = m.leaderEpoch;
    return this.append(batch, opts).then((r) => r.baseOffset);
  }

  updateConfig(changes: Partial<LogConfig>): void {
    this.config = { ...this.config, ...changes };
    const s = {
      indexIntervalBytes: this.config.indexIntervalBytes,
      segmentIndexBytes: this.config.segmentIndexBytes,
    };
    for (const seg of this.segmentList.all) seg.updateSettings(s);
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
    const written = this.writes.whenWritten(this.writeQueue);
    if (this.config.durability === 'fsync')
      return written.then(() => this.flusher.waitDurable()).then(() => result);
    return written.then(() => result);
  }

  /** Append's synchronous form: written to the file (in fsync mode not yet durable) when it returns. */
  appendSync(records: Buffer, opts: AppendOptions = {}): AppendResult {
    return this.appendBatches(records, opts, false);
  }

  /** Bytes `append` queued and not yet written. */
  get queuedBytes(): number {
    return this.writeQueue.queuedBytes;
  }

  /** Writes the bytes `append` queued (the write scheduler does this at the end of the turn). */
  writeQueued(): void {
    this.writeQueue.writeQueued();
  }

  private appendBatches(records: Buffer, opts: AppendOptions, queued: boolean): AppendResult {
    this.checkUsable();
    const nowMs = this.clock();
    const origin = opts.origin ?? 'client';
    const v = validateAndAssign(records, this.config, {
      nowMs,
      nextOffset: this.offsets.logEndOffset,
      origin,
      leaderEpoch: opts.leaderEpoch ?? null,
      prechecked: opts.prechecked === true,
    });
    // Per batch, from the headers only; null (no work) when no batch has a producer id.
    const producers = this.producerState.plan(records, v.batches, origin);
    if (producers?.kind === 'duplicate') return this.duplicateResult(producers.batch);
    this.io(() => {
      const reason = shouldRoll(
        this.activeState(),
        { sizeBytes: records.length, maxTimestamp: v.maxTimestamp, lastOffset: v.lastOffset },
        this.config,
        nowMs,
      );
      if (reason !== null) this.roll(reason, v.firstOffset);
      const seg = this.segmentList.active;
      if (queued) {
        // A failed write cuts the file back itself (LogFile.writeQueued) and takes the dir offline.
        seg.append(records, v.batches, this.config.indexIntervalBytes, true);
        this.writeQueue.add(seg);
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
    // Kafka's UnifiedLog.append: maybeAssignEpochStartOffset for every batch, leader and follower.
    for (const b of v.batches) {
      const epoch = records.readInt32BE(b.position + 12);
      if (epoch >= 0 && this.epochs.isUpdateNeeded(epoch, b.baseOffset))
        this.io(() => this.epochs.assign(epoch, b.baseOffset));
    }
    if (producers) {
      // An ABORT marker's transaction goes to the active segment's index (Kafka's updateTxnIndex).
      for (const t of this.producerState.apply(producers))
        if (t.isAborted) this.io(() => this.segmentList.active.txnIndex.append(t));
    }
    this.offsets.appendedUpTo(v.lastOffset + 1);
    const unflushed = this.flusher.recordsAppended(v.recordCount);
    if (this.config.durability === 'default' && unflushed >= this.config.flushMessages)
      this.flusher.syncUnflushedNow();
    return {
      baseOffset: v.firstOffset,
      lastOffset: v.lastOffset,
      logAppendTime: v.logAppendTime,
      logStartOffset: this.offsets.logStartOffset,
      maxTimestamp: v.maxTimestamp,
      offsetOfMaxTimestamp: v.offsetOfMaxTimestamp,
      recordCount: v.recordCount,
    };
  }

  /** A retried batch already in the log: its original offsets, nothing appended (Kafka's LogAppendInfo of a duplicate). */
  private duplicateResult(b: BatchMetadata): AppendResult {
    const logAppendTime = this.config.messageTimestampType === 'LogAppendTime';
    return {
      baseOffset: b.lastOffset - b.offsetDelta,
      lastOffset: b.lastOffset,
      logAppendTime: logAppendTime ? b.timestamp : -1,
      logStartOffset: this.offsets.logStartOffset,
      maxTimestamp: b.timestamp,
      offsetOfMaxTimestamp: b.lastOffset,
      recordCount: 0,
    };
  }

  /**
   * The producer state from the last snapshot plus the batches after it (open, truncation); the
   * transaction indexes of recovered segments (from `txnIndexFrom`) are written again meanwhile.
   */
  private loadProducerState(hadCleanShutdown: boolean, txnIndexFrom: number | null = null): void {
    this.io(() =>
      rebuildProducerState(
        this.producerState,
        {
          logStartOffset: this.offsets.logStartOffset,
          logEndOffset: this.offsets.logEndOffset,
          readBatchesFrom: (offset, maxBytes) =>
            this.read({ fetchOffset: offset, maxBytes, maxOffset: null }).slices[0]?.readSync() ??
            Buffer.alloc(0),
        },
        hadCleanShutdown,
        this.clock(),
        txnIndexFrom,
        (t) => this.segmentList.all[this.segmentList.floorIndex(t.lastOffset)]!.txnIndex.append(t),
      ),
    );
  }

  /** Forgets producer ids idle for producer.id.expiration.ms (the manager calls this periodically). */
  removeExpiredProducers(): number {
    if (this.closed || this.isOffline()) return 0;
    return this.producerState.removeExpiredProducers(this.clock());
  }

  private activeState() {
    const a = this.segmentList.active;
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
  roll(reason = 'requested', nextOffset = this.offsets.logEndOffset): void {
    this.checkUsable();
    this.io(() => {
      const old = this.segmentList.active;
      if (old.size === 0 && old.baseOffset === nextOffset) return;
      // Queued appends reach the old segment before the new one exists: a crash in between must
      // not leave a segment starting past offsets that were never written.
      old.log.writeQueued();
      old.onBecomeInactive();
      const seg = LogSegment.create(
        this.dir,
        Math.max(nextOffset, this.offsets.logEndOffset),
        this.cache,
        this.config,
        this.clock(),
      );
      this.segmentList.roll(seg)?.deleteFiles();
      // A snapshot at every roll and clean close, as Kafka takes them, empty ones included: it covers
      // exactly the offsets below the new segment, so after an unclean stop only the segments after
      // the last snapshot are read again to rebuild the state.
      if (old.size > 0) this.producerState.takeSnapshot(seg.baseOffset);
      this.logger.info({ baseOffset: seg.baseOffset, reason }, 'rolled new log segment');
      // Like Kafka, flush the finished segment in the background; the recovery point moves past it then.
      if (old.size > 0) this.flusher.syncRolledSegment(old, seg.baseOffset);
    });
  }

  /** Reads from the batch holding fetchOffset; OFFSET_OUT_OF_RANGE outside [logStartOffset, logEndOffset]. */
  read(opts: ReadOptions): ReadResult {
    this.checkUsable();
    const { fetchOffset } = opts;
    const logEnd = this.offsets.logEndOffset;
    const logStart = this.offsets.logStartOffset;
    if (fetchOffset < logStart || fetchOffset > logEnd) {
      throw new StorageError(
        'OFFSET_OUT_OF_RANGE',
        `offset ${fetchOffset} is outside [${logStart}, ${logEnd}] for ${this.topicPartition.topic}-${this.topicPartition.partition}`,
      );
    }
    const maxOffset = opts.maxOffset ?? null;
    if (fetchOffset === logEnd || (maxOffset !== null && fetchOffset >= maxOffset))
      return this.readResult(null);
    return this.io(() => {
      const segs = this.segmentList.all;
      for (let i = this.segmentList.floorIndex(fetchOffset); i < segs.length; i++) {
        const seg = segs[i]!;
        seg.ensureIndexes(this.config.indexIntervalBytes);
        // A bound at or past the segment's end bounds nothing: no need to find its batch (the
        // tailing consumer's case, with the high watermark at the log end).
        const segmentEnd = i + 1 < segs.length ? segs[i + 1]!.baseOffset : logEnd;
        const slice = seg.read(
          Math.max(fetchOffset, seg.baseOffset),
          opts.maxBytes,
          maxOffset !== null && maxOffset < segmentEnd ? maxOffset : null,
          opts.minOneMessage ?? true,
          i === segs.length - 1,
        );
        if (slice !== null) {
          const result = this.readResult(slice);
          // Kafka's LocalLog.addAbortedTransactions: the bound is the end of the segment read.
          if (opts.collectAbortedTransactions === true)
            result.abortedTransactions = this.collectAbortedTransactions(
              fetchOffset,
              maxOffset !== null && maxOffset < segmentEnd ? maxOffset : segmentEnd,
              i,
            );
          return result;
        }
        if (maxOffset !== null && i + 1 < segs.length && segs[i + 1]!.baseOffset >= maxOffset) break;
      }
      return this.readResult(null);
    });
  }

  /** Every fetch of every partition ends here: a plain object, no closure or array walk. */
  private readResult(slice: FileSlice | null): ReadResult {
    return {
      slices: slice === null ? [] : [slice],
      sizeBytes: slice === null ? 0 : slice.length,
      logStartOffset: this.offsets.logStartOffset,
      logEndOffset: this.offsets.logEndOffset,
      highWatermark: this.offsets.highWatermark,
      abortedTransactions: null,
    };
  }

  /**
   * The aborted transactions overlapping [fetchOffset, upperBoundOffset), from the transaction
   * indexes of the segment at `fromSegment` and later ones until an entry's last stable offset
   * reaches the bound (Kafka's UnifiedLog.collectAbortedTransactions): a transaction's entry is in
   * the segment of its marker, which may come after the fetched range.
   */
  collectAbortedTransactions(
    fetchOffset: number,
    upperBoundOffset: number,
    fromSegment = this.segmentList.floorIndex(fetchOffset),
  ): AbortedTxn[] {
    const segs = this.segmentList.all;
    const out: AbortedTxn[] = [];
    for (let i = fromSegment; i < segs.length; i++) {
      const r = segs[i]!.txnIndex.collect(fetchOffset, upperBoundOffset);
      for (const t of r.txns) out.push(t);
      if (r.complete) break;
    }
    return out;
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
    const logStart = this.offsets.logStartOffset;
    if (timestamp === EARLIEST_TIMESTAMP) return withEpoch(logStart, -1);
    if (timestamp === LATEST_TIMESTAMP) return withEpoch(this.offsets.logEndOffset, -1);
    const found = this.io(() =>
      findOffsetForTimestamp(this.segmentList.all, timestamp, logStart, this.config.indexIntervalBytes),
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
    return this.epochs.endOffsetFor(epoch, this.offsets.logEndOffset);
  }

  /** Records that `epoch` starts at the log end offset (a new leader, before its first append). */
  assignEpochStartOffset(epoch: number, startOffset = this.offsets.logEndOffset): void {
    this.checkUsable();
    this.io(() => this.epochs.assign(epoch, startOffset));
  }

  /** Deletes old segments by retention.ms, retention.bytes and the log start offset. Returns how many. */
  deleteOldSegments(): number {
    this.checkUsable();
    return this.io(() => {
      for (const s of this.segmentList.all.slice(0, -1)) s.ensureIndexes(this.config.indexIntervalBytes);
      const plan = planRetention({
        segments: this.segmentList.all.map((s) => ({
          baseOffset: s.baseOffset,
          sizeBytes: s.size,
          largestTimestamp: s.size === 0 ? Number.POSITIVE_INFINITY : s.largestTimestamp(),
        })),
        logStartOffset: this.offsets.logStartOffset,
        logEndOffset: this.offsets.logEndOffset,
        highWatermark: this.offsets.highWatermark,
        retentionMs: this.config.retentionMs,
        retentionBytes: this.config.retentionBytes,
        deleteEnabled: isDeleteEnabled(this.config),
        nowMs: this.clock(),
      });
      if (plan.deleteCount === 0) return 0;
      if (plan.rollFirst) this.roll(plan.reason ?? 'retention');
      const doomed = this.segmentList.removeFirst(plan.deleteCount);
      this.deleteSegmentFiles(doomed);
      const first = this.segmentList.first.baseOffset;
      if (first > this.offsets.logStartOffset) this.advanceLogStartOffset(first);
      // The snapshots of deleted segments describe nothing that is left (Kafka's deleteProducerSnapshots).
      this.producerState.deleteSnapshotsBefore(first);
      this.logger.info(
        { segments: doomed.length, reason: plan.reason, logStartOffset: this.offsets.logStartOffset },
        'deleted old log segments',
      );
      return doomed.length;
    });
  }

  /** DeleteRecords: moves the log start offset (at most to the high watermark). Returns the low watermark. */
  deleteRecordsBefore(offset: number): number {
    this.checkUsable();
    const highWatermark = this.offsets.highWatermark;
    if (offset > highWatermark || offset < 0) {
      throw new StorageError(
        'OFFSET_OUT_OF_RANGE',
        `cannot move the log start offset to ${offset}: the high watermark is ${highWatermark}`,
      );
    }
    if (offset > this.offsets.logStartOffset) {
      this.io(() => this.advanceLogStartOffset(offset));
      this.deleteOldSegments();
    }
    return this.offsets.logStartOffset;
  }

  private advanceLogStartOffset(offset: number): void {
    this.offsets.advanceLogStartOffset(offset);
    this.epochs.truncateFromStart(offset);
  }

  /**
   * Removes everything at and after `offset` (a follower diverging from its leader). Batches are
   * removed whole. Below the log start offset the log is emptied and restarts at `offset`.
   */
  truncateTo(offset: number): void {
    this.checkUsable();
    if (offset >= this.offsets.logEndOffset) {
      // Nothing to cut, but epochs that start at or past `offset` hold no record (a leader that
      // wrote nothing): a follower truncating in rounds must not be asked about them again.
      if (offset === this.offsets.logEndOffset) this.io(() => this.epochs.truncateFromEnd(offset));
      return;
    }
    if (offset < this.offsets.logStartOffset) {
      this.truncateFullyAndStartAt(offset);
      return;
    }
    this.io(() => {
      // Crash-safe order (Kafka's LocalLog.truncateTo removes later segments before it truncates
      // the active one): later segments go first, the last one first, then the new active segment
      // is cut. A process killed at any step leaves a prefix of the old log, never a log with a
      // gap in the middle, and the follower truncates again when it comes back.
      const dropped = this.segmentList.keepUpTo(offset);
      this.deleteSegmentFiles([...dropped].reverse());
      const active = this.segmentList.active;
      active.ensureIndexes(this.config.indexIntervalBytes);
      active.truncateTo(offset);
      this.offsets.truncateEndTo(active.readNextOffset());
      this.epochs.truncateFromEnd(this.offsets.logEndOffset);
      this.logger.info({ offset, logEndOffset: this.offsets.logEndOffset }, 'truncated log');
    });
    // Kafka's truncateTo reloads the producer state at the new end: the last snapshot at or below it plus the log.
    this.loadProducerState(false);
  }

  truncateFullyAndStartAt(offset: number): void {
    this.checkUsable();
    this.io(() => {
      // The old files are renamed away first: the new segment may take an old one's name.
      this.deleteSegmentFiles(this.segmentList.all);
      this.segmentList.replaceAll(LogSegment.create(this.dir, offset, this.cache, this.config, this.clock()));
      this.offsets.resetTo(offset);
      this.epochs.truncateFromEnd(-1);
      this.producerState.clear();
      this.producerState.deleteSnapshotsAfter(-1);
      this.logger.info({ offset }, 'truncated log fully');
    });
  }

  /** @internal Renames segments' files to `.deleted` and deletes them after file.delete.delay.ms. */
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
    this.segmentList.replace(old, cleaned);
  }

  /** flush.ms: called periodically by the manager. */
  maybeFlush(): void {
    if (this.closed || this.isOffline()) return;
    this.flusher.flushIfDue(this.config.flushMs);
  }

  /** fsyncs everything written (off the event loop for rolled segments); the recovery point becomes the log end offset. */
  async flush(): Promise<void> {
    this.checkUsable();
    await this.flusher.flush();
  }

  /** fsyncs issued for acknowledgements in fsync mode (group commit makes this lower than appends). */
  get groupCommitSyncs(): number {
    return this.flusher.groupCommitSyncs;
  }

  /** Flushes (fsyncs off the event loop) and closes files; a closed log rejects every call. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flusher.settle();
    if (!this.isOffline()) {
      try {
        this.segmentList.active.onBecomeInactive();
        // A clean shutdown leaves the state at the log end, so the next open reads no batch back.
        await Promise.all([
          this.producerState.takeSnapshotAsync(this.offsets.logEndOffset),
          this.flusher.syncAll(),
        ]);
      } catch (e) {
        if (!isIoError(e)) throw e;
        this.reportIoError(e);
      }
    }
    this.closed = true;
    for (const s of this.segmentList.all) s.close();
  }

  private checkUsable(): void {
    if (this.closed) throw new StorageError('LOG_CLOSED', `log ${this.dir} is closed`);
    if (this.isOffline()) {
      throw offlineError(dirname(this.dir));
    }
  }

  /** @internal Runs file work; an operating-system error takes the log dir offline and becomes KAFKA_STORAGE_ERROR. */
  io<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (!isIoError(e)) throw e;
      this.reportIoError(e);
      throw new StorageError('KAFKA_STORAGE_ERROR', `I/O error on ${this.dir}: ${e.message}`, { cause: e });
    }
  }

  /** @internal */
  reportIoError(e: Error): void {
    // A failed write of queued appends took their batches out of the segment (the file was cut
    // back to match): the log end offset goes back too, so the log describes its files and no
    // unacknowledged offset stays assigned.
    for (const seg of this.segmentList.all) {
      const dropped = seg.takeDroppedOffset();
      if (dropped === null || dropped >= this.offsets.logEndOffset) continue;
      this.offsets.truncateEndTo(dropped);
      this.epochs.truncateFromEnd(dropped);
    }
    this.onIoError(e);
  }
}
