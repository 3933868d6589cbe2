import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import {
  Consumer,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  type MessageToProduce,
  ProduceAcks,
  Producer,
} from '../../peers/platformatic-kafka.js';
import { compatRecord, HEADERS } from './compat-records.js';

/**
 * The two JavaScript clients, run inside the test process: kafkajs (produce, admin, and its only
 * consumer, a group consumer) and @platformatic/kafka, which can also fetch a partition without a group.
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
  { idempotent = false }: { idempotent?: boolean } = {},
): Promise<void> {
  const producer = kafkajs(bootstrap).producer({ allowAutoTopicCreation: true, idempotent });
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

/** @platformatic/kafka's connection security (its `tls` and `sasl` options); plaintext when empty. */
export type PlatformaticSecurity = Pick<ConstructorParameters<typeof Producer>[0], 'tls' | 'sasl'>;

export async function platformaticProduce(
  bootstrap: string,
  topic: string,
  count: number,
  codec: PlatformaticCodec,
  { idempotent = false, security = {} }: { idempotent?: boolean; security?: PlatformaticSecurity } = {},
): Promise<void> {
  const producer = new Producer({
    clientId: PLATFORMATIC_CLIENT_ID,
    bootstrapBrokers: [bootstrap],
    compression: codec,
    autocreateTopics: true,
    retries: 2,
    idempotent,
    ...security,
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

const text = (b: Buffer | null | undefined) => (b === null || b === undefined ? 'NULL' : b.toString());

/**
 * Reads `count` records of partition 0 from offset 0 with plain Fetch requests (no group), in the
 * line format assertConsumed checks.
 */
export async function platformaticConsume(
  bootstrap: string,
  topic: string,
  count: number,
  security: PlatformaticSecurity = {},
): Promise<string> {
  const consumer = new Consumer({
    clientId: PLATFORMATIC_CLIENT_ID,
    groupId: 'compat-unused',
    bootstrapBrokers: [bootstrap],
    retries: 2,
    ...security,
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

/**
 * Reads `count` records in a consumer group with kafkajs (its only consumer), from the group's
 * committed offsets or the earliest, commits what it read and leaves the group.
 */
export async function kafkajsGroupConsume(
  bootstrap: string,
  topic: string,
  group: string,
  count: number,
): Promise<string> {
  const consumer = kafkajs(bootstrap).consumer({ groupId: group, maxWaitTimeInMs: 200 });
  const lines: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const last = new Map<number, string>();
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (lines.length >= count) return;
            const hs = Object.entries(message.headers ?? {})
              .map(([k, v]) => `${k}=${v === undefined ? 'NULL' : String(v)}`)
              .join(',');
            lines.push(
              `${message.offset}\t${message.key?.toString() ?? 'NULL'}\t${message.value?.toString() ?? 'NULL'}\t${hs}\n`,
            );
            last.set(partition, message.offset);
            if (lines.length === count) {
              await consumer.commitOffsets(
                [...last].map(([p, o]) => ({ topic, partition: p, offset: String(BigInt(o) + 1n) })),
              );
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return lines.join('');
}

/** As kafkajsGroupConsume, with @platformatic/kafka's group consumer (JoinGroup v9, OffsetCommit v9). */
export async function platformaticGroupConsume(
  bootstrap: string,
  topic: string,
  group: string,
  count: number,
): Promise<string> {
  const consumer = new Consumer({
    clientId: PLATFORMATIC_CLIENT_ID,
    groupId: group,
    bootstrapBrokers: [bootstrap],
    maxWaitTime: 200,
    retries: 2,
  });
  const lines: string[] = [];
  try {
    const stream = await consumer.consume({
      topics: [topic],
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: MessagesStreamFallbackModes.EARLIEST,
      autocommit: false,
    });
    for await (const message of stream) {
      const hs = [...message.headers].map(([k, v]) => `${text(k)}=${text(v)}`).join(',');
      lines.push(`${message.offset}\t${text(message.key)}\t${text(message.value)}\t${hs}\n`);
      if (lines.length === count) {
        await message.commit();
        break;
      }
    }
    await stream.close();
  } finally {
    await consumer.close();
  }
  return lines.join('');
}
