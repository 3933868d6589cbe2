import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LatencyHistogram } from '../../src/common/latency-histogram.js';

describe('LatencyHistogram', () => {
  it('reports quantiles within one bucket (9%) above the true value, and counts and sums every value', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i / 10); // 0.1 … 100 ms
    assert.equal(h.count, 1000);
    assert.ok(Math.abs(h.sumMs - 50_050) < 1e-6);
    for (const [q, exact] of [
      [0.5, 50],
      [0.99, 99],
      [0.999, 99.9],
    ] as const) {
      const v = h.quantile(q);
      assert.ok(v >= exact && v <= exact * 2 ** (1 / 8) * 1.0001, `q${q}: ${v} for ${exact}`);
    }
  });

  it('is 0 when empty, and keeps tiny and huge values in its end buckets', () => {
    const h = new LatencyHistogram();
    assert.equal(h.quantile(0.99), 0);
    h.record(0);
    h.record(1e12);
    assert.ok(h.quantile(0.5) <= 0.0011);
    assert.ok(h.quantile(1) > 1e6);
  });

  it('forgets values two windows old', () => {
    const h = new LatencyHistogram();
    h.rotate(0, 30_000);
    h.record(1000);
    h.rotate(10_000, 30_000); // same window: nothing moves
    assert.ok(h.quantile(0.5) >= 1000);
    h.rotate(30_000, 30_000); // the value is in the previous window: still counted
    h.record(1);
    assert.ok(h.quantile(0.99) >= 1000);
    h.rotate(60_000, 30_000); // two windows on: only the 1 ms value is left
    assert.ok(h.quantile(0.99) < 1.1);
    assert.equal(h.count, 2, 'the count is since creation');
  });
});
