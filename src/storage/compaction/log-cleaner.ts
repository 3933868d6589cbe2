import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { type Logger, noopLogger } from '../../common/logger.js';
import { ControlRecordType, decodeControlRecordKey } from '../../protocol/records/control-record.js';
import { openRecordBatch } from '../../protocol/records/record-batch.js';
import {
  ATTR_CONTROL,
  ATTR_TRANSACTIONAL,
  BatchOffsets,
} from '../../protocol/records/record-batch-header.js';
import { BatchCursor, batchInfoAt } from '../batch-cursor.js';
import type { TopicPartition } from '../checkpoint-file.js';
import type { FileHandleCache } from '../file-handle-cache.js';
import { isCompacted } from '../log-config.js';
import { CLEANED_SUFFIX, DELETED_SUFFIX, LOG_SUFFIX, LogSegment, SWAP_SUFFIX } from '../log-segment.js';
import type { PartitionLog } from '../partition-log.js';
import { emptyBatchLike, filterBatch, isLastBatchOfProducer } from './batch-filter.js';
import { type CleanableRange, planCleanableRange, shouldClean } from './cleaner-plan.js';

/** Where cleaned positions are remembered between runs (the manager's cleaner-offset-checkpoint). */
export interface CleanerCheckpoints {
  cleanerOffset(tp: TopicPartition): number;
  setCleanerOffset(tp: TopicPartition, offset: number): void;
}

export interface CleanStats {
  segments: number;
  bytesBefore: number;
  bytesAfter: number;
  recordsDropped: number;
  firstUncleanableOffset: number;
}

/** What the cleaner learns of the transactions in the range before it cleans. */
interface TxnScan {
  /** Base offsets of the batches of aborted transactions. */
  aborted: Set<number>;
  /** Offsets of markers whose transaction has no batch left. */
  discardableMarkers: Set<number>;
  firstUnstableOffset: number | null;
}

/** Batches between yields to the event loop, so appends and fetches interleave with cleaning. */
const BATCHES_PER_SLICE = 64;

/**
 * The compaction shell (Kafka's LogCleaner): builds the key → latest offset map over the dirty
 * part, rewrites each cleanable segment into `<base>.log.cleaned`, and swaps it in through `.swap`
 * so a crash leaves either the old or the new segment. The active segment is never touched, so
 * appends never wait; the work yields to the event loop every few batches.
 */
export class LogCleaner {
  private readonly checkpoints: CleanerCheckpoints;
  private readonly cache: FileHandleCache;
  private readonly logger: Logger;
  private running: Promise<unknown> | null = null;

  constructor(checkpoints: CleanerCheckpoints, cache: FileHandleCache, logger: Logger = noopLogger) {
    this.checkpoints = checkpoints;
    this.cache = cache;
    this.logger = logger.child({ component: 'log-cleaner' });
  }

  /** Cleans, one at a time, every compacted log whose dirty ratio is high enough. Returns logs cleaned. */
  async runOnce(logs: readonly PartitionLog[]): Promise<number> {
    if (this.running !== null) return 0;
    let cleaned = 0;
    const work = (async () => {
      for (const log of logs) {
        if (log.isClosed || !isCompacted(log.config)) continue;
        const stats = await this.clean(log);
        if (stats !== null) cleaned++;
      }
    })();
    this.running = work;
    try {
      await work;
    } finally {
      this.running = null;
    }
    return cleaned;
  }

  /** Plans and, when min.cleanable.dirty.ratio is met (or `force`), cleans one log. */
  async clean(log: PartitionLog, force = false): Promise<CleanStats | null> {
    let range = this.plan(log, null);
    if (range.segmentCount === 0) return null;
    const txns = this.scanTransactions(log, range.segmentCount);
    // Never above the last stable offset (Kafka's LogCleanerManager.cleanableOffsets), which also
    // counts transactions ended by markers the high watermark has not passed.
    const firstUnstable = Math.min(
      txns.firstUnstableOffset ?? Number.POSITIVE_INFINITY,
      log.lastStableOffset,
    );
    range = this.plan(log, firstUnstable);
    if (range.segmentCount === 0) return null;
    if (!force && !shouldClean(range, log.config.minCleanableDirtyRatio)) return null;
    return this.cleanRange(log, range, txns);
  }

