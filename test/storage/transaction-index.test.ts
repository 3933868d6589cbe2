import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ATTR_TRANSACTIONAL } from '../../src/protocol/records/record-batch-header.js';
import type { PartitionLog } from '../../src/storage/partition-log.js';
import { decodeAbortedTxns } from '../../src/storage/transaction-index.js';
import { buildBatch } from './batch-builder.js';
import { openLog, readBatches, tempDir } from './helpers.js';

const dirs: string[] = [];
const dir = () => {
  const d = tempDir('strom-txnindex-');
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const seqs = new Map<bigint, number>();
const txn = (pid: bigint, n = 1) => {
  const seq = seqs.get(pid) ?? 0;
  seqs.set(pid, seq + n);
  return buildBatch(
    Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `v${seq + i}` })),
    {
      producerId: pid,
      producerEpoch: 0,
      baseSequence: seq,
      attributes: ATTR_TRANSACTIONAL,
      baseTimestamp: Date.now(),
    },
  );
};
const end = (log: PartitionLog, pid: bigint, result: 'COMMIT' | 'ABORT') =>
  log.appendTransactionMarker({ producerId: pid, producerEpoch: 0, coordinatorEpoch: 0, result });
const txnIndexFiles = (d: string) =>
  readdirSync(d)
    .filter((n) => n.includes('.txnindex'))
    .sort();
const entries = (d: string, base: number) =>
  decodeAbortedTxns(readFileSync(join(d, `${String(base).padStart(20, '0')}.txnindex`)));

