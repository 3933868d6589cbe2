import { type CompressOptions, compressSync, decompressSync } from '../compression/compress.js';
import type { DecompressOptions } from '../compression/decompressed-bytes-max.js';
import { ProtocolError } from '../primitives/protocol-error.js';
import { Reader } from '../primitives/reader.js';
import { Writer } from '../primitives/writer.js';
import { RECORD_BYTES_MIN, type Record, readRecord, recordBytes, writeRecord } from './record.js';
import {
  ATTR_COMPRESSION_MASK,
  ATTR_CONTROL,
  ATTR_TIMESTAMP_TYPE,
  ATTR_TRANSACTIONAL,
  BATCH_HEADER_BYTES,
  BatchOffsets,
  CompressionType,
  computeBatchCrc,
  LOG_OVERHEAD,
  type RecordBatchHeader,
  TimestampType,
  validateBatch,
} from './record-batch-header.js';

/**
 * Full encoding and decoding of record batches (magic 2, KIP-98). The broker's produce path only
 * validates and patches headers (record-batch-header.ts); this is for clients, format conversion,
 * recompression, compaction and tests.
 */
export interface RecordBatchInput {
  baseOffset?: bigint;
  partitionLeaderEpoch?: number;
  /** Raw attribute bits; the named fields below override the bits they name. */
  attributes?: number;
  compression?: CompressionType;
  compressOptions?: CompressOptions;
  timestampType?: TimestampType;
  transactional?: boolean;
  control?: boolean;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  baseTimestamp?: bigint;
  /** Defaults to baseTimestamp plus the largest timestamp delta. */
  maxTimestamp?: bigint;
  /** Defaults to the last record's offset delta (0 for an empty batch, as compaction may leave). */
  lastOffsetDelta?: number;
  records: readonly Record[];
}

/** Header fields with the attribute bits spelled out. */
export interface RecordBatchInfo extends RecordBatchHeader {
  compression: CompressionType;
  timestampType: TimestampType;
  transactional: boolean;
  control: boolean;
}

export interface RecordBatch extends RecordBatchInfo {
  records: Record[];
}

export interface OpenOptions extends DecompressOptions {
  /** Verify the batch's CRC32C; default true (a consumer's `check.crcs`). */
  checkCrc?: boolean;
}

export interface OpenRecordBatch extends RecordBatchInfo {
  /** Parses records one at a time; the checks that need all of them run when it finishes. */
  records(): Generator<Record, void, undefined>;
}

function setBit(attrs: number, bit: number, on: boolean | undefined): number {
  if (on === undefined) return attrs;
  return on ? attrs | bit : attrs & ~bit;
}

function batchAttributes(input: RecordBatchInput): number {
  let attrs = input.attributes ?? 0;
  if (input.compression !== undefined) attrs = (attrs & ~ATTR_COMPRESSION_MASK) | input.compression;
  if (input.timestampType !== undefined) {
    attrs = setBit(attrs, ATTR_TIMESTAMP_TYPE, input.timestampType === TimestampType.LogAppendTime);
  }
  attrs = setBit(attrs, ATTR_TRANSACTIONAL, input.transactional);
  return setBit(attrs, ATTR_CONTROL, input.control);
}

/** Our own callers' mistakes would otherwise produce a batch that every reader rejects. */
function checkInput(input: RecordBatchInput): void {
  let previous = -1;
  for (const r of input.records) {
    if (!Number.isInteger(r.offsetDelta) || r.offsetDelta <= previous || r.offsetDelta > 0x7fffffff) {
      throw new ProtocolError('INVALID_RECORD', `offset delta ${r.offsetDelta} does not follow ${previous}`);
    }
    if (!Number.isSafeInteger(r.timestampDelta)) {
      throw new ProtocolError('INVALID_RECORD', `timestamp delta ${r.timestampDelta} is not a safe integer`);
    }
    previous = r.offsetDelta;
  }
  if (
    input.lastOffsetDelta !== undefined &&
    (input.lastOffsetDelta < previous || input.lastOffsetDelta < 0)
  ) {
    throw new ProtocolError(
      'INVALID_RECORD',
      `last offset delta ${input.lastOffsetDelta} is below ${previous}`,
    );
  }
}

const HEADER_ROOM = Buffer.alloc(BATCH_HEADER_BYTES);

/**
 * Encodes the records, after `BATCH_HEADER_BYTES` of room for the header when `headerRoom` is set:
 * an uncompressed batch is then built in one buffer without copying its records again.
 */
