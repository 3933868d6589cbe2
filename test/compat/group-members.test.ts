import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Consumer } from 'kafkajs';
import { BrokerProcess } from './helpers/broker-process.js';
import { assertConsumed } from './helpers/compat-records.js';
import { kafkajs } from './helpers/js-clients.js';
import { type MemberClient, MemberProcess } from './helpers/member-process.js';
import { kcatProduce, python } from './helpers/run-client.js';

/**
 * Groups with several members at once, each a real client: members of one group split a topic's
 * partitions without overlap, a member leaving hands its partitions to the others, and separate
 * groups each receive every record (publish-subscribe).
 */

const PARTITIONS = 6;
const COUNT = 600;
const CF = 'confluent_kafka_compat.py';
const KP = 'kafka_python_compat.py';

/** Spreads COUNT keyed records over the topic's partitions (librdkafka's partitioner). */
function produceKeyed(bootstrap: string, topic: string): Promise<string> {
  return python(CF, ['produce-keyed', bootstrap, topic, COUNT]);
}

/** Every record of `members` taken together: none twice, `expected` in all, each key `perKey` times. */
function assertExactlyOnce(members: readonly MemberProcess[], expected: number, perKey: number): void {
  const all = members.flatMap((m) => m.records());
  const positions = new Set(all.map((r) => `${r.partition}:${r.offset}`));
  assert.equal(positions.size, all.length, 'no record delivered twice');
  assert.equal(all.length, expected, 'records consumed by the group');
  const keys = new Map<string, number>();
  for (const r of all) keys.set(r.key, (keys.get(r.key) ?? 0) + 1);
  assert.equal(keys.size, COUNT);
  assert.ok(
    [...keys.values()].every((n) => n === perKey),
    `each key ${perKey} times`,
  );
}

function assertSplit(assignments: readonly (readonly number[])[], perMember: number): void {
  for (const a of assignments) assert.equal(a.length, perMember, `assignment ${a.join(',')}`);
  const union = assignments.flat().sort((a, b) => a - b);
  assert.deepEqual(union, [...Array(PARTITIONS).keys()], 'partitions split without overlap');
}

/**
 * Waits, on the members still running, until all `counted` members together hold `total` records.
 * A member that has exited cannot be waited on: its waitFor returns at once.
 */
async function waitForRecords(
  running: readonly MemberProcess[],
  total: number,
  counted: readonly MemberProcess[] = running,
): Promise<void> {
  const count = () => counted.reduce((n, m) => n + m.records().length, 0);
  await Promise.all(running.map((m) => m.waitFor(`${total} records in the group`, () => count() >= total)));
}

/** Waits until every member's latest assignment has `perMember` partitions and they split the topic. */
async function waitForSplit(members: readonly MemberProcess[], perMember: number): Promise<void> {
  const split = () => {
    const as = members.map((m) => m.assignment());
    return as.every((a) => a.length === perMember) && new Set(as.flat()).size === PARTITIONS;
  };
  await Promise.all(members.map((m) => m.waitFor(`a split of ${perMember} partitions each`, split)));
}

