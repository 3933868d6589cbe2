import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileHandleCache, LogFile } from '../../src/storage/file-handle-cache.js';
import { WriteScheduler } from '../../src/storage/write-scheduler.js';
import { simpleBatch } from './batch-builder.js';
import { openLog, readAll, tempDir } from './helpers.js';

describe('LogFile queued writes', () => {
  it('writes queued bytes in one go, and before any other operation on the file', () => {
    const dir = tempDir();
    const file = LogFile.create(new FileHandleCache(8), join(dir, 'f'));
    file.queueWrite(Buffer.from('abc'), 0);
    file.queueWrite(Buffer.from('def'), 3);
    assert.ok(file.hasQueuedWrites);
    assert.equal(fs.readFileSync(join(dir, 'f')).length, 0, 'nothing written yet');
    // A read sees every queued byte: it writes them first.
    assert.equal(file.readAt(0, 6).toString(), 'abcdef');
    assert.ok(!file.hasQueuedWrites);
    file.queueWrite(Buffer.from('ghi'), 6);
    assert.equal(file.size(), 9);
    file.close();
    assert.equal(fs.readFileSync(join(dir, 'f')).toString(), 'abcdefghi');
  });

  it('keeps a file with queued bytes open when the handle cache evicts', () => {
    const dir = tempDir();
    const cache = new FileHandleCache(4);
    const files = Array.from({ length: 8 }, (_, i) => LogFile.create(cache, join(dir, `f${i}`)));
    files[0]!.queueWrite(Buffer.from('queued'), 0);
    for (const f of files.slice(1)) f.writeAt(Buffer.from('x'), 0);
    files[0]!.writeQueued();
    assert.equal(fs.readFileSync(join(dir, 'f0')).toString(), 'queued');
    for (const f of files) f.close();
  });

  it('cuts the file back and throws when the write fails', () => {
    const dir = tempDir();
    const file = LogFile.create(new FileHandleCache(8), join(dir, 'f'));
    file.writeAt(Buffer.from('kept'), 0);
    // A write to /dev/full fails as on a full disk.
    const full = new LogFile(new FileHandleCache(8), '/dev/full');
    full.queueWrite(Buffer.alloc(16), 0);
    assert.throws(() => full.writeQueued(), { code: 'ENOSPC' });
    assert.ok(!full.hasQueuedWrites);
    full.close();
    assert.equal(file.readAt(0, 10).toString(), 'kept');
    file.close();
  });
});

/** A partition dir whose active segment file is /dev/full: every write to it fails as on a full disk. */
async function dirWithFullActiveSegment(): Promise<string> {
  const dir = tempDir();
  const log = openLog(dir);
  const path = log.activeSegment.log.path;
  await log.close();
  fs.rmSync(path);
  fs.symlinkSync('/dev/full', path);
  return dir;
}

