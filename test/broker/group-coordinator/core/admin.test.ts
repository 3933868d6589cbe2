import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCoordinator } from '../../../../src/broker/group-coordinator/core/group-coordinator.js';
import { GroupCoordinatorError } from '../../../../src/broker/group-coordinator/core/group-coordinator-error.js';
import { groupRecordCodec } from '../../../../src/broker/group-coordinator/core/group-record-codec.js';
import { SeededRandom } from '../../../../src/common/random.js';
import { ErrorCode } from '../../../../src/protocol/error-codes.js';
import { Kit } from './group-test-kit.js';

describe('ListGroups and DescribeGroups', () => {
  it('lists groups with their state, filtered case-insensitively', () => {
    const kit = new Kit();
    kit.stableGroup('stable', 1);
    kit.call('JoinGroup', kit.joinRequest('empty'));
    const all = kit.call('ListGroups', { statesFilter: [], typesFilter: [] });
    assert.deepEqual(all.groups.map((g) => [g.groupId, g.groupState, g.protocolType, g.groupType]).sort(), [
      ['empty', 'Empty', '', 'classic'],
      ['stable', 'Stable', 'consumer', 'classic'],
    ]);
    const stable = kit.call('ListGroups', { statesFilter: [' STABLE'], typesFilter: [] });
    assert.deepEqual(
      stable.groups.map((g) => g.groupId),
      ['stable'],
    );
    assert.equal(kit.call('ListGroups', { statesFilter: [], typesFilter: ['consumer'] }).groups.length, 0);
  });

  it('describes members, with metadata and assignment only when Stable', () => {
    const kit = new Kit();
    const { members } = kit.stableGroup('g', 2);
    const r = kit.call('DescribeGroups', { groups: ['g', 'nope'], includeAuthorizedOperations: false });
    const [g, nope] = r.groups;
    assert.equal(g!.groupState, 'Stable');
    assert.equal(g!.protocolData, 'range');
    assert.deepEqual(g!.members.map((m) => m.memberAssignment.toString()).sort(), [...members].sort());
    assert.ok(g!.members.every((m) => m.memberMetadata.length > 0 && m.clientId === 'client'));
    assert.deepEqual([nope!.errorCode, nope!.groupState, nope!.members.length], [0, 'Dead', 0]);
    kit.send('JoinGroup', kit.joinRequest('g', members[0]));
    const rebalancing = kit.call('DescribeGroups', { groups: ['g'], includeAuthorizedOperations: false })
      .groups[0]!;
    assert.equal(rebalancing.groupState, 'PreparingRebalance');
    assert.equal(rebalancing.protocolData, '');
    assert.ok(rebalancing.members.every((m) => m.memberAssignment.length === 0));
  });
});

describe('DeleteGroups', () => {
  it('deletes empty groups with their offsets, refuses live or unknown ones', () => {
    const kit = new Kit();
    kit.stableGroup('live', 1);
    kit.call('OffsetCommit', {
      groupId: 'idle',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [
        {
          name: 't',
          partitions: [0, 1].map((partitionIndex) => ({
            partitionIndex,
            committedOffset: 1n,
            committedLeaderEpoch: -1,
            commitTimestamp: -1n,
            committedMetadata: null,
          })),
        },
      ],
    });
    const before = kit.log.length;
    const r = kit.call('DeleteGroups', { groupsNames: ['idle', 'live', 'nope'] });
    assert.deepEqual(
      r.results.map((x) => [x.groupId, x.errorCode]),
      [
        ['idle', 0],
        ['live', ErrorCode.NON_EMPTY_GROUP],
        ['nope', ErrorCode.GROUP_ID_NOT_FOUND],
      ],
    );
    assert.deepEqual(
      kit.log.slice(before).map((e) => [e.record.type, e.record.value]),
      [
        ['OffsetCommit', null],
        ['OffsetCommit', null],
        ['GroupMetadata', null],
      ],
    );
    assert.equal(kit.coordinator.group('idle'), undefined);
    assert.equal(kit.coordinator.committedOffset('idle', 't', 0), undefined);
  });
});

