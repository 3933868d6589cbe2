import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readOffsetCheckpoint, tpKey } from '../../src/storage/checkpoint-file.js';
import { LeaderEpochCache } from '../../src/storage/leader-epoch-cache.js';
import { LogManager, REPLICATION_OFFSET_CHECKPOINT } from '../../src/storage/log-manager.js';
import { DELETED_SUFFIX, segmentFileName } from '../../src/storage/log-segment.js';
import { StorageError } from '../../src/storage/storage-error.js';
import { simpleBatch } from './batch-builder.js';
import { openLog, readAll, tempDir } from './helpers.js';

/** A batch as a leader wrote it: its own base offset and leader epoch, ready for a follower's append. */
function leaderBatch(baseOffset: number, records: number, epoch: number, tag = 0): Buffer {
  const b = simpleBatch(records, 40, 1_700_000_000_000, tag);
  b.writeBigInt64BE(BigInt(baseOffset), 0);
  b.writeInt32BE(epoch, 12);
  return b;
}

describe('LeaderEpochCache as Kafka LeaderEpochFileCache', () => {
  it('assign ignores the latest epoch at a later offset and takes it at an earlier one', () => {
    const c = new LeaderEpochCache(null, [{ epoch: 2, startOffset: 10 }]);
    assert.equal(c.assign(2, 15), false);
    assert.equal(c.assign(2, 5), true);
    assert.deepEqual(c.all(), [{ epoch: 2, startOffset: 5 }]);
  });

  it('assign of an older epoch or an earlier offset removes the entries it contradicts', () => {
    const c = new LeaderEpochCache(null, [
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 10 },
      { epoch: 5, startOffset: 20 },
    ]);
    assert.equal(c.assign(4, 15), true);
    assert.deepEqual(c.all(), [
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 10 },
      { epoch: 4, startOffset: 15 },
    ]);
    // A newer epoch starting before an older one's start offset replaces it too.
    assert.equal(c.assign(6, 12), true);
    assert.deepEqual(c.all(), [
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 10 },
      { epoch: 6, startOffset: 12 },
    ]);
    assert.equal(c.assign(-1, 30), false);
  });

  it('endOffsetFor answers as Kafka: undefined, latest, floor and higher, before the first', () => {
    const c = new LeaderEpochCache(null, [
      { epoch: 2, startOffset: 5 },
      { epoch: 4, startOffset: 9 },
      { epoch: 7, startOffset: 14 },
    ]);
    assert.deepEqual(c.endOffsetFor(-1, 20), { epoch: -1, endOffset: -1 });
    assert.deepEqual(c.endOffsetFor(7, 20), { epoch: 7, endOffset: 20 });
    assert.deepEqual(c.endOffsetFor(8, 20), { epoch: -1, endOffset: -1 });
    assert.deepEqual(c.endOffsetFor(5, 20), { epoch: 4, endOffset: 14 });
    assert.deepEqual(c.endOffsetFor(4, 20), { epoch: 4, endOffset: 14 });
    // Truncated from the start: the requested epoch, ending where the first known one starts.
    assert.deepEqual(c.endOffsetFor(1, 20), { epoch: 1, endOffset: 5 });
    assert.deepEqual(new LeaderEpochCache(null).endOffsetFor(3, 20), { epoch: -1, endOffset: -1 });
  });
});

