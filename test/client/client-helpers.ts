import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { Kafka, type KafkaConfig } from '../../src/client/index.js';
import { startGroupFront } from './group-front.js';

/** A broker on a free port with a client pointed at it; `close` stops both. */
export interface TestCluster {
  broker: StartedBroker;
  kafka: Kafka;
  close(): Promise<void>;
}

export async function startTestCluster(
  brokerConfig: Record<string, string> = {},
  clientConfig: Partial<KafkaConfig> = {},
): Promise<TestCluster> {
  const broker = await startBroker({ config: { 'num.partitions': '1', ...brokerConfig } });
  const kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'strom-test', ...clientConfig });
  return { broker, kafka, close: () => broker.close() };
}

let topicSeq = 0;
/** A topic name unique within the test run. */
export function uniqueTopic(prefix = 't'): string {
  topicSeq++;
  return `${prefix}-${process.pid}-${topicSeq}`;
}

/**
 * A broker for group tests: the broker itself once it serves JoinGroup, otherwise the broker
 * behind a front that runs the broker's group coordinator core (see group-front.ts).
 */
export async function startGroupCluster(
  clientConfig: Partial<KafkaConfig> = {},
): Promise<TestCluster & { viaFront: boolean }> {
  const broker = await startBroker({ config: { 'num.partitions': '1' } });
  const probe = new Kafka({ bootstrapServers: broker.bootstrap }).admin();
  let servesGroups = false;
  try {
    const conn = await (
      probe as unknown as {
        cluster: { anyConnection(): Promise<{ versionOf(k: number): number | undefined }> };
      }
    ).cluster.anyConnection();
    servesGroups = conn.versionOf(11) !== undefined;
  } finally {
    await probe.close();
  }
  const front = servesGroups ? null : await startGroupFront(broker.bootstrap);
  const bootstrap = front ? front.bootstrap : broker.bootstrap;
  const kafka = new Kafka({ bootstrapServers: bootstrap, clientId: 'strom-group-test', ...clientConfig });
  // bootstrapServers stays a string so tests can hand it to other processes.
  return {
    broker,
    kafka,
    viaFront: front !== null,
    close: async () => {
      await front?.close();
      await broker.close();
    },
  };
}
