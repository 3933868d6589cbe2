import * as fs from 'node:fs';
import { join } from 'node:path';
import { openRecordBatch } from '../protocol/records/record-batch.js';
import {
  ATTR_COMPRESSION_MASK,
  ATTR_TIMESTAMP_TYPE,
  BatchOffsets,
  computeBatchCrc,
} from '../protocol/records/record-batch-header.js';
import { BatchCursor, type BatchInfo } from './batch-cursor.js';
import { type FileHandleCache, LogFile } from './file-handle-cache.js';
import { FileSlice } from './file-slice.js';
import { OffsetIndex, TimeIndex } from './index-file.js';
import { forEachRecord } from './record-scan.js';
import { TransactionIndex, TXN_INDEX_SUFFIX } from './transaction-index.js';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const CLEANED_SUFFIX = '.cleaned';
export const SWAP_SUFFIX = '.swap';
export const DELETED_SUFFIX = '.deleted';

/** Kafka's file name: the base offset as 20 zero-padded digits. */
export function segmentFileName(baseOffset: number, suffix: string): string {
  return `${String(baseOffset).padStart(20, '0')}${suffix}`;
}

export interface SegmentSettings {
  indexIntervalBytes: number;
  segmentIndexBytes: number;
}

/**
 * One segment: `<base>.log` with the batches exactly as they travel on the wire, and its sparse
 * `.index` and `.timeindex`. Only the last (active) segment of a log is appended to.
 */
export class LogSegment {
  readonly baseOffset: number;
  readonly dir: string;
  readonly log: LogFile;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  /** `<base>.txnindex`: the transactions aborted by markers in this segment. */
  readonly txnIndex: TransactionIndex;
  /** Bytes in the .log file. */
  size: number;
  /** Wall time the segment was created or, after a restart, its file's mtime (segment.ms). */
  createdMs: number;
  private bytesSinceLastIndexEntry = 0;
  private maxTs: { timestamp: number; offset: number } | null = null;
  private firstBatchTs: number | null | undefined;
  private indexesChecked = false;
  /** Written since the last full flush; a clean segment skips the fsyncs. */
  private dirty = false;
  /** The offset of the first batch whose bytes wait in the file's write queue. */
  private firstQueuedOffset = -1;
  /**
   * Set when a failed write dropped queued batches: the offset the segment now ends at, for the
   * partition log to take back its log end offset (see takeDroppedOffset).
   */
  private droppedFromOffset: number | null = null;

  private constructor(
    dir: string,
    baseOffset: number,
    cache: FileHandleCache,
    s: SegmentSettings,
    suffix = '',
  ) {
    this.dir = dir;
    this.baseOffset = baseOffset;
    const logPath = join(dir, segmentFileName(baseOffset, LOG_SUFFIX + suffix));
    this.log = new LogFile(cache, logPath);
    this.offsetIndex = new OffsetIndex(
      cache,
      join(dir, segmentFileName(baseOffset, INDEX_SUFFIX + suffix)),
      baseOffset,
      s.segmentIndexBytes,
    );
    this.timeIndex = new TimeIndex(
      cache,
      join(dir, segmentFileName(baseOffset, TIME_INDEX_SUFFIX + suffix)),
      baseOffset,
      s.segmentIndexBytes,
    );
    this.txnIndex = new TransactionIndex(join(dir, segmentFileName(baseOffset, TXN_INDEX_SUFFIX + suffix)));
    this.log.onQueuedWriteFailed = (from) => this.dropUnwritten(from, this.firstQueuedOffset);
    const st = fs.statSync(logPath);
    this.size = st.size;
    this.createdMs = st.mtimeMs;
  }

