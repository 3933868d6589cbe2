import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestCluster, type TestCluster, uniqueTopic } from './client-helpers.js';

describe('Consumer close and early seek', () => {
  let c: TestCluster;
  before(async () => {
    c = await startTestCluster();
  });
  after(() => c.close());

  it('leaves its group on close, so the group is empty at once', async () => {
    const topic = uniqueTopic();
    const producer = c.kafka.producer();
    await producer.send(topic, { value: 'v' });
    await producer.close();
    const consumer = c.kafka.consumer({ groupId: 'leavers', autoOffsetReset: 'earliest' });
    consumer.subscribe(topic);
    // A poll may return early while the join is still going on; keep polling as applications do.
    let records = 0;
    for (let i = 0; i < 20 && records === 0; i++)
      records += (await consumer.poll({ timeoutMs: 1000 })).length;
    assert.equal(records, 1);
    await consumer.close();
    const admin = c.kafka.admin();
    try {
      const [group] = await admin.describeGroups(['leavers']);
      assert.equal(group!.state, 'Empty');
      assert.deepEqual(group!.members, []);
      assert.equal(`${group!.coordinator.host}:${group!.coordinator.port}`, c.broker.bootstrap);
    } finally {
      await admin.close();
    }
  });

  it('fetches from an offset sought right after assign, before any metadata', async () => {
    const topic = uniqueTopic();
    const producer = c.kafka.producer();
    await producer.sendBatch(topic, [{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
    await producer.close();
    const consumer = c.kafka.consumer();
    try {
      consumer.assign([{ topic, partition: 0 }]);
      consumer.seek({ topic, partition: 0 }, 1n);
      const records = await consumer.poll({ timeoutMs: 10_000 });
      assert.deepEqual(
        records.map((r) => r.value!.toString()),
        ['b', 'c'],
      );
    } finally {
      await consumer.close();
    }
  });
});
