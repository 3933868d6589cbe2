import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeRecordBatch, encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import {
  ATTR_CONTROL,
  ATTR_DELETE_HORIZON,
  ATTR_TRANSACTIONAL,
  CompressionType,
  validateBatch,
} from '../../src/protocol/records/record-batch-header.js';
import type { TopicPartition } from '../../src/storage/checkpoint-file.js';
import { filterBatch } from '../../src/storage/compaction/batch-filter.js';
import { keepRecord, planCleanableRange, shouldClean } from '../../src/storage/compaction/cleaner-plan.js';
import { LogCleaner } from '../../src/storage/compaction/log-cleaner.js';
import { FileHandleCache } from '../../src/storage/file-handle-cache.js';
import type { PartitionLog } from '../../src/storage/partition-log.js';
import { buildBatch, type DecodedRecord, decodeBatch, type TestRecord } from './batch-builder.js';
import { openLog, readAll, TestClock, tempDir } from './helpers.js';

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

class MapCheckpoints {
  readonly map = new Map<string, number>();
  cleanerOffset(tp: TopicPartition): number {
    return this.map.get(`${tp.topic}-${tp.partition}`) ?? 0;
  }
  setCleanerOffset(tp: TopicPartition, offset: number): void {
    this.map.set(`${tp.topic}-${tp.partition}`, offset);
  }
}

function allRecords(log: PartitionLog): DecodedRecord[] {
  return readAll(log).flatMap((b) => {
    validateBatch(b);
    return decodeBatch(b);
  });
}

