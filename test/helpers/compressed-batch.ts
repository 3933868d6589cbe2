import { compressSync } from '../../src/protocol/compression/compress.js';
import { Writer } from '../../src/protocol/primitives/writer.js';
import { type Record, writeRecord } from '../../src/protocol/records/record.js';
import {
  BATCH_HEADER_BYTES,
  BatchOffsets,
  type CompressionType,
  computeBatchCrc,
} from '../../src/protocol/records/record-batch-header.js';

/** The bytes of records as they sit inside a batch, before compression. */
export function recordBytesOf(records: readonly Record[]): Buffer {
  const w = new Writer();
  for (const r of records) writeRecord(w, r);
  return w.toBuffer();
}

/**
 * A v2 batch around an already compressed body (which may be anything, e.g. concatenated frames
 * that expand to far more than a codec would write in one go), with a correct CRC.
 */
export function batchAround(
  compressedBody: Buffer,
  compression: CompressionType,
  recordCount: number,
  baseTimestamp = Date.now(),
): Buffer {
  const b = Buffer.alloc(BATCH_HEADER_BYTES + compressedBody.length);
  b.writeBigInt64BE(0n, BatchOffsets.baseOffset);
  b.writeInt32BE(b.length - 12, BatchOffsets.batchLength);
  b.writeInt32BE(-1, BatchOffsets.partitionLeaderEpoch);
  b.writeInt8(2, BatchOffsets.magic);
  b.writeInt16BE(compression, BatchOffsets.attributes);
  b.writeInt32BE(recordCount - 1, BatchOffsets.lastOffsetDelta);
  b.writeBigInt64BE(BigInt(baseTimestamp), BatchOffsets.baseTimestamp);
  b.writeBigInt64BE(BigInt(baseTimestamp), BatchOffsets.maxTimestamp);
  b.writeBigInt64BE(-1n, BatchOffsets.producerId);
  b.writeInt16BE(-1, BatchOffsets.producerEpoch);
  b.writeInt32BE(-1, BatchOffsets.baseSequence);
  b.writeInt32BE(recordCount, BatchOffsets.recordCount);
  compressedBody.copy(b, BATCH_HEADER_BYTES);
  b.writeUInt32BE(computeBatchCrc(b), BatchOffsets.crc);
  return b;
}

/** A batch holding `body` (record bytes, valid or not) compressed with `compression`. */
export function batchWithBody(body: Buffer, compression: CompressionType, recordCount: number): Buffer {
  return batchAround(compressSync(compression, body), compression, recordCount);
}

/**
 * A "decompression bomb": one record whose value is `valueBytes` zeros, as a batch of a few
 * kilobytes. The body is the record's head, then the same compressed frame of zeros repeated, then
 * the record's tail, each a frame of its own: gzip members and zstd frames concatenate.
 */
export function bombBatch(compression: CompressionType, valueBytes: number, frameBytes = 8 << 20): Buffer {
  if (valueBytes % frameBytes !== 0) throw new Error('valueBytes must be a multiple of frameBytes');
  const w = new Writer();
  // Record length: attributes (1), timestamp delta (1), offset delta (1), key -1 (1), value length, value, header count (1).
  const valueLen = new Writer();
  valueLen.writeVarint(valueBytes);
  const lengthField = 1 + 1 + 1 + 1 + valueLen.toBuffer().length + valueBytes + 1;
  w.writeVarint(lengthField);
  w.writeInt8(0);
  w.writeVarint(0); // timestamp delta (a zig-zag varlong of 0 is one zero byte as well)
  w.writeVarint(0);
  w.writeVarint(-1);
  w.writeVarint(valueBytes);
  const head = compressSync(compression, w.toBuffer());
  const zeros = compressSync(compression, Buffer.alloc(frameBytes));
  const tail = compressSync(compression, Buffer.from([0]));
  const parts = [head];
  for (let i = 0; i < valueBytes / frameBytes; i++) parts.push(zeros);
  parts.push(tail);
  return batchAround(Buffer.concat(parts), compression, 1);
}
