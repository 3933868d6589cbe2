import {
  ATTR_COMPRESSION_MASK,
  ATTR_CONTROL,
  ATTR_DELETE_HORIZON,
  BATCH_HEADER_BYTES,
  BatchOffsets,
  computeBatchCrc,
  LOG_OVERHEAD,
} from '../../protocol/records/record-batch-header.js';
import { keepRecord } from './cleaner-plan.js';
import { forEachRecord, pushVarlong } from './interim-record-reader.js';

export interface FilterContext {
  /** Latest offset per key (latin1 of the key bytes) in the dirty part of the log. */
  offsetMap: ReadonlyMap<string, number>;
  nowMs: number;
  deleteRetentionMs: number;
}

export interface FilterResult {
  /** The batch to write (the input itself when nothing changed), or null to drop it. */
  batch: Buffer | null;
  keptRecords: number;
  droppedRecords: number;
}

/**
 * Rewrites one batch for the cleaner, keeping its base offset and last offset delta, so offsets
 * never change and the producer's sequence bookkeeping still holds (Kafka's MemoryRecords.filterTo).
 * Kept records are copied byte for byte, except that a batch keeping a tombstone for the first time
 * gets a delete horizon (KIP-534): baseTimestamp becomes the horizon and record timestamp deltas are
 * re-encoded relative to it. Control and compressed batches are returned as they are (compressed
 * batches are not decompressed in storage).
 */
export function filterBatch(batch: Buffer, ctx: FilterContext): FilterResult {
  const attributes = batch.readInt16BE(BatchOffsets.attributes);
  if ((attributes & (ATTR_CONTROL | ATTR_COMPRESSION_MASK)) !== 0) {
    return { batch, keptRecords: batch.readInt32BE(BatchOffsets.recordCount), droppedRecords: 0 };
  }
  const baseOffset = Number(batch.readBigInt64BE(BatchOffsets.baseOffset));
  const baseTs = Number(batch.readBigInt64BE(BatchOffsets.baseTimestamp));
  const hasHorizon = (attributes & ATTR_DELETE_HORIZON) !== 0;
  const horizon = hasHorizon ? baseTs : null;
  const kept: Array<{ start: number; end: number; ts: number; attrs: number; bodyFrom: number }> = [];
  let dropped = 0;
  let keptTombstone = false;
  forEachRecord(batch, (r) => {
    const offset = baseOffset + r.offsetDelta;
    const key = r.key === null ? null : r.key.toString('latin1');
    const keep = keepRecord({
      offset,
      latestOffsetForKey: key === null ? undefined : ctx.offsetMap.get(key),
      isTombstone: r.valueIsNull,
      deleteHorizonMs: horizon,
      nowMs: ctx.nowMs,
    });
    if (!keep) {
      dropped++;
      return;
    }
    if (r.valueIsNull) keptTombstone = true;
    kept.push({
      start: r.start,
      end: r.end,
      ts: baseTs + r.timestampDelta,
      attrs: r.attributes,
      bodyFrom: r.offsetDeltaStart,
    });
  });
  if (kept.length === 0) return { batch: null, keptRecords: 0, droppedRecords: dropped };
  const setHorizon = keptTombstone && !hasHorizon;
  if (dropped === 0 && !setHorizon) return { batch, keptRecords: kept.length, droppedRecords: 0 };

  const newBaseTs = setHorizon ? ctx.nowMs + ctx.deleteRetentionMs : baseTs;
  const parts: Buffer[] = [];
  for (const k of kept) {
    if (!setHorizon) {
      parts.push(batch.subarray(k.start, k.end));
      continue;
    }
    const head: number[] = [k.attrs];
    pushVarlong(head, k.ts - newBaseTs);
    const rest = batch.subarray(k.bodyFrom, k.end);
    const len: number[] = [];
    pushVarlong(len, head.length + rest.length);
    parts.push(Buffer.from(len), Buffer.from(head), rest);
  }
  const records = Buffer.concat(parts);
  const out = Buffer.allocUnsafe(BATCH_HEADER_BYTES + records.length);
  batch.copy(out, 0, 0, BATCH_HEADER_BYTES);
  records.copy(out, BATCH_HEADER_BYTES);
  out.writeInt32BE(out.length - LOG_OVERHEAD, BatchOffsets.batchLength);
  out.writeInt32BE(kept.length, BatchOffsets.recordCount);
  if (setHorizon) {
    out.writeInt16BE(attributes | ATTR_DELETE_HORIZON, BatchOffsets.attributes);
    out.writeBigInt64BE(BigInt(newBaseTs), BatchOffsets.baseTimestamp);
  }
  out.writeUInt32BE(computeBatchCrc(out), BatchOffsets.crc);
  return { batch: out, keptRecords: kept.length, droppedRecords: dropped };
}
