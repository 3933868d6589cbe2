import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClientError, type Kafka } from '../../src/client/index.js';
import { startTestCluster, type TestCluster, uniqueTopic } from './client-helpers.js';

/** Every value of the topic's partitions up to their last stable offset, read by a fresh consumer. */
async function readValues(
  kafka: Kafka,
  topic: string,
  partitions: number,
  isolationLevel: 'read_committed' | 'read_uncommitted',
): Promise<string[]> {
  const admin = kafka.admin();
  const ends = await admin.listOffsets(
    Array.from({ length: partitions }, (_, partition) => ({
      topic,
      partition,
      timestamp: 'latest' as const,
    })),
    { isolationLevel },
  );
  await admin.close();
  const consumer = kafka.consumer({ isolationLevel, fetchMaxWaitMs: 50 });
  const tps = ends.map((e) => ({ topic, partition: e.partition }));
  consumer.assign(tps);
  for (const tp of tps) consumer.seek(tp, 0n);
  const got: string[] = [];
  try {
    const behind = () => ends.some((e) => (consumer.position(e) ?? 0n) < e.offset);
    while (behind()) for (const r of await consumer.poll({ timeoutMs: 2000 })) got.push(r.value!.toString());
  } finally {
    await consumer.close();
  }
  return got.sort();
}

describe('transactions against a Strom broker', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster({ 'num.partitions': '2' });
  });
  after(async () => {
    await cluster.close();
  });

  it('read_committed sees committed transactions whole and aborted ones never', async () => {
    const topic = uniqueTopic('txn');
    const producer = cluster.kafka.producer({ transactionalId: `${topic}-app`, lingerMs: 0 });
    try {
      await producer.initTransactions();
      producer.beginTransaction();
      await producer.sendBatch(topic, [
        { value: 'c1', partition: 0 },
        { value: 'c2', partition: 1 },
      ]);
      await producer.commitTransaction();
      producer.beginTransaction();
      await producer.sendBatch(topic, [
        { value: 'a1', partition: 0 },
        { value: 'a2', partition: 1 },
      ]);
      await producer.abortTransaction();
      producer.beginTransaction();
      await producer.send(topic, { value: 'c3', partition: 0 });
      await producer.commitTransaction();
    } finally {
      await producer.close();
    }
    assert.deepEqual(await readValues(cluster.kafka, topic, 2, 'read_committed'), ['c1', 'c2', 'c3']);
    assert.deepEqual(await readValues(cluster.kafka, topic, 2, 'read_uncommitted'), [
      'a1',
      'a2',
      'c1',
      'c2',
      'c3',
    ]);
  });

  it('a new producer with the same transactional id fences the old one and aborts its open transaction', async () => {
    const topic = uniqueTopic('fence');
    const id = `${topic}-app`;
    const zombie = cluster.kafka.producer({ transactionalId: id, lingerMs: 0 });
    const successor = cluster.kafka.producer({ transactionalId: id, lingerMs: 0 });
    try {
      await zombie.initTransactions();
      zombie.beginTransaction();
      await zombie.send(topic, { value: 'zombie', partition: 0 });
      await successor.initTransactions();
      await assert.rejects(zombie.commitTransaction(), (e: unknown) => {
        return e instanceof ClientError && e.kafkaName === 'PRODUCER_FENCED';
      });
      assert.equal(zombie.transactionState, 'FATAL_ERROR');
      successor.beginTransaction();
      await successor.send(topic, { value: 'successor', partition: 0 });
      await successor.commitTransaction();
    } finally {
      await zombie.close();
      await successor.close();
    }
    assert.deepEqual(await readValues(cluster.kafka, topic, 2, 'read_committed'), ['successor']);
  });

  it('fenceProducers bumps the epoch: the current producer is fenced and its open transaction aborted', async () => {
    const topic = uniqueTopic('fence-admin');
    const id = `${topic}-app`;
    const producer = cluster.kafka.producer({ transactionalId: id, lingerMs: 0 });
    const admin = cluster.kafka.admin();
    try {
      await producer.initTransactions();
      producer.beginTransaction();
      await producer.send(topic, { value: 'fenced', partition: 0 });
      const [fenced] = await admin.fenceProducers([id]);
      assert.equal(fenced!.transactionalId, id);
      await assert.rejects(producer.commitTransaction(), (e: unknown) => {
        return e instanceof ClientError && e.kafkaName === 'PRODUCER_FENCED';
      });
    } finally {
      await producer.close();
      await admin.close();
    }
    assert.deepEqual(await readValues(cluster.kafka, topic, 2, 'read_committed'), []);
  });

  it('lists and describes transactions through the admin client', async () => {
    const topic = uniqueTopic('admin');
    const id = `${topic}-app`;
    const producer = cluster.kafka.producer({
      transactionalId: id,
      lingerMs: 0,
      transactionTimeoutMs: 30000,
    });
    const admin = cluster.kafka.admin();
    try {
      await producer.initTransactions();
      producer.beginTransaction();
      await producer.send(topic, { value: 'open', partition: 1 });
      const listed = (await admin.listTransactions()).find((t) => t.transactionalId === id);
      assert.equal(listed?.state, 'Ongoing');
      const [d] = await admin.describeTransactions([id]);
      assert.equal(d!.state, 'Ongoing');
      assert.equal(d!.transactionTimeoutMs, 30000);
      assert.deepEqual(d!.topicPartitions, [{ topic, partition: 1 }]);
      assert.ok(d!.transactionStartTimeMs !== null);
      assert.equal(d!.producerId, listed!.producerId);
      await producer.abortTransaction();
      const [after] = await admin.describeTransactions([id]);
      assert.equal(after!.state, 'CompleteAbort');
      assert.deepEqual(after!.topicPartitions, []);
    } finally {
      await producer.close();
      await admin.close();
    }
  });
});
