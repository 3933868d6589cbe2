import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ATTR_TIMESTAMP_TYPE, validateBatch } from '../../src/protocol/records/record-batch-header.js';
import { StorageError } from '../../src/storage/storage-error.js';
import { buildBatch, simpleBatch } from './batch-builder.js';
import { openLog, readAll, readBatches, TestClock, tempDir } from './helpers.js';

describe('PartitionLog append and read', () => {
  it('assigns offsets by patching base offsets and reads batches back byte for byte', async () => {
    const dir = tempDir();
    const log = openLog(dir);
    const b1 = simpleBatch(3);
    const b2 = simpleBatch(5);
    const r1 = await log.append(Buffer.from(b1));
    const r2 = await log.append(Buffer.from(b2));
    assert.deepEqual([r1.baseOffset, r1.lastOffset, r2.baseOffset, r2.lastOffset], [0, 2, 3, 7]);
    assert.equal(r1.logAppendTime, -1);
    assert.equal(log.logEndOffset, 8);
    const got = readAll(log);
    assert.equal(got.length, 2);
    const expected2 = Buffer.from(b2);
    expected2.writeBigInt64BE(3n, 0);
    assert.deepEqual(got[1], expected2);
    validateBatch(got[1]!);
    await log.close();
  });

  it('returns the batch holding an offset inside it, and whole first batches beyond maxBytes', async () => {
    const log = openLog(tempDir());
    await log.append(simpleBatch(10, 100));
    await log.append(simpleBatch(10, 100));
    const r = log.read({ fetchOffset: 14, maxBytes: 10 });
    const batches = readBatches(r);
    assert.equal(batches.length, 1);
    assert.equal(Number(batches[0]!.readBigInt64BE(0)), 10);
    assert.ok(r.sizeBytes > 10);
    const none = log.read({ fetchOffset: 14, maxBytes: 10, minOneMessage: false });
    assert.equal(readBatches(none).length, 0);
    await log.close();
  });

  it('stops reads at maxOffset (the high watermark) and at the log end', async () => {
    const log = openLog(tempDir());
    await log.append(simpleBatch(2));
    await log.append(simpleBatch(2));
    log.setHighWatermark(2);
    assert.equal(
      readBatches(log.read({ fetchOffset: 0, maxBytes: 1 << 20, maxOffset: log.highWatermark })).length,
      1,
    );
    assert.equal(log.read({ fetchOffset: 2, maxBytes: 1 << 20, maxOffset: 2 }).slices.length, 0);
    assert.equal(log.read({ fetchOffset: 4, maxBytes: 1 << 20 }).slices.length, 0);
    assert.throws(() => log.read({ fetchOffset: 5, maxBytes: 100 }), { code: 'OFFSET_OUT_OF_RANGE' });
    await log.close();
  });

  it('sets LogAppendTime and recomputes the CRC', async () => {
    const clock = new TestClock(1_800_000_000_000);
    const log = openLog(tempDir(), { messageTimestampType: 'LogAppendTime' }, { now: clock.now });
    const r = await log.append(simpleBatch(2));
    assert.equal(r.logAppendTime, clock.ms);
    const [b] = readAll(log);
    const h = validateBatch(b!);
    assert.equal(h.maxTimestamp, BigInt(clock.ms));
    assert.ok((h.attributes & ATTR_TIMESTAMP_TYPE) !== 0);
    await log.close();
  });

  it('rolls segments on segment.bytes and reads across them', async () => {
    const dir = tempDir();
    const log = openLog(dir, { segmentBytes: 2000, indexIntervalBytes: 100 });
    for (let i = 0; i < 20; i++) await log.append(simpleBatch(4, 50));
    assert.ok(log.segments.length > 3);
    const names = fs.readdirSync(dir).filter((n) => n.endsWith('.log'));
    assert.equal(names.length, log.segments.length);
    assert.ok(names.every((n) => /^\d{20}\.log$/.test(n)));
    const all = readAll(log);
    assert.equal(all.length, 20);
    for (let off = 0; off < 80; off += 7) {
      const [first] = readBatches(log.read({ fetchOffset: off, maxBytes: 1 }));
      assert.equal(Number(first!.readBigInt64BE(0)), off - (off % 4));
    }
    await log.close();
  });

  it('rolls on segment.ms measured from the first batch timestamp', async () => {
    const clock = new TestClock();
    const log = openLog(tempDir(), { segmentMs: 1000 }, { now: clock.now });
    await log.append(simpleBatch(1, 10, clock.ms));
    clock.ms += 500;
    await log.append(simpleBatch(1, 10, clock.ms));
    assert.equal(log.segments.length, 1);
    clock.ms += 600;
    await log.append(simpleBatch(1, 10, clock.ms));
    assert.equal(log.segments.length, 2);
    assert.equal(log.activeSegment.baseOffset, 2);
    await log.close();
  });

  it('rolls when the offset index is full', async () => {
    const log = openLog(tempDir(), { segmentIndexBytes: 16, indexIntervalBytes: 1 });
    for (let i = 0; i < 8; i++) await log.append(simpleBatch(1));
    assert.ok(log.segments.length >= 2);
    assert.equal(readAll(log).length, 8);
    await log.close();
  });

  it('keeps offsets across a clean reopen', async () => {
    const dir = tempDir();
    const log = openLog(dir, { segmentBytes: 1000 });
    for (let i = 0; i < 10; i++) await log.append(simpleBatch(3, 40));
    const before = readAll(log);
    await log.close();
    const again = openLog(dir, { segmentBytes: 1000 }, { hadCleanShutdown: true, recoveryPoint: 30 });
    assert.equal(again.logEndOffset, 30);
    assert.deepEqual(readAll(again), before);
    const r = await again.append(simpleBatch(1));
    assert.equal(r.baseOffset, 30);
    await again.close();
  });
});

