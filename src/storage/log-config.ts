/** How an append is acknowledged. */
export type DurabilityMode =
  /** Kafka's default: the append returns once written to the page cache; flush.messages/flush.ms fsync. */
  | 'default'
  /** The append returns after an fsync covering it; concurrent appends share one fsync (group commit). */
  | 'fsync';

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';
export type MessageTimestampType = 'CreateTime' | 'LogAppendTime';

/**
 * Per-partition log configuration, Kafka's topic configs under camelCase names. Every field can
 * change at runtime through PartitionLog.updateConfig; the next append, roll or retention pass
 * uses the new value. Durations are milliseconds, sizes bytes; Infinity stands for Long.MAX_VALUE.
 */
export interface LogConfig {
  /** segment.bytes */
  segmentBytes: number;
  /** segment.ms */
  segmentMs: number;
  /** segment.index.bytes: the offset and time indexes are full at this size. */
  segmentIndexBytes: number;
  /** index.interval.bytes: bytes of batches between two index entries. */
  indexIntervalBytes: number;
  /** retention.ms; -1 or Infinity for no limit. */
  retentionMs: number;
  /** retention.bytes; -1 or Infinity for no limit. */
  retentionBytes: number;
  /** cleanup.policy */
  cleanupPolicy: CleanupPolicy;
  /** delete.retention.ms: how long tombstones survive once the cleaner has seen them. */
  deleteRetentionMs: number;
  /** min.cleanable.dirty.ratio */
  minCleanableDirtyRatio: number;
  /** min.compaction.lag.ms */
  minCompactionLagMs: number;
  /** message.timestamp.type */
  messageTimestampType: MessageTimestampType;
  /** message.timestamp.before.max.ms (KIP-937) */
  messageTimestampBeforeMaxMs: number;
  /** message.timestamp.after.max.ms (KIP-937) */
  messageTimestampAfterMaxMs: number;
  /** max.message.bytes: the largest batch accepted. */
  maxMessageBytes: number;
  /** flush.messages: fsync after this many unflushed records (default mode). */
  flushMessages: number;
  /** flush.ms: fsync when the oldest unflushed append is this old (default mode). */
  flushMs: number;
  /** file.delete.delay.ms: deleted segments linger as `.deleted` so in-flight reads finish. */
  fileDeleteDelayMs: number;
  /** Strom's durability mode (not a Kafka config). */
  durability: DurabilityMode;
}

/** Kafka 4.0's defaults. */
export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  cleanupPolicy: 'delete',
  deleteRetentionMs: 24 * 3600 * 1000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  messageTimestampType: 'CreateTime',
  messageTimestampBeforeMaxMs: Infinity,
  messageTimestampAfterMaxMs: 3600 * 1000,
  maxMessageBytes: 1024 * 1024 + 12,
  flushMessages: Infinity,
  flushMs: Infinity,
  fileDeleteDelayMs: 60_000,
  durability: 'default',
} satisfies LogConfig);

export function makeLogConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, ...overrides };
}

/** Kafka uses -1 (and Long.MAX_VALUE) for "no limit". */
export function isUnlimited(v: number): boolean {
  return v < 0 || !Number.isFinite(v);
}

export function isCompacted(config: LogConfig): boolean {
  return config.cleanupPolicy !== 'delete';
}

export function isDeleteEnabled(config: LogConfig): boolean {
  return config.cleanupPolicy !== 'compact';
}
