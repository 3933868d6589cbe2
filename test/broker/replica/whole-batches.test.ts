import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { wholeBatches } from '../../../src/broker/replica/whole-batches.js';

/** A fake batch: baseOffset, batchLength, then `length` bytes. */
function batch(length: number, fill: number): Buffer {
  const b = Buffer.alloc(12 + length, fill);
  b.writeBigInt64BE(0n, 0);
  b.writeInt32BE(length, 8);
  return b;
}

describe('wholeBatches (what a follower appends of a fetched response)', () => {
  it('keeps whole batches and drops a partial trailing one', () => {
    const a = batch(61, 1);
    const b = batch(70, 2);
    assert.equal(wholeBatches(Buffer.concat([a, b])).length, a.length + b.length);
    assert.equal(wholeBatches(Buffer.concat([a, b.subarray(0, 40)])).length, a.length);
    assert.equal(wholeBatches(Buffer.concat([a, b.subarray(0, 5)])).length, a.length);
    assert.equal(wholeBatches(b.subarray(0, 40)).length, 0);
    assert.equal(wholeBatches(Buffer.alloc(0)).length, 0);
  });
});