describe('PartitionLog.append write rounds', () => {
  it('writes the appends of one turn together and acknowledges them after the write', async () => {
    const dir = tempDir();
    const scheduler = new WriteScheduler();
    const log = openLog(dir, {}, { writeScheduler: scheduler });
    const segmentPath = log.activeSegment.log.path;
    const acks = [1, 2, 3, 4].map((n) => log.append(simpleBatch(n)));
    // Offsets are assigned at once, in call order.
    assert.equal(log.logEndOffset, 10);
    assert.equal(fs.statSync(segmentPath).size, 0, 'the bytes wait for the end of the turn');
    const results = await Promise.all(acks);
    assert.deepEqual(
      results.map((r) => r.baseOffset),
      [0, 1, 3, 6],
    );
    assert.equal(scheduler.rounds, 1);
    assert.ok(fs.statSync(segmentPath).size > 0);
    assert.equal(readAll(log).length, 4);
    await log.close();
  });

  it('writes a queue that reaches the early-write size at once, without waiting for the turn to end', async () => {
    const dir = tempDir();
    const batch = simpleBatch(4, 256);
    const scheduler = new WriteScheduler(batch.length * 3);
    const log = openLog(dir, {}, { writeScheduler: scheduler });
    const segmentPath = log.activeSegment.log.path;
    let acked = 0;
    const acks = Array.from({ length: 7 }, () => log.append(Buffer.from(batch)).then(() => acked++));
    // Two early writes (after the third and sixth append); the seventh waits for the turn's end.
    assert.equal(scheduler.earlyWrites, 2);
    assert.equal(fs.statSync(segmentPath).size, batch.length * 6);
    // Ticks and microtasks run before the turn's end (setImmediate).
    await new Promise((r) => process.nextTick(r));
    assert.equal(acked, 6, 'the early-written appends are acknowledged before the turn ends');
    await Promise.all(acks);
    assert.equal(scheduler.rounds, 1);
    assert.equal(fs.statSync(segmentPath).size, batch.length * 7);
    assert.equal(readAll(log).length, 7);
    await log.close();
  });

  it('rejects the appends of an early write that fails, with KAFKA_STORAGE_ERROR', async () => {
    const dir = await dirWithFullActiveSegment();
    const batch = simpleBatch(4, 256);
    const scheduler = new WriteScheduler(batch.length * 2);
    const again = openLog(dir, {}, { writeScheduler: scheduler });
    const acks = [again.append(Buffer.from(batch)), again.append(Buffer.from(batch))];
    assert.equal(scheduler.earlyWrites, 1);
    for (const a of acks) await assert.rejects(a, { code: 'KAFKA_STORAGE_ERROR' });
  });

  it('lets a read in the same turn see the queued batches', async () => {
    const log = openLog(tempDir());
    const ack = log.append(simpleBatch(2));
    assert.equal(readAll(log).length, 1);
    await ack;
    await log.close();
  });

  it('writes queued bytes before a roll creates the next segment', async () => {
    const dir = tempDir();
    const log = openLog(dir, { segmentBytes: 1024 });
    const acks = Array.from({ length: 20 }, () => log.append(simpleBatch(4, 64)));
    assert.ok(log.segments.length > 1);
    // Every segment but the active one is complete on disk before its successor exists.
    for (const seg of log.segments.slice(0, -1)) assert.equal(fs.statSync(seg.log.path).size, seg.size);
    await Promise.all(acks);
    assert.equal(readAll(log).length, 20);
    await log.close();
  });

  it('rejects the appends of a round whose write fails, with KAFKA_STORAGE_ERROR', async () => {
    const dir = await dirWithFullActiveSegment();
    let ioErrors = 0;
    const again = openLog(dir, {}, { onIoError: () => ioErrors++ });
    const acks = [again.append(simpleBatch(1)), again.append(simpleBatch(1))];
    for (const a of acks) await assert.rejects(a, { code: 'KAFKA_STORAGE_ERROR' });
    assert.equal(ioErrors, 1);
  });

  it('takes back the offsets of a failed write, and appends at them once writes succeed again', async () => {
    const dir = await dirWithFullActiveSegment();
    const log = openLog(dir);
    const path = log.activeSegment.log.path;
    const acks = [log.append(simpleBatch(2)), log.append(simpleBatch(3))];
    assert.equal(log.logEndOffset, 5);
    for (const a of acks) await assert.rejects(a, { code: 'KAFKA_STORAGE_ERROR' });
    assert.equal(log.logEndOffset, 0);
    assert.equal(log.activeSegment.size, 0);
    // Space is back: the segment file is a regular file again.
    fs.rmSync(path);
    fs.writeFileSync(path, '');
    const r = await log.append(simpleBatch(4));
    assert.equal(r.baseOffset, 0);
    assert.equal(log.logEndOffset, 4);
    assert.equal(readAll(log).length, 1);
    await log.close();
    const again = openLog(dir);
    assert.equal(again.logEndOffset, 4);
    assert.equal(again.truncatedOnLoadBytes, 0);
    await again.close();
  });
});
