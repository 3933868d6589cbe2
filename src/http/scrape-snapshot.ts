import type { BrokerObserver, PartitionView, QuotaView } from '../broker/broker-observer.js';

/** One group's committed offset of a partition and its lag. */
export interface LagRow {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly lag: number;
  /** The partition's high watermark and log start offset (kafka-lag-exporter's latest and earliest). */
  readonly latest: number;
  readonly earliest: number;
}

/**
 * What one scrape reads from the broker, read once: the families of the exposition are computed
 * from it, so 10,000 partitions are walked once per scrape, not once per family.
 */
export interface ScrapeSnapshot {
  readonly nodeId: number;
  readonly clusterId: string;
  readonly partitions: readonly PartitionView[];
  readonly replicas: {
    readonly partitions: number;
    readonly leaders: number;
    readonly underReplicated: number;
    readonly underMinIsr: number;
    readonly atMinIsr: number;
  };
  readonly cluster: { readonly topics: number; readonly partitions: number; readonly offline: number };
  readonly activeController: boolean;
  readonly lag: readonly LagRow[];
  readonly logDirs: ReturnType<BrokerObserver['logDirs']>;
  readonly purgatories: { readonly Produce: number; readonly Fetch: number };
  readonly connections: ReadonlyMap<string, number>;
  readonly quotas: readonly QuotaView[];
}

export function takeSnapshot(observer: BrokerObserver): ScrapeSnapshot {
  const partitions: PartitionView[] = [];
  const byKey = new Map<string, PartitionView>();
  const replicas = { partitions: 0, leaders: 0, underReplicated: 0, underMinIsr: 0, atMinIsr: 0 };
  observer.forEachPartition((p) => {
    partitions.push(p);
    byKey.set(`${p.topic}\u0000${p.partition}`, p);
    replicas.partitions++;
    if (p.leaderId !== observer.nodeId) return;
    replicas.leaders++;
    if (p.isrCount < p.replicaCount) replicas.underReplicated++;
    if (p.isrCount < p.minIsr) replicas.underMinIsr++;
    else if (p.isrCount === p.minIsr) replicas.atMinIsr++;
  });
  const lag = lagRows(observer, (topic, partition) => byKey.get(`${topic}\u0000${partition}`)?.log);
  return {
    nodeId: observer.nodeId,
    clusterId: observer.clusterId,
    partitions,
    replicas,
    cluster: observer.clusterPartitions(),
    activeController: observer.isActiveController(),
    lag,
    logDirs: observer.logDirs(),
    purgatories: observer.purgatorySizes(),
    connections: observer.connectionCountByListener(),
    quotas: observer.quotas(),
  };
}

/**
 * Every group's committed offset of each partition hosted here and its lag (high watermark minus
 * the committed offset, as kafka-lag-exporter and Burrow compute it); `logOf` finds a partition's
 * log, undefined when it is not hosted here or not loaded yet.
 */
export function lagRows(
  observer: BrokerObserver,
  logOf: (topic: string, partition: number) => PartitionView['log'] | undefined,
): LagRow[] {
  const lag: LagRow[] = [];
  for (const [group, topics] of observer.committedOffsets()) {
    for (const [topic, offsets] of topics) {
      for (const [partition, value] of offsets) {
        const log = logOf(topic, partition);
        if (!log) continue; // not hosted here, or not loaded yet
        const offset = Number(value.offset);
        lag.push({
          group,
          topic,
          partition,
          offset,
          lag: Math.max(0, log.highWatermark - offset),
          latest: log.highWatermark,
          earliest: log.logStartOffset,
        });
      }
    }
  }
  return lag;
}
