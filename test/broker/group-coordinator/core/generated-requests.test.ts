import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as core from '../../../../src/broker/group-coordinator/core/group-effects.js';
import { ErrorCode } from '../../../../src/protocol/error-codes.js';
import * as gen from '../../../../src/protocol/generated/index.js';
import { encodeSubscription } from '../../../helpers/consumer-protocol-v0.js';
import { Kit } from './group-test-kit.js';

// Requests decoded by the generated codecs go into the core as they are: the core's request types
// are the spec's fields, so a handler only adds the request context (and, for LeaveGroup v0-2 and
// OffsetFetch v0-7, lifts the single member or group into the batch fields).

type Request<A extends core.GroupApi> = core.GroupApis[A]['request'];

describe('generated requests feed the core', () => {
  it('JoinGroup v0 (defaults for the fields it lacks) through SyncGroup, Heartbeat and OffsetCommit v1', () => {
    const kit = new Kit();
    const join: Request<'JoinGroup'> = gen.JoinGroupRequest.decode(
      0,
      gen.JoinGroupRequest.encode(0, {
        groupId: 'g',
        sessionTimeoutMs: 10_000,
        memberId: '',
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: encodeSubscription(['t']) }],
      }),
    );
    assert.equal(join.rebalanceTimeoutMs, -1);
    const j = kit.send('JoinGroup', join, 0);
    kit.advance(0);
    const joined = kit.take('JoinGroup', j);
    assert.equal(joined.errorCode, ErrorCode.NONE);
    // Without a rebalance timeout (v0) the session timeout bounds the rebalance.
    assert.equal(kit.coordinator.group('g')!.member(joined.memberId).rebalanceTimeoutMs, 10_000);

    const sync: Request<'SyncGroup'> = gen.SyncGroupRequest.decode(
      0,
      gen.SyncGroupRequest.encode(0, {
        groupId: 'g',
        generationId: joined.generationId,
        memberId: joined.memberId,
        assignments: [{ memberId: joined.memberId, assignment: Buffer.from('a') }],
      }),
    );
    assert.equal(kit.call('SyncGroup', sync, 0).assignment.toString(), 'a');

    const hb: Request<'Heartbeat'> = gen.HeartbeatRequest.decode(
      0,
      gen.HeartbeatRequest.encode(0, {
        groupId: 'g',
        generationId: joined.generationId,
        memberId: joined.memberId,
      }),
    );
    assert.equal(kit.call('Heartbeat', hb, 0).errorCode, ErrorCode.NONE);

    const commit: Request<'OffsetCommit'> = gen.OffsetCommitRequest.decode(
      1,
      gen.OffsetCommitRequest.encode(1, {
        groupId: 'g',
        generationIdOrMemberEpoch: joined.generationId,
        memberId: joined.memberId,
        topics: [
          { name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5n, commitTimestamp: 123n }] },
        ],
      }),
    );
    const committed = kit.call('OffsetCommit', commit, 1);
    assert.equal(committed.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    assert.equal(kit.coordinator.committedOffset('g', 't', 0)!.commitTimestamp, 123n);
  });

  it('OffsetFetch v8, ListGroups v4, DescribeGroups v5, LeaveGroup v5, OffsetDelete v0, DeleteGroups v2', () => {
    const kit = new Kit();
    const { members } = kit.stableGroup('g', 1);
    const fetch: Request<'OffsetFetch'> = gen.OffsetFetchRequest.decode(
      8,
      gen.OffsetFetchRequest.encode(8, { groups: [{ groupId: 'g', topics: null }], requireStable: true }),
    );
    assert.deepEqual(kit.call('OffsetFetch', fetch, 8).groups[0]!.topics, []);
    const list: Request<'ListGroups'> = gen.ListGroupsRequest.decode(
      4,
      gen.ListGroupsRequest.encode(4, { statesFilter: ['Stable'] }),
    );
    assert.equal(kit.call('ListGroups', list, 4).groups.length, 1);
    const describe: Request<'DescribeGroups'> = gen.DescribeGroupsRequest.decode(
      5,
      gen.DescribeGroupsRequest.encode(5, { groups: ['g'] }),
    );
    assert.equal(kit.call('DescribeGroups', describe, 5).groups[0]!.groupState, 'Stable');
    const leave: Request<'LeaveGroup'> = gen.LeaveGroupRequest.decode(
      5,
      gen.LeaveGroupRequest.encode(5, { groupId: 'g', members: [{ memberId: members[0]! }] }),
    );
    assert.equal(kit.call('LeaveGroup', leave, 5).members[0]!.errorCode, ErrorCode.NONE);
    const del: Request<'OffsetDelete'> = gen.OffsetDeleteRequest.decode(
      0,
      gen.OffsetDeleteRequest.encode(0, {
        groupId: 'g',
        topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }],
      }),
    );
    assert.equal(kit.call('OffsetDelete', del, 0).errorCode, ErrorCode.NONE);
    const drop: Request<'DeleteGroups'> = gen.DeleteGroupsRequest.decode(
      2,
      gen.DeleteGroupsRequest.encode(2, { groupsNames: ['g'] }),
    );
    assert.deepEqual(kit.call('DeleteGroups', drop, 2).results, [{ groupId: 'g', errorCode: 0 }]);
  });
});