describe('a follower log', () => {
  it('keeps the leader offsets and epochs of replicated batches, and records each epoch start', async () => {
    const log = openLog(tempDir());
    await log.append(Buffer.concat([leaderBatch(0, 3, 1), leaderBatch(3, 2, 1)]), { origin: 'replication' });
    await log.append(leaderBatch(5, 4, 3), { origin: 'replication' });
    assert.equal(log.logEndOffset, 9);
    assert.deepEqual(
      readAll(log).map((b) => [Number(b.readBigInt64BE(0)), b.readInt32BE(12)]),
      [
        [0, 1],
        [3, 1],
        [5, 3],
      ],
    );
    assert.deepEqual(log.epochs.all(), [
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 5 },
    ]);
    assert.deepEqual(log.endOffsetForEpoch(2), { epoch: 1, endOffset: 5 });
    // Validation still applies to replicated bytes: a flipped byte fails the CRC.
    const bad = leaderBatch(9, 1, 3);
    bad[bad.length - 1]! ^= 0xff;
    await assert.rejects(log.append(bad, { origin: 'replication' }), { code: 'CORRUPT_MESSAGE' });
    assert.equal(log.logEndOffset, 9);
    await log.close();
  });

  it('truncation removes later segments before it cuts the active one, so a failure leaves a prefix', async () => {
    const dir = tempDir();
    const log = openLog(dir, { segmentBytes: 400 });
    for (let i = 0; i < 12; i++) await log.append(leaderBatch(i * 2, 2, 1, i), { origin: 'replication' });
    const before = readAll(log);
    const bases = log.segments.map((s) => s.baseOffset);
    assert.ok(bases.length >= 4, `several segments (${bases})`);
    // Make removing the last segment fail: its `.deleted` name is taken by a non-empty directory.
    const last = bases[bases.length - 1]!;
    const blocker = join(dir, segmentFileName(last, `.log${DELETED_SUFFIX}`));
    fs.mkdirSync(join(blocker, 'x'), { recursive: true });
    assert.throws(
      () => log.truncateTo(bases[1]! + 1),
      (e: unknown) => e instanceof StorageError && e.code === 'KAFKA_STORAGE_ERROR',
    );
    fs.rmSync(blocker, { recursive: true });
    // What is on disk is read as after a crash at that point: the whole old log, nothing cut.
    const again = openLog(dir, { segmentBytes: 400 }, { recoveryPoint: 0 });
    assert.equal(again.logEndOffset, 24);
    assert.deepEqual(readAll(again), before);
    await again.close();
  });

  it('LogManager.truncateTo writes the recovery point checkpoint at once and pulls back the cleaner offset', async () => {
    const dir = tempDir();
    const tp = { topic: 'f', partition: 0 };
    const m = LogManager.open({ logDirs: [dir], clusterId: 'c', nodeId: 2 });
    const log = m.getOrCreateLog(tp);
    for (let i = 0; i < 5; i++) await log.append(leaderBatch(i * 2, 2, 1), { origin: 'replication' });
    await log.flush();
    m.setCleanerOffset(tp, 8);
    m.checkpoint();
    const recovery = () =>
      readOffsetCheckpoint(join(dir, 'recovery-point-offset-checkpoint')).get(tpKey(tp))?.offset;
    assert.equal(recovery(), 10);
    assert.equal(await m.truncateTo(tp, 4), true);
    assert.equal(recovery(), 4, 'written by the truncation, not the next periodic checkpoint');
    assert.equal(m.cleanerOffset(tp), 4);
    assert.equal(await m.truncateTo(tp, 7), false, 'nothing past the log end to remove');
    // An epoch this broker led without writing starts at the log end; truncating there drops it.
    log.assignEpochStartOffset(4);
    assert.equal(log.epochs.latestEpoch(), 4);
    assert.equal(await m.truncateTo(tp, log.logEndOffset), false);
    assert.equal(log.epochs.latestEpoch(), 1);
    await m.truncateFullyAndStartAt(tp, 100);
    assert.equal(log.logStartOffset, 100);
    assert.equal(recovery(), 100);
    assert.equal(readOffsetCheckpoint(join(dir, 'log-start-offset-checkpoint')).get(tpKey(tp))?.offset, 100);
    await m.shutdown();
  });

  it('keeps the high watermark in replication-offset-checkpoint and starts from it', async () => {
    const dir = tempDir();
    const tp = { topic: 'f', partition: 1 };
    const m = LogManager.open({ logDirs: [dir], clusterId: 'c', nodeId: 2 });
    const log = m.getOrCreateLog(tp);
    await log.append(leaderBatch(0, 6, 1), { origin: 'replication' });
    log.setHighWatermark(4);
    await m.checkpointInBackground('highWatermarks');
    const path = join(dir, REPLICATION_OFFSET_CHECKPOINT);
    assert.equal(readOffsetCheckpoint(path).get(tpKey(tp))?.offset, 4);
    assert.equal(fs.existsSync(join(dir, 'recovery-point-offset-checkpoint')), false, 'only that file');
    // A crash: the next start takes the high watermark from the checkpoint.
    const lock = join(dir, '.lock');
    await m.shutdown();
    fs.writeFileSync(path, `0\n1\n${tp.topic} ${tp.partition} 4\n`);
    assert.equal(fs.existsSync(lock), false);
    const m2 = LogManager.open({ logDirs: [dir], clusterId: 'c', nodeId: 2 });
    assert.equal(m2.getLog(tp)?.highWatermark, 4);
    await m2.shutdown();
  });
});
