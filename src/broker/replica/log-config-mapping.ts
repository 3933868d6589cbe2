import type { ConfigValue } from '../../common/config-def.js';
import type {
  CleanupPolicy,
  DurabilityMode,
  LogConfig,
  MessageTimestampType,
} from '../../storage/log-config.js';

const LONG_MAX = 9223372036854775807n;

/** Kafka's Long.MAX_VALUE means "no limit"; the storage layer says Infinity. */
function ms(v: ConfigValue | undefined): number {
  if (typeof v === 'bigint') return v >= LONG_MAX ? Number.POSITIVE_INFINITY : Number(v);
  return Number(v);
}

/** Maps a topic's effective config values (Kafka key names) onto the storage layer's LogConfig. */
export function toLogConfig(
  values: ReadonlyMap<string, ConfigValue>,
  durability: DurabilityMode,
): Partial<LogConfig> {
  const policy = values.get('cleanup.policy');
  const list = Array.isArray(policy) ? [...policy].sort() : ['delete'];
  const cleanupPolicy: CleanupPolicy =
    list.includes('compact') && list.includes('delete')
      ? 'compact,delete'
      : list.includes('compact')
        ? 'compact'
        : 'delete';
  return {
    segmentBytes: Number(values.get('segment.bytes')),
    segmentMs: ms(values.get('segment.ms')),
    segmentIndexBytes: Number(values.get('segment.index.bytes')),
    indexIntervalBytes: Number(values.get('index.interval.bytes')),
    retentionMs: ms(values.get('retention.ms')),
    retentionBytes: ms(values.get('retention.bytes')),
    cleanupPolicy,
    deleteRetentionMs: ms(values.get('delete.retention.ms')),
    minCleanableDirtyRatio: Number(values.get('min.cleanable.dirty.ratio')),
    minCompactionLagMs: ms(values.get('min.compaction.lag.ms')),
    messageTimestampType: String(values.get('message.timestamp.type')) as MessageTimestampType,
    messageTimestampBeforeMaxMs: ms(values.get('message.timestamp.before.max.ms')),
    messageTimestampAfterMaxMs: ms(values.get('message.timestamp.after.max.ms')),
    maxMessageBytes: Number(values.get('max.message.bytes')),
    flushMessages: ms(values.get('flush.messages')),
    flushMs: ms(values.get('flush.ms')),
    fileDeleteDelayMs: ms(values.get('file.delete.delay.ms')),
    durability,
  };
}
