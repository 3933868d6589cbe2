import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appendConsumerRecords } from '../../src/client/consumer/consumer-records.js';
import type { ConsumerRecord } from '../../src/client/consumer/subscription-state.js';
import {
  encodeRecordBatch,
  openRecordBatch,
  recordOffset,
  recordTimestamp,
} from '../../src/protocol/records/record-batch.js';
import { TimestampType } from '../../src/protocol/records/record-batch-header.js';

// Offset gaps as compaction leaves them; timestamp deltas zero, small, negative and past the cache.
const DELTAS = [
  [0, 0],
  [1, 0],
  [2, 5],
  [5, -3],
  [6, 4095],
  [9, 4096],
  [4100, 2 ** 40],
] as const;

function batch(timestampType: TimestampType) {
  return encodeRecordBatch({
    baseOffset: 1000n,
    baseTimestamp: 1_700_000_000_000n,
    maxTimestamp: 1_800_000_000_000n,
    timestampType,
    partitionLeaderEpoch: 7,
    records: DELTAS.map(([offsetDelta, timestampDelta]) => ({
      offsetDelta,
      timestampDelta,
      key: null,
      value: Buffer.from(`v${offsetDelta}`),
      headers: [{ key: 'h', value: Buffer.from('x') }],
    })),
  });
}

describe('consumer records from a batch', () => {
  for (const type of [TimestampType.CreateTime, TimestampType.LogAppendTime]) {
    it(`computes offsets and timestamps as the protocol defines them (timestamp type ${type})`, () => {
      const raw = batch(type);
      const want = [...openRecordBatch(raw).records()].map((r) => ({
        offset: recordOffset(openRecordBatch(raw), r),
        timestamp: recordTimestamp(openRecordBatch(raw), r),
        value: r.value?.toString(),
      }));
      const out: ConsumerRecord[] = [];
      appendConsumerRecords(openRecordBatch(raw), 't', 3, 0n, out);
      assert.deepEqual(
        out.map((r) => ({ offset: r.offset, timestamp: r.timestamp, value: r.value?.toString() })),
        want,
      );
      assert.ok(out.every((r) => r.topic === 't' && r.partition === 3 && r.leaderEpoch === 7));
      assert.equal(out[0]!.headers[0]!.value!.toString(), 'x');
    });
  }

  it('skips records before the fetch offset when a batch is fetched from its middle', () => {
    const out: ConsumerRecord[] = [];
    appendConsumerRecords(openRecordBatch(batch(TimestampType.CreateTime)), 't', 0, 1005n, out);
    assert.deepEqual(
      out.map((r) => r.offset),
      [1005n, 1006n, 1009n, 5100n],
    );
  });
});
