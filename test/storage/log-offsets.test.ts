import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogOffsets } from '../../src/storage/log-offsets.js';

const offsets = (o: Partial<ConstructorParameters<typeof LogOffsets>[0]> = {}) =>
  new LogOffsets({
    logEndOffset: 100,
    firstSegmentBaseOffset: 0,
    logStartOffset: 0,
    highWatermark: 0,
    recoveryPoint: 0,
    ...o,
  });

describe('LogOffsets', () => {
  it('clamps checkpointed offsets to what the segments hold', () => {
    const o = offsets({
      firstSegmentBaseOffset: 10,
      logStartOffset: 5,
      highWatermark: 500,
      recoveryPoint: 500,
    });
    assert.equal(o.logStartOffset, 10);
    assert.equal(o.highWatermark, 100);
    assert.equal(o.recoveryPoint, 100);
    assert.equal(offsets({ logStartOffset: 200 }).logStartOffset, 100);
    assert.equal(offsets({ logStartOffset: 20, highWatermark: 3 }).highWatermark, 20);
  });

  it('keeps the high watermark within [logStartOffset, logEndOffset]', () => {
    const o = offsets({ logStartOffset: 10 });
    o.setHighWatermark(1000);
    assert.equal(o.highWatermark, 100);
    o.setHighWatermark(0);
    assert.equal(o.highWatermark, 10);
    o.advanceLogStartOffset(50);
    assert.equal(o.highWatermark, 50);
    o.appendedUpTo(120);
    assert.equal(o.logEndOffset, 120);
    assert.equal(o.highWatermark, 50);
  });

  it('pulls every offset back to a truncated end, and resets all four on a full truncation', () => {
    const o = offsets({ logStartOffset: 40, highWatermark: 90, recoveryPoint: 80 });
    o.truncateEndTo(60);
    assert.deepEqual([o.logStartOffset, o.highWatermark, o.recoveryPoint, o.logEndOffset], [40, 60, 60, 60]);
    o.truncateEndTo(30);
    assert.deepEqual([o.logStartOffset, o.highWatermark, o.recoveryPoint, o.logEndOffset], [30, 30, 30, 30]);
    o.resetTo(500);
    assert.deepEqual(
      [o.logStartOffset, o.highWatermark, o.recoveryPoint, o.logEndOffset],
      [500, 500, 500, 500],
    );
  });

  it('never moves the recovery point back', () => {
    const o = offsets({ recoveryPoint: 70 });
    o.markFlushedUpTo(50);
    assert.equal(o.recoveryPoint, 70);
    o.markFlushedUpTo(100);
    assert.equal(o.recoveryPoint, 100);
  });
});
