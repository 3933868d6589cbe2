import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../../src/broker/start-broker.js';
import { Kafka } from '../../../src/client/index.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../../src/protocol/generated/messages/create-topics-response.js';
import type { FindCoordinatorResponse } from '../../../src/protocol/generated/messages/find-coordinator-response.js';
import { type EtcdProcess, startEtcd } from '../../helpers/etcd-process.js';
import { request } from '../../helpers/request.js';

/** Polls `check` until it holds; fails after `limitMs` (a bound, not a timing assertion). */
async function eventually(what: string, check: () => boolean | Promise<boolean>, limitMs = 10_000) {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`not within ${limitMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('group and transaction coordinators in a three-broker cluster', () => {
  let etcd: EtcdProcess;
  const brokers: StartedBroker[] = [];
  const leaderOf = (topic: string, partition: number) =>
    brokers[0]!.broker.services.metadata.image.partition(topic, partition)?.leader ?? -1;

  before(async () => {
    etcd = await startEtcd();
    for (const id of [1, 2, 3]) {
      brokers.push(
        await startBroker({
          config: {
            'metadata.etcd.endpoints': etcd.endpoint,
            'node.id': String(id),
            'broker.session.timeout.ms': '2000',
            'broker.heartbeat.interval.ms': '500',
            'offsets.topic.num.partitions': '3',
            'transaction.state.log.num.partitions': '3',
          },
        }),
      );
    }
    await eventually('three registered brokers everywhere', () =>
      brokers.every((b) => b.broker.services.metadata.image.brokers.size === 3),
    );
    const created = await request<CreateTopicsResponse>(brokers[0]!.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [
        { name: 'in', numPartitions: 3, replicationFactor: 1 },
        { name: 'out', numPartitions: 3, replicationFactor: 1 },
      ],
      timeoutMs: 5000,
    });
    for (const t of created.topics) assert.equal(t.errorCode, ErrorCode.NONE);
    await eventually('every broker sees the topics', () =>
      brokers.every((b) => b.broker.services.metadata.image.topic('out') !== undefined),
    );
    assert.deepEqual(
      [0, 1, 2].map((p) => leaderOf('out', p)).sort(),
      [1, 2, 3],
      'one partition of each topic on each broker',
    );
  });
  after(async () => {
    for (const b of brokers) await b.close().catch(() => undefined);
    await etcd?.stop();
  });

  it("answers FindCoordinator with the leader of the key's internal partition, on every broker", async () => {
    for (const keyType of [0, 1]) {
      const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
      const answers = await Promise.all(
        brokers.map((b) =>
          request<FindCoordinatorResponse>(b.bootstrap, ApiKey.FindCoordinator, 4, {
            keyType,
            coordinatorKeys: keys,
          }),
        ),
      );
      const topic = keyType === 0 ? '__consumer_offsets' : '__transaction_state';
      const s = brokers[0]!.broker.services;
      for (const a of answers) {
        for (const c of a.coordinators) {
          assert.equal(c.errorCode, ErrorCode.NONE, `${topic} ${c.key}`);
          const partition =
            keyType === 0 ? s.groups.core.partitionFor(c.key) : s.transactions.core.partitionFor(c.key);
          assert.equal(c.nodeId, leaderOf(topic, partition));
        }
      }
      assert.ok(
        new Set(answers[0]!.coordinators.map((c) => c.nodeId)).size > 1,
        'coordinators on several brokers',
      );
    }
  });

  it('runs a consumer group whose coordinator leads none of its partitions but one, and keeps its commits', async () => {
    const kafka = new Kafka({ bootstrapServers: brokers[0]!.bootstrap, clientId: 'cluster-test' });
    const producer = kafka.producer({ acks: 'all' });
    for (let p = 0; p < 3; p++)
      await producer.sendBatch(
        'in',
        [0, 1, 2, 3].map((i) => ({ key: null, value: `p${p}-${i}`, partition: p })),
      );
    await producer.close();
    const consumer = kafka.consumer({
      groupId: 'spread-group',
      autoOffsetReset: 'earliest',
      autoCommit: false,
    });
    consumer.subscribe(['in']);
    const seen: string[] = [];
    const deadline = Date.now() + 20_000;
    while (seen.length < 12 && Date.now() < deadline) {
      for (const r of await consumer.poll({ timeoutMs: 500 })) seen.push(r.value!.toString());
    }
    assert.equal(seen.length, 12);
    await consumer.commitSync();
    const committed = await consumer.committed([0, 1, 2].map((partition) => ({ topic: 'in', partition })));
    await consumer.close();
    for (let p = 0; p < 3; p++) assert.equal(committed.get(`in-${p}`), 4n);
    const coordinatorPartition = brokers[0]!.broker.services.groups.core.partitionFor('spread-group');
    const coordinator = leaderOf('__consumer_offsets', coordinatorPartition);
    assert.ok([1, 2, 3].includes(coordinator));
    assert.equal(
      [0, 1, 2].filter((p) => leaderOf('in', p) !== coordinator).length,
      2,
      'two of the three partitions are led by other brokers than the coordinator',
    );
  });

  it('commits a transaction spanning partitions on every broker; read_committed never sees an aborted one', async () => {
    const kafka = new Kafka({ bootstrapServers: brokers[1]!.bootstrap, clientId: 'cluster-txn' });
    const producer = kafka.producer({ transactionalId: 'spanning' });
    await producer.initTransactions();
    producer.beginTransaction();
    await producer.sendBatch(
      'out',
      [0, 1, 2].map((partition) => ({ key: null, value: `aborted-${partition}`, partition })),
    );
    await producer.abortTransaction();
    producer.beginTransaction();
    await producer.sendBatch(
      'out',
      [0, 1, 2].map((partition) => ({ key: null, value: `committed-${partition}`, partition })),
    );
    await producer.commitTransaction();
    await producer.close();

    const consumer = kafka.consumer({ isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
    consumer.assign([0, 1, 2].map((partition) => ({ topic: 'out', partition })));
    const seen: string[] = [];
    const deadline = Date.now() + 20_000;
    while (seen.length < 3 && Date.now() < deadline) {
      for (const r of await consumer.poll({ timeoutMs: 500 })) seen.push(r.value!.toString());
    }
    await consumer.close();
    assert.deepEqual(seen.sort(), ['committed-0', 'committed-1', 'committed-2']);
    // Each partition holds both transactions' batches and a marker after each: the markers were
    // written by the coordinator to the leaders on the other brokers too.
    for (let p = 0; p < 3; p++) {
      const leader = brokers.find((b) => b.broker.services.nodeId === leaderOf('out', p))!;
      const log = leader.broker.services.replicas.get('out', p)!.log;
      assert.equal(log.logEndOffset, 4, `partition ${p}: two records and two markers`);
      assert.equal(log.lastStableOffset, 4);
    }
  });
});
