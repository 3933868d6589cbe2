/** The broker settings the transaction coordinator reads (Kafka's TransactionConfig names). */
export interface TransactionCoordinatorConfig {
  /** transaction.state.log.num.partitions */
  readonly transactionStateLogNumPartitions: number;
  /** offsets.topic.num.partitions: AddOffsetsToTxn adds the group's __consumer_offsets partition. */
  readonly offsetsTopicNumPartitions: number;
  /** transaction.max.timeout.ms */
  readonly transactionMaxTimeoutMs: number;
  /** transactional.id.expiration.ms */
  readonly transactionalIdExpirationMs: number;
}

export const DEFAULT_TRANSACTION_COORDINATOR_CONFIG: TransactionCoordinatorConfig = {
  transactionStateLogNumPartitions: 50,
  offsetsTopicNumPartitions: 50,
  transactionMaxTimeoutMs: 900_000,
  transactionalIdExpirationMs: 604_800_000,
};
