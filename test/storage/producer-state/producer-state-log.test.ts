import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { crc32c } from '../../../src/protocol/primitives/crc32c.js';
import type { PartitionLog } from '../../../src/storage/partition-log.js';
import {
  decodeProducerSnapshot,
  encodeProducerSnapshot,
} from '../../../src/storage/producer-state/producer-snapshot-file.js';
import { ProducerStateEntry } from '../../../src/storage/producer-state/producer-state-entry.js';
import { StorageError } from '../../../src/storage/storage-error.js';
import { buildBatch } from '../batch-builder.js';
import { openLog, readAll, TestClock, tempDir } from '../helpers.js';

const dirs: string[] = [];
const dir = () => {
  const d = tempDir('strom-pstate-');
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const idem = (pid: bigint, epoch: number, seq: number, n: number, ts = Date.now()) =>
  buildBatch(
    Array.from({ length: n }, (_, i) => ({ key: `k${seq + i}`, value: `v${seq + i}` })),
    { producerId: pid, producerEpoch: epoch, baseSequence: seq, baseTimestamp: ts },
  );

const snapshots = (d: string) =>
  readdirSync(d)
    .filter((n) => n.endsWith('.snapshot'))
    .sort();

describe('producer state snapshots (Kafka ProducerStateManager format)', () => {
  it('writes version 1, a CRC32C of the entries and 46-byte entries, and reads them back', () => {
    const e = new ProducerStateEntry(1234n, 3);
    e.addBatch(3, { firstSeq: 10, lastSeq: 14, lastOffset: 104, offsetDelta: 4, timestamp: 99 });
    const bytes = encodeProducerSnapshot([e, new ProducerStateEntry(5n, 0, [], -1, -1, 7)]);
    assert.equal(bytes.length, 2 + 4 + 4 + 2 * 46);
    assert.equal(bytes.readInt16BE(0), 1);
    assert.equal(bytes.readUInt32BE(2), crc32c(bytes.subarray(6)));
    assert.equal(bytes.readInt32BE(6), 2);
    // First entry: ProducerId, Epoch, LastSequence, LastOffset, OffsetDelta, Timestamp, CoordinatorEpoch, CurrentTxnFirstOffset.
    assert.equal(bytes.readBigInt64BE(10), 1234n);
    assert.equal(bytes.readInt16BE(18), 3);
    assert.equal(bytes.readInt32BE(20), 14);
    assert.equal(bytes.readBigInt64BE(24), 104n);
    assert.equal(bytes.readInt32BE(32), 4);
    assert.equal(bytes.readBigInt64BE(36), 99n);
    assert.equal(bytes.readInt32BE(44), -1);
    assert.equal(bytes.readBigInt64BE(48), -1n);
    const back = decodeProducerSnapshot(bytes);
    assert.deepEqual(back[0]!.batches, [
      { firstSeq: 10, lastSeq: 14, lastOffset: 104, offsetDelta: 4, timestamp: 99 },
    ]);
    assert.equal(back[0]!.producerEpoch, 3);
    assert.deepEqual([back[1]!.producerId, back[1]!.batches.length, back[1]!.lastTimestamp], [5n, 0, 7]);
    bytes[30] = bytes[30]! ^ 1;
    assert.throws(() => decodeProducerSnapshot(bytes), StorageError);
  });
});

describe('partition log with idempotent producers', () => {
  it('appends nothing for a retry and answers with the original offsets', async () => {
    const log = openLog(dir());
    try {
      const first = log.appendSync(idem(1n, 0, 0, 3));
      log.appendSync(idem(2n, 0, 0, 1));
      const retry = log.appendSync(idem(1n, 0, 0, 3));
      assert.deepEqual([retry.baseOffset, retry.lastOffset], [first.baseOffset, first.lastOffset]);
      assert.equal(log.logEndOffset, 4);
      assert.throws(() => log.appendSync(idem(1n, 0, 5, 1)), { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
      assert.throws(() => log.appendSync(idem(2n, 0, 5, 1)), { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
      assert.equal(log.logEndOffset, 4);
      // A plain producer's batches are not tracked.
      log.appendSync(buildBatch([{ value: 'plain' }]));
      assert.equal(log.producerState.producerCount, 2);
    } finally {
      await log.close();
    }
  });

  it('snapshots at clean close and reloads from it; rebuilds from the log after an unclean stop', async () => {
    const d = dir();
    const log = openLog(d);
    log.appendSync(idem(1n, 0, 0, 2));
    log.appendSync(idem(1n, 0, 2, 2));
    await log.close();
    assert.deepEqual(snapshots(d), ['00000000000000000004.snapshot']);
    const reopened = openLog(d, {}, { hadCleanShutdown: true });
    // Only the last batch survives a snapshot, as in Kafka.
    assert.equal(reopened.appendSync(idem(1n, 0, 2, 2)).baseOffset, 2);
    assert.equal(reopened.appendSync(idem(1n, 0, 4, 1)).baseOffset, 4);
    // Not closed: an unclean stop. The next open reads the batches after the snapshot again.
    const crashed = openLog(d, {}, { hadCleanShutdown: false });
    try {
      assert.equal(crashed.logEndOffset, 5);
      assert.equal(crashed.appendSync(idem(1n, 0, 4, 1)).baseOffset, 4);
      assert.equal(crashed.appendSync(idem(1n, 0, 2, 2)).baseOffset, 2);
      assert.throws(() => crashed.appendSync(idem(1n, 0, 7, 1)), { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
      assert.equal(crashed.logEndOffset, 5);
    } finally {
      await crashed.close();
      await reopened.close();
    }
  });

  it('answers a retry of any of the last 5 batches with its offsets after a restart, across a roll', async () => {
    // The broker is killed after appending five batches it never acknowledged, the last after a
    // roll: the roll's snapshot holds only the producer's last batch before it, as Kafka's format
    // does, yet the retries of the four earlier ones must not be appended again.
    const d = dir();
    const clock = new TestClock();
    const log = openLog(d, {}, { now: clock.now });
    log.appendSync(buildBatch([{ value: 'plain' }]));
    const offsets = [0, 1, 2, 3].map((i) => log.appendSync(idem(1n, 0, i * 3, 3, clock.ms)).baseOffset);
    log.appendSync(idem(2n, 0, 0, 1, clock.ms));
    log.roll();
    offsets.push(log.appendSync(idem(1n, 0, 12, 3, clock.ms)).baseOffset);
    assert.deepEqual(snapshots(d), ['00000000000000000014.snapshot']);
    // Killed (never closed), then reopened: rebuilt from the snapshot and the log. Then a clean
    // close, whose snapshot again holds one batch per producer, and a clean open.
    for (const clean of [false, true]) {
      const reopened = openLog(d, {}, { hadCleanShutdown: clean, now: clock.now });
      try {
        for (let i = 0; i < 5; i++) {
          const retry = reopened.appendSync(idem(1n, 0, i * 3, 3, clock.ms));
          assert.equal(retry.baseOffset, offsets[i], `batch ${i}, clean ${clean}`);
        }
        assert.equal(reopened.appendSync(idem(2n, 0, 0, 1, clock.ms)).baseOffset, 13);
        assert.equal(reopened.logEndOffset, 17);
      } finally {
        await reopened.close();
      }
    }
  });

  it('keeps a batch whose sequences wrap past 2^31-1 through a snapshot and a rebuild', async () => {
    const d = dir();
    const clock = new TestClock();
    const log = openLog(d, {}, { now: clock.now });
    const wrap = log.appendSync(idem(1n, 0, 0x7fffffff - 1, 3, clock.ms)); // 2^31-2, 2^31-1, 0
    log.roll();
    const next = log.appendSync(idem(1n, 0, 1, 2, clock.ms));
    for (const clean of [false, true]) {
      const reopened = openLog(d, {}, { hadCleanShutdown: clean, now: clock.now });
      try {
        assert.equal(reopened.producerState.entry(1n)!.lastSeq, 2);
        assert.equal(
          reopened.appendSync(idem(1n, 0, 0x7fffffff - 1, 3, clock.ms)).baseOffset,
          wrap.baseOffset,
        );
        assert.equal(reopened.appendSync(idem(1n, 0, 1, 2, clock.ms)).baseOffset, next.baseOffset);
        assert.throws(() => reopened.appendSync(idem(1n, 0, 0, 1, clock.ms)), {
          code: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
        });
        assert.equal(reopened.appendSync(idem(1n, 0, 3, 1, clock.ms)).baseOffset, 5);
        reopened.truncateTo(5);
      } finally {
        await reopened.close();
      }
    }
    await log.close();
  });

  it('rebuilds from the whole log when the only snapshot is corrupt', async () => {
    const d = dir();
    const log = openLog(d);
    log.appendSync(idem(1n, 0, 0, 1));
    log.appendSync(idem(1n, 0, 1, 1));
    await log.close();
    const snap = join(d, '00000000000000000002.snapshot');
    const bytes = readFileSync(snap);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    writeFileSync(snap, bytes);
    const reopened = openLog(d, {}, { hadCleanShutdown: false });
    try {
      assert.equal(existsSync(snap), false);
      assert.equal(reopened.appendSync(idem(1n, 0, 0, 1)).baseOffset, 0);
    } finally {
      await reopened.close();
    }
  });

  it('snapshots at each roll, deletes snapshots of deleted segments, and reloads after truncation', async () => {
    const d = dir();
    const clock = new TestClock();
    const log: PartitionLog = openLog(d, { segmentBytes: 200, retentionBytes: 1 }, { now: clock.now });
    try {
      for (let i = 0; i < 6; i++) log.appendSync(idem(1n, 0, i * 2, 2, clock.ms));
      assert.ok(log.segments.length >= 3, `${log.segments.length} segments`);
      const bases = log.segments.slice(1).map((s) => `${String(s.baseOffset).padStart(20, '0')}.snapshot`);
      assert.deepEqual(snapshots(d), bases);
      log.setHighWatermark(log.logEndOffset);
      log.deleteOldSegments();
      const first = log.segments[0]!.baseOffset;
      assert.ok(snapshots(d).every((n) => Number(n.slice(0, 20)) >= first));
      // Producer state outlives the deleted records (KIP-360): the last batch is still a retry.
      assert.equal(log.appendSync(idem(1n, 0, 10, 2, clock.ms)).baseOffset, 10);
      // Truncating the last batch away makes its sequences new again.
      log.truncateTo(10);
      assert.equal(log.appendSync(idem(1n, 0, 10, 2, clock.ms)).baseOffset, 10);
      assert.equal(readAll(log).length > 0, true);
    } finally {
      await log.close();
    }
  });

  it('forgets producers idle for producer.id.expiration.ms, after which any sequence is accepted', async () => {
    const clock = new TestClock();
    const log = openLog(dir(), {}, { now: clock.now, producerIdExpirationMs: 60_000 });
    try {
      log.appendSync(idem(1n, 0, 0, 1, clock.ms));
      clock.ms += 30_000;
      log.appendSync(idem(2n, 0, 0, 1, clock.ms));
      clock.ms += 30_000;
      assert.equal(log.removeExpiredProducers(), 1);
      assert.equal(log.producerState.entry(1n), undefined);
      assert.equal(log.appendSync(idem(1n, 0, 9, 1, clock.ms)).baseOffset, 2);
    } finally {
      await log.close();
    }
  });
});
