import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pace } from '../../bench/suite/pacer.js';

describe('pace', () => {
  it('at max rate keeps at most `window` sends outstanding and stops at maxSends', async () => {
    let outstanding = 0;
    let peak = 0;
    const r = await pace(
      { durationMs: 60_000, rateBytesPerSec: 0, unitBytes: 1, window: 4, maxSends: 50 },
      async () => {
        outstanding++;
        peak = Math.max(peak, outstanding);
        await new Promise((res) => setImmediate(res));
        outstanding--;
      },
    );
    assert.equal(r.sends, 50);
    assert.equal(peak, 4);
  });

  it('reports a failed send at a fixed rate after the others finished', async () => {
    let calls = 0;
    await assert.rejects(
      pace({ durationMs: 500, rateBytesPerSec: 100_000, unitBytes: 1, window: 1000 }, async () => {
        calls++;
        if (calls === 1) throw new Error('refused');
      }),
      /refused/,
    );
  });
});
