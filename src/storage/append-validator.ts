import { ProtocolError } from '../protocol/primitives/protocol-error.js';
import { openRecordBatch } from '../protocol/records/record-batch.js';
import {
  ATTR_COMPRESSION_MASK,
  ATTR_CONTROL,
  ATTR_TIMESTAMP_TYPE,
  BatchOffsets,
  computeBatchCrc,
  type RecordBatchHeader,
  setBaseOffset,
  setPartitionLeaderEpoch,
  splitBatches,
  validateBatch,
} from '../protocol/records/record-batch-header.js';
import type { BatchInfo } from './batch-cursor.js';
import type { LogConfig } from './log-config.js';
import { forEachRecord, RecordFormatError } from './record-scan.js';
import { StorageError } from './storage-error.js';

/** Who is appending: clients go through every check; replication and coordinators less so. */
export type AppendOrigin = 'client' | 'coordinator' | 'replication';

export interface ValidatedAppend {
  batches: BatchInfo[];
  firstOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  offsetOfMaxTimestamp: number;
  /** The broker time stamped into the batches, or -1 for CreateTime. */
  logAppendTime: number;
  recordCount: number;
}

const NO_LIMIT = (v: number): boolean => v < 0 || !Number.isFinite(v);

/**
 * Validates concatenated v2 batches and, only if all pass, patches them in place: base offsets
 * (from `nextOffset`, for leader appends), the partition leader epoch, and LogAppendTime. A
 * failure leaves the bytes untouched. Pure: time comes in as `nowMs`.
 * Kafka's LogValidator for magic v2, minus format conversion and recompression (broker edge).
 */
export function validateAndAssign(
  data: Buffer,
  config: LogConfig,
  opts: {
    nowMs: number;
    nextOffset: number;
    origin: AppendOrigin;
    leaderEpoch: number | null;
    /**
     * The batches passed `precheckProducedBatches` (CRCs, and the records of compressed batches,
     * walked piece by piece): those are not checked again.
     */
    prechecked?: boolean;
  },
): ValidatedAppend {
  let split: { batches: Buffer[]; partialTail: number };
  try {
    split = splitBatches(data);
  } catch (e) {
    throw new StorageError('CORRUPT_MESSAGE', (e as Error).message, { cause: e });
  }
  if (split.partialTail !== 0) {
    throw new StorageError('CORRUPT_MESSAGE', `${split.partialTail} bytes after the last whole batch`);
  }
  if (split.batches.length === 0) throw new StorageError('INVALID_RECORD', 'no record batches to append');
  if (data.length > config.segmentBytes) {
    throw new StorageError(
      'RECORD_LIST_TOO_LARGE',
      `${data.length} bytes exceed segment.bytes ${config.segmentBytes}`,
    );
  }
  const assign = opts.origin !== 'replication';
  const headers: RecordBatchHeader[] = [];
  let expectNext = opts.nextOffset;
  for (const batch of split.batches) {
    const h = checkBatchHeader(batch, config, opts.prechecked !== true);
    if (assign) {
      const check = checkLeaderBatch(h, config, opts);
      if (check !== null && !(opts.prechecked === true && isCompressed(h))) walkRecords(batch, h, check);
    } else {
      const base = Number(h.baseOffset);
      if (base < expectNext) {
        throw new StorageError(
          'OFFSETS_OUT_OF_ORDER',
          `batch at offset ${base} is below the next offset ${expectNext}`,
        );
      }
      expectNext = base + h.lastOffsetDelta + 1;
    }
    headers.push(h);
  }

  // Everything passed: now change bytes.
  const logAppend = config.messageTimestampType === 'LogAppendTime' && opts.origin !== 'replication';
  const infos: BatchInfo[] = [];
  let next = opts.nextOffset;
  let maxTimestamp = -1;
  let offsetOfMaxTimestamp = -1;
  let recordCount = 0;
  let position = 0;
  for (let i = 0; i < split.batches.length; i++) {
    const batch = split.batches[i]!;
    const h = headers[i]!;
    const base = assign ? next : Number(h.baseOffset);
    if (assign) setBaseOffset(batch, base);
    if (assign && opts.leaderEpoch !== null) setPartitionLeaderEpoch(batch, opts.leaderEpoch);
    let batchMaxTs = Number(h.maxTimestamp);
    let attributes = h.attributes;
    if (logAppend && (h.attributes & ATTR_CONTROL) === 0) {
      // Timestamp type and max timestamp are covered by the CRC: recompute it.
      attributes = h.attributes | ATTR_TIMESTAMP_TYPE;
      batch.writeInt16BE(attributes, BatchOffsets.attributes);
      batch.writeBigInt64BE(BigInt(opts.nowMs), BatchOffsets.maxTimestamp);
      batch.writeUInt32BE(computeBatchCrc(batch), BatchOffsets.crc);
      batchMaxTs = opts.nowMs;
    }
    const lastOffset = base + h.lastOffsetDelta;
    if (batchMaxTs > maxTimestamp) {
      maxTimestamp = batchMaxTs;
      offsetOfMaxTimestamp = lastOffset;
    }
    infos.push({
      position,
      sizeBytes: batch.length,
      baseOffset: base,
      lastOffset,
      maxTimestamp: batchMaxTs,
      attributes,
      recordCount: h.recordCount,
    });
    recordCount += h.recordCount;
    position += batch.length;
    next = lastOffset + 1;
  }
  return {
    batches: infos,
    firstOffset: infos[0]!.baseOffset,
    lastOffset: infos[infos.length - 1]!.lastOffset,
    maxTimestamp,
    offsetOfMaxTimestamp,
    logAppendTime: logAppend ? opts.nowMs : -1,
    recordCount,
  };
}

