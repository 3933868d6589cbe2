import { crc32 } from 'node:zlib';
import {
  ATTR_COMPRESSION_MASK,
  BatchOffsets,
  splitBatches,
  validateBatch,
} from '../../src/protocol/records/record-batch-header.js';

/** Codec names by the compression bits of batch (v2) and message (v0/v1) attributes, which agree. */
export const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

/** Legacy message: offset (8), size (4), crc (4), magic (1), attributes (1). */
const LEGACY_ENTRY_OVERHEAD = 12;
const LEGACY_ATTRIBUTES_AT = 17;
const LEGACY_CRC_FROM = 16;

export interface RecordsSummary {
  magic: number;
  codec: string;
  /** Sum of batch record counts (magic 2), or entries of an uncompressed legacy set; null when compressed legacy. */
  recordCount: number | null;
  /** Outer entries of a legacy message set; null for record batches. */
  messageSetEntries: number | null;
}

/**
 * What a Produce request's records hold, read from headers only: record batches are checked with
 * validateBatch (length, magic, CRC32C, count); legacy message sets are walked entry by entry, checking each CRC-32.
 * Decompressing is left to the record code, so compressed legacy sets report no record count.
 */
export function summarizeRecords(records: Buffer): RecordsSummary {
  if (records.length <= BatchOffsets.magic)
    throw new Error(`records of ${records.length} bytes hold no batch`);
  const magic = records[BatchOffsets.magic]!;
  if (magic === 2) {
    const { batches, partialTail } = splitBatches(records);
    if (partialTail !== 0) throw new Error(`records end with ${partialTail} bytes of a partial batch`);
    const headers = batches.map((b) => validateBatch(b));
    const codecs = new Set(
      headers.map((h) => CODEC_NAMES[h.attributes & ATTR_COMPRESSION_MASK] ?? 'unknown'),
    );
    if (codecs.size !== 1) throw new Error(`batches mix codecs: ${[...codecs].join(', ')}`);
    return {
      magic,
      codec: [...codecs][0]!,
      recordCount: headers.reduce((n, h) => n + h.recordCount, 0),
      messageSetEntries: null,
    };
  }
  let at = 0;
  let entries = 0;
  let codec = 'none';
  while (at < records.length) {
    if (records.length - at < LEGACY_ENTRY_OVERHEAD)
      throw new Error(`message set has a partial entry at ${at}`);
    const size = records.readInt32BE(at + 8);
    if (size < 0 || at + LEGACY_ENTRY_OVERHEAD + size > records.length) {
      throw new Error(`message at ${at} claims ${size} bytes`);
    }
    if (records[at + BatchOffsets.magic] !== magic) throw new Error(`message at ${at} changes magic`);
    // Legacy messages carry a CRC-32 (not CRC32C) from the magic byte to the end of the message.
    const crc = crc32(records.subarray(at + LEGACY_CRC_FROM, at + LEGACY_ENTRY_OVERHEAD + size));
    if (crc !== records.readUInt32BE(at + LEGACY_ENTRY_OVERHEAD))
      throw new Error(`message at ${at} fails its CRC`);
    codec = CODEC_NAMES[records[at + LEGACY_ATTRIBUTES_AT]! & ATTR_COMPRESSION_MASK] ?? 'unknown';
    entries += 1;
    at += LEGACY_ENTRY_OVERHEAD + size;
  }
  return { magic, codec, recordCount: codec === 'none' ? entries : null, messageSetEntries: entries };
}