  /** A new, empty segment (files created). `suffix` is '.cleaned' for the cleaner's output. */
  static create(
    dir: string,
    baseOffset: number,
    cache: FileHandleCache,
    s: SegmentSettings,
    nowMs: number,
    suffix = '',
  ): LogSegment {
    for (const ext of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
      fs.writeFileSync(join(dir, segmentFileName(baseOffset, ext + suffix)), Buffer.alloc(0));
    }
    // The transaction index is created with its first entry; one left by an earlier segment of
    // the same base offset would describe other batches.
    fs.rmSync(join(dir, segmentFileName(baseOffset, TXN_INDEX_SUFFIX + suffix)), { force: true });
    const seg = new LogSegment(dir, baseOffset, cache, s, suffix);
    seg.createdMs = nowMs;
    seg.indexesChecked = true;
    seg.firstBatchTs = null;
    return seg;
  }

  /** Opens an existing segment without reading it: only a stat, so start-up stays fast. */
  static open(dir: string, baseOffset: number, cache: FileHandleCache, s: SegmentSettings): LogSegment {
    return new LogSegment(dir, baseOffset, cache, s);
  }

  updateSettings(s: SegmentSettings): void {
    this.offsetIndex.setMaxBytes(s.segmentIndexBytes);
    this.timeIndex.setMaxBytes(s.segmentIndexBytes);
  }

  /**
   * Checks the index files once, on first use: whole entries, ordered, inside the log. A
   * failure rebuilds them from the log (Kafka's sanityCheck plus rebuild on corruption).
   * Returns true when a rebuild happened.
   */
  ensureIndexes(indexIntervalBytes: number): boolean {
    if (this.indexesChecked) return false;
    this.indexesChecked = true;
    const ok =
      !(this.offsetIndex.missingAtOpen && this.size > 0) &&
      !(this.timeIndex.missingAtOpen && this.size > 0) &&
      fs.existsSync(this.offsetIndex.file.path) &&
      fs.existsSync(this.timeIndex.file.path) &&
      this.offsetIndex.sizeLooksValid() &&
      this.timeIndex.sizeLooksValid() &&
      this.offsetIndex.sanityCheck(this.size) &&
      this.timeIndex.sanityCheck();
    if (ok) return false;
    this.recover(indexIntervalBytes);
    return true;
  }

  /** The largest timestamp and its offset so far, from the time index (loaded on demand). */
  maxTimestampSoFar(): { timestamp: number; offset: number } {
    if (this.maxTs === null) this.maxTs = this.timeIndex.lastEntry();
    return this.maxTs;
  }

  /** Kafka's largestTimestamp: the max timestamp, or the file's mtime when there is none. */
  largestTimestamp(): number {
    const t = this.maxTimestampSoFar().timestamp;
    return t >= 0 ? t : fs.statSync(this.log.path).mtimeMs;
  }

  /** The max timestamp of the first batch, which segment.ms counts from (KIP-32); null if empty. */
  rollingBasedTimestamp(): number | null {
    if (this.firstBatchTs === undefined) {
      const first = this.size > 0 ? new BatchCursor(this.log, 0, this.size).next() : null;
      this.firstBatchTs = first ? first.maxTimestamp : null;
    }
    return this.firstBatchTs;
  }

  /**
   * Appends batches already carrying their offsets. `batches` positions are relative to `data`.
   * Index entries are added every index.interval.bytes, as LogSegment.append in Kafka. `queued`
   * leaves the bytes in the file's write queue (see LogFile.queueWrite) instead of writing them now.
   */
  append(data: Buffer, batches: readonly BatchInfo[], indexIntervalBytes: number, queued = false): void {
    const start = this.size;
    this.dirty = true;
    if (queued) {
      this.log.queueWrite(data, start);
      // These bytes head the queue (it was empty, or written just now to make room).
      if (this.log.queuedBytes === data.length && batches.length > 0)
        this.firstQueuedOffset = batches[0]!.baseOffset;
    } else this.log.writeAt(data, start);
    this.size += data.length;
    for (const b of batches) this.indexBatch(b, start + b.position, indexIntervalBytes);
  }

