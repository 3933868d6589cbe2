import {
  BATCH_HEADER_BYTES,
  BatchOffsets,
  computeBatchCrc,
  LOG_OVERHEAD,
} from '../protocol/records/record-batch-header.js';
import type { LogFile } from './file-handle-cache.js';

/** What a segment needs to know about a stored batch, read from its header. */
export interface BatchInfo {
  position: number;
  /** Whole batch, LOG_OVERHEAD included. */
  sizeBytes: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  attributes: number;
  recordCount: number;
}

export function batchInfoAt(buf: Buffer, at: number, position: number): BatchInfo {
  const baseOffset = Number(buf.readBigInt64BE(at));
  return {
    position,
    sizeBytes: buf.readInt32BE(at + BatchOffsets.batchLength) + LOG_OVERHEAD,
    baseOffset,
    lastOffset: baseOffset + buf.readInt32BE(at + BatchOffsets.lastOffsetDelta),
    maxTimestamp: Number(buf.readBigInt64BE(at + BatchOffsets.maxTimestamp)),
    attributes: buf.readInt16BE(at + BatchOffsets.attributes),
    recordCount: buf.readInt32BE(at + BatchOffsets.recordCount),
  };
}

/** Why a scan stopped before the end of the file. */
export type ScanStop = 'end' | 'torn' | 'corrupt';

/** Header walks start with small reads (a lookup usually needs one or two headers) and grow. */
const FIRST_CHUNK_BYTES = 4096;
const MAX_CHUNK_BYTES = 1024 * 1024;
/** Lookups read batch headers here: synchronous and short-lived, they never overlap. */
const LOOKUP_SCRATCH = Buffer.allocUnsafe(FIRST_CHUNK_BYTES);

/**
 * Reads batch headers forward from a file position in large chunks, so walking many small batches
 * costs few system calls. With `verify`, each batch is also checked as recovery needs: magic 2, a
 * sane length, the CRC, and offsets that do not go backwards.
 */
export class BatchCursor {
  private readonly file: LogFile;
  private readonly end: number;
  private readonly verify: boolean;
  private chunk: Buffer = Buffer.alloc(0);
  private chunkPos = 0;
  position: number;
  stop: ScanStop = 'end';
  private nextOffsetMin: number;
  private chunkBytes: number;
  private lookup = false;

  constructor(file: LogFile, from: number, end: number, verify = false, minOffset = 0) {
    this.file = file;
    this.position = from;
    this.end = end;
    this.verify = verify;
    this.nextOffsetMin = minOffset;
    this.chunkBytes = verify ? MAX_CHUNK_BYTES : FIRST_CHUNK_BYTES;
  }

  /**
   * A cursor for offset lookups (every fetch makes one or two): it reads into one shared buffer
   * instead of allocating a chunk per read, so it must be walked to its end before another cursor
   * is made, and `bytesOf` is not for it.
   */
  static forLookup(file: LogFile, from: number, end: number): BatchCursor {
    const c = new BatchCursor(file, from, end);
    c.lookup = true;
    return c;
  }

  /** Ensures bytes [position, position+n) are in the chunk; false if the file ends first. */
  private fill(n: number): boolean {
    if (this.position + n > this.end) return false;
    const rel = this.position - this.chunkPos;
    if (rel >= 0 && rel + n <= this.chunk.length) return true;
    const want = Math.min(Math.max(n, this.chunkBytes), this.end - this.position);
    if (this.lookup && want <= LOOKUP_SCRATCH.length) {
      this.chunk = LOOKUP_SCRATCH.subarray(
        0,
        this.file.readInto(LOOKUP_SCRATCH.subarray(0, want), this.position),
      );
    } else {
      this.chunkBytes = Math.min(this.chunkBytes * 2, MAX_CHUNK_BYTES);
      this.chunk = this.file.readAt(this.position, want);
    }
    this.chunkPos = this.position;
    return this.chunk.length >= n;
  }

  /** The next batch, or null at the end (then `stop` says whether the tail was torn or corrupt). */
  next(): BatchInfo | null {
    if (this.position >= this.end) {
      this.stop = 'end';
      return null;
    }
    if (!this.fill(LOG_OVERHEAD)) return this.halt('torn');
    const rel = this.position - this.chunkPos;
    const size = this.chunk.readInt32BE(rel + BatchOffsets.batchLength) + LOG_OVERHEAD;
    if (size < BATCH_HEADER_BYTES) return this.halt('corrupt');
    if (this.position + size > this.end) return this.halt(size > 0x7fffffff ? 'corrupt' : 'torn');
    const need = this.verify ? size : BATCH_HEADER_BYTES;
    if (!this.fill(need)) return this.halt('torn');
    const at = this.position - this.chunkPos;
    const info = batchInfoAt(this.chunk, at, this.position);
    if (this.verify) {
      const batch = this.chunk.subarray(at, at + size);
      if (
        batch.readInt8(BatchOffsets.magic) !== 2 ||
        computeBatchCrc(batch) !== batch.readUInt32BE(BatchOffsets.crc) ||
        info.baseOffset < this.nextOffsetMin ||
        info.lastOffset < info.baseOffset
      ) {
        return this.halt('corrupt');
      }
      this.nextOffsetMin = info.lastOffset + 1;
    }
    this.position += size;
    return info;
  }

  /** The whole batch at `info` (reads it if the chunk does not hold it). */
  bytesOf(info: BatchInfo): Buffer {
    const rel = info.position - this.chunkPos;
    if (rel >= 0 && rel + info.sizeBytes <= this.chunk.length) {
      return this.chunk.subarray(rel, rel + info.sizeBytes);
    }
    return this.file.readAt(info.position, info.sizeBytes);
  }

  private halt(why: ScanStop): null {
    this.stop = why;
    return null;
  }
}
