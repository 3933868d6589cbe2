import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConsumerRecord } from '../../src/client/index.js';
import { murmur2Partition } from '../../src/client/index.js';
import { startTestCluster, type TestCluster, uniqueTopic } from './client-helpers.js';

async function consumeAll(
  cluster: TestCluster,
  topic: string,
  partitions: number[],
  count: number,
): Promise<ConsumerRecord[]> {
  const consumer = cluster.kafka.consumer({ autoOffsetReset: 'earliest' });
  consumer.assign(partitions.map((partition) => ({ topic, partition })));
  const out: ConsumerRecord[] = [];
  try {
    while (out.length < count) out.push(...(await consumer.poll({ timeoutMs: 5000 })));
  } finally {
    await consumer.close();
  }
  return out;
}

describe('producer and consumer against a broker', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await cluster.close();
  });

  it('delivers single records and batches with keys, headers and timestamps, reporting offsets', async () => {
    const topic = uniqueTopic();
    const admin = cluster.kafka.admin();
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    const producer = cluster.kafka.producer({ acks: 'all', lingerMs: 2 });
    const first = await producer.send(topic, {
      key: 'k0',
      value: 'v0',
      timestamp: 1_700_000_000_000,
      headers: { h: 'x', empty: null },
    });
    assert.deepEqual([first.partition, first.offset, first.timestamp], [0, 0n, 1_700_000_000_000n]);
    const rest = await producer.sendBatch(
      topic,
      Array.from({ length: 99 }, (_, i) => ({ key: null, value: Buffer.from(`v${i + 1}`) })),
    );
    assert.deepEqual(
      rest.map((m) => m.offset),
      Array.from({ length: 99 }, (_, i) => BigInt(i + 1)),
    );
    await producer.close();
    const records = await consumeAll(cluster, topic, [0], 100);
    assert.equal(records.length, 100);
    assert.deepEqual(
      records.map((r) => r.offset),
      Array.from({ length: 100 }, (_, i) => BigInt(i)),
    );
    const r0 = records[0]!;
    assert.equal(r0.key?.toString(), 'k0');
    assert.equal(r0.value?.toString(), 'v0');
    assert.equal(r0.timestamp, 1_700_000_000_000n);
    assert.deepEqual(
      r0.headers.map((h) => [h.key, h.value?.toString() ?? null]),
      [
        ['h', 'x'],
        ['empty', null],
      ],
    );
    assert.equal(records[99]!.value?.toString(), 'v99');
    assert.equal(records[5]!.key, null);
    await admin.close();
  });

  for (const compression of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    it(`round-trips ${compression}-compressed batches`, async () => {
      const topic = uniqueTopic(compression);
      const producer = cluster.kafka.producer({ compression, acks: 1 });
      const values = Array.from({ length: 300 }, (_, i) => `${compression}-${i}-${'x'.repeat(i % 50)}`);
      await producer.sendBatch(
        topic,
        values.map((value) => ({ value })),
      );
      await producer.close();
      const got = await consumeAll(cluster, topic, [0], values.length);
      assert.deepEqual(
        got.map((r) => r.value?.toString()),
        values,
      );
    });
  }

  it('sendWithCallback calls back once per record with its offset, fetching metadata first when needed', async () => {
    const topic = uniqueTopic();
    const admin = cluster.kafka.admin();
    await admin.createTopics([{ topic, numPartitions: 2 }]);
    const producer = cluster.kafka.producer({ lingerMs: 2 });
    const acked: { i: number; partition: number; offset: bigint }[] = [];
    let errors = 0;
    for (let i = 0; i < 300; i++) {
      // The first call has no metadata for the topic yet and returns a promise; later ones queue at once.
      const queued = producer.sendWithCallback(topic, { value: `v${i}`, partition: i % 2 }, (err, meta) => {
        if (err || meta === null) errors++;
        else acked.push({ i, partition: meta.partition, offset: meta.offset });
      });
      if (i === 0) assert.ok(queued instanceof Promise);
      if (queued !== undefined) await queued;
    }
    await producer.flush();
    assert.equal(errors, 0);
    assert.equal(acked.length, 300);
    for (const p of [0, 1]) {
      const mine = acked.filter((a) => a.partition === p).sort((a, b) => a.i - b.i);
      assert.deepEqual(
        mine.map((a) => a.offset),
        Array.from({ length: 150 }, (_, k) => BigInt(k)),
      );
    }
    assert.throws(
      () => producer.sendWithCallback(topic, { value: 'x', partition: 7 }, () => {}),
      /partition 7 of .* does not exist/,
    );
    await producer.close();
    assert.throws(() => producer.sendWithCallback(topic, { value: 'x' }, () => {}), /closed/);
    const records = await consumeAll(cluster, topic, [0, 1], 300);
    assert.equal(records.length, 300);
    await admin.close();
  });

  it('acks=0 resolves without offsets and the records still arrive', async () => {
    const topic = uniqueTopic('acks0');
    const admin = cluster.kafka.admin();
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    const producer = cluster.kafka.producer({ acks: 0 });
    const metas = await producer.sendBatch(topic, [{ value: 'a' }, { value: 'b' }]);
    assert.deepEqual(
      metas.map((m) => m.offset),
      [-1n, -1n],
    );
    await producer.close();
    const got = await consumeAll(cluster, topic, [0], 2);
    assert.deepEqual(
      got.map((r) => r.value?.toString()),
      ['a', 'b'],
    );
    await admin.close();
  });

  it('places keyed records by murmur2 like the Java client', async () => {
    const topic = uniqueTopic('keys');
    const admin = cluster.kafka.admin();
    await admin.createTopics([{ topic, numPartitions: 5 }]);
    const producer = cluster.kafka.producer({ acks: 1 });
    const keys = Array.from({ length: 50 }, (_, i) => `key-${i}`);
    const metas = await producer.sendBatch(
      topic,
      keys.map((key) => ({ key, value: key })),
    );
    for (const [i, m] of metas.entries())
      assert.equal(m.partition, murmur2Partition(Buffer.from(keys[i]!), 5));
    await producer.close();
    await admin.close();
  });

  it('seeks, pauses and resumes partitions', async () => {
    const topic = uniqueTopic('seek');
    const admin = cluster.kafka.admin();
    await admin.createTopics([{ topic, numPartitions: 2 }]);
    const producer = cluster.kafka.producer({ acks: 1 });
    for (const partition of [0, 1]) {
      await producer.sendBatch(
        topic,
        Array.from({ length: 10 }, (_, i) => ({ partition, value: `${partition}:${i}` })),
      );
    }
    await producer.close();
    const consumer = cluster.kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    consumer.pause([{ topic, partition: 1 }]);
    const seen: ConsumerRecord[] = [];
    while (seen.length < 10) seen.push(...(await consumer.poll({ timeoutMs: 2000 })));
    assert.ok(seen.every((r) => r.partition === 0));
    assert.deepEqual(await consumer.poll({ timeoutMs: 200 }), [], 'paused partition returns nothing');
    assert.deepEqual(consumer.paused(), [{ topic, partition: 1 }]);
    consumer.seek({ topic, partition: 0 }, 7n);
    consumer.resume([{ topic, partition: 1 }]);
    const after: ConsumerRecord[] = [];
    while (after.length < 13) after.push(...(await consumer.poll({ timeoutMs: 2000 })));
    assert.deepEqual(
      after.filter((r) => r.partition === 0).map((r) => r.offset),
      [7n, 8n, 9n],
    );
    assert.equal(after.filter((r) => r.partition === 1).length, 10);
    assert.equal(consumer.position({ topic, partition: 0 }), 10n);
    await consumer.seekToBeginning([{ topic, partition: 1 }]);
    const again = await consumer.poll({ timeoutMs: 2000 });
    assert.equal(again[0]?.offset, 0n);
    await consumer.close();
    await admin.close();
  });

  it('iterates with for await and stops on break', async () => {
    const topic = uniqueTopic('iter');
    const producer = cluster.kafka.producer({ acks: 1 });
    await producer.sendBatch(
      topic,
      Array.from({ length: 25 }, (_, i) => ({ value: String(i) })),
    );
    await producer.close();
    const consumer = cluster.kafka.consumer({ autoOffsetReset: 'earliest', maxPollRecords: 7 });
    consumer.assign([{ topic, partition: 0 }]);
    const values: string[] = [];
    for await (const r of consumer) {
      values.push(r.value!.toString());
      if (values.length === 25) break;
    }
    assert.deepEqual(
      values,
      Array.from({ length: 25 }, (_, i) => String(i)),
    );
    await consumer.close();
  });

  it('aborts a waiting poll and a send through AbortSignal', async () => {
    const topic = uniqueTopic('abort');
    const admin = cluster.kafka.admin();
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    const consumer = cluster.kafka.consumer({ autoOffsetReset: 'latest' });
    consumer.assign([{ topic, partition: 0 }]);
    const ac = new AbortController();
    const polling = consumer.poll({ timeoutMs: 60_000, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(polling, { code: 'ABORTED' });
    await consumer.close();

    const producer = cluster.kafka.producer();
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(producer.send(topic, { value: 'x' }, { signal: aborted.signal }), {
      code: 'ABORTED',
    });
    await producer.close();
    await admin.close();
  });

  it('uses a custom partitioner', async () => {
    const topic = uniqueTopic('custom');
    const admin = cluster.kafka.admin();
    await admin.createTopics([{ topic, numPartitions: 3 }]);
    await admin.close();
    const seen: number[] = [];
    const producer = cluster.kafka.producer({
      acks: 1,
      partitioner: ({ value, partitionCount }) => {
        seen.push(partitionCount);
        return Number(value!.toString()) % partitionCount;
      },
    });
    const metas = await producer.sendBatch(
      topic,
      ['4', '5', '6', '7'].map((value) => ({ value })),
    );
    assert.deepEqual(
      metas.map((m) => m.partition),
      [1, 2, 0, 1],
    );
    assert.deepEqual(seen, [3, 3, 3, 3]);
    await producer.close();
  });

  it('rejects a timestamp that is not a whole number of milliseconds, sending nothing of that call', async () => {
    const topic = uniqueTopic('ts');
    const admin = cluster.kafka.admin();
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    await admin.close();
    const producer = cluster.kafka.producer({ acks: 1 });
    await assert.rejects(producer.send(topic, { value: 'x', timestamp: 1.5 }), { code: 'INVALID_ARGUMENT' });
    const [meta] = await producer.sendBatch(topic, [{ value: 'y', timestamp: 1_700_000_000_000n }]);
    assert.equal(meta!.timestamp, 1_700_000_000_000n);
    assert.equal(meta!.offset, 0n);
    await producer.close();
  });
});
