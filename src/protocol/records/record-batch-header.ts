import { crc32c } from '../primitives/crc32c.js';
import { ProtocolError } from '../primitives/protocol-error.js';

/** Byte offsets of the record batch v2 header (KIP-98, "Record Batch" in the protocol guide). */
export const BatchOffsets = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
} as const;

/** Size of the v2 header; records follow it. */
export const BATCH_HEADER_BYTES = 61;
/** baseOffset + batchLength: the part of the header that batchLength does not count. */
export const LOG_OVERHEAD = 12;

export const CompressionType = { None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const;
export type CompressionType = (typeof CompressionType)[keyof typeof CompressionType];

export const TimestampType = { CreateTime: 0, LogAppendTime: 1 } as const;
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType];

export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_TIMESTAMP_TYPE = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;
export const ATTR_DELETE_HORIZON = 0x40;

export interface RecordBatchHeader {
  baseOffset: bigint;
  /** Bytes after the batchLength field; the whole batch is batchLength + LOG_OVERHEAD. */
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Reads the fixed header at `at` without touching the records. The caller checks the length fits. */
export function readBatchHeader(buf: Buffer, at = 0): RecordBatchHeader {
  if (buf.length - at < BATCH_HEADER_BYTES) {
    throw new ProtocolError('TRUNCATED', `record batch header needs ${BATCH_HEADER_BYTES} bytes`, at);
  }
  return {
    baseOffset: buf.readBigInt64BE(at),
    batchLength: buf.readInt32BE(at + BatchOffsets.batchLength),
    partitionLeaderEpoch: buf.readInt32BE(at + BatchOffsets.partitionLeaderEpoch),
    magic: buf.readInt8(at + BatchOffsets.magic),
    crc: buf.readUInt32BE(at + BatchOffsets.crc),
    attributes: buf.readInt16BE(at + BatchOffsets.attributes),
    lastOffsetDelta: buf.readInt32BE(at + BatchOffsets.lastOffsetDelta),
    baseTimestamp: buf.readBigInt64BE(at + BatchOffsets.baseTimestamp),
    maxTimestamp: buf.readBigInt64BE(at + BatchOffsets.maxTimestamp),
    producerId: buf.readBigInt64BE(at + BatchOffsets.producerId),
    producerEpoch: buf.readInt16BE(at + BatchOffsets.producerEpoch),
    baseSequence: buf.readInt32BE(at + BatchOffsets.baseSequence),
    recordCount: buf.readInt32BE(at + BatchOffsets.recordCount),
  };
}

/** CRC32C of a batch as stored in its header: attributes to the end. */
export function computeBatchCrc(batch: Buffer): number {
  return crc32c(batch.subarray(BatchOffsets.attributes));
}

/**
 * Validates one v2 batch occupying exactly `batch` without decoding its records: length, magic,
 * CRC (unless `checkCrc` is false), and count versus lastOffsetDelta. Throws CORRUPT_RECORD
 * (Kafka's CORRUPT_MESSAGE) on failure.
 */
export function validateBatch(batch: Buffer, checkCrc = true): RecordBatchHeader {
  if (batch.length < BATCH_HEADER_BYTES) {
    throw new ProtocolError(
      'CORRUPT_RECORD',
      `record batch of ${batch.length} bytes is shorter than its header`,
      0,
    );
  }
  const h = readBatchHeader(batch, 0);
  if (h.batchLength + LOG_OVERHEAD !== batch.length) {
    throw new ProtocolError(
      'CORRUPT_RECORD',
      `batch length ${h.batchLength} does not match ${batch.length - LOG_OVERHEAD} bytes present`,
      BatchOffsets.batchLength,
    );
  }
  if (h.magic !== 2)
    throw new ProtocolError('CORRUPT_RECORD', `magic ${h.magic} is not 2`, BatchOffsets.magic);
  if (checkCrc) {
    const crc = computeBatchCrc(batch);
    if (crc !== h.crc) {
      throw new ProtocolError(
        'CORRUPT_RECORD',
        `CRC ${h.crc} does not match computed ${crc}`,
        BatchOffsets.crc,
      );
    }
  }
  if (
    h.recordCount < 0 ||
    h.lastOffsetDelta < 0 ||
    (h.recordCount > 0 && h.lastOffsetDelta < h.recordCount - 1)
  ) {
    throw new ProtocolError(
      'INVALID_RECORD',
      `record count ${h.recordCount} inconsistent with last offset delta ${h.lastOffsetDelta}`,
      BatchOffsets.recordCount,
    );
  }
  return h;
}

/** Sets the base offset in place; the CRC does not cover it, so the batch stays valid. */
export function setBaseOffset(batch: Buffer, baseOffset: bigint | number, at = 0): void {
  const pos = at + BatchOffsets.baseOffset;
  if (typeof baseOffset === 'bigint') {
    batch.writeBigInt64BE(baseOffset, pos);
    return;
  }
  // Offsets are safe integers: two 32-bit halves spare the append path a BigInt per batch.
  batch.writeInt32BE(Math.floor(baseOffset / 0x1_0000_0000), pos);
  batch.writeUInt32BE(baseOffset >>> 0, pos + 4);
}

/** Sets the partition leader epoch in place (not covered by the CRC either). */
export function setPartitionLeaderEpoch(batch: Buffer, epoch: number, at = 0): void {
  batch.writeInt32BE(epoch, at + BatchOffsets.partitionLeaderEpoch);
}

/**
 * Splits a buffer of concatenated v2 batches into batch views. A partial batch at the end
 * (as Fetch may return) is reported through `partialTail` rather than raised.
 */
export function splitBatches(data: Buffer): { batches: Buffer[]; partialTail: number } {
  const batches: Buffer[] = [];
  let at = 0;
  while (data.length - at >= LOG_OVERHEAD) {
    const len = data.readInt32BE(at + BatchOffsets.batchLength);
    if (len < BATCH_HEADER_BYTES - LOG_OVERHEAD) {
      throw new ProtocolError('CORRUPT_RECORD', `batch length ${len} below the header size`, at);
    }
    if (at + LOG_OVERHEAD + len > data.length) break;
    batches.push(data.subarray(at, at + LOG_OVERHEAD + len));
    at += LOG_OVERHEAD + len;
  }
  return { batches, partialTail: data.length - at };
}
