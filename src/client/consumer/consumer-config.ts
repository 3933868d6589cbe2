import type { Assignor } from './assignors/assignor.js';
import type { TopicPartition } from './subscription-state.js';

/** Called around rebalances; the consumer awaits each before going on. */
export interface RebalanceListener {
  /** Partitions taken away; offsets can still be committed here. */
  onPartitionsRevoked?(partitions: TopicPartition[]): Promise<void> | void;
  /** Partitions newly given (all of them with eager assignors, only new ones with cooperative). */
  onPartitionsAssigned?(partitions: TopicPartition[]): Promise<void> | void;
  /** Partitions lost without a chance to commit (fenced, session expired); defaults to revoked. */
  onPartitionsLost?(partitions: TopicPartition[]): Promise<void> | void;
}

export type AssignorName = 'range' | 'roundrobin' | 'sticky' | 'cooperative-sticky';

export interface ConsumerConfig {
  /** group.id: needed for subscribe() and for commits. */
  groupId?: string;
  /** group.instance.id for static membership (KIP-345). */
  groupInstanceId?: string;
  /** session.timeout.ms, default 45000. */
  sessionTimeoutMs?: number;
  /** heartbeat.interval.ms, default 3000. */
  heartbeatIntervalMs?: number;
  /** max.poll.interval.ms: the member leaves the group if poll is not called within it; default 300000. */
  maxPollIntervalMs?: number;
  /** How long the coordinator waits for members to rejoin; default max.poll.interval.ms, as in Java. */
  rebalanceTimeoutMs?: number;
  /** partition.assignment.strategy, default ['range', 'cooperative-sticky'] like the Java client. */
  assignors?: (AssignorName | Assignor)[];
  /** enable.auto.commit, default true when a groupId is set. */
  autoCommit?: boolean;
  /** auto.commit.interval.ms, default 5000. */
  autoCommitIntervalMs?: number;
  /** auto.offset.reset, default 'latest'. */
  autoOffsetReset?: 'earliest' | 'latest' | 'none';
  /** fetch.min.bytes, default 1. */
  fetchMinBytes?: number;
  /** fetch.max.bytes, default 50 MiB. */
  fetchMaxBytes?: number;
  /** fetch.max.wait.ms, default 500. */
  fetchMaxWaitMs?: number;
  /** max.partition.fetch.bytes, default 1 MiB. */
  maxPartitionFetchBytes?: number;
  /** max.poll.records, default 500. */
  maxPollRecords?: number;
  /**
   * check.crcs, default true as in the Java client: verify the CRC32C of every fetched batch, so
   * bytes corrupted on disk or on the wire fail poll with CORRUPT_MESSAGE. false skips the check
   * (librdkafka's default) and saves about a fifth of the CPU of an uncompressed consumer.
   */
  checkCrcs?: boolean;
  /** Bound on prefetched bytes waiting for poll, default 32 MiB. */
  prefetchBytesMax?: number;
  isolationLevel?: 'read_uncommitted' | 'read_committed';
  /** client.rack, sent in the subscription (KIP-881). */
  rackId?: string;
  rebalanceListener?: RebalanceListener;
}
