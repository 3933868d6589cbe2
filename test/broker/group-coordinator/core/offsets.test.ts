import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OffsetCommitRequest } from '../../../../src/broker/group-coordinator/core/group-api.js';
import { ErrorCode } from '../../../../src/protocol/error-codes.js';
import { Kit } from './group-test-kit.js';

function commit(
  groupId: string,
  generationIdOrMemberEpoch: number,
  memberId: string,
  offset: bigint,
  over: Partial<OffsetCommitRequest> = {},
): OffsetCommitRequest {
  return {
    groupId,
    generationIdOrMemberEpoch,
    memberId,
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [
      {
        name: 't',
        partitions: [
          {
            partitionIndex: 0,
            committedOffset: offset,
            committedLeaderEpoch: 3,
            commitTimestamp: -1n,
            committedMetadata: 'm',
          },
        ],
      },
    ],
    ...over,
  };
}

const errorOf = (r: { topics: readonly { partitions: readonly { errorCode: number }[] }[] }) =>
  r.topics[0]!.partitions[0]!.errorCode;

describe('OffsetCommit', () => {
  it('accepts commits of the current generation and records them', () => {
    const kit = new Kit();
    const { members } = kit.stableGroup('g', 2);
    assert.equal(errorOf(kit.call('OffsetCommit', commit('g', 1, members[1]!, 42n))), ErrorCode.NONE);
    const v = kit.coordinator.committedOffset('g', 't', 0)!;
    assert.deepEqual(
      { offset: v.offset, epoch: v.leaderEpoch, meta: v.metadata },
      { offset: 42n, epoch: 3, meta: 'm' },
    );
    assert.equal(v.commitTimestamp, BigInt(kit.clock.nowMs()));
    const last = kit.log.at(-1)!;
    assert.equal(last.record.type, 'OffsetCommit');
    assert.equal(last.partition, kit.coordinator.partitionFor('g'));
  });

  it('rejects a stale generation, an unknown member and commits during CompletingRebalance', () => {
    const kit = new Kit();
    const { members } = kit.stableGroup('g', 2);
    assert.equal(
      errorOf(kit.call('OffsetCommit', commit('g', 0, members[1]!, 1n))),
      ErrorCode.ILLEGAL_GENERATION,
    );
    assert.equal(errorOf(kit.call('OffsetCommit', commit('g', 1, 'ghost', 1n))), ErrorCode.UNKNOWN_MEMBER_ID);
    // Outside a generation and without a member id: only while the group is Empty.
    assert.equal(errorOf(kit.call('OffsetCommit', commit('g', -1, '', 1n))), ErrorCode.UNKNOWN_MEMBER_ID);
    const fenced = commit('g', 1, 'other', 1n, { groupInstanceId: 'nope' });
    assert.equal(errorOf(kit.call('OffsetCommit', fenced)), ErrorCode.UNKNOWN_MEMBER_ID);
    // Rebalance to generation 2; once the join phase ends, a commit with the new generation
    // but no assignment yet gets REBALANCE_IN_PROGRESS.
    const j0 = kit.send('JoinGroup', kit.joinRequest('g', members[0]));
    const j1 = kit.send('JoinGroup', kit.joinRequest('g', members[1]));
    assert.equal(kit.take('JoinGroup', j0).generationId, 2);
    kit.take('JoinGroup', j1);
    assert.equal(
      errorOf(kit.call('OffsetCommit', commit('g', 2, members[1]!, 1n))),
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
    assert.equal(
      errorOf(kit.call('OffsetCommit', commit('g', 1, members[1]!, 1n))),
      ErrorCode.ILLEGAL_GENERATION,
    );
    assert.equal(kit.coordinator.committedOffset('g', 't', 0), undefined);
  });

  it('accepts commits outside a generation on an Empty group (admin resets)', () => {
    const kit = new Kit();
    kit.stableGroup('g', 1);
    kit.advance(10_000);
    assert.equal(kit.coordinator.group('g')!.state, 'Empty');
    assert.equal(errorOf(kit.call('OffsetCommit', commit('g', -1, '', 7n))), ErrorCode.NONE);
    assert.equal(kit.coordinator.committedOffset('g', 't', 0)!.offset, 7n);
  });

  it('creates a simple group for a commit outside any generation', () => {
    const kit = new Kit();
    assert.equal(errorOf(kit.call('OffsetCommit', commit('simple', -1, '', 9n))), ErrorCode.NONE);
    const group = kit.coordinator.group('simple')!;
    assert.equal(group.state, 'Empty');
    assert.equal(group.protocolType, null);
  });

  it('answers a generation for an unknown group with ILLEGAL_GENERATION, or GROUP_ID_NOT_FOUND from v9', () => {
    const kit = new Kit();
    assert.equal(errorOf(kit.call('OffsetCommit', commit('x', 3, 'm', 1n), 8)), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(errorOf(kit.call('OffsetCommit', commit('x', 3, 'm', 1n), 9)), ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it('rejects metadata over offset.metadata.max.bytes per partition', () => {
    const kit = new Kit({ offsetMetadataMaxSize: 4 });
    const req = commit('s', -1, '', 1n);
    const big = {
      ...req,
      topics: [
        {
          name: 't',
          partitions: [
            { ...req.topics[0]!.partitions[0]!, committedMetadata: 'too long' },
            { ...req.topics[0]!.partitions[0]!, partitionIndex: 1, committedMetadata: null },
          ],
        },
      ],
    };
    const r = kit.call('OffsetCommit', big);
    assert.deepEqual(
      r.topics[0]!.partitions.map((p) => p.errorCode),
      [ErrorCode.OFFSET_METADATA_TOO_LARGE, ErrorCode.NONE],
    );
    assert.equal(kit.coordinator.committedOffset('s', 't', 1)!.metadata, '');
  });

  it('answers NOT_COORDINATOR for every partition of a group it does not own', () => {
    const kit = new Kit();
    kit.absorb(kit.coordinator.unload(kit.coordinator.partitionFor('g')));
    assert.equal(errorOf(kit.call('OffsetCommit', commit('g', -1, '', 1n))), ErrorCode.NOT_COORDINATOR);
  });
});

describe('OffsetFetch', () => {
  it('fetches several groups (v8+), all topics when topics is null, -1 for unknown', () => {
    const kit = new Kit();
    kit.call('OffsetCommit', commit('a', -1, '', 5n));
    const r = kit.call('OffsetFetch', {
      requireStable: true,
      groups: [
        { groupId: 'a', topics: null },
        { groupId: 'a', topics: [{ name: 't', partitionIndexes: [0, 1] }] },
        { groupId: 'unknown', topics: [{ name: 't', partitionIndexes: [0] }] },
      ],
    });
    const [all, some, unknown] = r.groups;
    assert.deepEqual(
      all!.topics.map((t) => [
        t.name,
        t.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.committedLeaderEpoch]),
      ]),
      [['t', [[0, 5n, 3]]]],
    );
    assert.deepEqual(
      some!.topics[0]!.partitions.map((p) => [p.committedOffset, p.metadata, p.errorCode]),
      [
        [5n, 'm', 0],
        [-1n, '', 0],
      ],
    );
    assert.equal(unknown!.errorCode, ErrorCode.NONE);
    assert.equal(unknown!.topics[0]!.partitions[0]!.committedOffset, -1n);
  });

  it('reports NOT_COORDINATOR per group', () => {
    const kit = new Kit();
    kit.absorb(kit.coordinator.unload(kit.coordinator.partitionFor('g')));
    const r = kit.call('OffsetFetch', { requireStable: false, groups: [{ groupId: 'g', topics: null }] });
    assert.equal(r.groups[0]!.errorCode, ErrorCode.NOT_COORDINATOR);
  });
});

describe('OffsetDelete', () => {
  const del = (kit: Kit, groupId: string, topic = 't') =>
    kit.call('OffsetDelete', { groupId, topics: [{ name: topic, partitions: [{ partitionIndex: 0 }] }] });

  it('checks the group exists and is not in use by a non-consumer group', () => {
    const kit = new Kit();
    assert.equal(del(kit, '').errorCode, ErrorCode.INVALID_GROUP_ID);
    assert.equal(del(kit, 'nope').errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    const connect = kit.joinRequest('c', '', { protocolType: 'connect' });
    kit.send('JoinGroup', connect, 3);
    kit.advance(0);
    assert.equal(del(kit, 'c').errorCode, ErrorCode.NON_EMPTY_GROUP);
  });

  it('refuses topics a live consumer group subscribes to, deletes the others', () => {
    const kit = new Kit();
    const { members } = kit.stableGroup('g', 1);
    kit.call('OffsetCommit', commit('g', 1, members[0]!, 1n));
    const other = commit('g', 1, members[0]!, 2n);
    kit.call('OffsetCommit', { ...other, topics: [{ ...other.topics[0]!, name: 'old' }] });
    const subscribed = del(kit, 'g', 't');
    assert.equal(subscribed.errorCode, ErrorCode.NONE);
    assert.equal(subscribed.topics[0]!.partitions[0]!.errorCode, ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
    const r = del(kit, 'g', 'old');
    assert.equal(r.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    assert.equal(kit.coordinator.committedOffset('g', 'old', 0), undefined);
    assert.equal(kit.log.at(-1)!.record.value, null);
  });
});

describe('offset expiration (offsets.retention.minutes)', () => {
  it('expires offsets of an empty group after the retention, then deletes the group', () => {
    const kit = new Kit({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 });
    const { members } = kit.stableGroup('g', 1);
    kit.call('OffsetCommit', commit('g', 1, members[0]!, 1n));
    kit.advance(5_000);
    kit.call('Heartbeat', { groupId: 'g', generationId: 1, memberId: members[0]!, groupInstanceId: null });
    // Stable consumer group subscribed to t: nothing expires however old.
    for (let i = 0; i < 10; i++) {
      kit.advance(9_000);
      kit.call('Heartbeat', { groupId: 'g', generationId: 1, memberId: members[0]!, groupInstanceId: null });
    }
    assert.ok(kit.coordinator.committedOffset('g', 't', 0));
    kit.call('LeaveGroup', {
      groupId: 'g',
      members: [{ memberId: members[0]!, groupInstanceId: null, reason: null }],
    });
    assert.equal(kit.coordinator.group('g')!.state, 'Empty');
    kit.advance(50_000);
    assert.ok(
      kit.coordinator.committedOffset('g', 't', 0),
      'retention counts from when the group became Empty',
    );
    kit.advance(20_000);
    assert.equal(kit.coordinator.committedOffset('g', 't', 0), undefined);
    assert.equal(kit.coordinator.group('g'), undefined);
    const tail = kit.log.slice(-2).map((e) => [e.record.type, e.record.value]);
    assert.deepEqual(tail, [
      ['OffsetCommit', null],
      ['GroupMetadata', null],
    ]);
  });

  it('honours a commit-specific retention (v2-4 RetentionTimeMs)', () => {
    const kit = new Kit({ offsetsRetentionMs: 1_000_000, offsetsRetentionCheckIntervalMs: 1_000 });
    kit.call('OffsetCommit', commit('s', -1, '', 1n, { retentionTimeMs: 5_000n }), 2);
    const written = kit.log.at(-1)!.record;
    assert.equal(
      written.type === 'OffsetCommit' && written.value?.expireTimestamp,
      BigInt(kit.clock.nowMs() + 5_000),
    );
    kit.advance(4_000);
    assert.ok(kit.coordinator.committedOffset('s', 't', 0));
    kit.advance(1_000);
    assert.equal(kit.coordinator.committedOffset('s', 't', 0), undefined);
  });

  it('expires, in a stable consumer group, only topics no member subscribes to', () => {
    const kit = new Kit({ offsetsRetentionMs: 10_000, offsetsRetentionCheckIntervalMs: 1_000 });
    const { members } = kit.stableGroup('g', 1);
    const c = commit('g', 1, members[0]!, 1n);
    kit.call('OffsetCommit', c);
    kit.call('OffsetCommit', { ...c, topics: [{ ...c.topics[0]!, name: 'gone' }] });
    for (let i = 0; i < 12; i++) {
      kit.advance(1_000);
      kit.call('Heartbeat', { groupId: 'g', generationId: 1, memberId: members[0]!, groupInstanceId: null });
    }
    assert.ok(kit.coordinator.committedOffset('g', 't', 0));
    assert.equal(kit.coordinator.committedOffset('g', 'gone', 0), undefined);
  });
});
