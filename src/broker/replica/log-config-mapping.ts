import type { TopicConfig } from '../../metadata/topic-config-def.js';
import type {
  CleanupPolicy,
  DurabilityMode,
  LogConfig,
  MessageTimestampType,
} from '../../storage/log-config.js';

/**
 * Maps a topic's effective config (Kafka key names) onto the storage layer's LogConfig. Kafka's
 * Long.MAX_VALUE ("no limit") is already Infinity in the typed config, as storage says it.
 */
export function toLogConfig(config: TopicConfig, durability: DurabilityMode): Partial<LogConfig> {
  const list = [...config['cleanup.policy']].sort();
  const cleanupPolicy: CleanupPolicy =
    list.includes('compact') && list.includes('delete')
      ? 'compact,delete'
      : list.includes('compact')
        ? 'compact'
        : 'delete';
  return {
    segmentBytes: config['segment.bytes'],
    segmentMs: config['segment.ms'],
    segmentIndexBytes: config['segment.index.bytes'],
    indexIntervalBytes: config['index.interval.bytes'],
    retentionMs: config['retention.ms'],
    retentionBytes: config['retention.bytes'],
    cleanupPolicy,
    deleteRetentionMs: config['delete.retention.ms'],
    minCleanableDirtyRatio: config['min.cleanable.dirty.ratio'],
    minCompactionLagMs: config['min.compaction.lag.ms'],
    // Validated as one of the two on every write (Validators.oneOf in the topic config def).
    messageTimestampType: config['message.timestamp.type'] as MessageTimestampType,
    messageTimestampBeforeMaxMs: config['message.timestamp.before.max.ms'],
    messageTimestampAfterMaxMs: config['message.timestamp.after.max.ms'],
    maxMessageBytes: config['max.message.bytes'],
    flushMessages: config['flush.messages'],
    flushMs: config['flush.ms'],
    fileDeleteDelayMs: config['file.delete.delay.ms'],
    durability,
  };
}
