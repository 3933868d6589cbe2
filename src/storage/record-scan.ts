import { BATCH_HEADER_BYTES, BatchOffsets } from '../protocol/records/record-batch-header.js';

/**
 * A lean walk over the records of an uncompressed v2 batch, for the append path. The full codec
 * (src/protocol/records/record-batch.ts) builds a Record object per record and checks the CRC again;
 * on produce the CRC is already checked and only offsets, timestamps and keys matter, so this reads
 * just those into one reused view and allocates nothing per record. Everything else (compaction,
 * compressed batches) uses the full codec.
 */
export interface RecordView {
  timestampDelta: number;
  offsetDelta: number;
  /** Position of the key in the batch, and its length (-1 for a null key). */
  keyStart: number;
  keyLength: number;
  valueIsNull: boolean;
}

export class RecordFormatError extends Error {}

/**
 * Calls `visit` for each record of one uncompressed v2 batch (`batch` is exactly the batch). The
 * view is reused: copy what you keep. Throws RecordFormatError when a record does not fit its
 * length or the count disagrees with the bytes.
 */
export function forEachRecord(batch: Buffer, visit: (r: Readonly<RecordView>) => void): void {
  const count = batch.readInt32BE(BatchOffsets.recordCount);
  const end = batch.length;
  const view: RecordView = {
    timestampDelta: 0,
    offsetDelta: 0,
    keyStart: 0,
    keyLength: -1,
    valueIsNull: false,
  };
  let pos = BATCH_HEADER_BYTES;
  // Zigzag varlong at `pos` within `limit`, advancing `pos` (Kafka's ByteUtils.readVarlong).
  const varlong = (limit: number): number => {
    let raw = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= limit) throw new RecordFormatError(`varint runs past the record at byte ${pos}`);
      const b = batch[pos++]!;
      raw += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
      mul *= 128;
    }
    throw new RecordFormatError(`varint longer than 10 bytes at byte ${pos}`);
  };
  for (let i = 0; i < count; i++) {
    const len = varlong(end);
    const recEnd = pos + len;
    if (len < 1 || recEnd > end)
      throw new RecordFormatError(`record ${i} length ${len} does not fit the batch`);
    pos++; // attributes
    view.timestampDelta = varlong(recEnd);
    view.offsetDelta = varlong(recEnd);
    const keyLength = varlong(recEnd);
    view.keyStart = pos;
    view.keyLength = keyLength < 0 ? -1 : keyLength;
    if (keyLength > 0) pos += keyLength;
    const valueLength = varlong(recEnd);
    view.valueIsNull = valueLength < 0;
    if (valueLength > 0) pos += valueLength;
    if (pos > recEnd) throw new RecordFormatError(`record ${i} key or value overruns the record`);
    visit(view);
    pos = recEnd;
  }
  if (pos !== end) throw new RecordFormatError(`${end - pos} bytes follow the last record`);
}
