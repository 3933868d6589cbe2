import { Reader } from '../../src/protocol/primitives/reader.js';
import { Writer } from '../../src/protocol/primitives/writer.js';
import { BatchOffsets, computeBatchCrc } from '../../src/protocol/records/record-batch-header.js';

export interface TestRecord {
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  /** Absolute timestamp; defaults to the batch's base timestamp. */
  timestamp?: number;
  offsetDelta?: number;
}

export interface TestBatchOptions {
  baseOffset?: number;
  baseTimestamp?: number;
  attributes?: number;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  partitionLeaderEpoch?: number;
  /** Overrides lastOffsetDelta (defaults to the last record's offset delta). */
  lastOffsetDelta?: number;
}

const buf = (v: Buffer | string | null | undefined): Buffer | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? Buffer.from(v) : v;

/** Builds one correct, uncompressed record batch v2 (CRC included), as a producer would. */
export function buildBatch(records: readonly TestRecord[], o: TestBatchOptions = {}): Buffer {
  const baseTs = o.baseTimestamp ?? records[0]?.timestamp ?? 1_700_000_000_000;
  const body = new Writer(256);
  let maxTs = -1;
  let lastDelta = 0;
  records.forEach((r, i) => {
    const ts = r.timestamp ?? baseTs;
    if (ts > maxTs) maxTs = ts;
    const offsetDelta = r.offsetDelta ?? i;
    lastDelta = offsetDelta;
    const rec = new Writer(64);
    rec.writeInt8(0);
    rec.writeVarlongNumber(ts - baseTs);
    rec.writeVarint(offsetDelta);
    const key = buf(r.key);
    const value = r.value === undefined ? Buffer.from(`value-${i}`) : buf(r.value);
    if (key === null) rec.writeVarint(-1);
    else rec.writeVarint(key.length).writeRaw(key);
    if (value === null) rec.writeVarint(-1);
    else rec.writeVarint(value.length).writeRaw(value);
    rec.writeVarint(0);
    const bytes = rec.toBuffer();
    body.writeVarint(bytes.length).writeRaw(bytes);
  });
  const recordsBytes = body.toBuffer();
  const batch = Buffer.alloc(61 + recordsBytes.length);
  batch.writeBigInt64BE(BigInt(o.baseOffset ?? 0), 0);
  batch.writeInt32BE(batch.length - 12, BatchOffsets.batchLength);
  batch.writeInt32BE(o.partitionLeaderEpoch ?? -1, BatchOffsets.partitionLeaderEpoch);
  batch.writeInt8(2, BatchOffsets.magic);
  batch.writeInt16BE(o.attributes ?? 0, BatchOffsets.attributes);
  batch.writeInt32BE(o.lastOffsetDelta ?? lastDelta, BatchOffsets.lastOffsetDelta);
  batch.writeBigInt64BE(BigInt(baseTs), BatchOffsets.baseTimestamp);
  batch.writeBigInt64BE(BigInt(maxTs), BatchOffsets.maxTimestamp);
  batch.writeBigInt64BE(o.producerId ?? -1n, BatchOffsets.producerId);
  batch.writeInt16BE(o.producerEpoch ?? -1, BatchOffsets.producerEpoch);
  batch.writeInt32BE(o.baseSequence ?? -1, BatchOffsets.baseSequence);
  batch.writeInt32BE(records.length, BatchOffsets.recordCount);
  recordsBytes.copy(batch, 61);
  batch.writeUInt32BE(computeBatchCrc(batch), BatchOffsets.crc);
  return batch;
}

/** `n` records with values of `valueBytes` bytes, keyed `k<i>`. */
export function simpleBatch(n: number, valueBytes = 16, ts = 1_700_000_000_000, tag = 0): Buffer {
  const recs: TestRecord[] = [];
  for (let i = 0; i < n; i++) {
    const v = Buffer.alloc(valueBytes, (tag + i) & 0xff);
    recs.push({ key: `k${i}`, value: v, timestamp: ts });
  }
  return buildBatch(recs, { baseTimestamp: ts });
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
}

/** Decodes an uncompressed v2 batch with the protocol Reader (independent of storage's reader). */
export function decodeBatch(batch: Buffer): DecodedRecord[] {
  const r = new Reader(batch, 61);
  const baseOffset = Number(batch.readBigInt64BE(0));
  const baseTs = Number(batch.readBigInt64BE(BatchOffsets.baseTimestamp));
  const count = batch.readInt32BE(BatchOffsets.recordCount);
  const out: DecodedRecord[] = [];
  for (let i = 0; i < count; i++) {
    const len = r.readVarint();
    const end = r.pos + len;
    r.readInt8();
    const tsDelta = r.readVarlongNumber();
    const offDelta = r.readVarint();
    const kl = r.readVarint();
    const key = kl < 0 ? null : r.readRaw(kl).toString('latin1');
    const vl = r.readVarint();
    const value = vl < 0 ? null : r.readRaw(vl).toString('latin1');
    r.pos = end;
    out.push({ offset: baseOffset + offDelta, timestamp: baseTs + tsDelta, key, value });
  }
  return out;
}
