import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prepareForAppend } from '../../../src/broker/replica/produce-conversion.js';
import { encodeMessageSet } from '../../../src/protocol/records/message-set.js';
import { decodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { splitBatches } from '../../../src/protocol/records/record-batch-header.js';

const records = ['a', 'b', 'c'].map((k) => ({
  offset: 0n,
  timestamp: 1_700_000_000_000n,
  key: Buffer.from(k),
  value: Buffer.from(`value-${k}`),
}));

/**
 * Producers own no offsets: Kafka's LogValidator assigns them and ignores what a legacy message
 * set carries. segmentio/kafka-go 0.2 writes every uncompressed message with offset 0.
 */
test('an uncompressed message set whose offsets are all 0 is up-converted with offsets assigned', () => {
  const set = encodeMessageSet({ magic: 1, records });
  const { batches } = splitBatches(prepareForAppend(set, 2, 'producer'));
  assert.equal(batches.length, 1);
  const batch = decodeRecordBatch(batches[0]!);
  assert.deepEqual(
    batch.records.map((r) => [r.offsetDelta, r.key?.toString(), r.value?.toString()]),
    [
      [0, 'a', 'value-a'],
      [1, 'b', 'value-b'],
      [2, 'c', 'value-c'],
    ],
  );
});
