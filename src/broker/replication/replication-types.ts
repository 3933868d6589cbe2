/** The settings replication reads, by Kafka's names. */
export interface ReplicationConfig {
  /** replica.lag.time.max.ms: a follower that has not caught up for this long leaves the ISR (30 s in Kafka). */
  readonly replicaLagTimeMaxMs: number;
  /** min.insync.replicas: the smallest ISR that acks=all accepts (1 in Kafka). */
  readonly minInsyncReplicas: number;
  /**
   * KIP-966 (eligible.leader.replicas.enable, on here as in Kafka 4.0): the high watermark does not
   * move while the ISR is smaller than min.insync.replicas, so every replica that left the ISR
   * below it (the ELR) still holds every committed record and may be elected.
   */
  readonly eligibleLeaderReplicasEnabled?: boolean;
}

/** A replica in an AlterPartition proposal: the broker and the epoch of its registration (KIP-841). */
export interface IsrMember {
  readonly brokerId: number;
  readonly brokerEpoch: bigint;
}

/**
 * What a leader asks the controller (Kafka's AlterPartitionRequest for one partition): the new ISR,
 * with the leader epoch and partition epoch it was decided on, so the controller refuses a
 * proposal made on a state that has since changed.
 */
export interface AlterPartitionProposal {
  readonly topicId: string;
  readonly partitionId: number;
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly newIsr: readonly IsrMember[];
}

/** The controller's answer to one partition of an AlterPartition request. */
export interface AlterPartitionAnswer {
  readonly errorCode: number;
  /** On success: the partition as the controller now has it. */
  readonly leaderEpoch?: number;
  readonly partitionEpoch?: number;
  readonly isr?: readonly number[];
}

/** acks=all (-1): wait for the ISR; acks=1 and 0 wait for the leader's log only. */
export const ACKS_ALL = -1;

/** Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET (OffsetsForLeaderEpoch answers). */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;