describe('compaction against a model (latest value per key)', () => {
  for (const seed of [1, 42, 20260101]) {
    it(`keeps exactly the latest record per key, then drops tombstones after delete.retention.ms (seed ${seed})`, async () => {
      const random = rng(seed);
      const clock = new TestClock();
      const cache = new FileHandleCache(64);
      const log = openLog(
        tempDir(),
        { cleanupPolicy: 'compact', segmentBytes: 1500, indexIntervalBytes: 256, deleteRetentionMs: 10_000 },
        { now: clock.now, cache },
      );
      const model = new Map<string, string | null>();
      const original = new Map<number, DecodedRecord>();
      for (let op = 0; op < 150; op++) {
        const recs: TestRecord[] = [];
        const n = 1 + Math.floor(random() * 5);
        for (let i = 0; i < n; i++) {
          const key = `key-${Math.floor(random() * 30)}`;
          const value = random() < 0.15 ? null : `v${op}.${i}`;
          recs.push({ key, value, timestamp: clock.ms });
        }
        const r = await log.append(buildBatch(recs));
        recs.forEach((rec, i) => {
          model.set(rec.key as string, rec.value as string | null);
          original.set(r.baseOffset + i, {
            offset: r.baseOffset + i,
            timestamp: clock.ms,
            key: rec.key as string,
            value: rec.value as string | null,
          });
        });
        clock.ms += 10;
      }
      log.roll();
      log.setHighWatermark(log.logEndOffset);
      const leo = log.logEndOffset;
      const checkpoints = new MapCheckpoints();
      const cleaner = new LogCleaner(checkpoints, cache);
      const stats = await cleaner.clean(log);
      assert.ok(stats !== null && stats.recordsDropped > 0, `seed ${seed}: nothing cleaned`);
      assert.ok(stats.bytesAfter < stats.bytesBefore);
      assert.equal(log.logEndOffset, leo);

      const check = (expectTombstones: boolean) => {
        const recs = allRecords(log);
        const seen = new Set<string>();
        let prev = -1;
        for (const r of recs) {
          assert.ok(r.offset > prev, `seed ${seed}: offsets not increasing`);
          prev = r.offset;
          const o = original.get(r.offset);
          assert.deepEqual(
            { ...r, timestamp: 0 },
            { ...o!, timestamp: 0 },
            `seed ${seed}: offset ${r.offset} changed`,
          );
          assert.equal(r.timestamp, o!.timestamp, `seed ${seed}: timestamp of ${r.offset} changed`);
          assert.ok(!seen.has(r.key!), `seed ${seed}: key ${r.key} kept twice`);
          seen.add(r.key!);
        }
        for (const [key, value] of model) {
          const kept = recs.find((r) => r.key === key);
          if (value !== null) assert.equal(kept?.value, value, `seed ${seed}: ${key}`);
          else if (expectTombstones) assert.equal(kept?.value, null, `seed ${seed}: tombstone for ${key}`);
          else
            assert.equal(kept, undefined, `seed ${seed}: tombstone for ${key} outlived delete.retention.ms`);
        }
      };
      check(true);
      assert.ok(
        readAll(log).some((b) => (b.readInt16BE(21) & ATTR_DELETE_HORIZON) !== 0) ||
          [...model.values()].every((v) => v !== null),
      );

      // A read at an offset removed by compaction returns the next batch that remains.
      const gap = [...original.keys()].find((o) => !allRecords(log).some((r) => r.offset === o))!;
      const [next] = readAll(log, gap);
      assert.ok(next !== undefined && Number(next.readBigInt64BE(0)) + next.readInt32BE(23) >= gap);

      clock.ms += 20_000;
      await log.append(buildBatch([{ key: 'late', value: 'x', timestamp: clock.ms }]));
      log.roll();
      log.setHighWatermark(log.logEndOffset);
      original.set(leo, { offset: leo, timestamp: clock.ms, key: 'late', value: 'x' });
      model.set('late', 'x');
      assert.equal(await cleaner.clean(log), null, 'little is dirty: below min.cleanable.dirty.ratio');
      log.updateConfig({ minCleanableDirtyRatio: 0.01 });
      assert.ok((await cleaner.clean(log)) !== null);
      check(false);
      await log.close();
    });
  }

  it('never cleans the active segment and stops at the high watermark', async () => {
    const cache = new FileHandleCache(16);
    const clock = new TestClock();
    const log = openLog(
      tempDir(),
      { cleanupPolicy: 'compact', segmentBytes: 400 },
      { cache, now: clock.now },
    );
    for (let i = 0; i < 20; i++)
      await log.append(buildBatch([{ key: 'same', value: `v${i}`, timestamp: clock.ms }]));
    log.setHighWatermark(log.segments[2]!.baseOffset);
    const stats = await new LogCleaner(new MapCheckpoints(), cache).clean(log, true);
    assert.equal(stats?.firstUncleanableOffset, log.segments[2]!.baseOffset);
    const recs = allRecords(log);
    assert.equal(recs[recs.length - 1]!.value, 'v19', 'the active segment is untouched');
    assert.ok(recs.length >= 2 && recs.filter((r) => r.offset < stats!.firstUncleanableOffset).length === 1);
    await log.close();
  });
});

