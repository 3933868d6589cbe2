import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { Kafka, type KafkaConfig } from '../../src/client/index.js';

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

/** A broker for group tests; the same as startTestCluster, kept as the one place group tests start from. */
export async function startGroupCluster(clientConfig: Partial<KafkaConfig> = {}): Promise<TestCluster> {
  return startTestCluster({}, { clientId: 'strom-group-test', ...clientConfig });
}
