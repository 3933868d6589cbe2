import { BATCH_HEADER_BYTES, BatchOffsets } from '../protocol/records/record-batch-header.js';

/**
 * A lean walk over the records of an uncompressed v2 batch, for the append path. The full codec
 * (src/protocol/records/record-batch.ts) builds a Record object per record and checks the CRC again;
 * on produce the CRC is already checked and only offsets, timestamps and keys matter, so this reads
 * just those, allocating nothing but key views. Everything else (compaction, compressed batches)
 * uses the full codec.
 */
export interface RecordView {
  /** Byte position of the record's length varint within the batch. */
  start: number;
  /** Byte position just after the record. */
  end: number;
  attributes: number;
  timestampDelta: number;
  /** Byte position of the offset delta varint: from here to `end` a record can be copied as is. */
  offsetDeltaStart: number;
  offsetDelta: number;
  key: Buffer | null;
  valueIsNull: boolean;
  /** Byte position of the header count varint; the headers run to `end`. */
  headersStart: number;
}

export class RecordFormatError extends Error {}

/** Zigzag varint within [at, end); returns [value, nextPosition]. Kafka's ByteUtils.readVarlong. */
function varlong(buf: Buffer, at: number, end: number): [number, number] {
  let raw = 0;
  let mul = 1;
  let pos = at;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new RecordFormatError(`varint runs past the record at byte ${pos}`);
    const b = buf[pos++]!;
    raw += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) {
      // Zigzag decode with arithmetic, since the value may exceed 32 bits.
      const v = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
      return [v, pos];
    }
    mul *= 128;
  }
  throw new RecordFormatError(`varint longer than 10 bytes at byte ${at}`);
}

/**
 * Walks the records of one uncompressed v2 batch (`batch` is exactly the batch). Throws
 * RecordFormatError when a record does not fit its length or the count disagrees with the bytes.
 */
export function forEachRecord(batch: Buffer, visit: (r: RecordView) => void): void {
  const count = batch.readInt32BE(BatchOffsets.recordCount);
  const end = batch.length;
  let pos = BATCH_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const [len, bodyAt] = varlong(batch, pos, end);
    const recEnd = bodyAt + len;
    if (len < 0 || recEnd > end) throw new RecordFormatError(`record ${i} length ${len} overruns the batch`);
    if (bodyAt + 1 > recEnd) throw new RecordFormatError(`record ${i} is empty`);
    const attributes = batch[bodyAt]!;
    const [timestampDelta, p1] = varlong(batch, bodyAt + 1, recEnd);
    const [offsetDelta, p2] = varlong(batch, p1, recEnd);
    const [keyLen, p3] = varlong(batch, p2, recEnd);
    let p = p3;
    let key: Buffer | null = null;
    if (keyLen >= 0) {
      if (p + keyLen > recEnd) throw new RecordFormatError(`record ${i} key overruns the record`);
      key = batch.subarray(p, p + keyLen);
      p += keyLen;
    }
    const [valueLen, p4] = varlong(batch, p, recEnd);
    p = p4;
    if (valueLen > 0) {
      if (p + valueLen > recEnd) throw new RecordFormatError(`record ${i} value overruns the record`);
      p += valueLen;
    }
    visit({
      start: pos,
      end: recEnd,
      attributes,
      timestampDelta,
      offsetDeltaStart: p1,
      offsetDelta,
      key,
      valueIsNull: valueLen < 0,
      headersStart: p,
    });
    pos = recEnd;
  }
  if (pos !== end) throw new RecordFormatError(`${end - pos} bytes follow the last record`);
}
