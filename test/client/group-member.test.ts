import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GroupJoin, GroupMember } from '../../src/client/index.js';
import { startTestCluster, type TestCluster } from './client-helpers.js';

describe('GroupMember: a classic group with its own protocol type', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster({ 'group.initial.rebalance.delay.ms': '0' });
  });
  after(() => cluster?.close());

  it('joins with protocol type "connect", the leader assigns bytes to each member, and a leave rebalances', async () => {
    const groupId = 'custom-protocol-group';
    const joins = new Map<string, GroupJoin>();
    const make = (name: string): GroupMember => {
      const member: GroupMember = cluster.kafka.groupMember(
        {
          groupId,
          protocolType: 'connect',
          sessionTimeoutMs: 6000,
          rebalanceTimeoutMs: 10000,
          heartbeatIntervalMs: 200,
        },
        {
          protocols: () => [
            { name: 'sessioned', metadata: Buffer.from(`${name}:v2`) },
            { name: 'default', metadata: Buffer.from(`${name}:v0`) },
          ],
          onJoinPrepare: async () => {},
          assign: async (leaderId, protocolName, members) => {
            assert.equal(protocolName, 'sessioned');
            // Every member's metadata for the chosen protocol reaches the leader.
            const metas = members.map((m) => m.metadata.toString()).sort();
            return new Map(
              members.map((m) => [
                m.memberId,
                Buffer.from(`${leaderId === m.memberId ? 'lead' : 'follow'}|${metas.join(',')}`),
              ]),
            );
          },
          onJoinComplete: async (join) => {
            joins.set(name, join);
          },
          onRebalanceNeeded: () => void member.ensureActive().catch(() => {}),
        },
      );
      return member;
    };
    const a = make('a');
    const b = make('b');
    await Promise.all([a.ensureActive(), b.ensureActive()]);
    // The two joins may be one generation or two; wait until both hold the same one.
    const deadline = Date.now() + 15_000;
    while (joins.get('a')?.generationId !== joins.get('b')?.generationId || joins.size < 2) {
      assert.ok(Date.now() < deadline, 'members never settled in one generation');
      await new Promise((r) => setTimeout(r, 50));
    }
    const texts = [joins.get('a')!, joins.get('b')!].map((j) => j.assignment.toString()).sort();
    assert.deepEqual(texts, ['follow|a:v2,b:v2', 'lead|a:v2,b:v2']);

    const admin = cluster.kafka.admin();
    try {
      const [group] = await admin.describeGroups([groupId]);
      assert.equal(group!.protocolType, 'connect');
      assert.equal(group!.protocol, 'sessioned');
      assert.equal(group!.members.length, 2);
      const generation = joins.get('a')!.generationId;
      await b.leave();
      b.close();
      while (joins.get('a')!.generationId === generation) {
        assert.ok(Date.now() < deadline + 15_000, 'the remaining member never rejoined');
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(joins.get('a')!.assignment.toString(), 'lead|a:v2');
    } finally {
      await admin.close();
      await a.leave();
      a.close();
    }
  });
});
