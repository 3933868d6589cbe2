import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validateBatch } from '../../src/protocol/records/record-batch-header.js';
import type { PartitionLog } from '../../src/storage/partition-log.js';
import { classifySegmentFiles, segmentsToRecover } from '../../src/storage/recovery-plan.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { simpleBatch } from './batch-builder.js';
import { openLog, readAll, tempDir } from './helpers.js';

const CONFIG = { segmentBytes: 4000, indexIntervalBytes: 200 };

async function filledLog(dir: string, batches = 60): Promise<{ log: PartitionLog; sizes: number[] }> {
  const log = openLog(dir, CONFIG);
  const sizes: number[] = [];
  for (let i = 0; i < batches; i++) {
    const b = simpleBatch(2, 60 + i);
    sizes.push(b.length);
    await log.append(b);
  }
  return { log, sizes };
}

function lastSegmentPath(log: PartitionLog): string {
  return log.activeSegment.log.path;
}

describe('recovery after an unclean stop', () => {
  it('truncates a batch cut mid-way to the last whole batch', async () => {
    const dir = tempDir();
    const { log } = await filledLog(dir);
    const path = lastSegmentPath(log);
    const before = readAll(log);
    await log.close();
    const size = fs.statSync(path).size;
    fs.truncateSync(path, size - 17);
    const again = openLog(dir, CONFIG, { recoveryPoint: 0 });
    assert.equal(again.logEndOffset, 118);
    assert.deepEqual(readAll(again), before.slice(0, -1));
    assert.ok(again.truncatedOnLoadBytes > 0);
    const r = await again.append(simpleBatch(1));
    assert.equal(r.baseOffset, 118);
    await again.close();
  });

  it('truncates at a batch whose bytes were flipped, dropping everything after it', async () => {
    const dir = tempDir();
    const { log } = await filledLog(dir);
    const all = readAll(log);
    const seg = log.segments[1]!;
    const path = seg.log.path;
    const segBatches = all.filter((b) => {
      const o = Number(b.readBigInt64BE(0));
      return o >= seg.baseOffset && o < log.segments[2]!.baseOffset;
    });
    await log.close();
    // Corrupt a value byte of the second batch of segment 1.
    const fd = fs.openSync(path, 'r+');
    const at = segBatches[0]!.length + 70;
    fs.writeSync(fd, Buffer.from([0xee]), 0, 1, at);
    fs.closeSync(fd);
    const again = openLog(dir, CONFIG, { recoveryPoint: 0 });
    const firstBad = Number(segBatches[1]!.readBigInt64BE(0));
    assert.equal(again.logEndOffset, firstBad);
    assert.equal(again.segments.length, 2);
    const got = readAll(again);
    assert.deepEqual(
      got,
      all.filter((b) => Number(b.readBigInt64BE(0)) < firstBad),
    );
    for (const b of got) validateBatch(b);
    await again.close();
  });

  it('does not scan segments below the recovery point', async () => {
    const dir = tempDir();
    const { log } = await filledLog(dir);
    const firstPath = log.segments[0]!.log.path;
    const rp = log.segments[2]!.baseOffset;
    await log.close();
    // A corrupt byte below the recovery point is not looked at (it was fsynced before).
    const fd = fs.openSync(firstPath, 'r+');
    fs.writeSync(fd, Buffer.from([0xee]), 0, 1, 100);
    fs.closeSync(fd);
    const again = openLog(dir, CONFIG, { recoveryPoint: rp });
    assert.equal(again.logEndOffset, 120);
    assert.equal(again.truncatedOnLoadBytes, 0);
    await again.close();
  });

  it('rebuilds a missing or corrupt index on first use, even after a clean stop', async () => {
    const dir = tempDir();
    const { log } = await filledLog(dir);
    const before = readAll(log);
    const seg = log.segments[1]!;
    const indexPath = seg.offsetIndex.file.path;
    const timeIndexPath = seg.timeIndex.file.path;
    await log.close();
    const goodIndex = fs.readFileSync(indexPath);
    assert.ok(goodIndex.length >= 16);
    fs.rmSync(indexPath);
    fs.writeFileSync(timeIndexPath, Buffer.from([1, 2, 3]));
    const again = openLog(dir, CONFIG, { hadCleanShutdown: true, recoveryPoint: 120 });
    assert.deepEqual(readAll(again), before);
    assert.deepEqual(fs.readFileSync(indexPath), goodIndex);
    assert.equal(fs.statSync(timeIndexPath).size % 12, 0);
    await again.close();
    // Garbage entries (positions past the log) are caught by the sanity check too.
    const garbage = Buffer.alloc(16);
    garbage.writeInt32BE(1, 0);
    garbage.writeInt32BE(999_999, 4);
    garbage.writeInt32BE(2, 8);
    garbage.writeInt32BE(5, 12);
    fs.writeFileSync(indexPath, garbage);
    const third = openLog(dir, CONFIG, { hadCleanShutdown: true, recoveryPoint: 120 });
    assert.deepEqual(readAll(third), before);
    assert.deepEqual(fs.readFileSync(indexPath), goodIndex);
    await third.close();
  });

  it('rebuilds a missing offset index alone (not just an empty one)', async () => {
    const dir = tempDir();
    const { log } = await filledLog(dir);
    const before = readAll(log);
    const indexPath = log.segments[0]!.offsetIndex.file.path;
    await log.close();
    const goodIndex = fs.readFileSync(indexPath);
    assert.ok(goodIndex.length > 0);
    fs.rmSync(indexPath);
    const again = openLog(dir, CONFIG, { hadCleanShutdown: true, recoveryPoint: 120 });
    assert.deepEqual(readAll(again), before);
    assert.deepEqual(fs.readFileSync(indexPath), goodIndex);
    await again.close();
  });

  it('removes .cleaned and .deleted leftovers and completes an interrupted .swap', async () => {
    const dir = tempDir();
    const { log } = await filledLog(dir, 5);
    const before = readAll(log);
    await log.close();
    const logName = fs.readdirSync(dir).find((n) => n.endsWith('.log'))!;
    fs.writeFileSync(join(dir, `${logName}.cleaned`), 'x');
    fs.writeFileSync(join(dir, '00000000000000000099.log.deleted'), 'x');
    fs.renameSync(join(dir, logName), join(dir, `${logName}.swap`));
    const again = openLog(dir, CONFIG, { hadCleanShutdown: true, recoveryPoint: 10 });
    assert.deepEqual(readAll(again), before);
    assert.deepEqual(
      fs
        .readdirSync(dir)
        .filter((n) => n.includes('.cleaned') || n.includes('.deleted') || n.includes('.swap')),
      [],
    );
    await again.close();
  });
});

