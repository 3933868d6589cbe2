import type { CompressionName, ConsumerConfig, KafkaConfig, ProducerConfig } from '../../client/index.js';
import type { Logger } from '../../common/logger.js';
import { ConfigError } from '../config/connect-config-def.js';

function withPrefix(props: Readonly<Record<string, string>>, prefix: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(props)) if (k.startsWith(prefix)) out.set(k.slice(prefix.length), v);
  return out;
}

function int(key: string, v: string): number {
  if (!/^-?\d+$/.test(v.trim())) throw ConfigError.invalid(key, v, 'Not a number of type INT');
  return Number(v);
}

const COMPRESSIONS: readonly string[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** The connection settings every client of a worker shares. */
export function kafkaConfigOf(props: Readonly<Record<string, string>>, logger: Logger): KafkaConfig {
  const servers = (props['bootstrap.servers'] ?? 'localhost:9092').split(',').map((s) => s.trim());
  const config: KafkaConfig = {
    bootstrapServers: servers,
    clientId: props['client.id'] || 'connect',
    logger,
  };
  if (props['request.timeout.ms'])
    config.requestTimeoutMs = int('request.timeout.ms', props['request.timeout.ms']);
  if (props['retry.backoff.ms']) config.retryBackoffMs = int('retry.backoff.ms', props['retry.backoff.ms']);
  return config;
}

/**
 * The producer of a source task: Kafka Connect's defaults (acks=all, idempotent, so a retried
 * batch is neither lost nor duplicated), then the worker's `producer.*` keys, then the
 * connector's `producer.override.*` keys (KIP-458). Keys the Strom client has no setting for are
 * logged and ignored.
 */
export function sourceProducerConfig(
  workerProps: Readonly<Record<string, string>>,
  connectorProps: Readonly<Record<string, string>>,
  logger: Logger,
): ProducerConfig {
  const config: ProducerConfig = { acks: 'all', lingerMs: 0 };
  const keys = new Map([
    ...withPrefix(workerProps, 'producer.'),
    ...withPrefix(connectorProps, 'producer.override.'),
  ]);
  for (const [key, v] of keys) {
    switch (key) {
      case 'acks':
        config.acks = v === 'all' ? 'all' : (int(key, v) as 0 | 1 | -1);
        break;
      case 'linger.ms':
        config.lingerMs = int(key, v);
        break;
      case 'batch.size':
        config.batchSize = int(key, v);
        break;
      case 'buffer.memory':
        config.bufferMemory = int(key, v);
        break;
      case 'compression.type':
        if (!COMPRESSIONS.includes(v))
          throw ConfigError.invalid(key, v, `String must be one of: ${COMPRESSIONS.join(', ')}`);
        config.compression = v as CompressionName;
        break;
      case 'max.request.size':
        config.maxRequestSize = int(key, v);
        break;
      case 'delivery.timeout.ms':
        config.deliveryTimeoutMs = int(key, v);
        break;
      case 'enable.idempotence':
        config.idempotent = v.trim() === 'true';
        break;
      default:
        logger.warn({ key: `producer.${key}` }, 'producer setting not supported, ignored');
    }
  }
  return config;
}

/**
 * The consumer of a sink task: the group `connect-<connector>`, manual commits, from the earliest
 * offset as Kafka Connect's sink consumers; then `consumer.*` and `consumer.override.*` keys.
 */
export function sinkConsumerConfig(
  connectorName: string,
  workerProps: Readonly<Record<string, string>>,
  connectorProps: Readonly<Record<string, string>>,
  logger: Logger,
): ConsumerConfig {
  const config: ConsumerConfig = {
    groupId: `connect-${connectorName}`,
    autoCommit: false,
    autoOffsetReset: 'earliest',
  };
  const keys = new Map([
    ...withPrefix(workerProps, 'consumer.'),
    ...withPrefix(connectorProps, 'consumer.override.'),
  ]);
  for (const [key, v] of keys) {
    switch (key) {
      case 'group.id':
        config.groupId = v;
        break;
      case 'auto.offset.reset':
        if (!['earliest', 'latest', 'none'].includes(v))
          throw ConfigError.invalid(key, v, 'String must be one of: latest, earliest, none');
        config.autoOffsetReset = v as 'earliest' | 'latest' | 'none';
        break;
      case 'max.poll.records':
        config.maxPollRecords = int(key, v);
        break;
      case 'max.poll.interval.ms':
        config.maxPollIntervalMs = int(key, v);
        break;
      case 'session.timeout.ms':
        config.sessionTimeoutMs = int(key, v);
        break;
      case 'heartbeat.interval.ms':
        config.heartbeatIntervalMs = int(key, v);
        break;
      case 'fetch.min.bytes':
        config.fetchMinBytes = int(key, v);
        break;
      case 'fetch.max.wait.ms':
        config.fetchMaxWaitMs = int(key, v);
        break;
      case 'max.partition.fetch.bytes':
        config.maxPartitionFetchBytes = int(key, v);
        break;
      case 'isolation.level':
        if (v !== 'read_committed' && v !== 'read_uncommitted')
          throw ConfigError.invalid(key, v, 'String must be one of: read_committed, read_uncommitted');
        config.isolationLevel = v;
        break;
      default:
        logger.warn({ key: `consumer.${key}` }, 'consumer setting not supported, ignored');
    }
  }
  return config;
}
