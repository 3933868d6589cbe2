import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { Kafka, type MemberSubscription } from '../../src/client/index.js';
import { KafkaStreams, Serdes, StreamsBuilder } from '../../src/streams/index.js';
import { stickyTaskAssignor } from '../../src/streams/runtime/sticky-task-assignor.js';
import type { TopicPlan } from '../../src/streams/runtime/topic-plan.js';

/** Sub-topology 0 reads the co-partitioned a and b, sub-topology 1 the repartition topic r. */
const plan = {
  subtopologies: [
    { id: 0, nodeNames: [], sourceTopics: ['a', 'b'], partitions: 3 },
    { id: 1, nodeNames: [], sourceTopics: ['r'], partitions: 3 },
  ],
  internalTopics: [],
  subtopologyOf: (t: string) => (t === 'r' ? 1 : t === 'a' || t === 'b' ? 0 : undefined),
} as unknown as TopicPlan;
const counts = new Map([
  ['a', 3],
  ['b', 3],
  ['r', 3],
]);

function member(memberId: string, owned: Record<string, number[]> = {}): MemberSubscription {
  return {
    memberId,
    groupInstanceId: null,
    subscription: {
      topics: ['a', 'b', 'r'],
      userData: null,
      ownedPartitions: new Map(Object.entries(owned)),
      generationId: 1,
      rackId: null,
    },
  };
}

/** Each member's tasks, as `<sub>_<partition>`, from its partitions. */
function tasksOf(assignment: Map<string, Map<string, number[]>>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [m, tps] of assignment) {
    const tasks = new Set<string>();
    for (const [topic, ps] of tps) for (const p of ps) tasks.add(`${topic === 'r' ? 1 : 0}_${p}`);
    out[m] = [...tasks].sort();
  }
  return out;
}

describe('the sticky task assignor', () => {
  const assignor = stickyTaskAssignor(plan);

  it('places tasks, co-partitioned inputs together, balanced over the members', () => {
    const a = assignor.assign([member('m1'), member('m2')], counts);
    assert.deepEqual(tasksOf(a), { m1: ['0_0', '0_2', '1_1'], m2: ['0_1', '1_0', '1_2'] });
    assert.deepEqual(
      a.get('m1')!.get('a'),
      a.get('m1')!.get('b'),
      'partition p of a and of b go to one member',
    );
  });

  it('keeps tasks where they run; a task that moves is revoked in one round and given in the next (KIP-429)', () => {
    const all = { a: [0, 1, 2], b: [0, 1, 2], r: [0, 1, 2] };
    const first = assignor.assign([member('m1', all), member('m2')], counts);
    assert.deepEqual(
      tasksOf(first),
      { m1: ['0_0', '0_1', '0_2'], m2: [] },
      'm1 keeps three, gives up the rest',
    );
    const second = assignor.assign([member('m1', { a: [0, 1, 2], b: [0, 1, 2] }), member('m2')], counts);
    assert.deepEqual(tasksOf(second), { m1: ['0_0', '0_1', '0_2'], m2: ['1_0', '1_1', '1_2'] });
    const left = assignor.assign([member('m2', { r: [0, 1, 2] })], counts);
    assert.deepEqual(
      tasksOf(left),
      { m2: ['0_0', '0_1', '0_2', '1_0', '1_1', '1_2'] },
      "a member's tasks go at once when it left",
    );
  });
});

describe('sticky tasks across a rebalance against a broker', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'strom-streams-state-'));
  let broker: StartedBroker;
  let kafka: Kafka;
  before(async () => {
    broker = await startBroker();
    kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'sticky-test' });
    const admin = kafka.admin();
    await admin.createTopics([
      { topic: 'sticky-in', numPartitions: 2 },
      { topic: 'sticky-out', numPartitions: 2 },
    ]);
    await admin.close();
    const producer = kafka.producer();
    await producer.sendBatch(
      'sticky-in',
      Array.from({ length: 200 }, (_, i) => ({ key: `k${i % 20}`, value: 'x' })),
    );
    await producer.close();
  });
  after(async () => {
    await broker.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  function instance(name: string): KafkaStreams {
    const builder = new StreamsBuilder();
    builder
      .stream('sticky-in', { key: Serdes.String, value: Serdes.String })
      .groupBy((k) => k)
      // In memory: a task that is closed and opened again restores its whole changelog.
      .count({ name: 'counts', storeType: 'in_memory' })
      .toStream()
      .to('sticky-out', { key: Serdes.String, value: Serdes.Long });
    return new KafkaStreams(builder.build(), {
      applicationId: 'sticky-app',
      bootstrapServers: broker.bootstrap,
      commitIntervalMs: 100,
      stateDir: join(stateDir, name),
    });
  }

  async function waitFor(what: string, check: () => boolean, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('the first instance keeps the tasks it still runs when a second joins, without closing or restoring them', async () => {
    const a = instance('a');
    await a.start();
    const b = instance('b');
    try {
      await waitFor(
        'a counted everything',
        () =>
          a.state === 'RUNNING' &&
          a.localTaskIds().length === 4 &&
          a
            .store<string, number>('counts')
            .all()
            .reduce((n, e) => n + e.value, 0) === 200,
      );
      const before = a.localTaskIds().sort();
      const restoredBefore = a.restoredRecords;
      await b.start();
      await waitFor(
        'the tasks are split',
        () =>
          a.state === 'RUNNING' &&
          b.state === 'RUNNING' &&
          a.localTaskIds().length === 2 &&
          b.localTaskIds().length === 2,
      );
      const kept = a.localTaskIds().sort();
      assert.ok(kept.every((t) => before.includes(t)));
      assert.equal(
        a.restoredRecords,
        restoredBefore,
        'the tasks a kept were never closed, so nothing was restored',
      );
      assert.deepEqual([...kept, ...b.localTaskIds()].sort(), before);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
