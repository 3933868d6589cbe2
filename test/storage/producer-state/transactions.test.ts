import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { openRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { ATTR_CONTROL, ATTR_TRANSACTIONAL } from '../../../src/protocol/records/record-batch-header.js';
import type { PartitionLog } from '../../../src/storage/partition-log.js';
import { buildBatch } from '../batch-builder.js';
import { openLog, readAll, TestClock, tempDir } from '../helpers.js';

const dirs: string[] = [];
const dir = () => {
  const d = tempDir('strom-txn-');
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A transactional producer's batch of `n` records from sequence `seq`. */
const txn = (pid: bigint, epoch: number, seq: number, n: number, ts = Date.now()) =>
  buildBatch(
    Array.from({ length: n }, (_, i) => ({ key: `k${seq + i}`, value: `v${seq + i}` })),
    {
      producerId: pid,
      producerEpoch: epoch,
      baseSequence: seq,
      baseTimestamp: ts,
      attributes: ATTR_TRANSACTIONAL,
    },
  );
const idem = (pid: bigint, epoch: number, seq: number, n: number, ts = Date.now()) =>
  buildBatch(
    Array.from({ length: n }, (_, i) => ({ value: `v${seq + i}` })),
    { producerId: pid, producerEpoch: epoch, baseSequence: seq, baseTimestamp: ts },
  );

const marker = (
  log: PartitionLog,
  pid: bigint,
  epoch: number,
  result: 'COMMIT' | 'ABORT',
  coordinatorEpoch = 0,
) => log.appendTransactionMarker({ producerId: pid, producerEpoch: epoch, coordinatorEpoch, result });

const committed = (log: PartitionLog) => log.setHighWatermark(log.logEndOffset);

describe('transactions in the partition log (Kafka ProducerAppendInfo)', () => {
  it('appends a marker in Kafka bytes, and the last stable offset waits for the open transaction', async () => {
    const log = openLog(dir());
    try {
      log.appendSync(buildBatch([{ value: 'plain' }]));
      log.appendSync(txn(7n, 2, 0, 3)); // offsets 1-3
      log.appendSync(txn(8n, 0, 0, 1)); // offset 4
      committed(log);
      assert.equal(log.highWatermark, 5);
      assert.equal(log.lastStableOffset, 1);
      assert.equal(log.producerState.entry(7n)?.currentTxnFirstOffset, 1);
      const at = await marker(log, 7n, 2, 'COMMIT', 5);
      assert.equal(at, 5);
      // Producer 8's transaction (from offset 4) still holds the LSO back; the marker is not yet replicated.
      committed(log);
      assert.equal(log.lastStableOffset, 4);
      assert.equal(await marker(log, 8n, 0, 'ABORT', 5), 6);
      assert.equal(log.lastStableOffset, 4); // the high watermark has not passed the marker
      committed(log);
      assert.equal(log.lastStableOffset, 7);

      const m = readAll(log).at(-2)!;
      const b = openRecordBatch(m);
      assert.equal(b.attributes, ATTR_CONTROL | ATTR_TRANSACTIONAL);
      assert.deepEqual([b.producerId, b.producerEpoch, b.baseSequence, b.baseOffset], [7n, 2, -1, 5n]);
      const records = [...b.records()];
      assert.equal(records.length, 1);
      // ControlRecordType key (version 0, type 1 COMMIT), EndTransactionMarker value (version 0, coordinator epoch).
      assert.deepEqual(records[0]!.key, Buffer.from([0, 0, 0, 1]));
      assert.deepEqual(records[0]!.value, Buffer.from([0, 0, 0, 0, 0, 5]));
      assert.deepEqual(
        openRecordBatch(readAll(log).at(-1)!).records().next().value?.key,
        Buffer.from([0, 0, 0, 0]),
      );
      assert.equal(log.producerState.entry(7n)?.currentTxnFirstOffset, -1);
      assert.equal(log.producerState.entry(7n)?.coordinatorEpoch, 5);
    } finally {
      await log.close();
    }
  });

  it('refuses a non-transactional batch while the producer has a transaction open (INVALID_TXN_STATE)', async () => {
    const log = openLog(dir());
    try {
      log.appendSync(txn(1n, 0, 0, 2));
      assert.throws(() => log.appendSync(idem(1n, 0, 2, 1)), { code: 'INVALID_TXN_STATE' });
      assert.equal(log.logEndOffset, 2);
      // After the marker the same producer may write outside a transaction.
      await marker(log, 1n, 0, 'COMMIT');
      assert.equal(log.appendSync(idem(1n, 0, 2, 1)).baseOffset, 3);
    } finally {
      await log.close();
    }
  });

  it('fences markers from an older producer epoch or coordinator epoch, appending nothing', async () => {
    const log = openLog(dir());
    try {
      log.appendSync(txn(3n, 4, 0, 1));
      await assert.rejects(marker(log, 3n, 3, 'COMMIT'), { code: 'INVALID_PRODUCER_EPOCH' });
      assert.equal(await marker(log, 3n, 4, 'ABORT', 2), 1);
      log.appendSync(txn(3n, 4, 1, 1));
      await assert.rejects(marker(log, 3n, 4, 'COMMIT', 1), { code: 'TRANSACTION_COORDINATOR_FENCED' });
      assert.equal(log.logEndOffset, 3);
      assert.equal(log.producerState.entry(3n)?.currentTxnFirstOffset, 2);
      // A marker from a bumped epoch (a fenced producer's transaction aborted by the coordinator)
      // moves the producer to that epoch: the old epoch can no longer write.
      assert.equal(await marker(log, 3n, 5, 'ABORT', 2), 3);
      assert.throws(() => log.appendSync(txn(3n, 4, 2, 1)), { code: 'INVALID_PRODUCER_EPOCH' });
      assert.equal(log.appendSync(txn(3n, 5, 0, 1)).baseOffset, 4);
    } finally {
      await log.close();
    }
  });

  it('accepts a marker for a producer with no open transaction; it holds no offset back', async () => {
    const log = openLog(dir());
    try {
      log.appendSync(buildBatch([{ value: 'x' }]));
      assert.equal(await marker(log, 9n, 0, 'COMMIT'), 1);
      committed(log);
      assert.equal(log.lastStableOffset, 2);
      assert.equal(log.producerState.entry(9n)?.producerEpoch, 0);
    } finally {
      await log.close();
    }
  });

  it('refuses control batches from clients', () => {
    const log = openLog(dir());
    const control = buildBatch([{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }], {
      producerId: 1n,
      producerEpoch: 0,
      attributes: ATTR_CONTROL | ATTR_TRANSACTIONAL,
    });
    assert.throws(() => log.appendSync(control), { code: 'INVALID_RECORD' });
    void log.close();
  });

  it('keeps the open transaction across a clean close (snapshot) and an unclean stop (log replay)', async () => {
    const d = dir();
    const log = openLog(d);
    log.appendSync(txn(1n, 0, 0, 2)); // 0-1
    log.appendSync(txn(2n, 0, 0, 1)); // 2
    await marker(log, 1n, 0, 'COMMIT', 3); // 3
    log.appendSync(txn(1n, 0, 2, 1)); // 4: a second transaction of producer 1
    await log.close();
    const clean = openLog(d, {}, { hadCleanShutdown: true, highWatermark: 5 });
    assert.equal(clean.producerState.entry(1n)?.currentTxnFirstOffset, 4);
    assert.equal(clean.producerState.entry(1n)?.coordinatorEpoch, 3);
    assert.equal(clean.producerState.entry(2n)?.currentTxnFirstOffset, 2);
    assert.equal(clean.lastStableOffset, 2);
    await marker(clean, 2n, 0, 'ABORT', 3); // 5
    await assert.rejects(marker(clean, 1n, 0, 'ABORT', 2), { code: 'TRANSACTION_COORDINATOR_FENCED' });
    // Not closed: the next open replays the marker after the snapshot at offset 5.
    const crashed = openLog(d, {}, { hadCleanShutdown: false, highWatermark: 6 });
    try {
      assert.equal(crashed.logEndOffset, 6);
      assert.equal(crashed.producerState.entry(2n)?.currentTxnFirstOffset, -1);
      assert.equal(crashed.producerState.entry(1n)?.currentTxnFirstOffset, 4);
      assert.equal(crashed.lastStableOffset, 4);
      assert.throws(() => crashed.appendSync(idem(1n, 0, 3, 1)), { code: 'INVALID_TXN_STATE' });
    } finally {
      await crashed.close();
      await clean.close();
    }
  });

  it('never expires a producer whose transaction is open', async () => {
    const clock = new TestClock();
    const log = openLog(dir(), {}, { now: clock.now, producerIdExpirationMs: 60_000 });
    try {
      log.appendSync(txn(1n, 0, 0, 1, clock.ms));
      log.appendSync(idem(2n, 0, 0, 1, clock.ms));
      clock.ms += 120_000;
      assert.equal(log.removeExpiredProducers(), 1);
      assert.equal(log.producerState.entry(1n)?.currentTxnFirstOffset, 0);
      // The marker's timestamp restarts the clock of the producer.
      await marker(log, 1n, 0, 'COMMIT');
      clock.ms += 30_000;
      assert.equal(log.removeExpiredProducers(), 0);
      clock.ms += 30_000;
      assert.equal(log.removeExpiredProducers(), 1);
    } finally {
      await log.close();
    }
  });
});