  private indexBatch(b: BatchInfo, position: number, indexIntervalBytes: number): void {
    if (this.firstBatchTs === null || this.firstBatchTs === undefined) this.firstBatchTs = b.maxTimestamp;
    const max = this.maxTimestampSoFar();
    if (b.maxTimestamp > max.timestamp) this.maxTs = { timestamp: b.maxTimestamp, offset: b.lastOffset };
    if (this.bytesSinceLastIndexEntry > indexIntervalBytes) {
      this.offsetIndex.append(b.lastOffset, position);
      const m = this.maxTimestampSoFar();
      this.timeIndex.maybeAppend(m.timestamp, m.offset);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += b.sizeBytes;
  }

  /** The first batch whose last offset is >= `offset`, found through the index. */
  translateOffset(offset: number, startingPosition = 0): BatchInfo | null {
    const from = Math.max(startingPosition, this.offsetIndex.lookup(offset).position);
    const cursor = BatchCursor.forLookup(this.log, from, this.size);
    for (let b = cursor.next(); b !== null; b = cursor.next()) {
      if (b.lastOffset >= offset) return b;
    }
    return null;
  }

  /**
   * A slice from the batch holding `startOffset`, up to `maxBytes` (the first batch whole when
   * `minOneMessage`), not past the batch holding `maxOffset` (exclusive bound, e.g. the high watermark).
   * `active` marks the slice as recent (see FileSlice.recent).
   */
  read(
    startOffset: number,
    maxBytes: number,
    maxOffset: number | null,
    minOneMessage: boolean,
    active = false,
  ): FileSlice | null {
    const first = this.translateOffset(startOffset);
    if (first === null) return null;
    let maxPosition = this.size;
    if (maxOffset !== null) {
      if (startOffset >= maxOffset) return null;
      // Like Kafka: stop before the batch holding maxOffset; the high watermark is a batch boundary.
      const bound = this.translateOffset(maxOffset, first.position);
      if (bound !== null) maxPosition = bound.position;
    }
    let length = Math.min(maxPosition - first.position, maxBytes);
    if (minOneMessage && length < first.sizeBytes)
      length = Math.min(first.sizeBytes, maxPosition - first.position);
    if (length <= 0) return null;
    return new FileSlice(this.log, first.position, length, active);
  }

  /** The first offset >= startingOffset whose record timestamp is >= `timestamp` (ListOffsets). */
  findOffsetByTimestamp(
    timestamp: number,
    startingOffset: number,
  ): { offset: number; timestamp: number } | null {
    const entry = this.timeIndex.lookup(timestamp);
    const from = this.offsetIndex.lookup(Math.max(entry.offset, startingOffset)).position;
    const cursor = new BatchCursor(this.log, from, this.size);
    for (let b = cursor.next(); b !== null; b = cursor.next()) {
      if (b.maxTimestamp < timestamp || b.lastOffset < startingOffset) continue;
      if ((b.attributes & ATTR_TIMESTAMP_TYPE) !== 0) {
        // Every record of a LogAppendTime batch carries the batch's max timestamp.
        return { offset: Math.max(b.baseOffset, startingOffset), timestamp: b.maxTimestamp };
      }
      const bytes = cursor.bytesOf(b);
      const baseTs = Number(bytes.readBigInt64BE(BatchOffsets.baseTimestamp));
      let found: { offset: number; timestamp: number } | null = null;
      const consider = (offsetDelta: number, timestampDelta: number): void => {
        const ts = baseTs + timestampDelta;
        const off = b.baseOffset + offsetDelta;
        if (found === null && ts >= timestamp && off >= startingOffset)
          found = { offset: off, timestamp: ts };
      };
      if ((b.attributes & ATTR_COMPRESSION_MASK) === 0)
        forEachRecord(bytes, (r) => consider(r.offsetDelta, r.timestampDelta));
      else for (const r of openRecordBatch(bytes).records()) consider(r.offsetDelta, r.timestampDelta);
      if (found !== null) return found;
    }
    return null;
  }

  /** The offset after the last batch (scans from the last index entry), or the base offset when empty. */
  readNextOffset(): number {
    if (this.size === 0) return this.baseOffset;
    const from = this.offsetIndex.lookup(Number.MAX_SAFE_INTEGER).position;
    const cursor = new BatchCursor(this.log, from, this.size);
    let next = this.baseOffset;
    for (let b = cursor.next(); b !== null; b = cursor.next()) next = b.lastOffset + 1;
    return next;
  }

  /**
   * The offset after the last batch if the segment ends exactly on a whole batch whose magic and
   * CRC hold, with offsets increasing from the last index entry on; null otherwise. That is what
   * a clean shutdown leaves, and what a write torn or a byte flipped after it breaks. Reads only
   * the tail after the last index entry (a few headers, as readNextOffset does) and the last batch,
   * so every active segment can be checked at open.
   */
  nextOffsetIfTailIntact(): number | null {
    if (this.size === 0) return this.baseOffset;
    const from = this.offsetIndex.lookup(Number.MAX_SAFE_INTEGER).position;
    const cursor = new BatchCursor(this.log, from, this.size);
    let last: BatchInfo | null = null;
    let nextOffset = this.baseOffset;
    for (let b = cursor.next(); b !== null; b = cursor.next()) {
      if (b.baseOffset < nextOffset || b.lastOffset < b.baseOffset) return null;
      nextOffset = b.lastOffset + 1;
      last = b;
    }
    if (cursor.stop !== 'end' || last === null) return null;
    const bytes = cursor.bytesOf(last);
    const intact =
      bytes.readInt8(BatchOffsets.magic) === 2 &&
      computeBatchCrc(bytes) === bytes.readUInt32BE(BatchOffsets.crc);
    return intact ? nextOffset : null;
  }

  /**
   * Verifies every batch (length, magic, CRC, offsets), truncates at the first torn or corrupt one
   * and rebuilds both indexes. Returns the number of bytes truncated. (The transaction index needs
   * the producer state: recovery at load rebuilds it, see partition-log-loader.ts.)
   */
  recover(indexIntervalBytes: number): number {
    this.dirty = true;
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.maxTs = { timestamp: -1, offset: this.baseOffset };
    this.bytesSinceLastIndexEntry = 0;
    this.firstBatchTs = null;
    const cursor = new BatchCursor(this.log, 0, this.size, true, this.baseOffset);
    let validBytes = 0;
    for (let b = cursor.next(); b !== null; b = cursor.next()) {
      if (b.lastOffset - this.baseOffset > 0x7fffffff) break;
      this.indexBatch(b, b.position, indexIntervalBytes);
      validBytes = b.position + b.sizeBytes;
    }
    const truncated = this.size - validBytes;
    if (truncated > 0) {
      this.log.truncate(validBytes);
      this.size = validBytes;
    }
    this.offsetIndex.persist();
    this.timeIndex.persist();
    this.indexesChecked = true;
    return truncated;
  }

  /**
   * Forgets batches from `offset` on, which start at file position `position` and never reached
   * the file (their write failed and the file was cut back there): the size, indexes and max
   * timestamp describe the file again, so the next append, once writes succeed, lands right after
   * the last written batch instead of behind a hole.
   */
  private dropUnwritten(position: number, offset: number): void {
    if (position >= this.size) return;
    this.size = position;
    this.offsetIndex.truncateTo(offset);
    this.timeIndex.truncateTo(offset);
    this.txnIndex.truncateTo(offset);
    this.maxTs = null;
    this.bytesSinceLastIndexEntry = 0;
    if (position === 0) this.firstBatchTs = null;
    this.droppedFromOffset = offset;
    try {
      if (this.timeIndex.entries === 0) this.rescanMaxTimestamp();
    } catch {
      // Rescanned on next use instead (maxTimestampSoFar reads the time index).
      this.maxTs = null;
    }
  }

  /** The offset the segment ends at after a failed write dropped batches (once), else null. */
  takeDroppedOffset(): number | null {
    const o = this.droppedFromOffset;
    this.droppedFromOffset = null;
    return o;
  }

  /** Removes batches with offsets >= `offset` (a batch holding it goes entirely). Returns bytes removed. */
  truncateTo(offset: number): number {
    const b = this.translateOffset(offset);
    if (b === null) return 0;
    this.dirty = true;
    const newSize = b.position;
    const removed = this.size - newSize;
    this.offsetIndex.truncateTo(offset);
    this.timeIndex.truncateTo(offset);
    this.txnIndex.truncateTo(offset);
    this.log.truncate(newSize);
    this.size = newSize;
    this.maxTs = null;
    if (this.timeIndex.entries === 0) this.rescanMaxTimestamp();
    this.bytesSinceLastIndexEntry = 0;
    if (newSize === 0) this.firstBatchTs = null;
    return removed;
  }

  private rescanMaxTimestamp(): void {
    const cursor = new BatchCursor(this.log, 0, this.size);
    let m = { timestamp: -1, offset: this.baseOffset };
    for (let b = cursor.next(); b !== null; b = cursor.next()) {
      if (b.maxTimestamp > m.timestamp) m = { timestamp: b.maxTimestamp, offset: b.lastOffset };
    }
    this.maxTs = m;
  }

  /** When the segment stops being active: record the final max timestamp in the time index. */
  onBecomeInactive(): void {
    const m = this.maxTimestampSoFar();
    if (m.timestamp >= 0) {
      this.dirty = true;
      this.timeIndex.maybeAppend(m.timestamp, m.offset);
    }
    this.offsetIndex.persist();
    this.timeIndex.persist();
  }

  /**
   * fsyncs the log and both indexes on the event loop (blocking it), unless nothing changed since
   * the last sync.
   */
  syncFilesNow(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.log.syncNow();
    this.offsetIndex.writeAndSyncNow();
    this.timeIndex.writeAndSyncNow();
    this.txnIndex.syncNow();
  }

  /** syncFilesNow off the event loop: the three fsyncs run in parallel in the thread pool. */
  async syncFiles(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    await Promise.all([
      this.log.sync(),
      this.offsetIndex.writeAndSync(),
      this.timeIndex.writeAndSync(),
      this.txnIndex.sync(),
    ]);
  }

  /** fsyncs the `.log` file only, off the event loop: what group commit needs before an acknowledgement. */
  async syncLogData(): Promise<void> {
    await this.log.sync();
  }

  /** Renames the segment's files from `fromSuffix` to `toSuffix` (appended after the extension). */
  changeSuffix(fromSuffix: string, toSuffix: string): void {
    for (const f of [this.log, this.offsetIndex.file, this.timeIndex.file, this.txnIndex]) {
      if (!f.path.endsWith(fromSuffix)) continue;
      f.renameTo(f.path.slice(0, f.path.length - fromSuffix.length) + toSuffix);
    }
  }

  close(): void {
    this.log.close();
    this.offsetIndex.close();
    this.timeIndex.close();
  }

  /** Drops index memory copies; idle partitions call this to bound memory. */
  unloadIndexes(): void {
    this.offsetIndex.unload();
    this.timeIndex.unload();
  }

  deleteFiles(): void {
    this.log.delete();
    this.offsetIndex.delete();
    this.timeIndex.delete();
    this.txnIndex.delete();
  }

  /** As deleteFiles, unlinking off the event loop; for segments renamed to `.deleted`. */
  async deleteFilesInBackground(): Promise<void> {
    await Promise.all([
      this.log.deleteInBackground(),
      this.offsetIndex.deleteInBackground(),
      this.timeIndex.deleteInBackground(),
      this.txnIndex.deleteInBackground(),
    ]);
  }
}
