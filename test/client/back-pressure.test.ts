import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestCluster, type TestCluster, uniqueTopic } from './client-helpers.js';

describe('producer back-pressure', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await cluster.close();
  });

  it('keeps buffered bytes within buffer.memory while sends wait, and delivers everything', async () => {
    const topic = uniqueTopic('bp');
    const bufferMemory = 64 * 1024;
    const producer = cluster.kafka.producer({ acks: 1, bufferMemory, batchSize: 16 * 1024, lingerMs: 1 });
    const value = Buffer.alloc(1024, 1);
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, producer.bufferedBytes);
        await new Promise((r) => setImmediate(r));
      }
    })();
    // 2 MiB offered at once: 32 times the buffer; the sends must queue rather than buffer it all.
    const sends = Array.from({ length: 2048 }, () => producer.send(topic, { value }));
    peak = Math.max(peak, producer.bufferedBytes);
    const metas = await Promise.all(sends);
    sampling = false;
    await sampler;
    await producer.close();
    assert.ok(peak <= bufferMemory, `peak ${peak} over ${bufferMemory}`);
    assert.ok(peak > bufferMemory / 2, 'the buffer was actually used');
    assert.equal(new Set(metas.map((m) => m.offset)).size, 2048);
    assert.equal(producer.bufferedBytes, 0);
  });

  it('fails sends with BUFFER_EXHAUSTED once max.block.ms passes', async () => {
    const topic = uniqueTopic('bp-block');
    const admin = cluster.kafka.admin();
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    // linger far in the future: nothing is sent, so nothing frees memory.
    const producer = cluster.kafka.producer({
      bufferMemory: 4096,
      batchSize: 1_000_000,
      lingerMs: 60_000,
      maxBlockMs: 50,
    });
    const first = producer.send(topic, { value: Buffer.alloc(3000) });
    await assert.rejects(producer.send(topic, { value: Buffer.alloc(3000) }), { code: 'BUFFER_EXHAUSTED' });
    await producer.flush();
    assert.equal((await first).offset, 0n);
    await producer.close();
    await admin.close();
  });
});

describe('consumer prefetch bound', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster();
  });
  after(async () => {
    await cluster.close();
  });

  it('stops fetching while the buffer is over prefetchBytesMax and resumes as poll drains it', async () => {
    const topic = uniqueTopic('prefetch');
    const admin = cluster.kafka.admin();
    await admin.createTopics([{ topic, numPartitions: 4 }]);
    await admin.close();
    const producer = cluster.kafka.producer({ acks: 1, batchSize: 64 * 1024, partitioner: 'round_robin' });
    const value = Buffer.alloc(1024, 2);
    for (let i = 0; i < 4; i++) {
      await producer.sendBatch(
        topic,
        Array.from({ length: 512 }, (_, j) => ({ value, partition: j % 4 })),
      );
    }
    await producer.close();
    // Per partition up to 64 KiB may be buffered (4 × 64 KiB in all) but the whole buffer is
    // bounded to 96 KiB; a fetch (at most fetchMaxBytes) in flight when the bound is hit may land.
    const prefetchBytesMax = 96 * 1024;
    const fetchMaxBytes = 64 * 1024;
    const consumer = cluster.kafka.consumer({
      autoOffsetReset: 'earliest',
      prefetchBytesMax,
      maxPartitionFetchBytes: 64 * 1024,
      fetchMaxBytes,
    });
    consumer.assign([0, 1, 2, 3].map((partition) => ({ topic, partition })));
    // One poll starts the fetchers; then the application stalls while they run.
    const first = await consumer.poll({ timeoutMs: 5000, maxRecords: 1 });
    assert.equal(first.length, 1);
    let peak = 0;
    const sample = async (): Promise<void> => {
      await new Promise((r) => setTimeout(r, 10));
      peak = Math.max(peak, consumer.bufferedBytes);
    };
    // Wait for the fetchers to fill the buffer, then watch a while longer: it must stay bounded.
    for (let i = 0; i < 1000 && peak < prefetchBytesMax; i++) await sample();
    for (let i = 0; i < 20; i++) await sample();
    assert.ok(peak >= prefetchBytesMax, `the fetchers buffered only ${peak}`);
    assert.ok(peak <= prefetchBytesMax + fetchMaxBytes, `buffered ${peak}`);
    let read = 1;
    while (read < 2048) read += (await consumer.poll({ timeoutMs: 5000, maxRecords: 500 })).length;
    assert.equal(read, 2048);
    await consumer.close();
  });
});
