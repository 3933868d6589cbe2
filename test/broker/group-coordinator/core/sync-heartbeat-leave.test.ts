import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../../../src/protocol/error-codes.js';
import { Kit } from './group-test-kit.js';

const hb = (kit: Kit, memberId: string, generationId: number, groupId = 'g') =>
  kit.call('Heartbeat', { groupId, generationId, memberId, groupInstanceId: null }).errorCode;

describe('SyncGroup', () => {
  it('parks followers until the leader assigns, after the GroupMetadata record', () => {
    const kit = new Kit();
    const a = kit.joinNew('g');
    const b = kit.joinNew('g');
    kit.advance(0);
    const ra = kit.take('JoinGroup', a.requestId);
    kit.take('JoinGroup', b.requestId);
    const follower = kit.sync('g', b.memberId, 1);
    assert.ok(!kit.answered(follower));
    const before = kit.log.length;
    const leader = kit.sync('g', ra.leader, 1, [{ memberId: b.memberId, assignment: Buffer.from('B') }]);
    const record = kit.log[before]!.record;
    assert.equal(record.type, 'GroupMetadata');
    assert.equal(record.value!.generation, 1);
    assert.deepEqual(
      record.value!.members.map((m) => m.assignment.toString()),
      ['', 'B'],
      'members left out of the assignment get an empty one',
    );
    const fr = kit.take('SyncGroup', follower);
    assert.deepEqual(
      {
        errorCode: fr.errorCode,
        assignment: fr.assignment.toString(),
        name: fr.protocolName,
        type: fr.protocolType,
      },
      { errorCode: 0, assignment: 'B', name: 'range', type: 'consumer' },
    );
    assert.equal(kit.take('SyncGroup', leader).assignment.length, 0);
    assert.equal(kit.coordinator.group('g')!.state, 'Stable');
    // A late sync in Stable gets the stored assignment.
    assert.equal(kit.take('SyncGroup', kit.sync('g', b.memberId, 1)).assignment.toString(), 'B');
  });

  it('checks member, generation, protocol and state', () => {
    const kit = new Kit();
    const { members } = kit.stableGroup('g', 2);
    const sync = (over: Record<string, unknown>) =>
      kit.call('SyncGroup', {
        groupId: 'g',
        generationId: 1,
        memberId: members[1]!,
        groupInstanceId: null,
        protocolType: null,
        protocolName: null,
        assignments: [],
        ...over,
      }).errorCode;
    assert.equal(sync({ groupId: '' }), ErrorCode.INVALID_GROUP_ID);
    assert.equal(sync({ groupId: 'nope' }), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(sync({ memberId: 'nope' }), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(sync({ generationId: 0 }), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(sync({ protocolType: 'connect' }), ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    assert.equal(sync({ protocolName: 'roundrobin' }), ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    assert.equal(sync({ protocolType: 'consumer', protocolName: 'range' }), ErrorCode.NONE);
    kit.send('JoinGroup', kit.joinRequest('g', members[0]));
    assert.equal(sync({}), ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('sends parked followers REBALANCE_IN_PROGRESS when a rebalance starts before the leader syncs', () => {
    const kit = new Kit();
    const a = kit.joinNew('g');
    const b = kit.joinNew('g');
    kit.advance(0);
    kit.take('JoinGroup', a.requestId);
    kit.take('JoinGroup', b.requestId);
    const parked = kit.sync('g', b.memberId, 1);
    kit.call('JoinGroup', kit.joinRequest('g'));
    const c = kit.send('JoinGroup', kit.joinRequest('g', '', {}), 3);
    assert.ok(!kit.answered(c));
    assert.equal(kit.take('SyncGroup', parked).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('removes members that never sync within the rebalance timeout and rebalances', () => {
    const kit = new Kit();
    const a = kit.joinNew('g');
    const b = kit.joinNew('g');
    kit.advance(0);
    const leader = kit.take('JoinGroup', a.requestId).leader;
    kit.take('JoinGroup', b.requestId);
    const other = leader === a.memberId ? b.memberId : a.memberId;
    kit.take('SyncGroup', kit.sync('g', leader, 1, []));
    // The other member heartbeats but never syncs.
    for (let t = 0; t < 30_000; t += 5_000) {
      kit.advance(5_000);
      hb(kit, leader, 1);
      if (kit.coordinator.group('g')!.hasMember(other)) hb(kit, other, 1);
    }
    const group = kit.coordinator.group('g')!;
    assert.ok(!group.hasMember(other));
    assert.equal(group.state, 'PreparingRebalance');
  });
});

describe('Heartbeat', () => {
  it('answers by state and validates member and generation', () => {
    const kit = new Kit();
    const { members } = kit.stableGroup('g', 2);
    assert.equal(hb(kit, members[1]!, 1), ErrorCode.NONE);
    assert.equal(hb(kit, members[1]!, 2), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(hb(kit, 'ghost', 1), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(hb(kit, 'ghost', 1, 'nope'), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(hb(kit, 'ghost', 1, ''), ErrorCode.INVALID_GROUP_ID);
    kit.send('JoinGroup', kit.joinRequest('g', members[0]));
    assert.equal(hb(kit, members[1]!, 1), ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('answers NONE while the partition loads, so members do not rejoin needlessly', () => {
    const kit = new Kit();
    kit.coordinator.beginLoad(kit.coordinator.partitionFor('g'));
    assert.equal(hb(kit, 'm', 1), ErrorCode.NONE);
  });

  it('expires a member whose heartbeats stop, and rebalances the rest', () => {
    const kit = new Kit();
    const { members } = kit.stableGroup('g', 2);
    kit.advance(9_000);
    assert.equal(hb(kit, members[0]!, 1), ErrorCode.NONE);
    kit.advance(1_000);
    const group = kit.coordinator.group('g')!;
    assert.ok(!group.hasMember(members[1]!));
    assert.equal(group.state, 'PreparingRebalance');
    assert.equal(hb(kit, members[1]!, 1), ErrorCode.UNKNOWN_MEMBER_ID);
    const j = kit.send('JoinGroup', kit.joinRequest('g', members[0]));
    assert.equal(kit.take('JoinGroup', j).generationId, 2);
  });

  it('turns the group Empty and writes it when the last member expires', () => {
    const kit = new Kit();
    kit.stableGroup('g', 1);
    kit.advance(10_000);
    const group = kit.coordinator.group('g')!;
    assert.equal(group.state, 'Empty');
    assert.equal(group.generationId, 2);
    const last = kit.log.at(-1)!.record;
    assert.equal(last.type, 'GroupMetadata');
    assert.equal(last.value!.members.length, 0);
    assert.equal(last.value!.generation, 2);
  });
});

describe('LeaveGroup', () => {
  it('removes a batch of members (v3+), by member id or by instance id alone', () => {
    const kit = new Kit();
    const s = kit.send('JoinGroup', kit.joinRequest('g', '', { groupInstanceId: 'i-s' }));
    const d = kit.joinNew('g');
    kit.advance(0);
    const rs = kit.take('JoinGroup', s);
    kit.take('JoinGroup', d.requestId);
    const r = kit.call('LeaveGroup', {
      groupId: 'g',
      members: [
        { memberId: '', groupInstanceId: 'i-s', reason: 'admin' },
        { memberId: d.memberId, groupInstanceId: null, reason: null },
        { memberId: 'ghost', groupInstanceId: null, reason: null },
        { memberId: '', groupInstanceId: 'i-unknown', reason: null },
        { memberId: 'wrong', groupInstanceId: 'i-s', reason: null },
      ],
    });
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      r.members.map((m) => m.errorCode),
      [0, 0, ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.UNKNOWN_MEMBER_ID],
    );
    assert.ok(rs.memberId);
    const group = kit.coordinator.group('g')!;
    assert.equal(group.state, 'Empty');
  });

  it('rejects the empty group id', () => {
    const kit = new Kit();
    const r = kit.call('LeaveGroup', {
      groupId: '',
      members: [{ memberId: 'm', groupInstanceId: null, reason: null }],
    });
    assert.equal(r.errorCode, ErrorCode.INVALID_GROUP_ID);
  });

  it('fences a static member leaving with a stale member id', () => {
    const kit = new Kit();
    const s = kit.send('JoinGroup', kit.joinRequest('g', '', { groupInstanceId: 'i-s' }));
    kit.advance(0);
    kit.take('JoinGroup', s);
    const r = kit.call('LeaveGroup', {
      groupId: 'g',
      members: [{ memberId: 'old-id', groupInstanceId: 'i-s', reason: null }],
    });
    assert.equal(r.members[0]!.errorCode, ErrorCode.FENCED_INSTANCE_ID);
  });

  it('puts the single member error at the top level before v3', () => {
    const kit = new Kit();
    kit.stableGroup('g', 1);
    const r = kit.take(
      'LeaveGroup',
      kit.send(
        'LeaveGroup',
        { groupId: 'g', members: [{ memberId: 'ghost', groupInstanceId: null, reason: null }] },
        2,
      ),
    );
    assert.equal(r.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    const unknownGroup = kit.take(
      'LeaveGroup',
      kit.send(
        'LeaveGroup',
        { groupId: 'x', members: [{ memberId: 'm', groupInstanceId: null, reason: null }] },
        1,
      ),
    );
    assert.equal(unknownGroup.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('completes the rebalance when the missing member leaves', () => {
    const kit = new Kit();
    const { members } = kit.stableGroup('g', 2);
    const j = kit.send('JoinGroup', kit.joinRequest('g', members[0]));
    assert.ok(!kit.answered(j));
    kit.call('LeaveGroup', {
      groupId: 'g',
      members: [{ memberId: members[1]!, groupInstanceId: null, reason: null }],
    });
    const r = kit.take('JoinGroup', j);
    assert.equal(r.generationId, 2);
    assert.equal(r.members.length, 1);
  });

  it('answers a leaving member parked in a join with UNKNOWN_MEMBER_ID', () => {
    const kit = new Kit();
    const { members } = kit.stableGroup('g', 2);
    const j = kit.send(
      'JoinGroup',
      kit.joinRequest('g', members[1], { protocols: [{ name: 'range', metadata: Buffer.from('z') }] }),
    );
    kit.call('LeaveGroup', {
      groupId: 'g',
      members: [{ memberId: members[1]!, groupInstanceId: null, reason: null }],
    });
    assert.equal(kit.take('JoinGroup', j).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });
});
