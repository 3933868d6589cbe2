import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ConsumerRecord,
  type DecodedRecords,
  SubscriptionState,
} from '../../src/client/consumer/subscription-state.js';

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

/** A chunk's decoder over the given batches; `decoded` records which batches were decoded. */
function batches(decoded: string[], name: string, ...list: DecodedRecords[]): () => DecodedRecords | null {
  let i = 0;
  return () => {
    if (i === list.length) return null;
    decoded.push(`${name}${i}`);
    return list[i++]!;
  };
}

const ok = (rs: ConsumerRecord[]): DecodedRecords => ({ records: rs, error: null });

describe('subscription state', () => {
  it('decodes a buffered response one batch at a time, as take reaches each, and once', () => {
    const state = new SubscriptionState();
    const s = state.add('t', 0);
    const decoded: string[] = [];
    state.buffer(s, batches(decoded, 'a', ok(records('t', 0, 2)), ok(records('t', 2, 2))), 100, 4n);
    state.buffer(s, batches(decoded, 'b', ok(records('t', 4, 2))), 100, 6n);
    assert.deepEqual(decoded, []);
    assert.equal(state.bufferedBytes, 200);
    assert.deepEqual(
      state.take(1).map((r) => r.offset),
      [0n],
    );
    assert.deepEqual(decoded, ['a0']);
    assert.deepEqual(
      state.take(2).map((r) => r.offset),
      [1n, 2n],
    );
    assert.deepEqual(decoded, ['a0', 'a1']);
    assert.equal(state.bufferedBytes, 200, 'a response counts until all its batches are taken');
    assert.deepEqual(
      state.take(10).map((r) => r.offset),
      [3n, 4n, 5n],
    );
    assert.deepEqual(decoded, ['a0', 'a1', 'b0']);
    assert.equal(state.bufferedBytes, 0);
    assert.equal(s.position, 6n);
  });

  it('skips batches that decode to no records (control batches only)', () => {
    const state = new SubscriptionState();
    const s = state.add('t', 0);
    state.buffer(s, batches([], 'a', ok([]), ok([])), 50, 9n);
    state.buffer(s, batches([], 'b', ok(records('t', 9, 1))), 50, 10n);
    assert.deepEqual(
      state.take(5).map((r) => r.offset),
      [9n],
    );
    assert.equal(state.bufferedBytes, 0);
  });

  it('moves the position past batches after the last record once a response is all taken (markers, aborted transactions)', () => {
    const state = new SubscriptionState();
    const s = state.add('t', 0);
    state.seek(s, 0n);
    // Records 0-1, then a commit marker at 2 that decodes to no records.
    state.buffer(s, batches([], 'a', ok(records('t', 0, 2)), ok([])), 50, 3n);
    assert.deepEqual(
      state.take(2).map((r) => r.offset),
      [0n, 1n],
    );
    assert.equal(s.position, 2n, 'the marker is not reached until the application asks for more');
    assert.deepEqual(state.take(2), []);
    assert.equal(s.position, 3n);
  });

  it('hands out the records before a corrupt batch, then throws until a seek clears it', () => {
    const state = new SubscriptionState();
    const s = state.add('t', 0);
    state.buffer(
      s,
      batches(
        [],
        'a',
        ok(records('t', 0, 2)),
        { records: [], error: new Error('crc mismatch') },
        ok(records('t', 3, 1)),
      ),
      10,
      4n,
    );
    assert.deepEqual(
      state.take(10).map((r) => r.offset),
      [0n, 1n],
    );
    assert.equal(s.position, 2n);
    assert.throws(() => state.take(10), /crc mismatch/);
    assert.throws(() => state.take(10), /crc mismatch/);
    assert.equal(s.position, 2n);
    state.seek(s, 5n);
    assert.deepEqual(state.take(10), []);
    assert.equal(state.bufferedBytes, 0);
  });
});