  private plan(log: PartitionLog, firstUnstableOffset: number | null): CleanableRange {
    const segs = log.segments;
    for (const s of segs) s.ensureIndexes(log.config.indexIntervalBytes);
    return planCleanableRange({
      segments: segs.map((s) => ({
        baseOffset: s.baseOffset,
        sizeBytes: s.size,
        largestTimestamp: s.size === 0 ? 0 : s.largestTimestamp(),
      })),
      logStartOffset: log.logStartOffset,
      logEndOffset: log.logEndOffset,
      highWatermark: log.highWatermark,
      checkpointedFirstDirty: this.checkpoints.cleanerOffset(log.topicPartition),
      firstUnstableOffset,
      minCompactionLagMs: log.config.minCompactionLagMs,
      nowMs: log.nowMs,
    });
  }

  /**
   * Finds aborted transactional batches (dropped by cleaning), the markers whose transaction has no
   * batch left (Kafka's CleanedTransactionMetadata: such a marker may go after delete.retention.ms;
   * one whose data this pass still reads stays, and so does its transaction index entry), and the
   * first offset of a transaction still open at the end of the range (the cleaner must stop before
   * it). Reads batch headers only, plus the records of control batches.
   */
  private scanTransactions(log: PartitionLog, segmentCount: number): TxnScan {
    const open = new Map<bigint, number[]>();
    const aborted = new Set<number>();
    const discardableMarkers = new Set<number>();
    for (const seg of log.segments.slice(0, segmentCount)) {
      const cursor = new BatchCursor(seg.log, 0, seg.size);
      for (let b = cursor.next(); b !== null; b = cursor.next()) {
        if ((b.attributes & ATTR_TRANSACTIONAL) === 0) continue;
        const header = cursor.bytesOf(b);
        const producerId = header.readBigInt64BE(BatchOffsets.producerId);
        if ((b.attributes & ATTR_CONTROL) === 0) {
          const list = open.get(producerId) ?? [];
          list.push(b.baseOffset);
          open.set(producerId, list);
          continue;
        }
        let isAbort = false;
        for (const r of openRecordBatch(header).records()) {
          if (decodeControlRecordKey(r.key).type === ControlRecordType.Abort) isAbort = true;
        }
        const data = open.get(producerId) ?? [];
        if (data.length === 0) discardableMarkers.add(b.baseOffset);
        if (isAbort) for (const o of data) aborted.add(o);
        open.delete(producerId);
      }
    }
    let firstUnstable: number | null = null;
    for (const list of open.values())
      if (list.length > 0 && (firstUnstable === null || list[0]! < firstUnstable)) firstUnstable = list[0]!;
    return { aborted, discardableMarkers, firstUnstableOffset: firstUnstable };
  }

  private async cleanRange(log: PartitionLog, range: CleanableRange, txns: TxnScan): Promise<CleanStats> {
    const segs = log.segments.slice(0, range.segmentCount);
    const offsetMap = await this.buildOffsetMap(segs, range.firstDirtyOffset, txns.aborted);
    const stats: CleanStats = {
      segments: 0,
      bytesBefore: 0,
      bytesAfter: 0,
      recordsDropped: 0,
      firstUncleanableOffset: range.firstUncleanableOffset,
    };
    for (const seg of segs) {
      if (log.isClosed) break;
      let cleaned: LogSegment | null;
      try {
        cleaned = await this.cleanSegment(log, seg, offsetMap, txns, stats);
      } catch (e) {
        // Retention or truncation removed the segment while we read it: nothing to clean.
        if (log.isClosed || !log.segments.includes(seg)) break;
        throw e;
      }
      if (cleaned === null) break;
    }
    this.checkpoints.setCleanerOffset(log.topicPartition, range.firstUncleanableOffset);
    log.logger.info({ ...stats, dirtyRatio: range.dirtyRatio }, 'cleaned log');
    return stats;
  }

