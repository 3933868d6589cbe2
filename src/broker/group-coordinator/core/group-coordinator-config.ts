/** The broker settings the classic group coordinator reads, with Kafka's defaults. */
export interface GroupCoordinatorConfig {
  /** offsets.topic.num.partitions */
  readonly offsetsTopicNumPartitions: number;
  /** group.min.session.timeout.ms */
  readonly groupMinSessionTimeoutMs: number;
  /** group.max.session.timeout.ms */
  readonly groupMaxSessionTimeoutMs: number;
  /** group.initial.rebalance.delay.ms */
  readonly groupInitialRebalanceDelayMs: number;
  /** group.max.size */
  readonly groupMaxSize: number;
  /** How long a new member's JoinGroup may stay parked (Kafka's fixed 5 minutes). */
  readonly groupNewMemberJoinTimeoutMs: number;
  /** offsets.retention.minutes, in milliseconds. */
  readonly offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  readonly offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes (Kafka compares the metadata string's length). */
  readonly offsetMetadataMaxSize: number;
}

export const DEFAULT_GROUP_COORDINATOR_CONFIG: GroupCoordinatorConfig = {
  offsetsTopicNumPartitions: 50,
  groupMinSessionTimeoutMs: 6_000,
  groupMaxSessionTimeoutMs: 1_800_000,
  groupInitialRebalanceDelayMs: 3_000,
  groupMaxSize: 2_147_483_647,
  groupNewMemberJoinTimeoutMs: 300_000,
  offsetsRetentionMs: 7 * 24 * 60 * 60 * 1000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxSize: 4096,
};
