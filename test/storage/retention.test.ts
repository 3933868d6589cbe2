import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { DELETED_SUFFIX } from '../../src/storage/log-segment.js';
import { planRetention, type RetentionInput } from '../../src/storage/retention-plan.js';
import { shouldRoll } from '../../src/storage/segment-roll.js';
import { simpleBatch } from './batch-builder.js';
import { openLog, readAll, TestClock, tempDir } from './helpers.js';

const base: RetentionInput = {
  segments: [
    { baseOffset: 0, sizeBytes: 100, largestTimestamp: 1000 },
    { baseOffset: 10, sizeBytes: 100, largestTimestamp: 2000 },
    { baseOffset: 20, sizeBytes: 100, largestTimestamp: 3000 },
  ],
  logStartOffset: 0,
  logEndOffset: 30,
  highWatermark: 30,
  retentionMs: -1,
  retentionBytes: -1,
  deleteEnabled: true,
  nowMs: 10_000,
};

describe('retention plan (pure)', () => {
  it('deletes the prefix older than retention.ms', () => {
    assert.deepEqual(planRetention({ ...base, retentionMs: 7500 }), {
      deleteCount: 2,
      reason: 'retention.ms',
      rollFirst: false,
    });
    assert.equal(planRetention({ ...base, retentionMs: 9500 }).deleteCount, 0);
  });

  it('deletes the active segment too when it has expired, rolling first', () => {
    assert.deepEqual(planRetention({ ...base, retentionMs: 1000 }), {
      deleteCount: 3,
      reason: 'retention.ms',
      rollFirst: true,
    });
  });

  it('never deletes past the high watermark', () => {
    assert.equal(planRetention({ ...base, retentionMs: 1000, highWatermark: 15 }).deleteCount, 1);
    assert.equal(planRetention({ ...base, retentionMs: 1000, highWatermark: 9 }).deleteCount, 0);
  });

  it('never deletes an empty active segment', () => {
    const segments = [...base.segments, { baseOffset: 30, sizeBytes: 0, largestTimestamp: 0 }];
    assert.equal(planRetention({ ...base, segments, retentionMs: 1000 }).deleteCount, 3);
  });

  it('deletes oldest segments while the rest exceeds retention.bytes', () => {
    assert.equal(planRetention({ ...base, retentionBytes: 150 }).deleteCount, 1);
    assert.equal(planRetention({ ...base, retentionBytes: 100 }).deleteCount, 2);
    assert.equal(planRetention({ ...base, retentionBytes: 300 }).deleteCount, 0);
  });

  it('deletes segments wholly below the log start offset, even for compacted logs', () => {
    const p = planRetention({ ...base, logStartOffset: 20, deleteEnabled: false, retentionMs: 1 });
    assert.deepEqual(p, { deleteCount: 2, reason: 'log start offset', rollFirst: false });
    assert.equal(planRetention({ ...base, logStartOffset: 19 }).deleteCount, 1);
  });
});

describe('segment roll decision (pure)', () => {
  const seg = {
    baseOffset: 100,
    sizeBytes: 500,
    rollingBasedTimestamp: 1000,
    createdMs: 0,
    offsetIndexFull: false,
    timeIndexFull: false,
  };
  const config = { segmentBytes: 1000, segmentMs: 5000 };
  const incoming = { sizeBytes: 100, maxTimestamp: 2000, lastOffset: 110 };
  it('rolls when the append would not fit', () => {
    assert.equal(shouldRoll(seg, incoming, config, 0), null);
    assert.equal(shouldRoll(seg, { ...incoming, sizeBytes: 501 }, config, 0), 'segment.bytes');
    assert.equal(shouldRoll({ ...seg, sizeBytes: 0 }, { ...incoming, sizeBytes: 5000 }, config, 0), null);
  });
  it('rolls on segment.ms from the first batch timestamp, else from creation', () => {
    assert.equal(shouldRoll(seg, { ...incoming, maxTimestamp: 6001 }, config, 0), 'segment.ms');
    assert.equal(shouldRoll({ ...seg, rollingBasedTimestamp: null }, incoming, config, 5001), 'segment.ms');
    assert.equal(
      shouldRoll({ ...seg, sizeBytes: 0 }, { ...incoming, maxTimestamp: 99_999 }, config, 0),
      null,
    );
  });
  it('rolls on a full index and on relative offset overflow', () => {
    assert.equal(shouldRoll({ ...seg, timeIndexFull: true }, incoming, config, 0), 'index full');
    assert.equal(shouldRoll(seg, { ...incoming, lastOffset: 100 + 2 ** 31 }, config, 0), 'offset overflow');
  });
});