  private async buildOffsetMap(
    segs: readonly LogSegment[],
    firstDirty: number,
    aborted: Set<number>,
  ): Promise<Map<string, number>> {
    const map = new Map<string, number>();
    let n = 0;
    for (const seg of segs) {
      const cursor = new BatchCursor(seg.log, 0, seg.size);
      for (let b = cursor.next(); b !== null; b = cursor.next()) {
        if (b.lastOffset < firstDirty || aborted.has(b.baseOffset)) continue;
        if ((b.attributes & ATTR_CONTROL) !== 0) continue;
        const base = b.baseOffset;
        for (const r of openRecordBatch(cursor.bytesOf(b)).records()) {
          const off = base + r.offsetDelta;
          if (r.key !== null && off >= firstDirty) map.set(r.key.toString('latin1'), off);
        }
        if (++n % BATCHES_PER_SLICE === 0) await yieldToEventLoop();
      }
    }
    return map;
  }

  /** Writes the cleaned copy of one segment and swaps it in; null if the log changed underneath. */
  private async cleanSegment(
    log: PartitionLog,
    seg: LogSegment,
    offsetMap: Map<string, number>,
    txns: TxnScan,
    stats: CleanStats,
  ): Promise<LogSegment | null> {
    const { aborted, discardableMarkers } = txns;
    const settings = {
      indexIntervalBytes: log.config.indexIntervalBytes,
      segmentIndexBytes: log.config.segmentIndexBytes,
    };
    const nowMs = log.nowMs;
    // Kafka's LogCleaner keeps each producer's last batch (empty if none of its records stays), so
    // that its epoch and sequence survive compaction for a producer state rebuilt from the log.
    const lastBatchOfProducers = new Map<bigint, number>();
    for (const e of log.producerState.entries())
      if (e.lastDataOffset >= 0) lastBatchOfProducers.set(e.producerId, e.lastDataOffset);
    const out = LogSegment.create(
      seg.dir,
      seg.baseOffset,
      this.cache,
      settings,
      seg.createdMs,
      CLEANED_SUFFIX,
    );
    const cursor = new BatchCursor(seg.log, 0, seg.size);
    let n = 0;
    for (let b = cursor.next(); b !== null; b = cursor.next()) {
      const bytes = cursor.bytesOf(b);
      if (aborted.has(b.baseOffset)) {
        stats.recordsDropped += b.recordCount;
        if (isLastBatchOfProducer(bytes, lastBatchOfProducers)) {
          const empty = emptyBatchLike(bytes);
          out.append(empty, [batchInfoAt(empty, 0, 0)], settings.indexIntervalBytes);
        }
        continue;
      }
      const r = filterBatch(bytes, {
        offsetMap,
        nowMs,
        deleteRetentionMs: log.config.deleteRetentionMs,
        lastBatchOfProducers,
        markerDiscardable: discardableMarkers.has(b.baseOffset),
      });
      stats.recordsDropped += r.droppedRecords;
      if (r.batch !== null) out.append(r.batch, [batchInfoAt(r.batch, 0, 0)], settings.indexIntervalBytes);
      if (++n % BATCHES_PER_SLICE === 0) await yieldToEventLoop();
    }
    // An aborted transaction stays indexed while its data does (Kafka appends the entry to the
    // cleaned index only then): a consumer told of an abort whose marker is gone would drop that
    // producer's later transactions.
    for (const t of seg.txnIndex.all()) if (!discardableMarkers.has(t.lastOffset)) out.txnIndex.append(t);
    out.onBecomeInactive();
    out.syncFilesNow();
    // The log may have changed while we yielded: retention or truncation may have removed `seg`.
    if (log.isClosed || !log.segments.includes(seg) || seg === log.activeSegment) {
      out.deleteFiles();
      return null;
    }
    stats.segments++;
    stats.bytesBefore += seg.size;
    stats.bytesAfter += out.size;
    // The swap (Kafka's replaceSegments): `.cleaned` → `.swap` is the commit point; start-up
    // finishes a swap it finds. Then the old files become `.deleted` and the new ones take their names.
    out.log.renameTo(out.log.path.replace(`${LOG_SUFFIX}${CLEANED_SUFFIX}`, `${LOG_SUFFIX}${SWAP_SUFFIX}`));
    log.replaceSegment(seg, out);
    seg.changeSuffix('', DELETED_SUFFIX);
    out.changeSuffix(SWAP_SUFFIX, '');
    out.changeSuffix(CLEANED_SUFFIX, '');
    log.scheduleDeletion([seg]);
    return out;
  }
}
