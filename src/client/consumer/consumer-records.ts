import type { OpenRecordBatch } from '../../protocol/records/record-batch.js';
import { TimestampType } from '../../protocol/records/record-batch-header.js';
import type { ConsumerRecord } from './subscription-state.js';

/**
 * BigInts of small deltas, made once: an offset or timestamp is then one BigInt addition per
 * record instead of a conversion and an addition, and a zero timestamp delta (records sent in the
 * same millisecond) reuses the batch's base timestamp. BigInts are immutable, so sharing is safe.
 */
const SMALL_BIGINTS: readonly bigint[] = Array.from({ length: 4096 }, (_, i) => BigInt(i));

function plus(base: bigint, delta: number): bigint {
  if (delta === 0) return base;
  return base + (delta > 0 && delta < SMALL_BIGINTS.length ? SMALL_BIGINTS[delta]! : BigInt(delta));
}

/**
 * Appends a batch's records at or past `fetchOffset` to `out` as ConsumerRecords. Keys, values and
 * header values stay views into the batch (or its decompressed copy).
 */
export function appendConsumerRecords(
  batch: OpenRecordBatch,
  topic: string,
  partition: number,
  fetchOffset: bigint,
  out: ConsumerRecord[],
): void {
  const base = batch.baseOffset;
  // Records before the fetch offset (the start of a batch fetched mid-way) are skipped by delta,
  // before any BigInt is made for them.
  const skipBelow = fetchOffset > base ? Number(fetchOffset - base) : 0;
  const logAppendTime = batch.timestampType === TimestampType.LogAppendTime;
  const leaderEpoch = batch.partitionLeaderEpoch;
  for (const r of batch.records()) {
    if (r.offsetDelta < skipBelow) continue;
    out.push({
      topic,
      partition,
      offset: plus(base, r.offsetDelta),
      timestamp: logAppendTime ? batch.maxTimestamp : plus(batch.baseTimestamp, r.timestampDelta),
      key: r.key,
      value: r.value,
      headers: r.headers,
      leaderEpoch,
    });
  }
}
