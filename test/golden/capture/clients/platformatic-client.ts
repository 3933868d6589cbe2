import {
  Admin,
  Consumer,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  ProduceAcks,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '../../../peers/platformatic-kafka.js';

/**
 * @platformatic/kafka scenarios for the golden-frame capture; they run in the capture process.
 * This client speaks the newest protocol versions (Produce v11, Fetch v17, Metadata v12, JoinGroup
 * v9), so its frames are the flexible ones: compact strings and arrays, tagged fields, topic ids.
 */

export const PLATFORMATIC_CODECS = ['none', 'gzip', 'snappy', 'lz4'] as const;
export type PlatformaticCodec = (typeof PLATFORMATIC_CODECS)[number];

const KEYS = [1, 2, 3];

export async function platformaticProduce(
  bootstrap: string,
  topic: string,
  clientId: string,
  codec: PlatformaticCodec,
): Promise<void> {
  const producer = new Producer({
    clientId,
    bootstrapBrokers: [bootstrap],
    serializers: stringSerializers,
    compression: codec,
    // Idempotence adds InitProducerId (v5, flexible) and a producer id in the batch.
    idempotent: true,
    retries: 1,
  });
  try {
    await producer.send({
      acks: ProduceAcks.ALL,
      messages: KEYS.map((i) => ({
        topic,
        partition: 0,
        key: `key-${i}`,
        value: `value-${i}`,
        headers: { trace: 'golden', client: 'platformatic-kafka' },
      })),
    });
  } finally {
    await producer.close();
  }
}

/** Consumes the three records in a group from the committed offsets (none yet: earliest), commits, leaves. */
export async function platformaticConsume(
  bootstrap: string,
  topic: string,
  clientId: string,
  groupId: string,
): Promise<void> {
  const consumer = new Consumer({
    clientId,
    groupId,
    bootstrapBrokers: [bootstrap],
    deserializers: stringDeserializers,
    maxWaitTime: 500,
    retries: 1,
  });
  try {
    const stream = await consumer.consume({
      topics: [topic],
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: MessagesStreamFallbackModes.EARLIEST,
      autocommit: false,
    });
    const got: string[] = [];
    for await (const message of stream) {
      got.push(`${message.key}=${message.value}`);
      if (got.length === KEYS.length) {
        await message.commit();
        break;
      }
    }
    await stream.close();
    const want = KEYS.map((i) => `key-${i}=value-${i}`);
    if (got.join(',') !== want.join(',')) throw new Error(`@platformatic/kafka consumed ${got.join(',')}`);
  } finally {
    await consumer.close();
  }
}

export async function platformaticAdmin(bootstrap: string, topic: string, clientId: string): Promise<void> {
  const admin = new Admin({ clientId, bootstrapBrokers: [bootstrap], retries: 1 });
  try {
    await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 });
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.close();
  }
}
