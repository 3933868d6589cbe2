import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeTransactionRecord,
  encodeTransactionRecord,
} from '../../../../src/broker/transaction-coordinator/core/transaction-record-codec.js';
import { TransactionLogValue } from '../../../../src/protocol/generated/records/transaction-coordinator/transaction-log-value.js';
import { encodeVersionPrefixed } from '../../../../src/protocol/versioned-data.js';

/** Kafka's bytes, written field by field from TransactionLogKey/TransactionLogValue v0. */
function kafkaBytes(): { key: Buffer; value: Buffer } {
  const id = Buffer.from('my-txn');
  const key = Buffer.alloc(2 + 2 + id.length);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(id.length, 2);
  id.copy(key, 4);
  const topic = Buffer.from('t');
  const parts = [
    Buffer.from([0, 0]), // version 0
    Buffer.alloc(8), // producer id
    Buffer.alloc(2), // epoch
    Buffer.alloc(4), // timeout
    Buffer.from([1]), // Ongoing
    Buffer.alloc(4), // one topic
    Buffer.alloc(2), // topic length
    topic,
    Buffer.alloc(4), // two partitions
    Buffer.alloc(4),
    Buffer.alloc(4),
    Buffer.alloc(8), // last update
    Buffer.alloc(8), // start
  ];
  parts[1]!.writeBigInt64BE(4242n);
  parts[2]!.writeInt16BE(7);
  parts[3]!.writeInt32BE(60_000);
  parts[5]!.writeInt32BE(1);
  parts[6]!.writeInt16BE(1);
  parts[8]!.writeInt32BE(2);
  parts[9]!.writeInt32BE(0);
  parts[10]!.writeInt32BE(3);
  parts[11]!.writeBigInt64BE(1_700_000_000_123n);
  parts[12]!.writeBigInt64BE(1_700_000_000_100n);
  return { key, value: Buffer.concat(parts) };
}

describe('__transaction_state records', () => {
  it('are written in Kafka 3.x bytes: TransactionLogKey v0, TransactionLogValue v0', () => {
    const encoded = encodeTransactionRecord({
      transactionalId: 'my-txn',
      value: {
        producerId: 4242n,
        producerEpoch: 7,
        transactionTimeoutMs: 60_000,
        transactionStatus: 1,
        transactionPartitions: [{ topic: 't', partitionIds: [0, 3] }],
        transactionLastUpdateTimestampMs: 1_700_000_000_123n,
        transactionStartTimestampMs: 1_700_000_000_100n,
      },
    });
    const expected = kafkaBytes();
    assert.deepEqual(encoded.key, expected.key);
    assert.deepEqual(encoded.value, expected.value);
  });

  it('read back both value versions, and tombstones', () => {
    const { key, value } = kafkaBytes();
    const v0 = decodeTransactionRecord(key, value);
    assert.equal(v0.transactionalId, 'my-txn');
    assert.equal(v0.value?.producerEpoch, 7);
    const v1 = encodeVersionPrefixed(TransactionLogValue, 1, v0.value!);
    assert.deepEqual(decodeTransactionRecord(key, v1).value?.transactionPartitions, [
      { topic: 't', partitionIds: [0, 3] },
    ]);
    assert.equal(decodeTransactionRecord(key, null).value, null);
    const bad = Buffer.from(value);
    bad.writeInt16BE(9, 0);
    assert.throws(() => decodeTransactionRecord(key, bad), { code: 'UNSUPPORTED_VERSION' });
  });
});
