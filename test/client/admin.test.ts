import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Admin } from '../../src/client/index.js';
import { startTestCluster, type TestCluster, uniqueTopic } from './client-helpers.js';

describe('admin against a broker', () => {
  let cluster: TestCluster;
  let admin: Admin;
  before(async () => {
    cluster = await startTestCluster();
    admin = cluster.kafka.admin();
  });
  after(async () => {
    await admin.close();
    await cluster.close();
  });

  it('creates, lists, describes and deletes topics', async () => {
    const topic = uniqueTopic('admin');
    await admin.createTopics([{ topic, numPartitions: 3, configs: { 'retention.ms': '3600000' } }]);
    assert.ok((await admin.listTopics()).includes(topic));
    const [info] = await admin.describeTopics([topic]);
    assert.equal(info!.partitions.length, 3);
    assert.ok(info!.partitions.every((p) => p.leader >= 0));
    await assert.rejects(admin.createTopics([{ topic, numPartitions: 1 }]), {
      kafkaName: 'TOPIC_ALREADY_EXISTS',
    });
    await admin.deleteTopics([topic]);
    assert.ok(!(await admin.listTopics()).includes(topic));
  });

  it('validates without creating when validateOnly is set', async () => {
    const topic = uniqueTopic('validate');
    await admin.createTopics([{ topic, numPartitions: 1 }], { validateOnly: true });
    assert.ok(!(await admin.listTopics()).includes(topic));
  });

  it('adds partitions', async () => {
    const topic = uniqueTopic('grow');
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    await admin.createPartitions([{ topic, count: 4 }]);
    const [info] = await admin.describeTopics([topic]);
    assert.equal(info!.partitions.length, 4);
  });

  it('describes and incrementally alters topic configs', async () => {
    const topic = uniqueTopic('configs');
    await admin.createTopics([{ topic, numPartitions: 1, configs: { 'cleanup.policy': 'compact' } }]);
    const [before] = await admin.describeConfigs([
      { type: 'topic', name: topic, keys: ['cleanup.policy', 'retention.ms'] },
    ]);
    const byName = new Map(before!.configs.map((c) => [c.name, c]));
    assert.equal(byName.get('cleanup.policy')?.value, 'compact');
    assert.equal(byName.get('cleanup.policy')?.isDefault, false);
    assert.equal(byName.get('retention.ms')?.isDefault, true);
    await admin.alterConfigs([
      { type: 'topic', name: topic, configs: [{ name: 'retention.ms', value: '1234' }] },
    ]);
    await admin.alterConfigs([
      { type: 'topic', name: topic, configs: [{ name: 'cleanup.policy', op: 'delete' }] },
    ]);
    const [afterAlter] = await admin.describeConfigs([{ type: 'topic', name: topic }]);
    const now = new Map(afterAlter!.configs.map((c) => [c.name, c.value]));
    assert.equal(now.get('retention.ms'), '1234');
    assert.equal(now.get('cleanup.policy'), 'delete');
  });

  it('lists offsets (earliest, latest, by time) and deletes records', async () => {
    const topic = uniqueTopic('offsets');
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    const producer = cluster.kafka.producer({ acks: 1 });
    // Recent timestamps: records older than retention.ms would be deleted with their segment.
    const base = Date.now() - 60_000;
    await producer.sendBatch(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ value: String(i), timestamp: base + i * 1000 })),
    );
    await producer.close();
    const q = (timestamp: 'earliest' | 'latest' | number) =>
      admin.listOffsets([{ topic, partition: 0, timestamp }]);
    assert.equal((await q('earliest'))[0]!.offset, 0n);
    assert.equal((await q('latest'))[0]!.offset, 10n);
    const byTime = (await q(base + 4500))[0]!;
    assert.equal(byTime.offset, 5n);
    assert.equal(byTime.timestamp, BigInt(base + 5000));
    const [deleted] = await admin.deleteRecords(topic, [{ partition: 0, offset: 4n }]);
    assert.deepEqual(deleted, { partition: 0, lowWatermark: 4n });
    assert.equal((await q('earliest'))[0]!.offset, 4n);
  });

  it('describes the cluster', async () => {
    const d = await admin.describeCluster();
    assert.equal(d.brokers.length, 1);
    assert.equal(d.brokers[0]!.nodeId, d.controllerId);
    assert.equal(`${d.brokers[0]!.host}:${d.brokers[0]!.port}`, cluster.broker.bootstrap);
    assert.ok(d.clusterId && d.clusterId.length > 0);
  });

  it('reports unknown topics with a typed, non-retriable Kafka error after retries', async () => {
    const quick = cluster.kafka.config;
    const { Kafka } = await import('../../src/client/index.js');
    const k = new Kafka({ ...quick, retries: 1, retryBackoffMs: 1, allowAutoTopicCreation: false });
    const a = k.admin();
    await assert.rejects(a.describeTopics(['does-not-exist']), (err: unknown) => {
      const e = err as { code: string; kafkaName: string; kafkaCode: number; retriable: boolean };
      return e.code === 'KAFKA_ERROR' && e.kafkaName === 'UNKNOWN_TOPIC_OR_PARTITION' && e.kafkaCode === 3;
    });
    await a.close();
  });

  it('aborts admin calls through AbortSignal', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(admin.createTopics([{ topic: uniqueTopic('never') }], { signal: ac.signal }), {
      code: 'ABORTED',
    });
    await assert.rejects(admin.describeCluster({ signal: ac.signal }), { code: 'ABORTED' });
    await assert.rejects(admin.listGroups({ signal: ac.signal }), { code: 'ABORTED' });
  });
});
