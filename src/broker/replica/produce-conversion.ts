import { ProtocolError } from '../../protocol/primitives/protocol-error.js';
import { recompressBatches, upConvertMessageSet } from '../../protocol/records/convert.js';
import {
  ATTR_COMPRESSION_MASK,
  BatchOffsets,
  CompressionType,
  computeBatchCrc,
  setBaseOffset,
  splitBatches,
} from '../../protocol/records/record-batch-header.js';

const TOPIC_CODECS: Record<string, CompressionType | null> = {
  producer: null,
  uncompressed: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

/**
 * The checks of produced records' form that need no decoding: enough bytes for a magic, magic 2
 * from Produce v3 on and exactly one batch there, zstd only from v7 (KIP-110). Returns the magic.
 * Throws ProtocolError (mapped to CORRUPT_MESSAGE, INVALID_RECORD or UNSUPPORTED_COMPRESSION_TYPE).
 */
export function checkProducedRecords(records: Buffer, produceVersion: number): number {
  if (records.length <= BatchOffsets.magic) {
    throw new ProtocolError('CORRUPT_RECORD', `${records.length} bytes cannot hold a record batch`, 0);
  }
  const magic = records.readInt8(BatchOffsets.magic);
  if (magic < 2) {
    if (produceVersion >= 3) {
      throw new ProtocolError(
        'INVALID_RECORD',
        `Produce v${produceVersion} must carry record batches of magic 2`,
        BatchOffsets.magic,
      );
    }
    return magic;
  }
  if (magic !== 2) throw new ProtocolError('CORRUPT_RECORD', `unknown magic ${magic}`, BatchOffsets.magic);
  const { batches } = splitBatches(records);
  if (produceVersion >= 3 && batches.length !== 1) {
    throw new ProtocolError(
      'INVALID_RECORD',
      `Produce v${produceVersion} requests must contain exactly one record batch`,
      0,
    );
  }
  // Codec ids 5-7 name no codec. Kafka's CompressionType.forId throws IllegalArgumentException
  // for them, which its broker answers as UNKNOWN_SERVER_ERROR after checking the CRC
  // (UnifiedLog.analyzeAndValidateRecords); Strom answers UNSUPPORTED_COMPRESSION_TYPE, as
  // final for a client (not retriable) but naming the problem. A batch whose CRC fails is corrupt
  // first, as in Kafka, and is left to the log's validation (CORRUPT_MESSAGE).
  for (const b of batches) {
    const c = codecOf(b);
    if (c > CompressionType.Zstd && computeBatchCrc(b) === b.readUInt32BE(BatchOffsets.crc)) {
      throw new ProtocolError(
        'UNSUPPORTED_COMPRESSION',
        `Unknown compression type id: ${c}`,
        BatchOffsets.attributes,
      );
    }
  }
  if (produceVersion < 7 && batches.some((b) => codecOf(b) === CompressionType.Zstd)) {
    throw new ProtocolError(
      'UNSUPPORTED_COMPRESSION',
      'zstd needs Produce v7 or later (KIP-110)',
      BatchOffsets.attributes,
    );
  }
  return magic;
}

function codecOf(batch: Buffer): CompressionType {
  return (batch.readInt16BE(BatchOffsets.attributes) & ATTR_COMPRESSION_MASK) as CompressionType;
}

/**
 * Brings produced records into the form the log stores, at the broker's edge: legacy message sets
 * (magic 0/1, from Produce v0–v2) become v2 batches, and batches are recompressed when the topic's
 * `compression.type` names a codec other than the producer's. Batches already in the right form
 * pass through untouched: the common case costs nothing. Throws ProtocolError as
 * checkProducedRecords does. Conversion decompresses whole, up to `decompressedBytesMax`.
 */
export function prepareForAppend(
  records: Buffer,
  produceVersion: number,
  topicCompression: string,
  decompressedBytesMax?: number,
): Buffer {
  const magic = checkProducedRecords(records, produceVersion);
  const target = TOPIC_CODECS[topicCompression] ?? null;
  const limit = decompressedBytesMax === undefined ? {} : { maxBytes: decompressedBytesMax };
  if (magic < 2) {
    // Offsets in a produced message set mean nothing: Kafka's LogValidator assigns them and ignores
    // the producer's (segmentio/kafka-go writes 0 for every message), so number them afresh.
    const batches = upConvertMessageSet(
      records,
      target === null ? { baseOffset: 0n, ...limit } : { compression: target, baseOffset: 0n, ...limit },
    );
    // Like a producer's batches, converted ones start at base offset 0: the log assigns the real ones.
    for (const b of batches) setBaseOffset(b, 0n);
    return batches.length === 1 ? batches[0]! : Buffer.concat(batches);
  }
  if (target === null) return records;
  const { batches } = splitBatches(records);
  if (batches.every((b) => codecOf(b) === target)) return records;
  return Buffer.concat(recompressBatches(records, target, limit));
}