describe('aborted transaction index (Kafka TransactionIndex, <base>.txnindex)', () => {
  it('writes a 34-byte entry per ABORT, with the last stable offset when the marker was written', async () => {
    const d = dir();
    const log = openLog(d);
    try {
      log.appendSync(txn(1n, 2)); // 0-1
      log.appendSync(txn(2n)); // 2
      await end(log, 1n, 'ABORT'); // 3: producer 2's transaction (from 2) is still open
      await end(log, 2n, 'COMMIT'); // 4: no entry for a commit
      log.appendSync(txn(3n)); // 5
      await end(log, 3n, 'ABORT'); // 6
      await end(log, 4n, 'ABORT'); // 7: no transaction open, no entry
      const bytes = readFileSync(join(d, '00000000000000000000.txnindex'));
      assert.equal(bytes.length, 2 * 34);
      // version int16 0, producerId, firstOffset, lastOffset, lastStableOffset (int64 each)
      assert.equal(bytes.readInt16BE(0), 0);
      assert.equal(bytes.readBigInt64BE(2), 1n);
      assert.equal(bytes.readBigInt64BE(10), 0n);
      assert.equal(bytes.readBigInt64BE(18), 3n);
      assert.equal(bytes.readBigInt64BE(26), 2n);
      assert.deepEqual(entries(d, 0)[1], {
        producerId: 3n,
        firstOffset: 5,
        lastOffset: 6,
        lastStableOffset: 7,
      });
    } finally {
      await log.close();
    }
  });

  it('gives a read_committed read the aborted transactions it overlaps, from later segments too', async () => {
    const d = dir();
    const log = openLog(d);
    try {
      log.appendSync(buildBatch([{ value: 'plain' }], { baseTimestamp: Date.now() })); // 0
      log.appendSync(txn(1n, 2)); // 1-2
      log.roll();
      log.appendSync(txn(2n)); // 3
      await end(log, 1n, 'ABORT'); // 4, entry in segment 3
      await end(log, 2n, 'COMMIT'); // 5
      log.appendSync(txn(5n)); // 6, open
      log.setHighWatermark(log.logEndOffset);
      assert.equal(log.lastStableOffset, 6);
      const r = log.read({
        fetchOffset: 0,
        maxBytes: 1 << 20,
        maxOffset: 6,
        collectAbortedTransactions: true,
      });
      // The read stops at the end of the first segment; the abort's entry is in the second.
      assert.deepEqual(
        readBatches(r).map((b) => Number(b.readBigInt64BE(0))),
        [0, 1],
      );
      assert.deepEqual(r.abortedTransactions, [
        { producerId: 1n, firstOffset: 1, lastOffset: 4, lastStableOffset: 3 },
      ]);
      const later = log.read({
        fetchOffset: 5,
        maxBytes: 1 << 20,
        maxOffset: 6,
        collectAbortedTransactions: true,
      });
      assert.deepEqual(later.abortedTransactions, []);
      assert.equal(log.read({ fetchOffset: 0, maxBytes: 1 << 20, maxOffset: 6 }).abortedTransactions, null);
      // Nothing to read below the last stable offset: no list either.
      const none = log.read({
        fetchOffset: 6,
        maxBytes: 1 << 20,
        maxOffset: 6,
        collectAbortedTransactions: true,
      });
      assert.deepEqual([none.sizeBytes, none.abortedTransactions], [0, null]);
    } finally {
      await log.close();
    }
  });

  it('is truncated with its segment and deleted with it by retention', async () => {
    const d = dir();
    const log = openLog(d, { retentionBytes: 1 });
    try {
      log.appendSync(txn(1n)); // 0
      await end(log, 1n, 'ABORT'); // 1
      log.appendSync(txn(1n)); // 2
      await end(log, 1n, 'ABORT'); // 3
      assert.equal(entries(d, 0).length, 2);
      log.truncateTo(3);
      assert.deepEqual(
        entries(d, 0).map((t) => t.lastOffset),
        [1],
      );
      assert.equal(log.producerState.entry(1n)?.currentTxnFirstOffset, 2);
      await end(log, 1n, 'ABORT'); // 3 again
      log.roll();
      log.appendSync(buildBatch([{ value: 'x' }], { baseTimestamp: Date.now() }));
      log.setHighWatermark(log.logEndOffset);
      assert.deepEqual(txnIndexFiles(d), ['00000000000000000000.txnindex']);
      assert.equal(log.deleteOldSegments(), 1);
      // Renamed away at once, unlinked in the background (file.delete.delay.ms is 0 here).
      assert.deepEqual(txnIndexFiles(d), ['00000000000000000000.txnindex.deleted']);
      for (let i = 0; i < 100 && txnIndexFiles(d).length > 0; i++) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(txnIndexFiles(d), []);
      assert.deepEqual(log.collectAbortedTransactions(0, 10), []);
    } finally {
      await log.close();
    }
  });

  it('is rebuilt from the log after an unclean stop, also where a snapshot lies past the recovered segments', async () => {
    const d = dir();
    const log = openLog(d);
    log.appendSync(txn(1n, 2)); // 0-1
    log.appendSync(txn(2n)); // 2
    await end(log, 1n, 'ABORT'); // 3
    log.roll(); // snapshot at 4, with producer 2's transaction open
    await end(log, 2n, 'ABORT'); // 4
    log.appendSync(txn(3n)); // 5
    const before = [0, 4].map((b) => entries(d, b));
    assert.deepEqual(before[1], [{ producerId: 2n, firstOffset: 2, lastOffset: 4, lastStableOffset: 5 }]);
    // The indexes lost (or torn, or written ahead of their batches) at a crash: not closed.
    rmSync(join(d, '00000000000000000004.txnindex'));
    writeFileSync(join(d, '00000000000000000000.txnindex'), Buffer.alloc(50, 7));
    const reopened = openLog(d, {}, { hadCleanShutdown: false, recoveryPoint: 0 });
    try {
      assert.deepEqual(
        [0, 4].map((b) => entries(d, b)),
        before,
      );
      assert.equal(reopened.producerState.entry(3n)?.currentTxnFirstOffset, 5);
    } finally {
      await reopened.close();
      await log.close();
    }
    assert.ok(existsSync(join(d, '00000000000000000004.snapshot')));
  });
});
