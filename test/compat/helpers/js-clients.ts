import { Consumer, type MessageToProduce, ProduceAcks, Producer } from '@platformatic/kafka';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { compatRecord, HEADERS } from './compat-records.js';

/**
 * The two JavaScript clients, run inside the test process: kafkajs (produce and admin; its only
 * consumer is a group consumer, so its reads wait for the group coordinator) and @platformatic/kafka,
 * which can also fetch a partition without a group.
 */

export const KAFKAJS_CLIENT_ID = 'compat-kafkajs';
export const PLATFORMATIC_CLIENT_ID = 'compat-platformatic';

export function kafkajs(bootstrap: string): Kafka {
  return new Kafka({
    brokers: [bootstrap],
    clientId: KAFKAJS_CLIENT_ID,
    logLevel: logLevel.NOTHING,
    retry: { retries: 3 },
  });
}

/** kafkajs supports gzip without plugins (snappy, lz4 and zstd need codec packages we do not ship). */
export async function kafkajsProduce(
  bootstrap: string,
  topic: string,
  count: number,
  codec: 'none' | 'gzip',
): Promise<void> {
  const producer = kafkajs(bootstrap).producer({ allowAutoTopicCreation: true });
  await producer.connect();
  try {
    const headers = Object.fromEntries(HEADERS);
    for (let start = 0; start < count; start += 1000) {
      const messages = [];
      for (let i = start; i < Math.min(count, start + 1000); i++) {
        const r = compatRecord(i);
        messages.push({ key: r.key, value: r.value, partition: 0, headers });
      }
      await producer.send({
        topic,
        acks: -1,
        compression: codec === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
        messages,
      });
    }
  } finally {
    await producer.disconnect();
  }
}

export type PlatformaticCodec = 'none' | 'gzip' | 'snappy' | 'lz4';

export async function platformaticProduce(
  bootstrap: string,
  topic: string,
  count: number,
  codec: PlatformaticCodec,
): Promise<void> {
  const producer = new Producer({
    clientId: PLATFORMATIC_CLIENT_ID,
    bootstrapBrokers: [bootstrap],
    compression: codec,
    autocreateTopics: true,
    retries: 2,
  });
  const headers = new Map(HEADERS.map(([k, v]) => [Buffer.from(k), Buffer.from(v)]));
  try {
    for (let start = 0; start < count; start += 1000) {
      const messages: MessageToProduce[] = [];
      for (let i = start; i < Math.min(count, start + 1000); i++) {
        const r = compatRecord(i);
        messages.push({
          topic,
          partition: 0,
          key: Buffer.from(r.key),
          // The client's type says Buffer, but it writes null as Kafka's null value (length -1).
          value: (r.value === null ? null : Buffer.from(r.value)) as Buffer,
          headers,
        });
      }
      await producer.send({ acks: ProduceAcks.ALL, messages });
    }
  } finally {
    await producer.close();
  }
}

const text = (b: Buffer | null) => (b === null ? 'NULL' : b.toString());

/**
 * Reads `count` records of partition 0 from offset 0 with plain Fetch requests (no group), in the
 * line format assertConsumed checks.
 */
export async function platformaticConsume(bootstrap: string, topic: string, count: number): Promise<string> {
  const consumer = new Consumer({
    clientId: PLATFORMATIC_CLIENT_ID,
    groupId: 'compat-unused',
    bootstrapBrokers: [bootstrap],
    retries: 2,
  });
  try {
    const meta = await consumer.metadata({ topics: [topic] });
    const topicMeta = meta.topics.get(topic);
    if (!topicMeta) throw new Error(`no metadata for ${topic}`);
    const leader = topicMeta.partitions[0]!.leader;
    const lines: string[] = [];
    let next = 0n;
    for (let attempt = 0; lines.length < count && attempt < 1000; attempt++) {
      const res = await consumer.fetch({
        node: leader,
        maxWaitTime: 200,
        topics: [
          {
            topicId: topicMeta.id,
            partitions: [
              {
                partition: 0,
                currentLeaderEpoch: -1,
                fetchOffset: next,
                lastFetchedEpoch: -1,
                partitionMaxBytes: 4 * 1024 * 1024,
              },
            ],
          },
        ],
      });
      const partition = res.responses[0]?.partitions[0];
      if (!partition) continue;
      if (partition.errorCode !== 0) throw new Error(`fetch error code ${partition.errorCode}`);
      for (const batch of partition.records ?? []) {
        for (const r of batch.records) {
          const offset = batch.firstOffset + BigInt(r.offsetDelta);
          if (offset < next) continue;
          const hs = r.headers.map(([k, v]) => `${text(k)}=${text(v)}`).join(',');
          lines.push(`${offset}\t${text(r.key)}\t${text(r.value)}\t${hs}\n`);
          next = offset + 1n;
        }
      }
    }
    return lines.join('');
  } finally {
    await consumer.close();
  }
}
