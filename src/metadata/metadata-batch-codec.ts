import { decodeRecordBatch, encodeRecordBatch } from '../protocol/records/record-batch.js';
import type { MetadataRecord } from './controller/metadata-record.js';
import { decodeMetadataRecord, encodeMetadataRecord } from './metadata-record-serde.js';

/**
 * One Kafka record batch of metadata records, as the KRaft log holds them: the local log's
 * segments, etcd's log keys and both kinds of snapshot store these same bytes.
 */
export function encodeMetadataBatch(
  records: readonly MetadataRecord[],
  baseOffset: bigint,
  timestampMs: number,
): Buffer {
  return encodeRecordBatch({
    baseOffset,
    baseTimestamp: BigInt(timestampMs),
    records: records.map((r, i) => ({
      offsetDelta: i,
      timestampDelta: 0,
      key: null,
      value: encodeMetadataRecord(r),
      headers: [],
    })),
  });
}

/** The records of a batch written by encodeMetadataBatch, each with its offset. */
export function decodeMetadataBatch(bytes: Buffer): { record: MetadataRecord; offset: bigint }[] {
  const batch = decodeRecordBatch(bytes);
  const out: { record: MetadataRecord; offset: bigint }[] = [];
  for (const rec of batch.records) {
    if (rec.value !== null)
      out.push({
        record: decodeMetadataRecord(rec.value),
        offset: batch.baseOffset + BigInt(rec.offsetDelta),
      });
  }
  return out;
}
