import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FetchSession } from '../../src/client/consumer/fetch-session.js';
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from '../../src/protocol/consumer-protocol.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';

describe('consumer protocol', () => {
  const sub = {
    topics: ['a', 'b'],
    userData: Buffer.from('u'),
    ownedPartitions: new Map([['a', [0, 2]]]),
    generationId: 7,
    rackId: 'r1',
  };

  it('round-trips subscriptions at every version, dropping fields the version lacks', () => {
    for (const version of [0, 1, 2, 3]) {
      const d = decodeSubscription(encodeSubscription(sub, version));
      assert.equal(d.version, version);
      assert.deepEqual(d.topics, ['a', 'b']);
      assert.deepEqual(d.userData, Buffer.from('u'));
      assert.deepEqual([...d.ownedPartitions], version >= 1 ? [['a', [0, 2]]] : []);
      assert.equal(d.generationId, version >= 2 ? 7 : -1);
      assert.equal(d.rackId, version >= 3 ? 'r1' : null);
    }
  });

  it('reads a v0 subscription as the Java client writes it (version, topics, user data)', () => {
    const bytes = Buffer.from([0, 0, 0, 0, 0, 1, 0, 3, 0x66, 0x6f, 0x6f, 0xff, 0xff, 0xff, 0xff]);
    const d = decodeSubscription(bytes);
    assert.deepEqual(d.topics, ['foo']);
    assert.equal(d.userData, null);
  });

  it('reads a subscription from a newer version as its newest known version', () => {
    const bytes = encodeSubscription(sub, 3);
    bytes.writeInt16BE(9, 0);
    const withExtra = Buffer.concat([bytes, Buffer.from([1, 2, 3])]);
    assert.deepEqual(decodeSubscription(withExtra).topics, ['a', 'b']);
  });

  it('round-trips assignments; an empty buffer is an empty assignment', () => {
    const a = { partitions: new Map([['t', [1, 3]]]), userData: null };
    for (const version of [0, 1, 3]) assert.deepEqual(decodeAssignment(encodeAssignment(a, version)), a);
    assert.deepEqual(decodeAssignment(Buffer.alloc(0)), { partitions: new Map(), userData: null });
  });
});

describe('fetch session (KIP-227)', () => {
  const w = (partition: number, fetchOffset: bigint) => ({
    topic: 't',
    partition,
    fetchOffset,
    maxBytes: 100,
  });

  it('starts with a full fetch, then sends only changed partitions and forgets removed ones', () => {
    const s = new FetchSession();
    const full = s.plan([w(0, 0n), w(1, 0n)], true);
    assert.deepEqual([full.sessionId, full.sessionEpoch, full.send.length], [0, 0, 2]);
    s.onResponse(0, 42);
    const inc = s.plan([w(0, 5n), w(1, 0n)], true);
    assert.deepEqual([inc.sessionId, inc.sessionEpoch], [42, 1]);
    assert.deepEqual(
      inc.send.map((x) => x.partition),
      [0],
    );
    s.onResponse(0, 42);
    const next = s.plan([w(0, 5n)], true);
    assert.equal(next.sessionEpoch, 2);
    assert.deepEqual(next.send, []);
    assert.deepEqual(next.forget, [{ topic: 't', partition: 1 }]);
  });

  it('falls back to a full fetch after FETCH_SESSION_ID_NOT_FOUND or INVALID_FETCH_SESSION_EPOCH', () => {
    for (const code of [ErrorCode.FETCH_SESSION_ID_NOT_FOUND, ErrorCode.INVALID_FETCH_SESSION_EPOCH]) {
      const s = new FetchSession();
      s.plan([w(0, 0n)], true);
      s.onResponse(0, 7);
      s.plan([w(0, 1n)], true);
      s.onResponse(code, 0);
      const again = s.plan([w(0, 1n)], true);
      assert.deepEqual([again.sessionId, again.sessionEpoch, again.send.length], [0, 0, 1]);
    }
  });

  it('stays sessionless (epoch -1, everything sent) when the broker predates sessions', () => {
    const s = new FetchSession();
    const p = s.plan([w(0, 0n)], false);
    assert.deepEqual([p.sessionId, p.sessionEpoch, p.send.length], [0, -1, 1]);
  });
});