function writeRecords(records: readonly Record[], headerRoom: boolean): Buffer {
  let size = headerRoom ? BATCH_HEADER_BYTES : 0;
  for (const r of records) size += recordBytes(r);
  const w = new Writer(Math.max(size, 16));
  if (headerRoom) w.writeRaw(HEADER_ROOM);
  for (const r of records) writeRecord(w, r);
  return w.toBuffer();
}

/** Fills in the header of `batch` (header room followed by the records section) and its CRC. */
function finish(input: RecordBatchInput, attrs: number, batch: Buffer): Buffer {
  const records = input.records;
  const baseTimestamp = input.baseTimestamp ?? 0n;
  let maxDelta = 0;
  for (const r of records) if (r.timestampDelta > maxDelta) maxDelta = r.timestampDelta;
  const lastOffsetDelta =
    input.lastOffsetDelta ?? (records.length > 0 ? records[records.length - 1]!.offsetDelta : 0);
  batch.writeBigInt64BE(input.baseOffset ?? 0n, BatchOffsets.baseOffset);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BatchOffsets.batchLength);
  batch.writeInt32BE(input.partitionLeaderEpoch ?? -1, BatchOffsets.partitionLeaderEpoch);
  batch.writeInt8(2, BatchOffsets.magic);
  batch.writeInt16BE(attrs, BatchOffsets.attributes);
  batch.writeInt32BE(lastOffsetDelta, BatchOffsets.lastOffsetDelta);
  batch.writeBigInt64BE(baseTimestamp, BatchOffsets.baseTimestamp);
  batch.writeBigInt64BE(input.maxTimestamp ?? baseTimestamp + BigInt(maxDelta), BatchOffsets.maxTimestamp);
  batch.writeBigInt64BE(input.producerId ?? -1n, BatchOffsets.producerId);
  batch.writeInt16BE(input.producerEpoch ?? -1, BatchOffsets.producerEpoch);
  batch.writeInt32BE(input.baseSequence ?? -1, BatchOffsets.baseSequence);
  batch.writeInt32BE(records.length, BatchOffsets.recordCount);
  batch.writeUInt32BE(computeBatchCrc(batch), BatchOffsets.crc);
  return batch;
}

function withHeaderRoom(compressed: Buffer): Buffer {
  const batch = Buffer.allocUnsafe(BATCH_HEADER_BYTES + compressed.length);
  compressed.copy(batch, BATCH_HEADER_BYTES);
  return batch;
}

/** Encodes a v2 batch with its CRC32C; compresses the records when the attributes say so. */
export function encodeRecordBatch(input: RecordBatchInput): Buffer {
  checkInput(input);
  const attrs = batchAttributes(input);
  const type = (attrs & ATTR_COMPRESSION_MASK) as CompressionType;
  if (type === CompressionType.None) return finish(input, attrs, writeRecords(input.records, true));
  const body = compressSync(type, writeRecords(input.records, false), input.compressOptions);
  return finish(input, attrs, withHeaderRoom(body));
}

/**
 * A header with its attributes spelled out. Built field by field: consumers make one per batch,
 * and an object spread of the header had cost more than the batch's CRC.
 */
class BatchInfo implements RecordBatchInfo {
  readonly baseOffset: bigint;
  readonly batchLength: number;
  readonly partitionLeaderEpoch: number;
  readonly magic: number;
  readonly crc: number;
  readonly attributes: number;
  readonly lastOffsetDelta: number;
  readonly baseTimestamp: bigint;
  readonly maxTimestamp: bigint;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly recordCount: number;
  readonly compression: CompressionType;
  readonly timestampType: TimestampType;
  readonly transactional: boolean;
  readonly control: boolean;

  constructor(h: RecordBatchHeader) {
    const compression = h.attributes & ATTR_COMPRESSION_MASK;
    if (compression > CompressionType.Zstd) {
      throw new ProtocolError(
        'UNSUPPORTED_COMPRESSION',
        `compression type ${compression} is not supported`,
        BatchOffsets.attributes,
      );
    }
    this.baseOffset = h.baseOffset;
    this.batchLength = h.batchLength;
    this.partitionLeaderEpoch = h.partitionLeaderEpoch;
    this.magic = h.magic;
    this.crc = h.crc;
    this.attributes = h.attributes;
    this.lastOffsetDelta = h.lastOffsetDelta;
    this.baseTimestamp = h.baseTimestamp;
    this.maxTimestamp = h.maxTimestamp;
    this.producerId = h.producerId;
    this.producerEpoch = h.producerEpoch;
    this.baseSequence = h.baseSequence;
    this.recordCount = h.recordCount;
    this.compression = compression as CompressionType;
    this.timestampType =
      h.attributes & ATTR_TIMESTAMP_TYPE ? TimestampType.LogAppendTime : TimestampType.CreateTime;
    this.transactional = (h.attributes & ATTR_TRANSACTIONAL) !== 0;
    this.control = (h.attributes & ATTR_CONTROL) !== 0;
  }
}