/** Length, magic, CRC (unless `checkCrc` is false), counts, and the batch against max.message.bytes. */
export function checkBatchHeader(batch: Buffer, config: LogConfig, checkCrc: boolean): RecordBatchHeader {
  let h: RecordBatchHeader;
  try {
    h = validateBatch(batch, checkCrc);
  } catch (e) {
    throw storageErrorFor(e);
  }
  if (batch.length > config.maxMessageBytes) {
    throw new StorageError(
      'MESSAGE_TOO_LARGE',
      `batch of ${batch.length} bytes exceeds max.message.bytes ${config.maxMessageBytes}`,
    );
  }
  return h;
}

/** A batch whose records are compressed (its records are then walked through the codec). */
export function isCompressed(h: RecordBatchHeader): boolean {
  return (h.attributes & ATTR_COMPRESSION_MASK) !== 0;
}

/** Checks one record: its offset delta, timestamp delta and whether it has a key. */
export type RecordCheck = (offsetDelta: number, timestampDelta: number, hasKey: boolean) => void;

/**
 * The checks Kafka's LogValidator makes on batches from producers (and coordinators): those the
 * header answers at once, and the per-record check to run over its records, or null when the
 * records need no walk (control batches).
 */
export function checkLeaderBatch(
  h: RecordBatchHeader,
  config: LogConfig,
  opts: { nowMs: number; origin: AppendOrigin },
): RecordCheck | null {
  const invalid = (msg: string): never => {
    throw new StorageError('INVALID_RECORD', msg);
  };
  const isControl = (h.attributes & ATTR_CONTROL) !== 0;
  if (opts.origin === 'client' && isControl) invalid('clients may not write control batches');
  if (opts.origin === 'client' && h.baseOffset !== 0n) {
    invalid(`the base offset of a produced batch should be 0, but it is ${h.baseOffset}`);
  }
  if (h.recordCount === 0) invalid('record batch has no records');
  if (h.lastOffsetDelta !== h.recordCount - 1) {
    invalid(`last offset delta ${h.lastOffsetDelta} does not match ${h.recordCount} records`);
  }
  const createTime = config.messageTimestampType === 'CreateTime';
  const checkTs = (ts: number): void => {
    if (!createTime) return;
    if (
      !NO_LIMIT(config.messageTimestampBeforeMaxMs) &&
      ts < opts.nowMs - config.messageTimestampBeforeMaxMs
    ) {
      throw new StorageError(
        'INVALID_TIMESTAMP',
        `timestamp ${ts} is more than message.timestamp.before.max.ms before now`,
      );
    }
    if (!NO_LIMIT(config.messageTimestampAfterMaxMs) && ts > opts.nowMs + config.messageTimestampAfterMaxMs) {
      throw new StorageError(
        'INVALID_TIMESTAMP',
        `timestamp ${ts} is more than message.timestamp.after.max.ms after now`,
      );
    }
  };
  if (isControl) {
    checkTs(Number(h.maxTimestamp));
    return null;
  }
  // The header cannot tell these: each record is walked (Kafka decompresses to validate as well).
  const baseTs = Number(h.baseTimestamp);
  const compacted = config.cleanupPolicy !== 'delete';
  let expectDelta = 0;
  return (offsetDelta, timestampDelta, hasKey) => {
    if (offsetDelta !== expectDelta) invalid(`record offset delta ${offsetDelta}, expected ${expectDelta}`);
    expectDelta++;
    if (compacted && !hasKey) invalid('compacted topic cannot accept a record without a key');
    checkTs(baseTs + timestampDelta);
  };
}

/**
 * Walks a batch's records on this thread: uncompressed ones with the lean scanner, compressed
 * ones through the codec, whole (capped at `decompressedBytesMax`).
 */
export function walkRecords(
  batch: Buffer,
  h: RecordBatchHeader,
  check: RecordCheck,
  decompressedBytesMax?: number,
): void {
  try {
    if (!isCompressed(h))
      forEachRecord(batch, (r) => check(r.offsetDelta, r.timestampDelta, r.keyLength >= 0));
    else {
      const options = decompressedBytesMax === undefined ? {} : { maxBytes: decompressedBytesMax };
      for (const r of openRecordBatch(batch, { ...options, checkCrc: false }).records())
        check(r.offsetDelta, r.timestampDelta, r.key !== null);
    }
  } catch (e) {
    if (e instanceof RecordFormatError) throw new StorageError('CORRUPT_MESSAGE', e.message, { cause: e });
    throw storageErrorFor(e);
  }
}

/**
 * The storage error for a record-format failure: INVALID_RECORD for structure, MESSAGE_TOO_LARGE
 * for content that decompresses past the cap (the producer splits such a batch if it holds more
 * than one record, as Kafka's Sender does for MESSAGE_TOO_LARGE), CORRUPT_MESSAGE otherwise.
 */
export function storageErrorFor(e: unknown): unknown {
  if (!(e instanceof ProtocolError)) return e;
  if (e.code === 'INVALID_RECORD') return new StorageError('INVALID_RECORD', e.message, { cause: e });
  if (e.code === 'DECOMPRESSED_TOO_LARGE') {
    return new StorageError('MESSAGE_TOO_LARGE', `record batch ${e.message}`, { cause: e });
  }
  return new StorageError('CORRUPT_MESSAGE', e.message, { cause: e });
}
