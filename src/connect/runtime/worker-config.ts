import {
  ConfigValidators,
  ConnectConfigDef,
  type ConnectConfigKey,
  type ParsedConfig,
} from '../config/connect-config-def.js';

/** Kafka Connect's worker keys shared by standalone and distributed workers (Kafka's WorkerConfig). */
const COMMON_KEYS: readonly ConnectConfigKey[] = [
  {
    name: 'bootstrap.servers',
    type: 'list',
    defaultValue: 'localhost:9092',
    importance: 'HIGH',
    documentation: 'A list of host/port pairs used to establish the initial connection to the Kafka cluster.',
  },
  {
    name: 'client.id',
    type: 'string',
    defaultValue: '',
    importance: 'LOW',
    documentation: 'An id string to pass to the server when making requests.',
  },
  {
    name: 'key.converter',
    type: 'class',
    importance: 'HIGH',
    documentation:
      'Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka.',
  },
  {
    name: 'value.converter',
    type: 'class',
    importance: 'HIGH',
    documentation:
      'Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka.',
  },
  {
    name: 'header.converter',
    type: 'class',
    defaultValue: 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
    importance: 'LOW',
    documentation:
      'HeaderConverter class used to convert between Kafka Connect format and the serialized form.',
  },
  {
    name: 'offset.flush.interval.ms',
    type: 'long',
    defaultValue: 60000,
    importance: 'LOW',
    documentation: 'Interval at which to try committing offsets for tasks.',
  },
  {
    name: 'offset.flush.timeout.ms',
    type: 'long',
    defaultValue: 5000,
    importance: 'LOW',
    documentation:
      'Maximum number of milliseconds to wait for records to flush and partition offset data to be committed to offset storage before cancelling the process.',
  },
  {
    name: 'task.shutdown.graceful.timeout.ms',
    type: 'long',
    defaultValue: 5000,
    importance: 'LOW',
    documentation: 'Amount of time to wait for tasks to shutdown gracefully.',
  },
  {
    name: 'listeners',
    type: 'list',
    defaultValue: 'http://:8083',
    importance: 'LOW',
    documentation:
      'List of comma-separated URIs the REST API will listen on. Leave hostname empty to bind to all interfaces.',
  },
  {
    name: 'rest.advertised.host.name',
    type: 'string',
    defaultValue: null,
    importance: 'LOW',
    documentation:
      'If this is set, this is the hostname that will be given out to other workers to connect to.',
  },
  {
    name: 'rest.advertised.port',
    type: 'int',
    defaultValue: null,
    importance: 'LOW',
    documentation: 'If this is set, this is the port that will be given out to other workers to connect to.',
  },
  {
    name: 'rest.advertised.listener',
    type: 'string',
    defaultValue: null,
    importance: 'LOW',
    documentation:
      'Sets the advertised listener (HTTP or HTTPS) which will be given to other workers to use.',
  },
  {
    name: 'plugin.path',
    type: 'list',
    defaultValue: null,
    importance: 'LOW',
    documentation:
      'List of paths separated by commas (,) that contain plugins (connectors, converters, transformations).',
  },
  {
    name: 'connector.client.config.override.policy',
    type: 'string',
    defaultValue: 'All',
    importance: 'MEDIUM',
    documentation:
      'Which client configurations connectors may override with producer.override.*, consumer.override.* and admin.override.* keys: All or None.',
  },
];

/** The standalone worker's own key (Kafka's StandaloneConfig). */
const STANDALONE_KEYS: readonly ConnectConfigKey[] = [
  {
    name: 'offset.storage.file.filename',
    type: 'string',
    importance: 'HIGH',
    documentation: 'File to store source connector offsets in.',
  },
];