describe('PartitionLog rejects bad input and stays unchanged', () => {
  const cases: Array<[string, () => Buffer, string, object?]> = [
    [
      'a flipped byte (CRC)',
      () => {
        const b = simpleBatch(2);
        b[b.length - 3]! ^= 0xff;
        return b;
      },
      'CORRUPT_MESSAGE',
    ],
    ['a truncated batch', () => simpleBatch(2).subarray(0, 70), 'CORRUPT_MESSAGE'],
    [
      'magic 1',
      () => {
        const b = simpleBatch(2);
        b.writeInt8(1, 16);
        return b;
      },
      'CORRUPT_MESSAGE',
    ],
    [
      'a batch above max.message.bytes',
      () => simpleBatch(10, 200),
      'MESSAGE_TOO_LARGE',
      { maxMessageBytes: 1000 },
    ],
    [
      'a timestamp far in the future',
      () => simpleBatch(1, 10, 1_700_000_000_000 + 7_200_000),
      'INVALID_TIMESTAMP',
    ],
    [
      'a timestamp too old',
      () => simpleBatch(1, 10, 1_600_000_000_000),
      'INVALID_TIMESTAMP',
      { messageTimestampBeforeMaxMs: 86_400_000 },
    ],
    [
      'records with gaps in offset deltas',
      () => buildBatch([{ key: 'a' }, { key: 'b', offsetDelta: 2 }], { lastOffsetDelta: 1 }),
      'INVALID_RECORD',
    ],
    ['a non-zero client base offset', () => buildBatch([{ key: 'a' }], { baseOffset: 5 }), 'INVALID_RECORD'],
    [
      'a control batch from a client',
      () => buildBatch([{ key: 'a' }], { attributes: 0x20 }),
      'INVALID_RECORD',
    ],
    [
      'a keyless record on a compacted topic',
      () => buildBatch([{ key: null }]),
      'INVALID_RECORD',
      { cleanupPolicy: 'compact' },
    ],
  ];
  for (const [name, make, code, config] of cases) {
    it(`rejects ${name} with ${code}`, async () => {
      const clock = new TestClock();
      const log = openLog(tempDir(), config ?? {}, { now: clock.now });
      await log.append(simpleBatch(1));
      const before = readAll(log);
      await assert.rejects(log.append(make()), (e: unknown) => e instanceof StorageError && e.code === code);
      assert.equal(log.logEndOffset, 1);
      assert.deepEqual(readAll(log), before);
      await log.close();
    });
  }
});

describe('PartitionLog offsets by timestamp', () => {
  it('finds the first record at or after a timestamp through the time index', async () => {
    const clock = new TestClock();
    const t0 = clock.ms;
    const log = openLog(tempDir(), { indexIntervalBytes: 1, segmentBytes: 3000 }, { now: clock.now });
    for (let i = 0; i < 30; i++) {
      const recs = [0, 1, 2].map((j) => ({ key: `k${j}`, timestamp: t0 + i * 100 + j * 10 }));
      await log.append(buildBatch(recs));
    }
    assert.ok(log.segments.length > 1);
    for (const [ts, off] of [
      [t0, 0],
      [t0 + 5, 1],
      [t0 + 20, 2],
      [t0 + 21, 3],
      [t0 + 1500, 45],
      [t0 + 2920, 89],
    ]) {
      assert.equal(log.offsetForTimestamp(ts!)?.offset, off, `timestamp ${ts}`);
    }
    assert.equal(log.offsetForTimestamp(t0 + 1_000_000), null);
    assert.equal(log.offsetForTimestamp(-2)?.offset, 0);
    assert.equal(log.offsetForTimestamp(-1)?.offset, 90);
    assert.equal(log.offsetForTimestamp(-3)?.timestamp, t0 + 2920);
    await log.close();
    void join;
  });
});