describe('consumer groups with several members', () => {
  let broker: BrokerProcess;
  const started: MemberProcess[] = [];
  const start = (client: MemberClient, topic: string, group: string, name: string) => {
    const m = MemberProcess.start(client, broker.bootstrap, topic, group, name);
    started.push(m);
    return m;
  };
  before(async () => {
    broker = await BrokerProcess.start({ overrides: { 'group.initial.rebalance.delay.ms': '0' } });
  });
  after(async () => {
    for (const m of started) m.kill();
    await broker.close();
  });

  test('three confluent-kafka-python members split 6 partitions; when one leaves the others take over', async () => {
    const topic = 'members-confluent';
    await python(KP, ['create', broker.bootstrap, topic, PARTITIONS]);
    const members = ['a', 'b', 'c'].map((n) => start('confluent', topic, `${topic}-group`, n));
    // Records are produced once the group is stable, so no member reads what another will own.
    await waitForSplit(members, 2);
    await produceKeyed(broker.bootstrap, topic);
    await waitForRecords(members, COUNT);
    assertSplit(
      members.map((m) => m.assignment()),
      2,
    );
    for (const m of members) {
      for (const r of m.records())
        assert.ok(m.assignment().includes(r.partition), 'record of an owned partition');
    }
    assertExactlyOnce(members, COUNT, 1);
    await Promise.all(members.map((m) => m.commit()));

    // close() sends LeaveGroup: the group rebalances at once, well within the session timeout.
    const [leaving, ...staying] = members as [MemberProcess, MemberProcess, MemberProcess];
    await leaving.close();
    const leftWith = leaving.records().length;
    await waitForSplit(staying, 3);
    await produceKeyed(broker.bootstrap, topic);
    await waitForRecords(staying, 2 * COUNT, members);
    assertExactlyOnce(members, 2 * COUNT, 2);
    assert.equal(leaving.records().length, leftWith, 'the member that left consumed nothing more');
    await Promise.all(staying.map((m) => m.close()));
  });

  test('kafka-python: two members split the partitions', async () => {
    const topic = 'members-kafka-python';
    await python(KP, ['create', broker.bootstrap, topic, PARTITIONS]);
    const members = ['a', 'b'].map((n) => start('kafka-python', topic, `${topic}-group`, n));
    await waitForSplit(members, 3);
    await produceKeyed(broker.bootstrap, topic);
    await waitForRecords(members, COUNT);
    assertExactlyOnce(members, COUNT, 1);
    await Promise.all(members.map((m) => m.close()));
  });

  test('kafkajs: two members split the partitions', async () => {
    const topic = 'members-kafkajs';
    await python(KP, ['create', broker.bootstrap, topic, PARTITIONS]);
    const client = kafkajs(broker.bootstrap);
    const consumers: Consumer[] = [];
    const assignments: number[][] = [[], []];
    const seen: { partition: number; offset: string; key: string }[][] = [[], []];
    try {
      for (let i = 0; i < 2; i++) {
        const c = client.consumer({ groupId: `${topic}-group`, maxWaitTimeInMs: 200, sessionTimeout: 6000 });
        consumers.push(c);
        c.on(c.events.GROUP_JOIN, (e) => {
          assignments[i] = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
        });
        await c.connect();
        await c.subscribe({ topics: [topic], fromBeginning: true });
        await c.run({
          eachMessage: async ({ partition, message }) => {
            seen[i]!.push({ partition, offset: message.offset, key: message.key?.toString() ?? '' });
          },
        });
      }
      const deadline = Date.now() + 60_000;
      const split = () => assignments.every((a) => a.length === 3) && new Set(assignments.flat()).size === 6;
      while (!split() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assertSplit(assignments, 3);
      await produceKeyed(broker.bootstrap, topic);
      while (seen[0]!.length + seen[1]!.length < COUNT && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      for (let i = 0; i < 2; i++) {
        assert.ok(seen[i]!.length > 0, `member ${i} consumed records`);
        for (const r of seen[i]!)
          assert.ok(assignments[i]!.includes(r.partition), 'record of an owned partition');
      }
      const all = [...seen[0]!, ...seen[1]!];
      assert.equal(all.length, COUNT);
      assert.equal(new Set(all.map((r) => `${r.partition}:${r.offset}`)).size, COUNT, 'no record twice');
      assert.equal(new Set(all.map((r) => r.key)).size, COUNT, 'every key once');
    } finally {
      for (const c of consumers) await c.disconnect();
    }
  });

  test('two groups each receive every record (publish-subscribe)', async () => {
    const topic = 'members-pubsub';
    await kcatProduce(broker.bootstrap, topic, 1000, 'none');
    const [first, second] = await Promise.all([
      python(CF, ['group-consume', broker.bootstrap, topic, 'pubsub-one', 1000]),
      python(KP, ['group-consume', broker.bootstrap, topic, 'pubsub-two', 1000]),
    ]);
    assertConsumed(first, 1000, { headers: true, label: 'group pubsub-one (confluent-kafka-python)' });
    assertConsumed(second, 1000, { headers: true, label: 'group pubsub-two (kafka-python)' });
  });
});
