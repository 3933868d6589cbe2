import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Kafka as KafkaJs, logLevel } from 'kafkajs';
import { type ConsumerRecord, murmur2Partition } from '../../src/client/index.js';
import { BufferPool } from '../../src/client/producer/buffer-pool.js';
import { ProducerBatch } from '../../src/client/producer/producer-batch.js';
import { CompressionType } from '../../src/protocol/records/record-batch-header.js';
import { startTestCluster, type TestCluster, uniqueTopic } from './client-helpers.js';

// The broker runs in this process, so the other clients must run asynchronously beside it.
const run = promisify(execFile);
const SCRIPT = join(process.cwd(), 'test/client/compat/confluent_client.py');
// Debian's interpreter, where python3-confluent-kafka installs.
const PYTHON = '/usr/bin/python3';

interface PyRecord {
  key: string;
  value?: string;
  partition: number;
  offset: number;
  headers?: Record<string, string>;
}

async function python(...args: string[]): Promise<PyRecord[]> {
  const { stdout } = await run(PYTHON, [SCRIPT, ...args], { timeout: 90_000 });
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as PyRecord);
}

describe('cross-client compatibility', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await cluster.close();
  });

  async function createTopic(prefix: string, numPartitions: number): Promise<string> {
    const topic = uniqueTopic(prefix);
    const admin = cluster.kafka.admin();
    await admin.createTopics([{ topic, numPartitions }]);
    await admin.close();
    return topic;
  }

  async function strom(topic: string, partitions: number, count: number): Promise<ConsumerRecord[]> {
    const consumer = cluster.kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
    const out: ConsumerRecord[] = [];
    while (out.length < count) out.push(...(await consumer.poll({ timeoutMs: 5000 })));
    await consumer.close();
    return out;
  }

  it('Strom produces, confluent-kafka-python reads; keys land where librdkafka murmur2 puts them', async () => {
    const topic = await createTopic('to-python', 6);
    const producer = cluster.kafka.producer({ acks: 'all', compression: 'lz4' });
    const metas = await producer.sendBatch(
      topic,
      Array.from({ length: 60 }, (_, i) => ({
        key: `key-${i}`,
        value: `value-${i}`,
        headers: { h: `hv-${i}` },
      })),
    );
    await producer.close();
    const read = await python('consume', cluster.broker.bootstrap, topic, '0,1,2,3,4,5', '60');
    assert.equal(read.length, 60);
    const byKey = new Map(read.map((r) => [r.key, r]));
    for (const [i, m] of metas.entries()) {
      const r = byKey.get(`key-${i}`)!;
      assert.equal(r.value, `value-${i}`);
      assert.deepEqual(r.headers, { h: `hv-${i}` });
      assert.equal(r.partition, m.partition);
      assert.equal(BigInt(r.offset), m.offset);
    }
    // The same keys produced by confluent-kafka-python (murmur2_random) land on the same partitions.
    const fromPython = await python('produce', cluster.broker.bootstrap, topic, '60');
    for (const r of fromPython) {
      const i = Number(r.key.slice(4));
      assert.equal(r.partition, metas[i]!.partition, r.key);
    }
  });

  it('confluent-kafka-python produces, Strom reads', async () => {
    const topic = await createTopic('from-python', 3);
    const written = await python('produce', cluster.broker.bootstrap, topic, '40');
    assert.equal(written.length, 40);
    const records = await strom(topic, 3, 40);
    const byKey = new Map(records.map((r) => [r.key!.toString(), r]));
    for (const w of written) {
      const r = byKey.get(w.key)!;
      assert.equal(r.partition, w.partition);
      assert.equal(r.offset, BigInt(w.offset));
      assert.equal(r.value!.toString(), `value-${w.key.slice(4)}`);
      assert.equal(r.headers[0]?.value?.toString(), `hv-${w.key.slice(4)}`);
      assert.equal(r.partition, murmur2Partition(Buffer.from(w.key), 3));
    }
  });

  it('kafkajs produces, Strom reads; kafkajs and Strom place keys alike', async () => {
    const topic = await createTopic('from-kafkajs', 4);
    const kjs = new KafkaJs({
      brokers: [cluster.broker.bootstrap],
      clientId: 'kjs',
      logLevel: logLevel.NOTHING,
    });
    const producer = kjs.producer();
    await producer.connect();
    const results = await producer.send({
      topic,
      messages: Array.from({ length: 30 }, (_, i) => ({
        key: `key-${i}`,
        value: `value-${i}`,
        headers: { h: `hv-${i}` },
      })),
    });
    await producer.disconnect();
    assert.ok(results.length > 0);
    const records = await strom(topic, 4, 30);
    assert.equal(records.length, 30);
    for (const r of records) {
      const i = r.key!.toString().slice(4);
      assert.equal(r.value!.toString(), `value-${i}`);
      assert.equal(r.headers[0]?.value?.toString(), `hv-${i}`);
      assert.equal(r.partition, murmur2Partition(r.key!, 4));
    }
  });

  it('kafkajs decodes the record batches the Strom producer writes (uncompressed and gzip, the codecs kafkajs ships)', async () => {
    // kafkajs consumers always join a group; this checks its batch decoder on our producer's bytes.
    const require = createRequire(import.meta.url);
    const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => unknown;
    const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (d: unknown) => Promise<{
      records: { key: Buffer; value: Buffer; headers: Record<string, Buffer>; offset: string }[];
    }>;
    for (const compression of [CompressionType.None, CompressionType.Gzip]) {
      const batch = new ProducerBatch('t', 0, 0, compression, new BufferPool(16384, 1), 16384);
      for (let i = 0; i < 20; i++) {
        batch.append(
          1_700_000_000_000 + i,
          Buffer.from(`k${i}`),
          Buffer.from(`v${i}`),
          [{ key: 'h', value: Buffer.from(`hv${i}`) }],
          () => {},
        );
      }
      const decoded = await decodeBatch(new Decoder(await batch.encode()));
      assert.deepEqual(
        decoded.records.map((r) => [r.offset, r.key.toString(), r.value.toString(), r.headers.h?.toString()]),
        Array.from({ length: 20 }, (_, i) => [String(i), `k${i}`, `v${i}`, `hv${i}`]),
      );
    }
  });

  it('Strom produces, a kafkajs consumer group reads', async () => {
    const topic = await createTopic('to-kafkajs', 3);
    const producer = cluster.kafka.producer({ acks: 'all', compression: 'gzip' });
    const metas = await producer.sendBatch(
      topic,
      Array.from({ length: 45 }, (_, i) => ({
        key: `key-${i}`,
        value: `value-${i}`,
        headers: { h: `hv-${i}` },
      })),
    );
    await producer.close();
    const kjs = new KafkaJs({
      brokers: [cluster.broker.bootstrap],
      clientId: 'kjs',
      logLevel: logLevel.NOTHING,
    });
    const consumer = kjs.consumer({ groupId: uniqueTopic('kjs-group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen = new Map<string, { partition: number; offset: string; value: string; header: string }>();
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            seen.set(message.key!.toString(), {
              partition,
              offset: message.offset,
              value: message.value!.toString(),
              header: String(message.headers?.h),
            });
            if (seen.size === 45) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    for (const [i, m] of metas.entries()) {
      const r = seen.get(`key-${i}`)!;
      assert.deepEqual(r, {
        partition: m.partition,
        offset: String(m.offset),
        value: `value-${i}`,
        header: `hv-${i}`,
      });
    }
  });
});
