import type { CompressOptions } from '../compression/compress.js';
import type { DecompressOptions } from '../compression/decompressed-bytes-max.js';
import { ProtocolError } from '../primitives/protocol-error.js';
import {
  encodeMessageSet,
  type LegacyMagic,
  type LegacyRecord,
  type LegacyRecordInput,
  readMessageSet,
  unwrapMessage,
} from './message-set.js';
import type { Record } from './record.js';
import { decodeRecordBatch, encodeRecordBatch, recordOffset, recordTimestamp } from './record-batch.js';
import {
  BatchOffsets,
  CompressionType,
  LOG_OVERHEAD,
  splitBatches,
  TimestampType,
} from './record-batch-header.js';

/**
 * Conversion between message formats, as Kafka's LogValidator (up) and RecordsUtil.downConvert
 * (down) do it: up for Produce v0-v2 from old clients, down for Fetch v0-v3 to old consumers,
 * and recompression when a topic's compression.type differs from the producer's codec.
 */
export interface UpConvertOptions extends DecompressOptions {
  /** Codec of every output batch; by default each group keeps its source codec. */
  compression?: CompressionType;
  compressOptions?: CompressOptions;
  /** Renumber offsets from here, as the broker does on append; by default source offsets are kept. */
  baseOffset?: bigint;
  partitionLeaderEpoch?: number;
}

interface Group {
  compression: CompressionType;
  timestampType: TimestampType;
  records: LegacyRecord[];
}

/**
 * Groups the records of a message set as they were written: each compressed wrapper is one group,
 * and each run of uncompressed messages with one timestamp type is another.
 */
function groups(set: Buffer, options: DecompressOptions): Group[] {
  const out: Group[] = [];
  let run: Group | null = null;
  for (const m of readMessageSet(set).messages) {
    if (m.compression !== CompressionType.None) {
      run = null;
      out.push({
        compression: m.compression,
        timestampType: m.timestampType,
        records: unwrapMessage(m, options),
      });
      continue;
    }
    if (run === null || run.timestampType !== m.timestampType) {
      run = { compression: CompressionType.None, timestampType: m.timestampType, records: [] };
      out.push(run);
    }
    run.records.push(...unwrapMessage(m));
  }
  return out;
}

const INT32_MAX = 2 ** 31 - 1;

function toBatch(g: Group, baseOffset: bigint, options: UpConvertOptions): Buffer {
  const first = g.records[0]!;
  const logAppend = g.timestampType === TimestampType.LogAppendTime;
  // Magic 0 has no timestamps: Kafka up-converts them to NO_TIMESTAMP (-1).
  const baseTimestamp = first.timestamp;
  let maxTimestamp = -1n;
  let previous = -1;
  const records: Record[] = g.records.map((r, i) => {
    const delta = options.baseOffset === undefined ? r.offset - first.offset : BigInt(i);
    if (delta > BigInt(INT32_MAX) || Number(delta) <= previous) {
      throw new ProtocolError(
        'INVALID_RECORD',
        `message offsets ${first.offset}..${r.offset} cannot form a batch`,
      );
    }
    previous = Number(delta);
    if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
    const timestampDelta = logAppend ? 0 : Number(r.timestamp - baseTimestamp);
    return { offsetDelta: previous, timestampDelta, key: r.key, value: r.value, headers: [] };
  });
  return encodeRecordBatch({
    baseOffset,
    partitionLeaderEpoch: options.partitionLeaderEpoch ?? -1,
    compression: options.compression ?? g.compression,
    compressOptions: options.compressOptions,
    timestampType: g.timestampType,
    baseTimestamp,
    maxTimestamp,
    records,
  });
}

/** Converts a message set (magic 0 or 1, compressed or not) into v2 batches, one per source group. */
export function upConvertMessageSet(set: Buffer, options: UpConvertOptions = {}): Buffer[] {
  const out: Buffer[] = [];
  let next = options.baseOffset;
  for (const g of groups(set, options)) {
    const base = next ?? g.records[0]!.offset;
    out.push(toBatch(g, base, options));
    if (next !== undefined) next += BigInt(g.records.length);
  }
  return out;
}

export interface DownConvertOptions extends DecompressOptions {
  compressOptions?: CompressOptions;
  /** Fetch data may end in a partial batch; it is dropped, as Kafka does. */
  allowPartialTail?: boolean;
}