/** A validated batch whose records are parsed when asked for, from `body` at `start`. */
class OpenedRecordBatch extends BatchInfo implements OpenRecordBatch {
  readonly #body: Buffer;
  readonly #start: number;

  constructor(h: RecordBatchHeader, body: Buffer, start: number) {
    super(h);
    this.#body = body;
    this.#start = start;
  }

  records(): Generator<Record, void, undefined> {
    return parseRecords(this, this.#body, this.#start);
  }

  /** The same batch with its records in `body`, e.g. decompressed. */
  withBody(body: Buffer): OpenedRecordBatch {
    return new OpenedRecordBatch(this, body, 0);
  }
}

function invalid(message: string, at: number): ProtocolError {
  return new ProtocolError('INVALID_RECORD', message, at);
}

function* parseRecords(
  info: RecordBatchInfo,
  body: Buffer,
  start: number,
): Generator<Record, void, undefined> {
  const r = new Reader(body, start);
  if (info.recordCount * RECORD_BYTES_MIN > r.remaining()) {
    throw invalid(
      `${info.recordCount} records cannot fit in ${r.remaining()} bytes`,
      BatchOffsets.recordCount,
    );
  }
  let previous = -1;
  for (let i = 0; i < info.recordCount; i++) {
    if (r.remaining() === 0) {
      throw invalid(`batch declares ${info.recordCount} records but holds ${i}`, BatchOffsets.recordCount);
    }
    const at = r.pos;
    const record = readRecord(r);
    // Offsets only grow within a batch; compaction may leave gaps but never reorders.
    if (record.offsetDelta <= previous || record.offsetDelta > info.lastOffsetDelta) {
      throw invalid(`offset delta ${record.offsetDelta} out of order or past the last offset delta`, at);
    }
    previous = record.offsetDelta;
    yield record;
  }
  if (r.remaining() !== 0) {
    throw invalid(`${r.remaining()} bytes follow the ${info.recordCount} declared records`, r.pos);
  }
}

/** Empty batches (compaction keeps them for producer state) may carry no compressed body at all. */
function needsDecompression(info: RecordBatchInfo, batch: Buffer): boolean {
  return (
    info.compression !== CompressionType.None &&
    !(info.recordCount === 0 && batch.length === BATCH_HEADER_BYTES)
  );
}

/**
 * Validates the batch and decompresses its records (if compressed); records are then parsed
 * lazily. Keys, values and header values are views into the batch (or into its decompressed copy).
 */
export function openRecordBatch(batch: Buffer, options: OpenOptions = {}): OpenRecordBatch {
  const open = new OpenedRecordBatch(validateBatch(batch, options.checkCrc), batch, BATCH_HEADER_BYTES);
  if (!needsDecompression(open, batch)) return open;
  return open.withBody(decompressSync(open.compression, batch.subarray(BATCH_HEADER_BYTES), options));
}

function collect(open: OpenRecordBatch): RecordBatch {
  // The opened batch's own properties are the header's (its body is private); a plain object.
  return { ...open, records: [...open.records()] };
}

/** Decodes one whole batch; `batch` must hold exactly one (see splitBatches for several). */
export function decodeRecordBatch(batch: Buffer, options: DecompressOptions = {}): RecordBatch {
  return collect(openRecordBatch(batch, options));
}

/** A record's absolute offset. */
export function recordOffset(batch: RecordBatchHeader, record: Record): bigint {
  return batch.baseOffset + BigInt(record.offsetDelta);
}

/** A record's timestamp: with LogAppendTime every record carries the batch's max timestamp. */
export function recordTimestamp(batch: RecordBatchInfo, record: Record): bigint {
  if (batch.timestampType === TimestampType.LogAppendTime) return batch.maxTimestamp;
  return batch.baseTimestamp + BigInt(record.timestampDelta);
}
