import type { BrokerObserver } from '../../broker/broker-observer.js';
import { DescribeClusterRequest } from '../../protocol/generated/messages/describe-cluster-request.js';
import { DescribeClusterResponse } from '../../protocol/generated/messages/describe-cluster-response.js';
import { checkKafka, type KafkaAs } from './api-support.js';
import type { ConsoleSampler, ThroughputPoint } from './console-sampler.js';
import { listTopics } from './topics-api.js';

export interface Overview {
  readonly clusterId: string;
  readonly controllerId: number;
  readonly nodeId: number;
  readonly brokers: readonly { nodeId: number; host: string; port: number; rack: string | null }[];
  readonly topics: number;
  readonly partitions: number;
  readonly offlinePartitions: number;
  readonly underReplicatedPartitions: number;
  readonly sizeBytes: number;
  readonly throughput: readonly ThroughputPoint[];
}

/**
 * The overview page: brokers and the controller as DescribeCluster answers them (what a Kafka
 * client sees), the topics and partitions the principal may describe, and the broker's throughput
 * over the last minutes.
 */
export async function overview(
  kafka: KafkaAs,
  observer: BrokerObserver,
  sampler: ConsoleSampler,
): Promise<Overview> {
  const cluster = await kafka.send(DescribeClusterRequest, DescribeClusterResponse, 1, {
    includeClusterAuthorizedOperations: false,
  });
  checkKafka(cluster.errorCode, cluster.errorMessage);
  const topics = await listTopics(kafka, observer, true);
  let partitions = 0;
  let offline = 0;
  let underReplicated = 0;
  let sizeBytes = 0;
  for (const t of topics) {
    partitions += t.partitions;
    offline += t.offlinePartitions;
    underReplicated += t.underReplicatedPartitions;
    sizeBytes += t.sizeBytes;
  }
  sampler.fresh();
  return {
    clusterId: cluster.clusterId,
    controllerId: cluster.controllerId,
    nodeId: observer.nodeId,
    brokers: cluster.brokers.map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack })),
    topics: topics.length,
    partitions,
    offlinePartitions: offline,
    underReplicatedPartitions: underReplicated,
    sizeBytes,
    throughput: sampler.throughput(),
  };
}
