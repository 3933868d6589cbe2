import type { Record as KafkaRecord } from '../../protocol/records/record.js';
import { encodeRecordBatch, openRecordBatch } from '../../protocol/records/record-batch.js';
import {
  ATTR_COMPRESSION_MASK,
  ATTR_CONTROL,
  ATTR_DELETE_HORIZON,
  BatchOffsets,
  CompressionType,
} from '../../protocol/records/record-batch-header.js';
import { keepRecord } from './cleaner-plan.js';

export interface FilterContext {
  /** Latest offset per key (latin1 of the key bytes) in the dirty part of the log. */
  offsetMap: ReadonlyMap<string, number>;
  nowMs: number;
  deleteRetentionMs: number;
  /**
   * Per producer id in the partition's producer state, the last offset of its last batch (Kafka's
   * lastRecordsOfActiveProducers): that batch is kept, empty if need be, whatever its records.
   */
  lastBatchOfProducers?: ReadonlyMap<bigint, number>;
  /**
   * For a control batch: whether its transaction has no data left (Kafka's
   * CleanedTransactionMetadata.onControlBatchRead), so the marker may go once its delete horizon
   * has passed.
   */
  markerDiscardable?: boolean;
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
 * Compressed batches are decompressed and recompressed with the same codec. A batch keeping a
 * tombstone for the first time gets a delete horizon (KIP-534): the delete-horizon attribute, the
 * horizon as baseTimestamp, and record timestamp deltas re-based on it so timestamps do not change.
 * Control batches (transaction markers) are kept as they are while their transaction has data in
 * the log; after that a marker gets a delete horizon as a tombstone does and is removed once the
 * horizon has passed (Kafka's LogCleaner since KIP-534: markers outlive their data by
 * delete.retention.ms, so a consumer reading that far behind still sees the marker).
 */
export function filterBatch(batch: Buffer, ctx: FilterContext): FilterResult {
  const open = openRecordBatch(batch);
  const baseTs = Number(open.baseTimestamp);
  const hasHorizon = (open.attributes & ATTR_DELETE_HORIZON) !== 0;
  if ((open.attributes & ATTR_CONTROL) !== 0) {
    if (ctx.markerDiscardable !== true || (hasHorizon && baseTs > ctx.nowMs))
      return { batch, keptRecords: open.recordCount, droppedRecords: 0 };
    if (hasHorizon) return { batch: null, keptRecords: 0, droppedRecords: open.recordCount };
    const horizon = ctx.nowMs + ctx.deleteRetentionMs;
    const records = [...open.records()].map((r) => ({
      ...r,
      timestampDelta: baseTs + r.timestampDelta - horizon,
    }));
    const out = encodeRecordBatch({
      baseOffset: open.baseOffset,
      partitionLeaderEpoch: open.partitionLeaderEpoch,
      attributes: open.attributes | ATTR_DELETE_HORIZON,
      producerId: open.producerId,
      producerEpoch: open.producerEpoch,
      baseSequence: open.baseSequence,
      baseTimestamp: BigInt(horizon),
      maxTimestamp: open.maxTimestamp,
      lastOffsetDelta: open.lastOffsetDelta,
      records,
    });
    return { batch: out, keptRecords: open.recordCount, droppedRecords: 0 };
  }
  const baseOffset = Number(open.baseOffset);
  const kept: KafkaRecord[] = [];
  let dropped = 0;
  let keptTombstone = false;
  for (const r of open.records()) {
    const keep = keepRecord({
      offset: baseOffset + r.offsetDelta,
      latestOffsetForKey: r.key === null ? undefined : ctx.offsetMap.get(r.key.toString('latin1')),
      isTombstone: r.value === null,
      deleteHorizonMs: hasHorizon ? baseTs : null,
      nowMs: ctx.nowMs,
    });
    if (!keep) {
      dropped++;
      continue;
    }
    if (r.value === null) keptTombstone = true;
    kept.push(r);
  }
  if (kept.length === 0) {
    const out = isLastBatchOfProducer(batch, ctx.lastBatchOfProducers) ? emptyBatchLike(batch) : null;
    return { batch: out, keptRecords: 0, droppedRecords: dropped };
  }
  const setHorizon = keptTombstone && !hasHorizon;
  if (dropped === 0 && !setHorizon) return { batch, keptRecords: kept.length, droppedRecords: 0 };

  const newBaseTs = setHorizon ? ctx.nowMs + ctx.deleteRetentionMs : baseTs;
  const records = setHorizon
    ? kept.map((r) => ({ ...r, timestampDelta: baseTs + r.timestampDelta - newBaseTs }))
    : kept;
  const out = encodeRecordBatch({
    baseOffset: open.baseOffset,
    partitionLeaderEpoch: open.partitionLeaderEpoch,
    attributes: setHorizon ? open.attributes | ATTR_DELETE_HORIZON : open.attributes,
    producerId: open.producerId,
    producerEpoch: open.producerEpoch,
    baseSequence: open.baseSequence,
    baseTimestamp: BigInt(newBaseTs),
    maxTimestamp: open.maxTimestamp,
    lastOffsetDelta: open.lastOffsetDelta,
    records,
  });
  return { batch: out, keptRecords: kept.length, droppedRecords: dropped };
}

/** Whether `batch` is the last batch of a producer the partition's producer state still holds. */
export function isLastBatchOfProducer(
  batch: Buffer,
  lastBatchOfProducers?: ReadonlyMap<bigint, number>,
): boolean {
  if (!lastBatchOfProducers || lastBatchOfProducers.size === 0) return false;
  const last = lastBatchOfProducers.get(batch.readBigInt64BE(BatchOffsets.producerId));
  return (
    last !== undefined &&
    last === Number(batch.readBigInt64BE(0)) + batch.readInt32BE(BatchOffsets.lastOffsetDelta)
  );
}

/**
 * The batch with its records removed and its header kept (Kafka's BatchRetention.RETAIN_EMPTY and
 * DefaultRecordBatch.writeEmptyHeader): the same base offset, last offset delta, producer id, epoch,
 * base sequence, transactional bit and max timestamp, no records, uncompressed. The cleaner leaves
 * it for a producer's last batch, so that the producer state rebuilt from the log after an unclean
 * stop still knows the producer's epoch and last sequence (LogCleaner keeps it for that reason).
 */
export function emptyBatchLike(batch: Buffer): Buffer {
  const open = openRecordBatch(batch);
  return encodeRecordBatch({
    baseOffset: open.baseOffset,
    partitionLeaderEpoch: open.partitionLeaderEpoch,
    attributes: open.attributes & ~(ATTR_COMPRESSION_MASK | ATTR_DELETE_HORIZON),
    compression: CompressionType.None,
    producerId: open.producerId,
    producerEpoch: open.producerEpoch,
    baseSequence: open.baseSequence,
    baseTimestamp: -1n,
    maxTimestamp: open.maxTimestamp,
    lastOffsetDelta: open.lastOffsetDelta,
    records: [],
  });
}
