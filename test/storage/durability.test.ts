import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simpleBatch } from './batch-builder.js';
import { openLog, readAll, TestClock, tempDir } from './helpers.js';

describe('durability modes', () => {
  it('fsync mode: concurrent appends share fsyncs and resolve once durable', async () => {
    const log = openLog(tempDir(), { durability: 'fsync', segmentBytes: 5000 });
    const results = await Promise.all(Array.from({ length: 40 }, () => log.append(simpleBatch(1, 200))));
    assert.deepEqual(
      results.map((r) => r.baseOffset),
      Array.from({ length: 40 }, (_, i) => i),
    );
    assert.ok(log.groupCommitSyncs >= 1 && log.groupCommitSyncs < 40, `${log.groupCommitSyncs} fsyncs`);
    assert.equal(log.recoveryPoint, 40, 'acknowledged appends are below the recovery point');
    assert.equal(readAll(log).length, 40);
    await log.close();
  });

  it('default mode: flush.messages moves the recovery point', async () => {
    const log = openLog(tempDir(), { flushMessages: 5 });
    await log.append(simpleBatch(3));
    assert.equal(log.recoveryPoint, 0);
    await log.append(simpleBatch(3));
    assert.equal(log.recoveryPoint, 6);
    await log.close();
  });

  it('default mode: flush.ms is checked by maybeFlush with injected time', async () => {
    const clock = new TestClock();
    const log = openLog(tempDir(), { flushMs: 1000 }, { now: clock.now });
    await log.append(simpleBatch(2));
    log.maybeFlush();
    assert.equal(log.recoveryPoint, 0);
    clock.ms += 1000;
    log.maybeFlush();
    assert.equal(log.recoveryPoint, 2);
    await log.close();
  });

  it('configs change at runtime', async () => {
    const log = openLog(tempDir(), { maxMessageBytes: 100_000 });
    await log.append(simpleBatch(10, 200));
    log.updateConfig({ maxMessageBytes: 1000 });
    await assert.rejects(log.append(simpleBatch(10, 200)), { code: 'MESSAGE_TOO_LARGE' });
    log.updateConfig({ durability: 'fsync' });
    await log.append(simpleBatch(1));
    assert.equal(log.recoveryPoint, log.logEndOffset);
    await log.close();
  });
});
