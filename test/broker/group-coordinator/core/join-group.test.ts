import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../../../src/protocol/error-codes.js';
import { Kit } from './group-test-kit.js';

describe('JoinGroup', () => {
  it('asks a new dynamic member to rejoin with a generated id from v4 (KIP-394)', () => {
    const kit = new Kit();
    const r = kit.call('JoinGroup', kit.joinRequest('g'), 4);
    assert.equal(r.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    assert.match(r.memberId, /^client-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The group is created and written as an empty group before the answer.
    assert.deepEqual(
      kit.log.map((e) => e.record.type),
      ['GroupMetadata'],
    );
    assert.equal(kit.coordinator.group('g')!.state, 'Empty');
  });

  it('admits a member without an id directly before v4', () => {
    const kit = new Kit();
    const id = kit.send('JoinGroup', kit.joinRequest('g'), 3);
    kit.advance(0);
    const r = kit.take('JoinGroup', id);
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.generationId, 1);
    assert.equal(r.leader, r.memberId);
    assert.equal(r.members.length, 1);
  });

  it('validates the group id and session timeout bounds', () => {
    const kit = new Kit({ groupMinSessionTimeoutMs: 6000, groupMaxSessionTimeoutMs: 60_000 });
    assert.equal(kit.call('JoinGroup', kit.joinRequest('')).errorCode, ErrorCode.INVALID_GROUP_ID);
    const low = kit.joinRequest('g', '', { sessionTimeoutMs: 5999 });
    assert.equal(kit.call('JoinGroup', low).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
    const high = kit.joinRequest('g', '', { sessionTimeoutMs: 60_001 });
    assert.equal(kit.call('JoinGroup', high).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
    assert.equal(kit.coordinator.group('g'), undefined);
  });

  it('answers UNKNOWN_MEMBER_ID to a member id for an unknown group', () => {
    const kit = new Kit();
    assert.equal(kit.call('JoinGroup', kit.joinRequest('g', 'ghost')).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('answers NOT_COORDINATOR and COORDINATOR_LOAD_IN_PROGRESS for partitions it does not serve', () => {
    const kit = new Kit();
    const p = kit.coordinator.partitionFor('g');
    kit.absorb(kit.coordinator.unload(p));
    assert.equal(kit.call('JoinGroup', kit.joinRequest('g')).errorCode, ErrorCode.NOT_COORDINATOR);
    kit.coordinator.beginLoad(p);
    assert.equal(
      kit.call('JoinGroup', kit.joinRequest('g')).errorCode,
      ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
    );
    kit.absorb(kit.coordinator.loadFrom(p, []));
    assert.equal(kit.call('JoinGroup', kit.joinRequest('g')).errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  });

  it('rejects members whose protocols do not fit the group with INCONSISTENT_GROUP_PROTOCOL', () => {
    const kit = new Kit();
    kit.stableGroup('g', 1);
    const otherType = kit.joinRequest('g', '', { protocolType: 'connect' });
    assert.equal(kit.call('JoinGroup', otherType).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const noCommon = kit.joinRequest('g', '', { protocols: [{ name: 'sticky', metadata: Buffer.alloc(0) }] });
    assert.equal(kit.call('JoinGroup', noCommon).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const empty = new Kit();
    const none = empty.joinRequest('h', '', { protocols: [] });
    assert.equal(empty.call('JoinGroup', none).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('selects the protocol all members support by their votes', () => {
    const kit = new Kit();
    const p = (names: string[]) => ({
      protocols: names.map((name) => ({ name, metadata: Buffer.from(name) })),
    });
    const a = kit.joinNew('g', p(['roundrobin', 'range']));
    const b = kit.joinNew('g', p(['range', 'roundrobin', 'sticky']));
    const c = kit.joinNew('g', p(['range', 'roundrobin']));
    kit.advance(0);
    const responses = [a, b, c].map((j) => kit.take('JoinGroup', j.requestId));
    for (const r of responses) assert.equal(r.protocolName, 'range');
    const leader = responses.find((r) => r.members.length > 0)!;
    assert.equal(leader.memberId, a.memberId);
    assert.deepEqual(
      leader.members.map((m) => m.metadata.toString()),
      ['range', 'range', 'range'],
    );
  });

  it('waits group.initial.rebalance.delay.ms, extended by arrivals, up to the rebalance timeout', () => {
    const kit = new Kit({ groupInitialRebalanceDelayMs: 3000 });
    const a = kit.joinNew('g', { rebalanceTimeoutMs: 7000 });
    kit.advance(2000);
    const b = kit.joinNew('g', { rebalanceTimeoutMs: 7000 });
    kit.advance(1500); // 3000: first delay over, b arrived: extend.
    assert.ok(!kit.answered(a.requestId));
    kit.advance(2000); // 5000: a third arrival during the second delay extends again.
    const c = kit.joinNew('g', { rebalanceTimeoutMs: 7000 });
    kit.advance(1000); // 6000: second delay over, extend by min(3000, remaining).
    assert.ok(!kit.answered(c.requestId));
    kit.advance(1000); // 7000: the rebalance timeout bounds the delay.
    const r = kit.take('JoinGroup', a.requestId);
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(kit.take('JoinGroup', c.requestId).generationId, r.generationId);
    assert.equal(kit.take('JoinGroup', b.requestId).generationId, 1);
  });

  it('enforces group.max.size with GROUP_MAX_SIZE_REACHED', () => {
    const kit = new Kit({ groupMaxSize: 2 });
    kit.stableGroup('g', 2);
    const r = kit.call('JoinGroup', kit.joinRequest('g', ''), 3);
    assert.equal(r.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
    assert.equal(kit.coordinator.group('g')!.members.size, 2);
  });

  it('drops pending members that never come back with their id', () => {
    const kit = new Kit();
    const { members } = kit.stableGroup('g', 1);
    const first = kit.call('JoinGroup', kit.joinRequest('g'));
    const group = kit.coordinator.group('g')!;
    assert.ok(group.pendingJoinMembers.has(first.memberId));
    // The leader rejoins; the rebalance waits for the pending member...
    const rejoin = kit.send('JoinGroup', kit.joinRequest('g', members[0]));
    assert.ok(!kit.answered(rejoin));
    // ...until its session timeout drops it.
    kit.advance(10_000);
    assert.ok(!group.pendingJoinMembers.has(first.memberId));
    assert.equal(kit.take('JoinGroup', rejoin).generationId, 2);
  });

  it('removes members that do not rejoin within the rebalance timeout, electing a new leader', () => {
    const kit = new Kit();
    const { members, leader } = kit.stableGroup('g', 3);
    const follower = members[1]!;
    const hb = (m: string) =>
      kit.call('Heartbeat', { groupId: 'g', generationId: 1, memberId: m, groupInstanceId: null });
    // A follower's metadata change starts a rebalance; the leader never rejoins.
    const j1 = kit.send(
      'JoinGroup',
      kit.joinRequest('g', follower, { protocols: [{ name: 'range', metadata: Buffer.from('x') }] }),
    );
    assert.equal(hb(members[2]!).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    const j2 = kit.send('JoinGroup', kit.joinRequest('g', members[2]));
    kit.advance(9_000);
    hb(leader); // still heartbeating, but not rejoining
    kit.advance(21_000);
    const r1 = kit.take('JoinGroup', j1);
    assert.equal(r1.generationId, 2);
    assert.equal(r1.leader, follower);
    assert.equal(r1.members.length, 2);
    assert.equal(kit.take('JoinGroup', j2).leader, follower);
    assert.ok(!kit.coordinator.group('g')!.hasMember(leader));
  });

  it('returns the current generation to a follower rejoining unchanged while Stable', () => {
    const kit = new Kit();
    const { members } = kit.stableGroup('g', 2);
    const r = kit.call('JoinGroup', kit.joinRequest('g', members[1]));
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.generationId, 1);
    assert.equal(kit.coordinator.group('g')!.state, 'Stable');
  });

  it('rebalances when the leader rejoins while Stable', () => {
    const kit = new Kit();
    const { members } = kit.stableGroup('g', 2);
    const j = kit.send('JoinGroup', kit.joinRequest('g', members[0]));
    assert.equal(kit.coordinator.group('g')!.state, 'PreparingRebalance');
    kit.send('JoinGroup', kit.joinRequest('g', members[1]));
    assert.equal(kit.take('JoinGroup', j).generationId, 2);
  });
});

describe('static membership (KIP-345)', () => {
  const staticJoin = (kit: Kit, instance: string, memberId = '') =>
    kit.joinRequest('g', memberId, { groupInstanceId: instance });

  it('lets a restarted static member take over without a rebalance, fencing the old id', () => {
    const kit = new Kit();
    const a = kit.send('JoinGroup', staticJoin(kit, 'i-a'));
    const b = kit.send('JoinGroup', staticJoin(kit, 'i-b'));
    kit.advance(0);
    const ra = kit.take('JoinGroup', a);
    const rb = kit.take('JoinGroup', b);
    assert.equal(ra.errorCode, ErrorCode.NONE, 'static members skip MEMBER_ID_REQUIRED');
    const leader = ra.leader;
    const assignments = [ra, rb].map((r) => ({ memberId: r.memberId, assignment: Buffer.from(r.memberId) }));
    kit.sync('g', rb.memberId, 1);
    kit.sync('g', ra.memberId, 1, leader === ra.memberId ? assignments : []);
    const logBefore = kit.log.length;
    const oldB = rb.memberId === leader ? ra.memberId : rb.memberId;
    const instance = oldB === ra.memberId ? 'i-a' : 'i-b';
    // The follower restarts and joins with its instance id but no member id.
    const r = kit.call('JoinGroup', staticJoin(kit, instance));
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.generationId, 1);
    assert.notEqual(r.memberId, oldB);
    const group = kit.coordinator.group('g')!;
    assert.equal(group.state, 'Stable');
    assert.equal(kit.log.length, logBefore + 1, 'the new member id is persisted');
    // The new id gets the old assignment; the old id is fenced.
    const sync = kit.take('SyncGroup', kit.sync('g', r.memberId, 1));
    assert.deepEqual(sync.assignment, Buffer.from(oldB));
    const fenced = kit.call('Heartbeat', {
      groupId: 'g',
      generationId: 1,
      memberId: oldB,
      groupInstanceId: instance,
    });
    assert.equal(fenced.errorCode, ErrorCode.FENCED_INSTANCE_ID);
    const unknownInstance = kit.call('Heartbeat', {
      groupId: 'g',
      generationId: 1,
      memberId: r.memberId,
      groupInstanceId: 'i-zzz',
    });
    assert.equal(unknownInstance.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('fences the old member id parked in a sync, and rebalances during CompletingRebalance', () => {
    const kit = new Kit();
    const a = kit.send('JoinGroup', staticJoin(kit, 'i-a'));
    const b = kit.send('JoinGroup', staticJoin(kit, 'i-b'));
    kit.advance(0);
    const ids = [kit.take('JoinGroup', a).memberId, kit.take('JoinGroup', b).memberId];
    const group = kit.coordinator.group('g')!;
    const leader = group.leaderId!;
    const follower = ids.find((id) => id !== leader)!;
    const followerInstance = follower === ids[0] ? 'i-a' : 'i-b';
    assert.equal(group.state, 'CompletingRebalance');
    const parked = kit.sync('g', follower, 1);
    assert.ok(!kit.answered(parked));
    // A new process with the follower's instance id replaces it while its old sync is parked.
    const replacement = kit.send('JoinGroup', staticJoin(kit, followerInstance));
    assert.equal(kit.take('SyncGroup', parked).errorCode, ErrorCode.FENCED_INSTANCE_ID);
    assert.equal(group.state, 'PreparingRebalance');
    kit.send('JoinGroup', staticJoin(kit, leader === ids[0] ? 'i-a' : 'i-b', leader));
    const r = kit.take('JoinGroup', replacement);
    assert.equal(r.generationId, 2);
    assert.ok(group.hasMember(r.memberId));
    assert.ok(!group.hasMember(follower));
  });

  it('keeps static members that miss a rebalance until their session expires', () => {
    const kit = new Kit();
    const a = kit.send('JoinGroup', staticJoin(kit, 'i-a'));
    const b = kit.send('JoinGroup', staticJoin(kit, 'i-b'));
    kit.advance(0);
    const ids = [kit.take('JoinGroup', a).memberId, kit.take('JoinGroup', b).memberId];
    const group = kit.coordinator.group('g')!;
    const leader = group.leaderId!;
    const other = ids.find((id) => id !== leader)!;
    kit.sync('g', other, 1);
    kit.sync(
      'g',
      leader,
      1,
      ids.map((memberId) => ({ memberId, assignment: Buffer.alloc(0) })),
    );
    const j = kit.send('JoinGroup', staticJoin(kit, leader === ids[0] ? 'i-a' : 'i-b', leader));
    // The member that does not rejoin keeps its session alive.
    const hb = () =>
      kit.call('Heartbeat', { groupId: 'g', generationId: 1, memberId: other, groupInstanceId: null });
    kit.advance(9_000);
    assert.equal(hb().errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    kit.advance(9_000);
    hb();
    kit.advance(9_000);
    hb();
    assert.ok(!kit.answered(j));
    kit.advance(3_000);
    // The rebalance timeout completed the join with the static member still in the group.
    assert.equal(kit.take('JoinGroup', j).members.length, 2);
    assert.ok(group.hasMember(other));
  });
});
