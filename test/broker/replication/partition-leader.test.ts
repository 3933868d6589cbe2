import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type LeaderEffect, PartitionLeader } from '../../../src/broker/replication/partition-leader.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';

const T0 = 1_000_000;

function leader(
  o: Partial<{ isr: number[]; hw: number; leo: number; minIsr: number; fenced: number[] }> = {},
) {
  const fenced = new Set(o.fenced ?? []);
  return new PartitionLeader({
    topicId: 'topic-id',
    partitionId: 0,
    localBrokerId: 1,
    leaderEpoch: 5,
    partitionEpoch: 10,
    replicas: [1, 2, 3],
    isr: o.isr ?? [1, 2, 3],
    logEndOffset: o.leo ?? 0,
    highWatermark: o.hw ?? 0,
    nowMs: T0,
    config: { replicaLagTimeMaxMs: 30_000, minInsyncReplicas: o.minIsr ?? 2 },
    isrEligibility: (id) => (fenced.has(id) ? null : BigInt(100 + id)),
  });
}

const ofType = <K extends LeaderEffect['type']>(effects: LeaderEffect[], type: K) =>
  effects.filter((e): e is Extract<LeaderEffect, { type: K }> => e.type === type);

describe('PartitionLeader (Kafka Partition, leader side)', () => {
  it('moves the high watermark to the smallest log end offset of the ISR, never backwards', () => {
    const l = leader();
    assert.deepEqual(l.onLocalAppend(10, T0), [], 'followers have not fetched yet');
    assert.deepEqual(l.onFollowerFetch(2, 10, T0 + 1), []);
    assert.deepEqual(l.onFollowerFetch(3, 6, T0 + 2), [{ type: 'highWatermark', highWatermark: 6 }]);
    assert.deepEqual(l.onFollowerFetch(3, 10, T0 + 3), [{ type: 'highWatermark', highWatermark: 10 }]);
    // A follower fetching from an earlier offset (it truncated) does not take the high watermark back.
    assert.deepEqual(l.onFollowerFetch(3, 8, T0 + 4), []);
    assert.equal(l.highWatermark, 10);
  });

  it('completes a waiting acks=all as soon as the controller takes a fenced follower out of the ISR', () => {
    const fenced = new Set<number>();
    const l = new PartitionLeader({
      topicId: 'topic-id',
      partitionId: 0,
      localBrokerId: 1,
      leaderEpoch: 5,
      partitionEpoch: 10,
      replicas: [1, 2, 3],
      isr: [1, 2, 3],
      logEndOffset: 0,
      highWatermark: 0,
      nowMs: T0,
      config: { replicaLagTimeMaxMs: 30_000, minInsyncReplicas: 2 },
      isrEligibility: (id) => (fenced.has(id) ? null : BigInt(100 + id)),
    });
    l.onLocalAppend(5, T0);
    l.onFollowerFetch(2, 5, T0);
    l.onFollowerFetch(3, 5, T0);
    assert.equal(l.highWatermark, 5);
    // Broker 2 dies after fetching to 5; the leader appends and waits for the ISR.
    l.onLocalAppend(8, T0 + 100);
    assert.deepEqual(l.awaitReplication(1, 7), []);
    assert.deepEqual(l.onFollowerFetch(3, 8, T0 + 200), [], 'broker 2 is still in the ISR');
    // Its session expires: the controller fences it and takes it out of the ISR, well within
    // replica.lag.time.max.ms of its last caught-up fetch.
    fenced.add(2);
    assert.deepEqual(l.onPartitionChange([1, 3], 11, T0 + 9_000), [
      { type: 'highWatermark', highWatermark: 8 },
      { type: 'complete', requestId: 1, errorCode: ErrorCode.NONE },
    ]);
  });

  it('answers acks=all once the high watermark passes the batch, and refuses it with too small an ISR', () => {
    const l = leader({ isr: [1, 2], minIsr: 2 });
    assert.equal(l.checkProduce(-1), ErrorCode.NONE);
    l.onLocalAppend(5, T0);
    assert.deepEqual(l.awaitReplication(7, 4), []);
    assert.deepEqual(l.onFollowerFetch(2, 5, T0 + 1), [
      { type: 'highWatermark', highWatermark: 5 },
      { type: 'complete', requestId: 7, errorCode: ErrorCode.NONE },
    ]);
    const small = leader({ isr: [1], minIsr: 2 });
    assert.equal(small.checkProduce(-1), ErrorCode.NOT_ENOUGH_REPLICAS);
    assert.equal(small.checkProduce(1), ErrorCode.NONE, 'acks=1 does not need the ISR');
  });

  it('shrinks the ISR after replica.lag.time.max.ms through AlterPartition, and a waiting produce then fails after append', () => {
    const l = leader({ isr: [1, 2, 3], minIsr: 2 });
    l.onLocalAppend(10, T0);
    l.onFollowerFetch(2, 10, T0);
    l.onFollowerFetch(3, 10, T0);
    l.onLocalAppend(20, T0 + 1);
    assert.deepEqual(l.awaitReplication(1, 19), []);
    assert.deepEqual(l.tick(T0 + 30_000), [], 'not lagging longer than the limit yet');
    const [alter] = ofType(l.tick(T0 + 30_001), 'alterPartition');
    assert.deepEqual(alter?.proposal, {
      topicId: 'topic-id',
      partitionId: 0,
      leaderId: 1,
      leaderEpoch: 5,
      partitionEpoch: 10,
      newIsr: [{ brokerId: 1, brokerEpoch: 101n }],
    });
    assert.deepEqual(l.maximalIsr, [1, 2, 3], 'the old ISR counts until the controller answers');
    assert.deepEqual(l.tick(T0 + 40_000), [], 'one change in flight at a time');
    const done = l.onAlterPartitionAnswer(
      { errorCode: 0, leaderEpoch: 5, partitionEpoch: 11, isr: [1] },
      T0 + 40_001,
    );
    assert.deepEqual(done, [
      { type: 'complete', requestId: 1, errorCode: ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND },
    ]);
    assert.equal(l.highWatermark, 10, 'KIP-966: no high watermark move below min.insync.replicas');
    assert.equal(l.partitionEpoch, 11);
    assert.equal(l.checkProduce(-1), ErrorCode.NOT_ENOUGH_REPLICAS);
  });

  it('without KIP-966 moves the high watermark over a shrunk ISR and fails the waiting produce after append', () => {
    const l = new PartitionLeader({
      topicId: 't',
      partitionId: 0,
      localBrokerId: 1,
      leaderEpoch: 1,
      partitionEpoch: 1,
      replicas: [1, 2],
      isr: [1, 2],
      logEndOffset: 0,
      highWatermark: 0,
      nowMs: T0,
      config: { replicaLagTimeMaxMs: 10, minInsyncReplicas: 2, eligibleLeaderReplicasEnabled: false },
      isrEligibility: () => 1n,
    });
    l.onLocalAppend(3, T0);
    l.awaitReplication(9, 2);
    l.tick(T0 + 11);
    assert.deepEqual(
      l.onAlterPartitionAnswer({ errorCode: 0, leaderEpoch: 1, partitionEpoch: 2, isr: [1] }, T0 + 12),
      [
        { type: 'highWatermark', highWatermark: 3 },
        { type: 'complete', requestId: 9, errorCode: ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND },
      ],
    );
  });

  it('expands the ISR once a follower has the high watermark and the start of the leader epoch, unless it is fenced', () => {
    const l = leader({ isr: [1, 2], leo: 10, hw: 10, fenced: [] });
    l.onLocalAppend(14, T0);
    assert.deepEqual(l.onFollowerFetch(3, 8, T0), [], 'below the leader epoch start offset');
    const [alter] = ofType(l.onFollowerFetch(3, 12, T0 + 1), 'alterPartition');
    assert.deepEqual(
      alter?.proposal.newIsr.map((m) => m.brokerId),
      [1, 2, 3],
    );
    assert.deepEqual(l.maximalIsr, [1, 2, 3], 'the joining replica holds the high watermark back at once');
    l.onFollowerFetch(2, 14, T0 + 2);
    assert.equal(l.highWatermark, 12);
    // Lost on the way: the same proposal again. Refused on a stale partition epoch: the maximal ISR
    // still counts (the change may have been applied) until the metadata says what stands.
    assert.deepEqual(l.onAlterPartitionFailed(), [{ type: 'alterPartition', proposal: alter!.proposal }]);
    assert.deepEqual(l.onAlterPartitionAnswer({ errorCode: ErrorCode.INVALID_UPDATE_VERSION }, T0 + 3), []);
    assert.deepEqual(l.maximalIsr, [1, 2, 3]);
    assert.deepEqual(l.onAlterPartitionFailed(), [], 'given up');
    l.onPartitionChange([1, 2, 3], 12, T0 + 4);
    assert.deepEqual([l.isr, l.pendingProposal], [[1, 2, 3], null]);
    // INELIGIBLE_REPLICA: not applied, the committed ISR stands at once.
    const again = leader({ isr: [1, 2], leo: 10, hw: 10 });
    again.onFollowerFetch(3, 10, T0);
    again.onAlterPartitionAnswer({ errorCode: ErrorCode.INELIGIBLE_REPLICA }, T0 + 1);
    assert.deepEqual([again.maximalIsr, again.pendingProposal], [[1, 2], null]);
    const fencedThree = leader({ isr: [1, 2], leo: 10, hw: 10, fenced: [3] });
    assert.deepEqual(ofType(fencedThree.onFollowerFetch(3, 10, T0), 'alterPartition'), []);
  });

  it('checks a follower fetch leader epoch and replica id', () => {
    const l = leader();
    assert.equal(l.checkFollowerFetch(2, 5), ErrorCode.NONE);
    assert.equal(l.checkFollowerFetch(2, 4), ErrorCode.FENCED_LEADER_EPOCH);
    assert.equal(l.checkFollowerFetch(2, 6), ErrorCode.UNKNOWN_LEADER_EPOCH);
    assert.equal(l.checkFollowerFetch(9, 5), ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('answers waiting produce requests NOT_LEADER_OR_FOLLOWER when it resigns, and REQUEST_TIMED_OUT when they expire', () => {
    const l = leader();
    l.onLocalAppend(3, T0);
    l.awaitReplication(1, 2);
    l.awaitReplication(2, 2);
    assert.deepEqual(l.expire(2), [
      { type: 'complete', requestId: 2, errorCode: ErrorCode.REQUEST_TIMED_OUT },
    ]);
    assert.deepEqual(l.resign(), [
      { type: 'complete', requestId: 1, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER },
    ]);
  });

  it('takes an ISR change from the metadata in the same epoch, ignoring older partition epochs', () => {
    const l = leader({ isr: [1, 2, 3] });
    l.onLocalAppend(4, T0);
    l.onFollowerFetch(2, 4, T0);
    assert.deepEqual(l.onPartitionChange([1, 2], 9, T0), []);
    assert.deepEqual(l.onPartitionChange([1, 2], 11, T0), [{ type: 'highWatermark', highWatermark: 4 }]);
    assert.deepEqual(l.isr, [1, 2]);
  });
});