const topicKeys = (
  store: 'config' | 'offset' | 'status',
  what: string,
  partitions: number | null,
): ConnectConfigKey[] => [
  {
    name: `${store}.storage.topic`,
    type: 'string',
    importance: 'HIGH',
    documentation: `The name of the Kafka topic where ${what} are stored`,
    validator: ConfigValidators.nonEmptyString(),
  },
  {
    name: `${store}.storage.replication.factor`,
    type: 'short',
    defaultValue: 3,
    importance: 'LOW',
    documentation: `Replication factor used when creating the ${what} storage topic; -1 for the broker's default`,
  },
  ...(partitions === null
    ? []
    : [
        {
          name: `${store}.storage.partitions`,
          type: 'int',
          defaultValue: partitions,
          importance: 'LOW',
          documentation: `The number of partitions used when creating the ${what} storage topic; -1 for the broker's default`,
        } satisfies ConnectConfigKey,
      ]),
];

/** The distributed worker's own keys (Kafka's DistributedConfig), with Kafka's defaults. */
const DISTRIBUTED_KEYS: readonly ConnectConfigKey[] = [
  {
    name: 'group.id',
    type: 'string',
    importance: 'HIGH',
    documentation: 'A unique string that identifies the Connect cluster group this worker belongs to.',
    validator: ConfigValidators.nonEmptyString(),
  },
  ...topicKeys('config', 'connector configurations', null),
  ...topicKeys('offset', 'source connector offsets', 25),
  ...topicKeys('status', 'connector and task statuses', 5),
  {
    name: 'session.timeout.ms',
    type: 'int',
    defaultValue: 10000,
    importance: 'HIGH',
    documentation:
      'The timeout used to detect worker failures. The worker sends periodic heartbeats to indicate its liveness to the broker.',
  },
  {
    name: 'heartbeat.interval.ms',
    type: 'int',
    defaultValue: 3000,
    importance: 'HIGH',
    documentation:
      "The expected time between heartbeats to the group coordinator when using Kafka's group management facilities.",
  },
  {
    name: 'rebalance.timeout.ms',
    type: 'int',
    defaultValue: 60000,
    importance: 'HIGH',
    documentation: 'The maximum allowed time for each worker to join the group once a rebalance has begun.',
  },
  {
    name: 'scheduled.rebalance.max.delay.ms',
    type: 'int',
    defaultValue: 300000,
    importance: 'LOW',
    documentation:
      'The maximum delay that is scheduled in order to wait for the return of one or more departed workers before rebalancing and reassigning their connectors and tasks to the group.',
    validator: ConfigValidators.between(0, 2147483647),
  },
  {
    name: 'connect.protocol',
    type: 'string',
    defaultValue: 'sessioned',
    importance: 'LOW',
    documentation: 'Compatibility mode for Kafka Connect Protocol',
    validator: ConfigValidators.oneOfIgnoreCase('eager', 'default', 'compatible', 'sessioned'),
  },
  {
    name: 'exactly.once.source.support',
    type: 'string',
    defaultValue: 'disabled',
    importance: 'HIGH',
    documentation:
      'Whether to enable exactly-once support for source connectors in the cluster by using transactions to write source records and their source offsets, and by proactively fencing out old task generations before bringing up new ones.',
    validator: ConfigValidators.oneOfIgnoreCase('disabled', 'preparing', 'enabled'),
  },
];

export function distributedWorkerConfigDef(): ConnectConfigDef {
  return new ConnectConfigDef([...COMMON_KEYS, ...DISTRIBUTED_KEYS]);
}

export function standaloneWorkerConfigDef(): ConnectConfigDef {
  return new ConnectConfigDef([...COMMON_KEYS, ...STANDALONE_KEYS]);
}

export function workerConfigDef(extra: readonly ConnectConfigKey[] = []): ConnectConfigDef {
  return new ConnectConfigDef([...COMMON_KEYS, ...extra]);
}

/** A parsed worker config: typed values and the original properties (for prefixes like producer.*). */
export interface WorkerConfig {
  readonly parsed: ParsedConfig;
  readonly props: Readonly<Record<string, string>>;
}
