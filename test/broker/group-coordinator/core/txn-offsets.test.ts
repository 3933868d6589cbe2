import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  OffsetCommitRequest,
  TxnOffsetCommitRequest,
} from '../../../../src/broker/group-coordinator/core/group-api.js';
import type { GroupLogEntry } from '../../../../src/broker/group-coordinator/core/group-effects.js';
import { ErrorCode } from '../../../../src/protocol/error-codes.js';
import { Kit } from './group-test-kit.js';

const partitionOf = (offset: bigint) => ({
  partitionIndex: 0,
  committedOffset: offset,
  committedLeaderEpoch: -1,
  committedMetadata: '',
});

function txnCommit(
  groupId: string,
  producerId: bigint,
  offset: bigint,
  over: Partial<TxnOffsetCommitRequest> = {},
): TxnOffsetCommitRequest {
  return {
    transactionalId: 'tx',
    groupId,
    producerId,
    producerEpoch: 0,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [{ name: 't', partitions: [partitionOf(offset)] }],
    ...over,
  };
}

function plainCommit(groupId: string, offset: bigint): OffsetCommitRequest {
  return {
    groupId,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [{ name: 't', partitions: [{ ...partitionOf(offset), commitTimestamp: -1n }] }],
  };
}

const fetchStable = (kit: Kit, groupId: string, requireStable = true) =>
  kit.call('OffsetFetch', {
    requireStable,
    groups: [{ groupId, topics: [{ name: 't', partitionIndexes: [0] }] }],
  }).groups[0]!.topics[0]!.partitions[0]!;

describe('group coordinator: transactional offset commits', () => {
  it('appends a transactional batch and keeps the offset pending until COMMIT; ABORT drops it', () => {
    const kit = new Kit();
    const r = kit.call('TxnOffsetCommit', txnCommit('g', 7n, 10n));
    assert.equal(r.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    const p = kit.coordinator.partitionFor('g');
    assert.equal(kit.coordinator.committedOffset('g', 't', 0), undefined);
    assert.equal(fetchStable(kit, 'g').errorCode, ErrorCode.UNSTABLE_OFFSET_COMMIT);
    assert.deepEqual(
      [fetchStable(kit, 'g', false).committedOffset, fetchStable(kit, 'g', false).errorCode],
      [-1n, ErrorCode.NONE],
    );
    kit.absorb(kit.coordinator.completeTransaction(p, 7n, true));
    assert.equal(kit.coordinator.committedOffset('g', 't', 0)?.offset, 10n);
    assert.equal(fetchStable(kit, 'g').committedOffset, 10n);

    kit.call('TxnOffsetCommit', txnCommit('g', 7n, 20n));
    kit.absorb(kit.coordinator.completeTransaction(p, 7n, false));
    assert.equal(kit.coordinator.committedOffset('g', 't', 0)?.offset, 10n);
    assert.equal(kit.coordinator.hasPendingTxnOffsets('g'), false);
  });

  it('a plain commit made after the transactional one wins when the transaction commits (log order)', () => {
    const kit = new Kit();
    const p = kit.coordinator.partitionFor('g');
    kit.call('TxnOffsetCommit', txnCommit('g', 7n, 10n));
    kit.call('OffsetCommit', plainCommit('g', 30n));
    kit.absorb(kit.coordinator.completeTransaction(p, 7n, true));
    assert.equal(kit.coordinator.committedOffset('g', 't', 0)?.offset, 30n);
  });

  it('a marker of another producer, or in another partition, leaves the pending offsets alone', () => {
    const kit = new Kit();
    const p = kit.coordinator.partitionFor('g');
    kit.call('TxnOffsetCommit', txnCommit('g', 7n, 10n));
    kit.absorb(kit.coordinator.completeTransaction(p, 8n, true));
    kit.absorb(
      kit.coordinator.completeTransaction(
        (p + 1) % kit.coordinator.config.offsetsTopicNumPartitions,
        7n,
        true,
      ),
    );
    assert.equal(kit.coordinator.hasPendingTxnOffsets('g'), true);
  });

  it('loading replays transactional batches as pending and markers as their end', () => {
    const kit = new Kit();
    const p = kit.coordinator.partitionFor('g');
    const record = (offset: bigint) => ({
      type: 'OffsetCommit' as const,
      key: { group: 'g', topic: 't', partition: 0 },
      value: { offset, leaderEpoch: -1, metadata: '', commitTimestamp: 1n, expireTimestamp: -1n },
    });
    const log: GroupLogEntry[] = [
      { type: 'TxnOffsetCommit', producerId: 1n, record: record(5n) },
      { type: 'TxnMarker', producerId: 1n, commit: true },
      { type: 'TxnOffsetCommit', producerId: 2n, record: record(9n) },
      { type: 'TxnMarker', producerId: 2n, commit: false },
      { type: 'TxnOffsetCommit', producerId: 3n, record: record(12n) },
    ];
    kit.absorb(kit.coordinator.loadFrom(p, log));
    assert.equal(kit.coordinator.committedOffset('g', 't', 0)?.offset, 5n);
    assert.equal(fetchStable(kit, 'g').errorCode, ErrorCode.UNSTABLE_OFFSET_COMMIT);
  });

  it('validates the member as Kafka does for transactional commits', () => {
    const kit = new Kit();
    const { members, generationId } = kit.stableGroup('g', 1);
    const at = (over: Partial<TxnOffsetCommitRequest>) =>
      kit.call('TxnOffsetCommit', txnCommit('g', 7n, 1n, over)).topics[0]!.partitions[0]!.errorCode;
    assert.equal(at({ generationId, memberId: members[0]! }), ErrorCode.NONE);
    assert.equal(at({ generationId: generationId + 1, memberId: members[0]! }), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(at({ generationId, memberId: 'someone' }), ErrorCode.UNKNOWN_MEMBER_ID);
    // No member id and no generation (older versions) is accepted even while the group is consumed.
    assert.equal(at({}), ErrorCode.NONE);
    assert.equal(
      kit.call('TxnOffsetCommit', txnCommit('nobody', 7n, 1n, { generationId: 3 })).topics[0]!.partitions[0]!
        .errorCode,
      ErrorCode.ILLEGAL_GENERATION,
    );
  });
});
