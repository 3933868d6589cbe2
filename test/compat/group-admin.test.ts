import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KafkaJSDeleteGroupsError } from 'kafkajs';
import { BrokerProcess } from './helpers/broker-process.js';
import { assertConsumed } from './helpers/compat-records.js';
import { kafkajs } from './helpers/js-clients.js';
import { MemberProcess } from './helpers/member-process.js';
import { kcatProduce, python } from './helpers/run-client.js';

/**
 * Group administration with real admin clients: kafkajs (ListGroups, DescribeGroups, OffsetFetch,
 * OffsetCommit from outside the group, DeleteGroups) and confluent-kafka-python 1.7, whose
 * AdminClient has list_groups only (it describes every listed group). One group is empty, with
 * committed offsets; the other has a live member.
 */

const COUNT = 500;
const TOPIC = 'admin-groups';
const EMPTY = 'admin-empty';
const ACTIVE = 'admin-active';
const CF = 'confluent_kafka_compat.py';

interface ListedGroup {
  state: string;
  protocol_type: string;
  protocol: string;
  members: string[];
}

describe('group administration', () => {
  let broker: BrokerProcess;
  let member: MemberProcess;
  before(async () => {
    broker = await BrokerProcess.start({ overrides: { 'group.initial.rebalance.delay.ms': '0' } });
    await kcatProduce(broker.bootstrap, TOPIC, COUNT, 'none');
    assertConsumed(await python(CF, ['group-consume', broker.bootstrap, TOPIC, EMPTY, COUNT]), COUNT, {
      headers: true,
      label: 'first read of the empty group',
    });
    member = MemberProcess.start('confluent', broker.bootstrap, TOPIC, ACTIVE, 'admin');
    await member.waitForAssignment(1);
    await member.waitFor(`${COUNT} records`, () => member.records().length === COUNT);
    await member.commit();
  });
  after(async () => {
    member.kill();
    await broker.close();
  });

  test('confluent-kafka-python list_groups: both groups, their state and members', async () => {
    const groups = JSON.parse(await python(CF, ['list-groups', broker.bootstrap])) as Record<
      string,
      ListedGroup
    >;
    assert.deepEqual(groups[EMPTY], { state: 'Empty', protocol_type: 'consumer', protocol: '', members: [] });
    assert.deepEqual(groups[ACTIVE], {
      state: 'Stable',
      protocol_type: 'consumer',
      protocol: 'range',
      members: ['compat-confluent-member-admin'],
    });
  });

  test('kafkajs admin: list, describe, fetch and set offsets, delete', async () => {
    const admin = kafkajs(broker.bootstrap).admin();
    await admin.connect();
    try {
      const listed = (await admin.listGroups()).groups.filter((g) => g.groupId.startsWith('admin-'));
      assert.deepEqual(
        listed.sort((a, b) => a.groupId.localeCompare(b.groupId)),
        [
          { groupId: ACTIVE, protocolType: 'consumer' },
          { groupId: EMPTY, protocolType: 'consumer' },
        ],
      );
      const described = (await admin.describeGroups([ACTIVE, EMPTY])).groups;
      const active = described.find((g) => g.groupId === ACTIVE)!;
      assert.equal(active.state, 'Stable');
      assert.equal(active.protocol, 'range');
      assert.deepEqual(
        active.members.map((m) => m.clientId),
        ['compat-confluent-member-admin'],
      );
      assert.equal(described.find((g) => g.groupId === EMPTY)!.state, 'Empty');

      const offsets = async (groupId: string) =>
        (await admin.fetchOffsets({ groupId, topics: [TOPIC] }))[0]!.partitions.map((p) => p.offset);
      assert.deepEqual(await offsets(EMPTY), [String(COUNT)]);
      assert.deepEqual(await offsets(ACTIVE), [String(COUNT)]);

      // An offset set from outside the group is where its next member starts.
      await admin.setOffsets({ groupId: EMPTY, topic: TOPIC, partitions: [{ partition: 0, offset: '250' }] });
      assert.deepEqual(await offsets(EMPTY), ['250']);
      const resumed = await python(CF, ['group-consume', broker.bootstrap, TOPIC, EMPTY, 250]);
      assert.match(resumed, /^250\tkey-250\t/);
      assert.equal(resumed.split('\n').filter(Boolean).length, 250);
      // resetOffsets commits -2 (earliest): the next member applies auto.offset.reset from 0.
      await admin.resetOffsets({ groupId: EMPTY, topic: TOPIC, earliest: true });
      assertConsumed(await python(CF, ['group-consume', broker.bootstrap, TOPIC, EMPTY, COUNT]), COUNT, {
        headers: true,
        label: 'after resetOffsets',
      });

      // A group with a live member cannot be deleted; an empty one can, with its offsets.
      await assert.rejects(admin.deleteGroups([ACTIVE]), (e: KafkaJSDeleteGroupsError) => {
        assert.equal(e.groups[0]?.error?.type, 'NON_EMPTY_GROUP');
        return true;
      });
      assert.deepEqual(await admin.deleteGroups([EMPTY]), [{ groupId: EMPTY, errorCode: 0 }]);
      assert.ok(
        !(await admin.listGroups()).groups.some((g) => g.groupId === EMPTY),
        'deleted group not listed',
      );
      assert.deepEqual(await offsets(EMPTY), ['-1']);
      await member.close();
      assert.deepEqual(await admin.deleteGroups([ACTIVE]), [{ groupId: ACTIVE, errorCode: 0 }]);
    } finally {
      await admin.disconnect();
    }
  });

  test('negotiated group admin API versions', (t) => {
    for (const prefix of ['compat-kafkajs', 'compat-confluent']) {
      t.diagnostic(`${prefix}: ${broker.describeVersions(prefix)}`);
      const used = broker.versionsUsedBy(prefix);
      for (const api of ['ListGroups', 'DescribeGroups']) assert.ok(used.has(api), `${prefix} sent ${api}`);
    }
    assert.ok(broker.versionsUsedBy('compat-kafkajs').has('DeleteGroups'));
  });
});
