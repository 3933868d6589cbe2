import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka } from '../../src/client/index.js';
import { noopLogger } from '../../src/common/logger.js';
import { startCluster, type TestCluster, waitUntil } from '../helpers/cluster-processes.js';

const TOPIC = 'leader-return';

/**
 * Found by the chaos runner: Strom's consumer stopped reading a partition for good once its
 * leader's broker had been SIGKILLed and come back. While the broker was down, metadata said the
 * partition had no leader, the fetch loop of that broker ended, and nothing asked for metadata
 * again, so no fetch loop started when the broker returned. Like Java's AbstractFetcher
 * (prepareFetchRequests), a partition with no known leader now requests a metadata update, with
 * back-off, and fetching resumes once a leader is known.
 */
describe("a consumer rides through its partition leader's restart", () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await startCluster({ brokers: 2 });
  });

  after(async () => {
    await cluster?.close();
  });

  it('reads what is produced after the leader returns', async () => {
    const kafka = new Kafka({ bootstrapServers: cluster.bootstrapServers, logger: noopLogger, retries: 100 });
    const admin = kafka.admin();
    await admin.createTopics([{ topic: TOPIC, numPartitions: 2, replicationFactor: 1 }]);
    await admin.close();
    await waitUntil(
      'both partitions led',
      async () => {
        const md = await cluster.broker(1).metadata();
        return md.topics.find((t) => t.name === TOPIC)?.partitions.every((p) => p.leaderId > 0) ?? false;
      },
      20_000,
    );
    const md = await cluster.broker(1).metadata();
    const leaderOf0 = md.topics
      .find((t) => t.name === TOPIC)!
      .partitions.find((p) => p.partitionIndex === 0)!.leaderId;
    const producer = kafka.producer({ lingerMs: 0 });
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([0, 1].map((partition) => ({ topic: TOPIC, partition })));
    const read = new Set<string>();
    const readUntil = (value: string, what: string): Promise<void> =>
      waitUntil(
        what,
        async () => {
          for (const r of await consumer.poll({ timeoutMs: 200 })) read.add(r.value!.toString());
          return read.has(value);
        },
        20_000,
      );
    try {
      await producer.send(TOPIC, { partition: 0, value: 'before' });
      await readUntil('before', 'the first record read');
      await cluster.broker(leaderOf0).kill('SIGKILL');
      // Polls while the leader is gone: the consumer learns the partition has no leader.
      await waitUntil(
        'the partition without a leader',
        async () => {
          await consumer.poll({ timeoutMs: 100 });
          const live = cluster.live[0]!;
          const m = await live.metadata();
          return (
            m.topics.find((t) => t.name === TOPIC)!.partitions.find((p) => p.partitionIndex === 0)!.leaderId <
            0
          );
        },
        20_000,
      );
      for (let i = 0; i < 10; i++) await consumer.poll({ timeoutMs: 100 });
      await cluster.broker(leaderOf0).start();
      await producer.send(TOPIC, { partition: 0, value: 'after' });
      await readUntil('after', 'the record produced after the leader returned read');
      assert.ok(read.has('before') && read.has('after'));
    } finally {
      await consumer.close();
      await producer.close();
    }
  });
});
