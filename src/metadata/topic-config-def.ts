import { ConfigDef, type ConfigKeyDef, type ConfigValuesOf, Validators } from '../common/config-def.js';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** 1 MiB plus the 12-byte log overhead, as Kafka's DEFAULT_MAX_MESSAGE_BYTES. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024 + 12;

export const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const;

/**
 * Per-topic configuration keys, types, defaults and validation, as Kafka's LogConfig defines them.
 * `serverSynonyms` lists the broker keys that provide the default, most specific first
 * (ServerTopicConfigSynonyms); DescribeConfigs reports them as synonyms.
 */
interface TopicKeyDef extends ConfigKeyDef {
  readonly serverSynonyms: readonly string[];
}

const keys = [
  {
    name: 'cleanup.policy',
    type: 'list',
    defaultValue: ['delete'],
    doc: 'delete and/or compact',
    validate: Validators.listOf('delete', 'compact'),
    serverSynonyms: ['log.cleanup.policy'],
  },
  {
    name: 'compression.type',
    type: 'string',
    defaultValue: 'producer',
    doc: 'Final compression type for the topic',
    validate: Validators.oneOf(...COMPRESSION_TYPES),
    serverSynonyms: ['compression.type'],
  },
  {
    name: 'compression.gzip.level',
    type: 'int',
    defaultValue: -1,
    doc: 'gzip level',
    validate: Validators.between(-1, 9),
    serverSynonyms: ['compression.gzip.level'],
  },
  {
    name: 'compression.lz4.level',
    type: 'int',
    defaultValue: 9,
    doc: 'lz4 level',
    validate: Validators.between(1, 17),
    serverSynonyms: ['compression.lz4.level'],
  },
  {
    name: 'compression.zstd.level',
    type: 'int',
    defaultValue: 3,
    doc: 'zstd level',
    validate: Validators.between(-131072, 22),
    serverSynonyms: ['compression.zstd.level'],
  },
  {
    name: 'delete.retention.ms',
    type: 'long',
    defaultValue: DAY_MS,
    doc: 'How long tombstones are kept in compacted topics',
    validate: Validators.atLeast(0),
    serverSynonyms: ['log.cleaner.delete.retention.ms'],
  },
  {
    name: 'file.delete.delay.ms',
    type: 'long',
    defaultValue: 60000,
    doc: 'Delay before deleting a file from the filesystem',
    validate: Validators.atLeast(0),
    serverSynonyms: ['log.segment.delete.delay.ms'],
  },
  {
    name: 'flush.messages',
    type: 'long',
    defaultValue: 9223372036854775807n,
    doc: 'Messages between forced fsyncs',
    validate: Validators.atLeast(1),
    serverSynonyms: ['log.flush.interval.messages'],
  },
  {
    name: 'flush.ms',
    type: 'long',
    defaultValue: 9223372036854775807n,
    doc: 'Time between forced fsyncs',
    validate: Validators.atLeast(0),
    serverSynonyms: ['log.flush.interval.ms'],
  },
  {
    name: 'index.interval.bytes',
    type: 'int',
    defaultValue: 4096,
    doc: 'Bytes between offset index entries',
    validate: Validators.atLeast(0),
    serverSynonyms: ['log.index.interval.bytes'],
  },
  {
    name: 'max.compaction.lag.ms',
    type: 'long',
    defaultValue: 9223372036854775807n,
    doc: 'Maximum time a message stays uncompacted',
    validate: Validators.atLeast(1),
    serverSynonyms: ['log.cleaner.max.compaction.lag.ms'],
  },
  {
    name: 'max.message.bytes',
    type: 'int',
    defaultValue: DEFAULT_MAX_MESSAGE_BYTES,
    doc: 'Largest record batch size allowed',
    validate: Validators.atLeast(0),
    serverSynonyms: ['message.max.bytes'],
  },
  {
    name: 'message.downconversion.enable',
    type: 'boolean',
    defaultValue: true,
    doc: 'Whether old fetchers get down-converted batches',
    serverSynonyms: ['log.message.downconversion.enable'],
  },
  {
    name: 'message.timestamp.after.max.ms',
    type: 'long',
    defaultValue: 9223372036854775807n,
    doc: 'Allowed lead of a record timestamp over the broker clock',
    validate: Validators.atLeast(0),
    serverSynonyms: ['log.message.timestamp.after.max.ms'],
  },
  {
    name: 'message.timestamp.before.max.ms',
    type: 'long',
    defaultValue: 9223372036854775807n,
    doc: 'Allowed lag of a record timestamp behind the broker clock',
    validate: Validators.atLeast(0),
    serverSynonyms: ['log.message.timestamp.before.max.ms'],
  },
  {
    name: 'message.timestamp.type',
    type: 'string',
    defaultValue: 'CreateTime',
    doc: 'CreateTime or LogAppendTime',
    validate: Validators.oneOf('CreateTime', 'LogAppendTime'),
    serverSynonyms: ['log.message.timestamp.type'],
  },
  {
    name: 'min.cleanable.dirty.ratio',
    type: 'double',
    defaultValue: 0.5,
    doc: 'Dirty ratio above which the log is compacted',
    validate: Validators.between(0, 1),
    serverSynonyms: ['log.cleaner.min.cleanable.ratio'],
  },
  {
    name: 'min.compaction.lag.ms',
    type: 'long',
    defaultValue: 0,
    doc: 'Minimum time a message stays uncompacted',
    validate: Validators.atLeast(0),
    serverSynonyms: ['log.cleaner.min.compaction.lag.ms'],
  },
  {
    name: 'min.insync.replicas',
    type: 'int',
    defaultValue: 1,
    doc: 'Minimum in-sync replicas for acks=all',
    validate: Validators.atLeast(1),
    serverSynonyms: ['min.insync.replicas'],
  },
  {
    name: 'preallocate',
    type: 'boolean',
    defaultValue: false,
    doc: 'Preallocate segment files',
    serverSynonyms: ['log.preallocate'],
  },
  {
    name: 'retention.bytes',
    type: 'long',
    defaultValue: -1,
    doc: 'Maximum partition size before old segments are deleted',
    serverSynonyms: ['log.retention.bytes'],
  },
  {
    name: 'retention.ms',
    type: 'long',
    defaultValue: WEEK_MS,
    doc: 'Maximum age of a segment before deletion, -1 for no limit',
    validate: Validators.atLeast(-1),
    serverSynonyms: ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
  },
  {
    name: 'segment.bytes',
    type: 'int',
    defaultValue: 1024 * 1024 * 1024,
    doc: 'Segment file size',
    validate: Validators.atLeast(14),
    serverSynonyms: ['log.segment.bytes'],
  },
  {
    name: 'segment.index.bytes',
    type: 'int',
    defaultValue: 10 * 1024 * 1024,
    doc: 'Offset index size',
    validate: Validators.atLeast(4),
    serverSynonyms: ['log.index.size.max.bytes'],
  },
  {
    name: 'segment.jitter.ms',
    type: 'long',
    defaultValue: 0,
    doc: 'Random jitter subtracted from segment.ms',
    validate: Validators.atLeast(0),
    serverSynonyms: ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
  },
  {
    name: 'segment.ms',
    type: 'long',
    defaultValue: WEEK_MS,
    doc: 'Time after which a segment is rolled',
    validate: Validators.atLeast(1),
    serverSynonyms: ['log.roll.ms', 'log.roll.hours'],
  },
  {
    name: 'unclean.leader.election.enable',
    type: 'boolean',
    defaultValue: false,
    doc: 'Allow out-of-sync replicas to become leader',
    serverSynonyms: ['unclean.leader.election.enable'],
  },
] as const satisfies readonly TopicKeyDef[];

/** The topic config keys, as a type: `TopicConfig['compression.typo']` does not compile. */
export type TopicConfigKeys = typeof keys;

/**
 * A topic's effective configuration, resolved once (override, broker defaults, Kafka's default)
 * into one typed object: `config['min.insync.replicas']` is a number.
 */
export type TopicConfig = ConfigValuesOf<TopicConfigKeys>;

export const TOPIC_CONFIG_DEF = new ConfigDef<TopicConfig>(keys);

/** Broker keys that provide a topic key's default, most specific first. */
export function topicConfigSynonyms(topicKey: string): readonly string[] {
  return keys.find((k: TopicKeyDef) => k.name === topicKey)?.serverSynonyms ?? [];
}
