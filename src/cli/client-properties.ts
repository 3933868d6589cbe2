import type { CompressionName, ConsumerConfig, ProducerConfig } from '../client/index.js';
import { CLIENT_SECURITY_KEYS } from './client-security.js';
import { UsageError } from './usage-error.js';

const COMPRESSIONS: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

function int(key: string, v: string): number {
  if (!/^-?\d+$/.test(v)) throw new UsageError(`${key} must be an integer, got '${v}'`);
  return Number(v);
}

function bool(key: string, v: string): boolean {
  if (v !== 'true' && v !== 'false') throw new UsageError(`${key} must be true or false, got '${v}'`);
  return v === 'true';
}

export function compressionName(v: string): CompressionName {
  if (!(COMPRESSIONS as readonly string[]).includes(v)) {
    throw new UsageError(`unknown compression '${v}': use one of ${COMPRESSIONS.join(', ')}`);
  }
  return v as CompressionName;
}

/** Kafka producer config keys (--producer-property, --producer-props) as a ProducerConfig. */
export function producerConfigFrom(props: ReadonlyMap<string, string>): ProducerConfig {
  const c: ProducerConfig = {};
  for (const [key, v] of props) {
    // Security keys configure the connection (kafkaFor), not the producer.
    if (CLIENT_SECURITY_KEYS.has(key)) continue;
    switch (key) {
      case 'acks':
        if (!['0', '1', '-1', 'all'].includes(v))
          throw new UsageError(`acks must be 0, 1, -1 or all, got '${v}'`);
        c.acks = v === 'all' ? 'all' : (Number(v) as 0 | 1 | -1);
        break;
      case 'linger.ms':
        c.lingerMs = int(key, v);
        break;
      case 'batch.size':
        c.batchSize = int(key, v);
        break;
      case 'buffer.memory':
        c.bufferMemory = int(key, v);
        break;
      case 'max.block.ms':
        c.maxBlockMs = int(key, v);
        break;
      case 'compression.type':
        c.compression = compressionName(v);
        break;
      case 'request.timeout.ms':
        c.requestTimeoutMs = int(key, v);
        break;
      case 'delivery.timeout.ms':
        c.deliveryTimeoutMs = int(key, v);
        break;
      case 'max.in.flight.requests.per.connection':
        c.maxInFlightRequestsPerConnection = int(key, v);
        break;
      case 'max.request.size':
        c.maxRequestSize = int(key, v);
        break;
      case 'bootstrap.servers':
      case 'client.id':
        break;
      default:
        throw new UsageError(`unsupported producer property '${key}'`);
    }
  }
  return c;
}

/** Kafka consumer config keys (--consumer-property) as a ConsumerConfig. */
export function consumerConfigFrom(props: ReadonlyMap<string, string>): ConsumerConfig {
  const c: ConsumerConfig = {};
  for (const [key, v] of props) {
    if (CLIENT_SECURITY_KEYS.has(key)) continue;
    switch (key) {
      case 'group.id':
        c.groupId = v;
        break;
      case 'group.instance.id':
        c.groupInstanceId = v;
        break;
      case 'session.timeout.ms':
        c.sessionTimeoutMs = int(key, v);
        break;
      case 'heartbeat.interval.ms':
        c.heartbeatIntervalMs = int(key, v);
        break;
      case 'max.poll.interval.ms':
        c.maxPollIntervalMs = int(key, v);
        break;
      case 'enable.auto.commit':
        c.autoCommit = bool(key, v);
        break;
      case 'auto.commit.interval.ms':
        c.autoCommitIntervalMs = int(key, v);
        break;
      case 'auto.offset.reset':
        if (v !== 'earliest' && v !== 'latest' && v !== 'none') {
          throw new UsageError(`auto.offset.reset must be earliest, latest or none, got '${v}'`);
        }
        c.autoOffsetReset = v;
        break;
      case 'fetch.min.bytes':
        c.fetchMinBytes = int(key, v);
        break;
      case 'fetch.max.bytes':
        c.fetchMaxBytes = int(key, v);
        break;
      case 'fetch.max.wait.ms':
        c.fetchMaxWaitMs = int(key, v);
        break;
      case 'max.partition.fetch.bytes':
        c.maxPartitionFetchBytes = int(key, v);
        break;
      case 'max.poll.records':
        c.maxPollRecords = int(key, v);
        break;
      case 'isolation.level':
        if (v !== 'read_committed' && v !== 'read_uncommitted') {
          throw new UsageError(`isolation.level must be read_committed or read_uncommitted, got '${v}'`);
        }
        c.isolationLevel = v;
        break;
      case 'client.rack':
        c.rackId = v;
        break;
      case 'check.crcs':
        c.checkCrcs = bool(key, v);
        break;
      case 'bootstrap.servers':
      case 'client.id':
      case 'key.deserializer':
      case 'value.deserializer':
        break;
      default:
        throw new UsageError(`unsupported consumer property '${key}'`);
    }
  }
  return c;
}