describe('cleaner planning (pure)', () => {
  const segments = [
    { baseOffset: 0, sizeBytes: 100, largestTimestamp: 1000 },
    { baseOffset: 10, sizeBytes: 100, largestTimestamp: 2000 },
    { baseOffset: 20, sizeBytes: 200, largestTimestamp: 3000 },
    { baseOffset: 30, sizeBytes: 50, largestTimestamp: 4000 },
  ];
  const input = {
    segments,
    logStartOffset: 0,
    logEndOffset: 35,
    highWatermark: 35,
    checkpointedFirstDirty: 10,
    firstUnstableOffset: null,
    minCompactionLagMs: 0,
    nowMs: 5000,
  };
  it('computes the dirty ratio over inactive segments', () => {
    const r = planCleanableRange(input);
    assert.deepEqual(r, {
      firstDirtyOffset: 10,
      firstUncleanableOffset: 30,
      segmentCount: 3,
      cleanBytes: 100,
      dirtyBytes: 300,
      dirtyRatio: 0.75,
    });
    assert.equal(shouldClean(r, 0.5), true);
    assert.equal(shouldClean(r, 0.8), false);
  });
  it('honours min.compaction.lag.ms, open transactions and the high watermark', () => {
    assert.equal(planCleanableRange({ ...input, minCompactionLagMs: 2500 }).firstUncleanableOffset, 20);
    assert.equal(planCleanableRange({ ...input, firstUnstableOffset: 15 }).firstUncleanableOffset, 10);
    assert.equal(planCleanableRange({ ...input, highWatermark: 25 }).segmentCount, 2);
    assert.equal(planCleanableRange({ ...input, checkpointedFirstDirty: 99 }).firstDirtyOffset, 0);
  });
  it('keeps the latest record per key and tombstones until their horizon', () => {
    const base = { offset: 5, isTombstone: false, deleteHorizonMs: null, nowMs: 100 };
    assert.equal(keepRecord({ ...base, latestOffsetForKey: 7 }), false);
    assert.equal(keepRecord({ ...base, latestOffsetForKey: 5 }), true);
    assert.equal(keepRecord({ ...base, latestOffsetForKey: undefined }), true);
    assert.equal(keepRecord({ ...base, latestOffsetForKey: 5, isTombstone: true }), true);
    assert.equal(
      keepRecord({ ...base, latestOffsetForKey: 5, isTombstone: true, deleteHorizonMs: 100 }),
      false,
    );
    assert.equal(
      keepRecord({ ...base, latestOffsetForKey: 5, isTombstone: true, deleteHorizonMs: 101 }),
      true,
    );
  });
  it('filters a batch keeping offsets, and sets the delete horizon on tombstones', () => {
    const batch = buildBatch(
      [
        { key: 'a', value: '1', timestamp: 1000 },
        { key: 'b', value: null, timestamp: 1005 },
        { key: 'a', value: '2', timestamp: 1010 },
      ],
      { baseOffset: 100 },
    );
    const r = filterBatch(batch, {
      offsetMap: new Map([
        ['a', 102],
        ['b', 101],
      ]),
      nowMs: 5000,
      deleteRetentionMs: 500,
    });
    assert.equal(r.droppedRecords, 1);
    const h = validateBatch(r.batch!);
    assert.equal(h.baseOffset, 100n);
    assert.equal(h.lastOffsetDelta, 2);
    assert.equal(h.recordCount, 2);
    assert.ok((h.attributes & ATTR_DELETE_HORIZON) !== 0);
    assert.equal(h.baseTimestamp, 5500n);
    assert.deepEqual(decodeBatch(r.batch!), [
      { offset: 101, timestamp: 1005, key: 'b', value: null },
      { offset: 102, timestamp: 1010, key: 'a', value: '2' },
    ]);
    const later = filterBatch(r.batch!, { offsetMap: new Map(), nowMs: 6000, deleteRetentionMs: 500 });
    assert.deepEqual(decodeBatch(later.batch!), [{ offset: 102, timestamp: 1010, key: 'a', value: '2' }]);
    assert.equal(
      filterBatch(batch, {
        offsetMap: new Map([
          ['a', 200],
          ['b', 200],
        ]),
        nowMs: 0,
        deleteRetentionMs: 0,
      }).batch,
      null,
    );
  });
});