describe('the active segment after a clean shutdown', () => {
  const reopenClean = (dir: string) => {
    const logger = captureLogger();
    const log = openLog(dir, CONFIG, {
      hadCleanShutdown: true,
      recoveryPoint: 120,
      highWatermark: 120,
      logger,
    });
    const warnings = logger.lines.filter((l) => l.level === 'warn');
    return { log, warnings };
  };

  it('truncates a torn last batch with a log line, so the next append is readable at its offset', async () => {
    const dir = tempDir();
    const { log } = await filledLog(dir);
    const before = readAll(log);
    const path = lastSegmentPath(log);
    await log.close();
    fs.truncateSync(path, fs.statSync(path).size - 17);
    const { log: again, warnings } = reopenClean(dir);
    assert.equal(again.logEndOffset, 118);
    assert.equal(again.highWatermark, 118);
    assert.equal(warnings.length, 1);
    assert.ok((warnings[0]!.fields.truncatedBytes as number) > 0);
    assert.deepEqual(readAll(again), before.slice(0, -1));
    const r = await again.append(simpleBatch(2));
    assert.equal(r.baseOffset, 118);
    again.setHighWatermark(again.logEndOffset);
    const after = readAll(again);
    assert.equal(after.length, before.length);
    assert.equal(Number(after.at(-1)!.readBigInt64BE(0)), 118);
    await again.close();
    // The records appended after the repair survive the next clean restart.
    const third = reopenClean(dir);
    assert.equal(third.log.logEndOffset, 120);
    assert.equal(third.warnings.length, 0);
    await third.log.close();
  });

  it('truncates a last batch whose bytes were flipped', async () => {
    const dir = tempDir();
    const { log, sizes } = await filledLog(dir);
    const before = readAll(log);
    const path = lastSegmentPath(log);
    await log.close();
    const fd = fs.openSync(path, 'r+');
    fs.writeSync(fd, Buffer.from([0xee]), 0, 1, fs.statSync(path).size - sizes.at(-1)! + 70);
    fs.closeSync(fd);
    const { log: again, warnings } = reopenClean(dir);
    assert.equal(again.logEndOffset, 118);
    assert.equal(warnings.length, 1);
    assert.deepEqual(readAll(again), before.slice(0, -1));
    for (const b of readAll(again)) validateBatch(b);
    await again.close();
  });

  it('leaves an intact active segment alone, without a log line', async () => {
    const dir = tempDir();
    const { log } = await filledLog(dir);
    const before = readAll(log);
    await log.close();
    const { log: again, warnings } = reopenClean(dir);
    assert.equal(again.logEndOffset, 120);
    assert.equal(again.truncatedOnLoadBytes, 0);
    assert.deepEqual(warnings, []);
    assert.deepEqual(readAll(again), before);
    await again.close();
  });
});

describe('recovery plan', () => {
  it('recovers nothing after a clean shutdown, and from the recovery point otherwise', () => {
    assert.deepEqual(segmentsToRecover([0, 100, 200], 150, true), []);
    assert.deepEqual(segmentsToRecover([0, 100, 200], 150, false), [100, 200]);
    assert.deepEqual(segmentsToRecover([0, 100, 200], 100, false), [100, 200]);
    assert.deepEqual(segmentsToRecover([0, 100, 200], 0, false), [0, 100, 200]);
    assert.deepEqual(segmentsToRecover([0, 100, 200], 500, false), [200]);
  });

  it('classifies segment file names', () => {
    const c = classifySegmentFiles([
      '00000000000000000100.log',
      '00000000000000000000.log',
      '00000000000000000000.index',
      '00000000000000000000.log.deleted',
      '00000000000000000200.log.cleaned',
      '00000000000000000300.log.swap',
      'leader-epoch-checkpoint',
      'leader-epoch-checkpoint.tmp',
    ]);
    assert.deepEqual(c.logs, [0, 100]);
    assert.deepEqual(c.swaps, ['00000000000000000300.log.swap']);
    assert.equal(c.remove.length, 3);
  });
});
