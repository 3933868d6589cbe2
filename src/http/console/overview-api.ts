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
  /** Live brokers as DescribeCluster lists them, then fenced ones from the metadata. */
  readonly brokers: readonly OverviewBroker[];
  readonly topics: number;
  readonly partitions: number;
  readonly offlinePartitions: number;
  readonly underReplicatedPartitions: number;
  readonly sizeBytes: number;
  readonly throughput: readonly ThroughputPoint[];
}

export interface OverviewBroker {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
  /** Fenced by the controller (its session expired or it stopped): it leads nothing meanwhile. */
  readonly fenced: boolean;
  readonly controller: boolean;
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
    brokers: brokersOf(cluster, observer),
    topics: topics.length,
    partitions,
    offlinePartitions: offline,
    underReplicatedPartitions: underReplicated,
    sizeBytes,
    throughput: sampler.throughput(),
  };
}

/**
 * The brokers a client sees (DescribeCluster: the live ones, at this listener's advertised
 * addresses) and, from this broker's metadata, the registered brokers that are fenced, which
 * DescribeCluster leaves out as Kafka's does.
 */
function brokersOf(cluster: DescribeClusterResponse, observer: BrokerObserver): OverviewBroker[] {
  const live = cluster.brokers.map((b) => ({
    nodeId: b.brokerId,
    host: b.host,
    port: b.port,
    rack: b.rack,
    fenced: false,
    controller: b.brokerId === cluster.controllerId,
  }));
  const listed = new Set(live.map((b) => b.nodeId));
  const fenced = observer
    .registeredBrokers()
    .filter((b) => b.fenced && !listed.has(b.nodeId))
    .map((b) => ({ ...b, controller: false }));
  return [...live, ...fenced].sort((a, b) => a.nodeId - b.nodeId);
}
