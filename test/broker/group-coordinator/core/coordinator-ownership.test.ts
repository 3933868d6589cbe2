import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../../../src/protocol/error-codes.js';
import { Kit } from './group-test-kit.js';

/** Sends one request of each API for group `g` and returns the group-level error each answered with. */
function errorsFor(kit: Kit): Record<string, number> {
  const member = { memberId: 'm', groupInstanceId: null, reason: null };
  return {
    JoinGroup: kit.call('JoinGroup', kit.joinRequest('g', 'm')).errorCode,
    SyncGroup: kit.call('SyncGroup', {
      groupId: 'g',
      generationId: 1,
      memberId: 'm',
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [],
    }).errorCode,
    Heartbeat: kit.call('Heartbeat', { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null })
      .errorCode,
    LeaveGroup: kit.call('LeaveGroup', { groupId: 'g', members: [member] }).errorCode,
    OffsetCommit: kit.call('OffsetCommit', {
      groupId: 'g',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [
        {
          name: 't',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 1n,
              committedLeaderEpoch: -1,
              commitTimestamp: -1n,
              committedMetadata: null,
            },
          ],
        },
      ],
    }).topics[0]!.partitions[0]!.errorCode,
    OffsetFetch: kit.call('OffsetFetch', { requireStable: false, groups: [{ groupId: 'g', topics: null }] })
      .groups[0]!.errorCode,
    OffsetDelete: kit.call('OffsetDelete', { groupId: 'g', topics: [] }).errorCode,
    DescribeGroups: kit.call('DescribeGroups', { groups: ['g'], includeAuthorizedOperations: false })
      .groups[0]!.errorCode,
    DeleteGroups: kit.call('DeleteGroups', { groupsNames: ['g'] }).results[0]!.errorCode,
    ListGroups: kit.call('ListGroups', { statesFilter: [], typesFilter: [] }).errorCode,
  };
}

describe('partition ownership', () => {
  it('answers NOT_COORDINATOR for a partition it does not serve (ListGroups lists the others)', () => {
    const kit = new Kit();
    kit.absorb(kit.coordinator.unload(kit.coordinator.partitionFor('g')));
    const e = ErrorCode.NOT_COORDINATOR;
    assert.deepEqual(errorsFor(kit), {
      JoinGroup: e,
      SyncGroup: e,
      Heartbeat: e,
      LeaveGroup: e,
      OffsetCommit: e,
      OffsetFetch: e,
      OffsetDelete: e,
      DescribeGroups: e,
      DeleteGroups: e,
      ListGroups: ErrorCode.NONE,
    });
    assert.equal(kit.log.length, 0);
  });

  it('answers COORDINATOR_LOAD_IN_PROGRESS while loading, except heartbeats, answered blindly', () => {
    const kit = new Kit();
    kit.coordinator.beginLoad(kit.coordinator.partitionFor('g'));
    const e = ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    assert.deepEqual(errorsFor(kit), {
      JoinGroup: e,
      SyncGroup: e,
      Heartbeat: ErrorCode.NONE,
      LeaveGroup: e,
      OffsetCommit: e,
      OffsetFetch: e,
      OffsetDelete: e,
      DescribeGroups: e,
      DeleteGroups: e,
      ListGroups: e,
    });
  });

  it('keeps the retention sweep running when a group with the empty id is deleted', () => {
    const kit = new Kit({ offsetsRetentionMs: 1_000, offsetsRetentionCheckIntervalMs: 1_000 });
    const commit = (groupId: string) =>
      kit.call('OffsetCommit', {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [
          {
            name: 't',
            partitions: [
              {
                partitionIndex: 0,
                committedOffset: 1n,
                committedLeaderEpoch: -1,
                commitTimestamp: -1n,
                committedMetadata: null,
              },
            ],
          },
        ],
      });
    commit('');
    assert.deepEqual(kit.call('DeleteGroups', { groupsNames: [''] }).results[0]!.errorCode, ErrorCode.NONE);
    commit('later');
    kit.advance(3_000);
    assert.equal(kit.coordinator.committedOffset('later', 't', 0), undefined);
  });
});
