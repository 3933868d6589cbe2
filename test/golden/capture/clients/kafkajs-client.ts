import { CompressionTypes, Kafka, logLevel } from 'kafkajs';

/** kafkajs scenarios for the golden-frame capture; they run in the capture process itself. */

const RECORDS = [
  { key: 'key-1', value: 'value-1' },
  { key: 'key-2', value: 'value-2' },
  { key: 'key-3', value: 'value-3' },
];

function client(bootstrap: string, clientId: string): Kafka {
  return new Kafka({ brokers: [bootstrap], clientId, logLevel: logLevel.NOTHING, retry: { retries: 2 } });
}

/** kafkajs supports gzip without plugins; 'none' sends an uncompressed batch. */
export async function kafkajsProduce(
  bootstrap: string,
  topic: string,
  clientId: string,
  codec: 'none' | 'gzip',
): Promise<void> {
  const producer = client(bootstrap, clientId).producer({ allowAutoTopicCreation: true });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      compression: codec === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
      messages: RECORDS.map((r) => ({ ...r, partition: 0, headers: { trace: 'golden', client: 'kafkajs' } })),
    });
  } finally {
    await producer.disconnect();
  }
}

/** Consumes the three records in a group, commits, and leaves the group. */
export async function kafkajsConsume(
  bootstrap: string,
  topic: string,
  clientId: string,
  groupId: string,
): Promise<void> {
  const consumer = client(bootstrap, clientId).consumer({ groupId, maxWaitTimeInMs: 500 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const got: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`kafkajs consumed only ${got.length} records`)),
        20_000,
      );
      consumer
        .run({
          autoCommit: true,
          eachMessage: async ({ message }) => {
            got.push(`${message.key?.toString()}=${message.value?.toString()}`);
            if (got.length === RECORDS.length) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    const want = RECORDS.map((r) => `${r.key}=${r.value}`);
    if (got.join(',') !== want.join(',')) throw new Error(`kafkajs consumed ${got.join(',')}`);
  } finally {
    await consumer.disconnect();
  }
}

/** CreateTopics then DeleteTopics through the admin client. */
export async function kafkajsAdmin(bootstrap: string, topic: string, clientId: string): Promise<void> {
  const admin = client(bootstrap, clientId).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: false });
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.disconnect();
  }
}