describe('retention and DeleteRecords on a log', () => {
  it('deletes old segments by retention.bytes and moves the log start offset', async () => {
    const dir = tempDir();
    const log = openLog(dir, { segmentBytes: 1000, retentionBytes: 2500, retentionMs: -1 });
    for (let i = 0; i < 30; i++) await log.append(simpleBatch(2, 50));
    log.setHighWatermark(log.logEndOffset);
    const segsBefore = log.segments.length;
    const deleted = log.deleteOldSegments();
    assert.ok(deleted > 0);
    assert.equal(log.segments.length, segsBefore - deleted);
    assert.equal(log.logStartOffset, log.segments[0]!.baseOffset);
    assert.ok(log.sizeBytes <= 2500 + 1000);
    assert.equal(fs.readdirSync(dir).filter((n) => n.endsWith('.log')).length, log.segments.length);
    // The old segments' files, renamed `.deleted`, are unlinked off the event loop soon after.
    const leftovers = () => fs.readdirSync(dir).filter((n) => n.endsWith(DELETED_SUFFIX));
    for (let i = 0; i < 200 && leftovers().length > 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(leftovers(), []);
    assert.throws(() => log.read({ fetchOffset: 0, maxBytes: 10 }), { code: 'OFFSET_OUT_OF_RANGE' });
    assert.equal(Number(readAll(log)[0]!.readBigInt64BE(0)), log.logStartOffset);
    await log.close();
  });

  it('deletes by retention.ms with injected time, keeping what is not below the high watermark', async () => {
    const clock = new TestClock();
    const log = openLog(tempDir(), { segmentBytes: 600, retentionMs: 10_000 }, { now: clock.now });
    for (let i = 0; i < 10; i++) {
      await log.append(simpleBatch(2, 50, clock.ms));
      clock.ms += 1000;
    }
    clock.ms += 5_500;
    assert.equal(log.deleteOldSegments(), 0, 'nothing is below the high watermark yet');
    log.setHighWatermark(log.logEndOffset);
    const n = log.deleteOldSegments();
    assert.ok(n > 0 && n < 10);
    for (const s of log.segments.slice(0, -1)) assert.ok(clock.ms - s.largestTimestamp() <= 10_000);
    clock.ms += 100_000;
    log.deleteOldSegments();
    assert.equal(log.segments.length, 1, 'everything expired: an empty active segment remains');
    assert.equal(log.activeSegment.size, 0);
    assert.equal(log.logStartOffset, 20);
    assert.equal(log.logEndOffset, 20);
    assert.equal((await log.append(simpleBatch(1, 10, clock.ms))).baseOffset, 20);
    await log.close();
  });

  it('DeleteRecords moves the log start offset up to the high watermark only', async () => {
    const clock = new TestClock();
    const log = openLog(tempDir(), { segmentBytes: 1000 }, { now: clock.now });
    for (let i = 0; i < 20; i++) await log.append(simpleBatch(2, 50));
    log.setHighWatermark(30);
    assert.throws(() => log.deleteRecordsBefore(31), { code: 'OFFSET_OUT_OF_RANGE' });
    assert.equal(log.deleteRecordsBefore(13), 13);
    assert.equal(log.logStartOffset, 13);
    assert.throws(() => log.read({ fetchOffset: 12, maxBytes: 10 }), { code: 'OFFSET_OUT_OF_RANGE' });
    const [first] = readAll(log, 13);
    assert.equal(Number(first!.readBigInt64BE(0)), 12, 'the batch holding the new start is returned whole');
    assert.ok(log.segments[0]!.baseOffset <= 13);
    assert.ok(log.segments.length === 1 || log.segments[1]!.baseOffset > 13);
    assert.equal(log.deleteRecordsBefore(5), 13, 'the log start offset never moves back');
    await log.close();
  });
});

describe('truncation and leader epochs', () => {
  it('truncateTo removes whole batches from the end, across segments', async () => {
    const log = openLog(tempDir(), { segmentBytes: 700 });
    for (let i = 0; i < 20; i++) await log.append(simpleBatch(2, 50), { leaderEpoch: i < 10 ? 1 : 2 });
    log.setHighWatermark(40);
    const before = readAll(log);
    log.truncateTo(15);
    assert.equal(log.logEndOffset, 14);
    assert.equal(log.highWatermark, 14);
    assert.deepEqual(readAll(log), before.slice(0, 7));
    assert.deepEqual(log.epochs.all(), [{ epoch: 1, startOffset: 0 }]);
    assert.equal((await log.append(simpleBatch(1), { leaderEpoch: 3 })).baseOffset, 14);
    log.truncateFullyAndStartAt(100);
    assert.equal(log.logEndOffset, 100);
    assert.equal(log.logStartOffset, 100);
    assert.equal((await log.append(simpleBatch(1))).baseOffset, 100);
    await log.close();
  });

  it('answers OffsetForLeaderEpoch from leader-epoch-checkpoint, which survives a reopen', async () => {
    const dir = tempDir();
    const log = openLog(dir);
    await log.append(simpleBatch(5), { leaderEpoch: 0 });
    await log.append(simpleBatch(5), { leaderEpoch: 2 });
    await log.append(simpleBatch(5), { leaderEpoch: 5 });
    assert.deepEqual(log.endOffsetForEpoch(0), { epoch: 0, endOffset: 5 });
    assert.deepEqual(log.endOffsetForEpoch(1), { epoch: 0, endOffset: 5 });
    assert.deepEqual(log.endOffsetForEpoch(4), { epoch: 2, endOffset: 10 });
    assert.deepEqual(log.endOffsetForEpoch(5), { epoch: 5, endOffset: 15 });
    assert.deepEqual(log.endOffsetForEpoch(6), { epoch: -1, endOffset: -1 });
    assert.equal(log.offsetForTimestamp(-1)?.leaderEpoch, 5);
    await log.close();
    assert.equal(fs.readFileSync(`${dir}/leader-epoch-checkpoint`, 'utf8'), '0\n3\n0 0\n2 5\n5 10\n');
    const again = openLog(dir, {}, { hadCleanShutdown: true, recoveryPoint: 15 });
    assert.deepEqual(again.endOffsetForEpoch(3), { epoch: 2, endOffset: 10 });
    await again.close();
  });

  it('stamps the leader epoch into appended batches', async () => {
    const log = openLog(tempDir());
    await log.append(simpleBatch(1), { leaderEpoch: 7 });
    assert.equal(readAll(log)[0]!.readInt32BE(12), 7);
    await log.close();
  });

  it('appends replicated batches at their own offsets and rejects going backwards', async () => {
    const log = openLog(tempDir());
    const b = simpleBatch(3);
    b.writeBigInt64BE(10n, 0);
    const r = await log.append(b, { origin: 'replication' });
    assert.deepEqual([r.baseOffset, r.lastOffset, log.logEndOffset], [10, 12, 13]);
    const back = simpleBatch(1);
    back.writeBigInt64BE(11n, 0);
    await assert.rejects(log.append(back, { origin: 'replication' }), { code: 'OFFSETS_OUT_OF_ORDER' });
    await log.close();
  });
});
