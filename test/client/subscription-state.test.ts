import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ConsumerRecord, SubscriptionState } from '../../src/client/consumer/subscription-state.js';

function records(topic: string, from: number, count: number): ConsumerRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    topic,
    partition: 0,
    offset: BigInt(from + i),
    timestamp: 0n,
    key: null,
    value: Buffer.from(`v${from + i}`),
    headers: [],
    leaderEpoch: 0,
  }));
}

describe('subscription state', () => {
  it('decodes a buffered chunk only when take reaches it, and once', () => {
    const state = new SubscriptionState();
    const s = state.add('t', 0);
    const decoded: number[] = [];
    const decoder = (n: number, from: number) => () => {
      decoded.push(n);
      return { records: records('t', from, 3), error: null };
    };
    state.buffer(s, decoder(1, 0), 100);
    state.buffer(s, decoder(2, 3), 100);
    assert.deepEqual(decoded, []);
    assert.equal(state.bufferedBytes, 200);
    assert.deepEqual(
      state.take(2).map((r) => r.offset),
      [0n, 1n],
    );
    assert.deepEqual(decoded, [1]);
    assert.deepEqual(
      state.take(10).map((r) => r.offset),
      [2n, 3n, 4n, 5n],
    );
    assert.deepEqual(decoded, [1, 2]);
    assert.equal(state.bufferedBytes, 0);
    assert.equal(s.position, 6n);
  });

  it('skips a chunk that decodes to no records (control batches only)', () => {
    const state = new SubscriptionState();
    const s = state.add('t', 0);
    state.buffer(s, () => ({ records: [], error: null }), 50);
    state.buffer(s, () => ({ records: records('t', 9, 1), error: null }), 50);
    assert.deepEqual(
      state.take(5).map((r) => r.offset),
      [9n],
    );
    assert.equal(state.bufferedBytes, 0);
  });

  it('hands out the records before a corrupt chunk, then throws until a seek clears it', () => {
    const state = new SubscriptionState();
    const s = state.add('t', 0);
    state.buffer(s, () => ({ records: records('t', 0, 2), error: null }), 10);
    state.buffer(s, () => ({ records: records('t', 2, 1), error: new Error('crc mismatch') }), 10);
    assert.deepEqual(
      state.take(10).map((r) => r.offset),
      [0n, 1n, 2n],
    );
    assert.equal(s.position, 3n);
    assert.throws(() => state.take(10), /crc mismatch/);
    assert.throws(() => state.take(10), /crc mismatch/);
    assert.equal(s.position, 3n);
    state.seek(s, 5n);
    assert.deepEqual(state.take(10), []);
    assert.equal(state.bufferedBytes, 0);
  });
});
