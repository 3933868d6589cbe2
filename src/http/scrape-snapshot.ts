import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { BrokerObserver, PartitionView, QuotaView } from '../broker/broker-observer.js';

/** Partitions read between two yields to the event loop while a scrape takes its snapshot. */
export const PARTITIONS_PER_SLICE = 1000;

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
 * from it, so 10,000 partitions are walked once per scrape, not once per family. The partitions
 * are read in slices of PARTITIONS_PER_SLICE with a yield to the event loop between them, so a
 * produce arriving during a scrape of 10,000 partitions waits for one slice, not for the walk.
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

export async function takeSnapshot(observer: BrokerObserver): Promise<ScrapeSnapshot> {
  const partitions: PartitionView[] = [];
  const replicas = { partitions: 0, leaders: 0, underReplicated: 0, underMinIsr: 0, atMinIsr: 0 };
  let slice = 0;
  for (const p of observer.partitions()) {
    partitions.push(p);
    if (++slice >= PARTITIONS_PER_SLICE) {
      slice = 0;
      await yieldToEventLoop();
    }
    replicas.partitions++;
    if (p.leaderId !== observer.nodeId) continue;
    replicas.leaders++;
    if (p.isrCount < p.replicaCount) replicas.underReplicated++;
    if (p.isrCount < p.minIsr) replicas.underMinIsr++;
    else if (p.isrCount === p.minIsr) replicas.atMinIsr++;
  }
  // Lag rows only for partitions some group committed to: indexed by topic, then partition.
  const byTopic = new Map<string, PartitionView[]>();
  for (const p of partitions) {
    let list = byTopic.get(p.topic);
    if (list === undefined) {
      list = [];
      byTopic.set(p.topic, list);
    }
    list[p.partition] = p;
  }
  const lag = lagRows(observer, (topic, partition) => byTopic.get(topic)?.[partition]?.log);
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
