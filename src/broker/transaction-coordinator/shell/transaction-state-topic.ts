import {
  ensureInternalTopic,
  type OffsetsTopicServices,
} from '../../group-coordinator/shell/internal-topics.js';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';

/**
 * Creates `__transaction_state` on first use, as Kafka does when the first FindCoordinator for a
 * transactional id arrives: compacted, uncompressed (TransactionLog.EnforcedCompression),
 * `transaction.state.log.num.partitions` partitions, `transaction.state.log.replication.factor`
 * capped at the brokers alive. False when it cannot be created yet.
 */
export function ensureTransactionStateTopic(s: OffsetsTopicServices): Promise<boolean> {
  return ensureInternalTopic(s, {
    name: TRANSACTION_STATE_TOPIC,
    numPartitions: s.config.get('transaction.state.log.num.partitions'),
    replicationFactor: s.config.get('transaction.state.log.replication.factor'),
    configs: [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'compression.type', value: 'uncompressed' },
      { name: 'segment.bytes', value: String(s.config.get('transaction.state.log.segment.bytes')) },
    ],
  });
}