describe('compaction and transactions', () => {
  /** A transaction marker (control batch): key = version int16 + type int16 (0 abort, 1 commit). */
  const ctl = (pid: bigint, type: number) => {
    const key = Buffer.alloc(4);
    key.writeInt16BE(type, 2);
    return buildBatch([{ key, value: Buffer.alloc(6), timestamp: 1_700_000_000_000 }], {
      attributes: 0x30,
      producerId: pid,
      producerEpoch: 0,
    });
  };
  const txnBatch = (pid: bigint, key: string, value: string) =>
    buildBatch([{ key, value, timestamp: 1_700_000_000_000 }], {
      attributes: 0x10,
      producerId: pid,
      producerEpoch: 0,
      baseSequence: 0,
    });

  it('drops aborted transactional records, keeps markers and committed data, and stops at open transactions', async () => {
    const cache = new FileHandleCache(16);
    const clock = new TestClock();
    const log = openLog(
      tempDir(),
      { cleanupPolicy: 'compact', segmentBytes: 300 },
      { cache, now: clock.now },
    );
    const append = (b: Buffer, origin: 'client' | 'coordinator' = 'client') => log.append(b, { origin });
    await append(txnBatch(1n, 'a', 'aborted'));
    await append(txnBatch(2n, 'b', 'committed'));
    await append(ctl(1n, 0), 'coordinator');
    await append(ctl(2n, 1), 'coordinator');
    await append(buildBatch([{ key: 'c', value: 'plain', timestamp: clock.ms }]));
    const openAt = (await append(txnBatch(3n, 'd', 'open'))).baseOffset;
    for (let i = 0; i < 6; i++)
      await append(buildBatch([{ key: 'c', value: `later${i}`, timestamp: clock.ms }]));
    log.roll();
    log.setHighWatermark(log.logEndOffset);
    const aborted = log.collectAbortedTransactions(0, log.logEndOffset);
    assert.deepEqual(
      aborted.map((t) => t.producerId),
      [1n],
    );
    const stats = await new LogCleaner(new MapCheckpoints(), cache).clean(log, true);
    assert.ok(stats !== null);
    assert.ok(stats.firstUncleanableOffset <= openAt, 'the open transaction bounds cleaning');
    // The marker stays, and so does its entry in the cleaned segment's transaction index.
    assert.deepEqual(log.collectAbortedTransactions(0, log.logEndOffset), aborted);
    const recs = allRecords(log);
    assert.equal(
      recs.find((r) => r.key === 'a'),
      undefined,
      'aborted data removed',
    );
    assert.equal(recs.find((r) => r.key === 'b')?.value, 'committed');
    assert.equal(readAll(log).filter((b) => (b.readInt16BE(21) & 0x20) !== 0).length, 2, 'markers kept');
    assert.ok(
      recs.some((r) => r.key === 'd'),
      'the open transaction is untouched',
    );
    await log.close();
  });
});