describe('loading a partition', () => {
  it('rebuilds groups and offsets from the records, through their bytes', () => {
    const kit = new Kit();
    const { members, leader } = kit.stableGroup('g', 3);
    kit.call('OffsetCommit', {
      groupId: 'g',
      generationIdOrMemberEpoch: 1,
      memberId: members[1]!,
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [
        {
          name: 't',
          partitions: [
            {
              partitionIndex: 4,
              committedOffset: 77n,
              committedLeaderEpoch: 2,
              commitTimestamp: -1n,
              committedMetadata: 'x',
            },
          ],
        },
      ],
    });
    const p = kit.coordinator.partitionFor('g');
    const bytes = kit.log.filter((e) => e.partition === p).map((e) => groupRecordCodec.encode(e.record));
    const restarted = new GroupCoordinator({ clock: kit.clock, random: new SeededRandom(2) });
    const early = restarted.handle({
      api: 'Heartbeat',
      context: { requestId: 1, apiVersion: 4, clientId: 'c', clientHost: 'h' },
      request: { groupId: 'g', generationId: 1, memberId: leader, groupInstanceId: null },
    })[0]!;
    assert.ok(early.type === 'respond' && early.api === 'Heartbeat');
    assert.equal(early.response.errorCode, ErrorCode.NOT_COORDINATOR);
    restarted.beginLoad(p);
    restarted.loadFrom(
      p,
      bytes.map((b) => groupRecordCodec.decode(b)),
    );
    const group = restarted.group('g')!;
    assert.deepEqual(
      [group.state, group.generationId, group.leaderId, group.protocolName, group.members.size],
      ['Stable', 1, leader, 'range', 3],
    );
    assert.equal(group.member(members[2]!).assignment.toString(), members[2]);
    assert.equal(restarted.committedOffset('g', 't', 4)!.offset, 77n);
    // Loaded members get a fresh session: silent ones expire and the group rebalances.
    kit.clock.advance(10_000);
    restarted.tick(kit.clock.monotonicMs());
    assert.equal(restarted.group('g')!.state, 'Empty');
  });

  it('rebalances a loaded group larger than group.max.size', () => {
    const kit = new Kit();
    kit.stableGroup('g', 3);
    const p = kit.coordinator.partitionFor('g');
    const records = kit.log.filter((e) => e.partition === p).map((e) => e.record);
    const smaller = new GroupCoordinator({
      clock: kit.clock,
      random: new SeededRandom(3),
      config: { groupMaxSize: 2 },
    });
    smaller.loadFrom(p, records);
    assert.equal(smaller.group('g')!.state, 'PreparingRebalance');
  });

  it('drops the effects of an input that hits an inconsistent state, and says to reload', () => {
    const kit = new Kit();
    const { members } = kit.stableGroup('g', 1);
    const p = kit.coordinator.partitionFor('g');
    // A record naming a leader that is not a member: no coordinator writes this.
    const bad = kit.log.filter((e) => e.partition === p).map((e) => e.record);
    const last = bad.at(-1)!;
    assert.ok(last.type === 'GroupMetadata' && last.value);
    bad.push({ ...last, value: { ...last.value, leader: 'ghost' } });
    const c = new GroupCoordinator({ clock: kit.clock, random: new SeededRandom(4) });
    c.loadFrom(p, bad);
    const join = {
      api: 'JoinGroup' as const,
      context: { requestId: 1, apiVersion: 9, clientId: 'c', clientHost: 'h' },
      request: kit.joinRequest('g', members[0], {
        protocols: [{ name: 'range', metadata: Buffer.from('changed') }],
      }),
    };
    assert.throws(
      () => c.handle(join),
      (e: unknown) => e instanceof GroupCoordinatorError && e.code === 'COORDINATOR_STATE_INCONSISTENT',
    );
    // Nothing of the failed input leaks into the next answer.
    const next = c.handle({
      api: 'ListGroups',
      context: { requestId: 2, apiVersion: 4, clientId: 'c', clientHost: 'h' },
      request: { statesFilter: [], typesFilter: [] },
    });
    assert.deepEqual(
      next.map((e) => (e.type === 'respond' ? e.requestId : -1)),
      [2],
    );
  });

  it('answers parked requests NOT_COORDINATOR when the partition is unloaded', () => {
    const kit = new Kit();
    const { members } = kit.stableGroup('g', 2);
    const j = kit.send('JoinGroup', kit.joinRequest('g', members[0]));
    kit.absorb(kit.coordinator.unload(kit.coordinator.partitionFor('g')));
    assert.equal(kit.take('JoinGroup', j).errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal(kit.coordinator.group('g'), undefined);
  });
});
