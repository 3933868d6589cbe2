import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type FetchPartitionRequest,
  FetchSessionCache,
  partitionKey,
} from '../../../src/broker/fetch/fetch-session-cache.js';
import { ManualClock } from '../../../src/common/clock.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';

const Z = 'AAAAAAAAAAAAAAAAAAAAAA';
const req = (topic: string, partition: number, fetchOffset = 0n): FetchPartitionRequest => ({
  topic,
  topicId: Z,
  partition,
  fetchOffset,
  logStartOffset: -1n,
  partitionMaxBytes: 1 << 20,
  currentLeaderEpoch: -1,
  lastFetchedEpoch: -1,
});
const outcome = (topic: string, partition: number, hw: bigint, recordBytes = 0) => ({
  key: { topic, topicId: Z, partition },
  errorCode: 0,
  highWatermark: hw,
  lastStableOffset: hw,
  logStartOffset: 0n,
  recordBytes,
});

describe('FetchSessionCache (KIP-227)', () => {
  it('opens a session on epoch 0, then serves incremental fetches with only changed partitions', () => {
    const cache = new FetchSessionCache(10, new ManualClock());
    const full = cache.resolve(0, 0, [req('a', 0), req('a', 1)], [], false);
    assert.ok(full.kind === 'full' && full.session);
    const id = full.session.id;
    assert.equal(cache.select(full, [outcome('a', 0, 5n), outcome('a', 1, 0n)]).size, 2);

    const inc = cache.resolve(id, 1, [], [], false);
    assert.ok(inc.kind === 'incremental');
    assert.equal(inc.partitions.length, 2);
    const included = cache.select(inc, [outcome('a', 0, 5n), outcome('a', 1, 3n, 100)]);
    assert.deepEqual([...included], [partitionKey({ topic: 'a', topicId: Z, partition: 1 })]);

    const forget = cache.resolve(id, 2, [req('b', 0)], [{ topic: 'a', topicId: Z, partition: 0 }], false);
    assert.ok(forget.kind === 'incremental');
    assert.deepEqual(forget.partitions.map((p) => `${p.topic}-${p.partition}`).sort(), ['a-1', 'b-0']);
  });

  it("rejects unknown sessions and wrong epochs with Kafka's error codes", () => {
    const cache = new FetchSessionCache(10, new ManualClock());
    assert.deepEqual(cache.resolve(99, 1, [], [], false), {
      kind: 'error',
      errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND,
    });
    const full = cache.resolve(0, 0, [req('a', 0)], [], false);
    assert.ok(full.kind === 'full' && full.session);
    assert.deepEqual(cache.resolve(full.session.id, 5, [], [], false), {
      kind: 'error',
      errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH,
    });
  });

  it('fetches without a session at epoch -1 and closes a named session', () => {
    const cache = new FetchSessionCache(10, new ManualClock());
    const full = cache.resolve(0, 0, [req('a', 0)], [], false);
    assert.ok(full.kind === 'full' && full.session);
    const sessionless = cache.resolve(full.session.id, -1, [req('a', 0)], [], false);
    assert.ok(sessionless.kind === 'full' && sessionless.session === null);
    assert.equal(cache.size, 0);
  });

  it('evicts a stale session when full, and creates none when nothing can go', () => {
    const clock = new ManualClock();
    const cache = new FetchSessionCache(1, clock);
    const first = cache.resolve(0, 0, [req('a', 0), req('a', 1)], [], false);
    assert.ok(first.kind === 'full' && first.session);
    const refused = cache.resolve(0, 0, [req('b', 0)], [], false);
    assert.ok(refused.kind === 'full' && refused.session === null);
    clock.advance(120_000);
    const second = cache.resolve(0, 0, [req('b', 0)], [], false);
    assert.ok(second.kind === 'full' && second.session);
    assert.equal(cache.size, 1);
  });
});