describe('compaction of transaction markers (Kafka LogCleaner, KIP-534)', () => {
  it('keeps a marker while its transaction has data, then for delete.retention.ms, then removes it', async () => {
    const cache = new FileHandleCache(16);
    const clock = new TestClock();
    const log = openLog(
      tempDir(),
      { cleanupPolicy: 'compact', segmentBytes: 400, deleteRetentionMs: 1000 },
      { cache, now: clock.now, producerIdExpirationMs: 60_000 },
    );
    const txn = (pid: bigint, key: string) =>
      buildBatch([{ key, value: `${key}-${pid}`, timestamp: clock.ms }], {
        attributes: ATTR_TRANSACTIONAL,
        producerId: pid,
        producerEpoch: 0,
        baseSequence: 0,
      });
    const marker = (pid: bigint, result: 'COMMIT' | 'ABORT') =>
      log.appendTransactionMarker({ producerId: pid, producerEpoch: 0, coordinatorEpoch: 0, result });
    await log.append(txn(1n, 'a')); // 0, aborted
    await log.append(txn(2n, 'b')); // 1, committed, then superseded
    const abortAt = await marker(1n, 'ABORT'); // 2
    const commitAt = await marker(2n, 'COMMIT'); // 3
    for (let i = 0; i < 8; i++)
      await log.append(buildBatch([{ key: 'b', value: `later${i}`, timestamp: clock.ms }]));
    log.roll();
    log.setHighWatermark(log.logEndOffset);
    const markers = () =>
      readAll(log)
        .filter((b) => (b.readInt16BE(21) & ATTR_CONTROL) !== 0)
        .map((b) => Number(b.readBigInt64BE(0)));
    const clean = async () => {
      clock.ms += 1;
      return new LogCleaner(new MapCheckpoints(), cache).clean(log, true);
    };
    assert.ok((await clean()) !== null);
    // The records went this pass; the markers stay for it, the abort's index entry too. Each
    // producer's last batch stays, empty, while the producer state holds the producer.
    assert.deepEqual(markers(), [abortAt, commitAt]);
    assert.deepEqual(
      log.collectAbortedTransactions(0, log.logEndOffset).map((t) => t.lastOffset),
      [abortAt],
    );
    await clean();
    assert.deepEqual(
      log.collectAbortedTransactions(0, log.logEndOffset).map((t) => t.lastOffset),
      [abortAt],
    );
    clock.ms += 60_000;
    assert.equal(log.removeExpiredProducers(), 2);
    await clean(); // the empty batches go; the markers stay for this pass
    assert.deepEqual(markers(), [abortAt, commitAt]);
    await clean();
    // No data left: each marker gets a delete horizon (its base timestamp) and the entry goes.
    assert.deepEqual(markers(), [abortAt, commitAt]);
    const horizons = readAll(log)
      .filter((b) => (b.readInt16BE(21) & ATTR_CONTROL) !== 0)
      .map((b) => [(b.readInt16BE(21) & ATTR_DELETE_HORIZON) !== 0, Number(b.readBigInt64BE(27))]);
    assert.deepEqual(horizons, [
      [true, clock.ms + 1000],
      [true, clock.ms + 1000],
    ]);
    assert.deepEqual(log.collectAbortedTransactions(0, log.logEndOffset), []);
    clock.ms += 500;
    await clean();
    assert.deepEqual(markers(), [abortAt, commitAt], 'before the horizon');
    clock.ms += 1000;
    await clean();
    assert.deepEqual(markers(), [], 'past the horizon');
    await log.close();
  });

  it('never cleans at or above the last stable offset', async () => {
    const cache = new FileHandleCache(16);
    const clock = new TestClock();
    const log = openLog(
      tempDir(),
      { cleanupPolicy: 'compact', segmentBytes: 200 },
      { cache, now: clock.now },
    );
    const t = buildBatch([{ key: 'k', value: 't', timestamp: clock.ms }], {
      attributes: ATTR_TRANSACTIONAL,
      producerId: 5n,
      producerEpoch: 0,
      baseSequence: 0,
    });
    await log.append(t);
    for (let i = 0; i < 6; i++)
      await log.append(buildBatch([{ key: 'k', value: `v${i}`, timestamp: clock.ms }]));
    const at = await log.appendTransactionMarker({
      producerId: 5n,
      producerEpoch: 0,
      coordinatorEpoch: 0,
      result: 'COMMIT',
    });
    log.roll();
    // The high watermark below the marker: the transaction is decided but not stable yet.
    log.setHighWatermark(at);
    assert.equal(log.lastStableOffset, 0);
    assert.ok(log.segments.length > 3);
    assert.equal(await new LogCleaner(new MapCheckpoints(), cache).clean(log, true), null);
    log.setHighWatermark(log.logEndOffset);
    assert.ok((await new LogCleaner(new MapCheckpoints(), cache).clean(log, true)) !== null);
    await log.close();
  });
});