function legacyInputs(records: LegacyRecord[]): LegacyRecordInput[] {
  return records.map((r) => ({ offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value }));
}

function downConvertBatch(batch: Buffer, magic: LegacyMagic, options: DownConvertOptions): Buffer | null {
  const b = decodeRecordBatch(batch, options);
  // Control records mean nothing to clients that predate transactions; Kafka drops them.
  if (b.control || b.records.length === 0) return null;
  if (b.compression === CompressionType.Zstd) {
    throw new ProtocolError('UNSUPPORTED_COMPRESSION', 'zstd batches cannot be down-converted (KIP-110)');
  }
  const records: LegacyRecordInput[] = b.records.map((r) => ({
    offset: recordOffset(b, r),
    timestamp: recordTimestamp(b, r),
    key: r.key,
    value: r.value,
  }));
  return encodeMessageSet({
    magic,
    compression: b.compression,
    compressOptions: options.compressOptions,
    timestampType: b.timestampType,
    wrapperTimestamp: b.timestampType === TimestampType.LogAppendTime ? b.maxTimestamp : undefined,
    records,
  });
}

function downConvertLegacy(entry: Buffer, magic: LegacyMagic, options: DownConvertOptions): Buffer {
  const m = readMessageSet(entry).messages[0]!;
  if (m.magic <= magic) return entry;
  return encodeMessageSet({
    magic,
    compression: m.compression,
    compressOptions: options.compressOptions,
    timestampType: m.timestampType,
    records: legacyInputs(unwrapMessage(m, options)),
  });
}

/**
 * Converts log data (v2 batches, possibly mixed with older message sets) to magic 0 or 1 for an
 * old fetcher. Offsets, keys, values and (for magic 1) timestamps are kept, headers are dropped,
 * and each compressed batch becomes one wrapper message with the same codec.
 */
export function downConvert(data: Buffer, magic: LegacyMagic, options: DownConvertOptions = {}): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (data.length - at >= BatchOffsets.magic + 1) {
    const size = data.readInt32BE(at + BatchOffsets.batchLength);
    if (size < 0 || size > data.length - at - LOG_OVERHEAD) {
      if (options.allowPartialTail && size >= 0) break;
      throw new ProtocolError(
        'CORRUPT_RECORD',
        `entry size ${size} does not fit`,
        at + BatchOffsets.batchLength,
      );
    }
    const entry = data.subarray(at, at + LOG_OVERHEAD + size);
    const entryMagic = data.readInt8(at + BatchOffsets.magic);
    const converted =
      entryMagic === 2 ? downConvertBatch(entry, magic, options) : downConvertLegacy(entry, magic, options);
    if (converted !== null) parts.push(converted);
    at += LOG_OVERHEAD + size;
  }
  if (at < data.length && !options.allowPartialTail) {
    throw new ProtocolError('CORRUPT_RECORD', `${data.length - at} trailing bytes`, at);
  }
  return Buffer.concat(parts);
}

/**
 * Re-encodes a v2 batch with another codec, keeping every header field (offsets, epochs,
 * producer state, timestamps) and record. Control batches are returned as they are: Kafka
 * never compresses them.
 */
export function recompressBatch(
  batch: Buffer,
  compression: CompressionType,
  options: DecompressOptions & { compressOptions?: CompressOptions } = {},
): Buffer {
  const b = decodeRecordBatch(batch, options);
  if (b.control || b.compression === compression) return batch;
  return encodeRecordBatch({
    baseOffset: b.baseOffset,
    partitionLeaderEpoch: b.partitionLeaderEpoch,
    attributes: b.attributes,
    compression,
    compressOptions: options.compressOptions,
    producerId: b.producerId,
    producerEpoch: b.producerEpoch,
    baseSequence: b.baseSequence,
    baseTimestamp: b.baseTimestamp,
    maxTimestamp: b.maxTimestamp,
    lastOffsetDelta: b.lastOffsetDelta,
    records: b.records,
  });
}

/** Every v2 batch in `data` recompressed; see recompressBatch. */
export function recompressBatches(
  data: Buffer,
  compression: CompressionType,
  options: DecompressOptions = {},
): Buffer[] {
  const { batches, partialTail } = splitBatches(data);
  if (partialTail !== 0)
    throw new ProtocolError('CORRUPT_RECORD', `${partialTail} trailing bytes`, data.length - partialTail);
  return batches.map((b) => recompressBatch(b, compression, options));
}