describe('compaction of compressed batches', () => {
  it('decompresses, filters and recompresses with the same codec, keeping offsets', async () => {
    const cache = new FileHandleCache(16);
    const clock = new TestClock();
    const log = openLog(
      tempDir(),
      { cleanupPolicy: 'compact', segmentBytes: 600 },
      { cache, now: clock.now },
    );
    const gz = (pairs: Array<[string, string | null]>) =>
      encodeRecordBatch({
        compression: CompressionType.Gzip,
        baseTimestamp: BigInt(clock.ms),
        records: pairs.map(([k, v], i) => ({
          offsetDelta: i,
          timestampDelta: i,
          key: Buffer.from(k),
          value: v === null ? null : Buffer.from(v),
          headers: [],
        })),
      });
    for (let i = 0; i < 12; i++)
      await log.append(
        gz([
          ['a', `a${i}`],
          ['b', `b${i}`],
          [`only${i}`, 'x'],
        ]),
      );
    await log.append(gz([['b', null]]));
    assert.equal(
      log.offsetForTimestamp(clock.ms + 2)?.offset,
      2,
      'timestamp lookup inside a compressed batch',
    );
    log.roll();
    log.setHighWatermark(log.logEndOffset);
    const stats = await new LogCleaner(new MapCheckpoints(), cache).clean(log, true);
    assert.ok(stats !== null && stats.recordsDropped === 22 + 1);
    const batches = readAll(log);
    for (const b of batches) assert.equal(b.readInt16BE(21) & 0x07, CompressionType.Gzip);
    const recs = batches.flatMap((b) => decodeRecordBatch(b).records.map((r) => ({ b, r })));
    const latest = new Map(
      recs.map(({ b, r }) => [
        r.key!.toString(),
        { offset: Number(b.readBigInt64BE(0)) + r.offsetDelta, value: r.value?.toString() ?? null },
      ]),
    );
    assert.deepEqual(latest.get('a'), { offset: 33, value: 'a11' });
    assert.deepEqual(latest.get('b'), { offset: 36, value: null });
    assert.equal(recs.length, 2 + 12);
    await log.close();
  });
});

describe('compaction and idempotent producers', () => {
  it("keeps each producer's last batch, empty if need be, so its sequence survives a rebuild from the log", async () => {
    const cache = new FileHandleCache(16);
    const clock = new TestClock();
    const d = tempDir();
    const log = openLog(d, { cleanupPolicy: 'compact', segmentBytes: 300 }, { cache, now: clock.now });
    const idem = (pid: bigint, seq: number, key: string) =>
      buildBatch([{ key, value: `${pid}-${seq}`, timestamp: clock.ms }], {
        producerId: pid,
        producerEpoch: 0,
        baseSequence: seq,
      });
    // Producer 1: two batches, both overwritten later; producer 2: one batch, overwritten too.
    await log.append(idem(1n, 0, 'a'));
    await log.append(idem(1n, 1, 'b'));
    await log.append(idem(2n, 0, 'c'));
    for (let i = 0; i < 12; i++)
      await log.append(
        buildBatch([{ key: ['a', 'b', 'c'][i % 3]!, value: `plain${i}`, timestamp: clock.ms }]),
      );
    log.setHighWatermark(log.logEndOffset);
    const stats = await new LogCleaner(new MapCheckpoints(), cache).clean(log, true);
    assert.ok(stats !== null && stats.recordsDropped >= 3);
    const kept = readAll(log).map((b) => decodeRecordBatch(b));
    const byProducer = kept.filter((b) => b.producerId >= 0n);
    // Producer 1's first batch is gone; its last (offset 1) and producer 2's (offset 2) stay, empty.
    assert.deepEqual(
      byProducer.map((b) => [b.producerId, b.baseOffset, b.baseSequence, b.records.length]),
      [
        [1n, 1n, 1, 0],
        [2n, 2n, 0, 0],
      ],
    );
    assert.ok(allRecords(log).every((r) => r.value?.startsWith('plain')));
    // An unclean stop that loses the snapshots: the state rebuilt from the log alone still knows
    // both producers' sequences.
    for (const name of readdirSync(d)) if (name.endsWith('.snapshot')) rmSync(join(d, name));
    const reopened = openLog(d, { cleanupPolicy: 'compact', segmentBytes: 300 }, { cache, now: clock.now });
    try {
      assert.equal(reopened.producerState.entry(1n)?.lastSeq, 1);
      assert.equal(reopened.producerState.entry(2n)?.lastSeq, 0);
      assert.throws(() => reopened.appendSync(idem(1n, 5, 'x')), { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
      assert.equal(reopened.appendSync(idem(1n, 2, 'x')).baseOffset, log.logEndOffset);
    } finally {
      await reopened.close();
      await log.close();
    }
  });
});
