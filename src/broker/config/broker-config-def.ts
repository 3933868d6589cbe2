import { ConfigDef, type ConfigKeyDef, type ConfigValuesOf, Validators } from '../../common/config-def.js';
import {
  TOPIC_CONFIG_DEF,
  type TopicConfigKeys,
  topicConfigSynonyms,
} from '../../metadata/topic-config-def.js';
import { securityKeys } from './security-config-def.js';

const LONG_MAX = 9223372036854775807n;

/** Broker keys of Kafka's server configuration that Strom understands, with Kafka's defaults. */
const brokerKeys = [
  {
    name: 'node.id',
    type: 'int',
    defaultValue: 1,
    doc: "This broker's id in the cluster",
    validate: Validators.atLeast(0),
  },
  {
    name: 'broker.id',
    type: 'int',
    defaultValue: null,
    doc: 'Older name for node.id',
    validate: Validators.atLeast(0),
  },
  {
    name: 'broker.rack',
    type: 'string',
    defaultValue: null,
    doc: "This broker's rack (KIP-36): new partitions spread their replicas across racks",
  },
  {
    name: 'process.roles',
    type: 'list',
    defaultValue: ['broker', 'controller'],
    doc: 'Roles of this process',
    validate: Validators.listOf('broker', 'controller'),
  },
  {
    name: 'cluster.id',
    type: 'string',
    defaultValue: null,
    doc: 'Cluster id written to meta.properties on first start (generated when unset)',
  },
  {
    name: 'metadata.etcd.endpoints',
    type: 'list',
    defaultValue: null,
    doc: 'etcd client URLs (http://host:2379,...) holding the cluster metadata: brokers with the same endpoints and prefix form one cluster. Unset: a single node with its metadata log on local disk',
  },
  {
    name: 'metadata.etcd.prefix',
    type: 'string',
    defaultValue: '/strom',
    doc: "Key prefix of this cluster's metadata in etcd, so that several clusters can share one etcd",
  },
  {
    name: 'broker.session.timeout.ms',
    type: 'int',
    defaultValue: 9000,
    doc: "In a cluster: how long a broker's etcd session (a lease) outlives its last heartbeat before the controller fences it (etcd counts whole seconds, 2 s at least)",
    validate: Validators.atLeast(1),
  },
  {
    name: 'broker.heartbeat.interval.ms',
    type: 'int',
    defaultValue: 2000,
    doc: 'In a cluster: how often a broker renews its etcd session',
    validate: Validators.atLeast(1),
  },
  {
    name: 'listeners',
    type: 'list',
    defaultValue: ['PLAINTEXT://localhost:9092'],
    doc: 'Listener URIs to bind, NAME://host:port. An empty host (PLAINTEXT://:9092), 0.0.0.0 or [::] binds every interface, as in Kafka; such a listener is advertised with the machine host name unless advertised.listeners names one',
  },
  {
    name: 'strom.http.listeners',
    type: 'list',
    defaultValue: ['http://localhost:9644'],
    doc: 'HTTP listeners serving /metrics (Prometheus), /healthz and /readyz, as http://host:port; none (or an empty list) serves no HTTP',
  },
  {
    name: 'advertised.listeners',
    type: 'list',
    defaultValue: null,
    doc: 'Listener URIs given to clients (default: listeners)',
  },
  {
    name: 'listener.security.protocol.map',
    type: 'list',
    defaultValue: ['PLAINTEXT:PLAINTEXT', 'SSL:SSL', 'SASL_PLAINTEXT:SASL_PLAINTEXT', 'SASL_SSL:SASL_SSL'],
    doc: 'Listener name to security protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL); by default each protocol name maps to itself',
  },
  {
    name: 'inter.broker.listener.name',
    type: 'string',
    defaultValue: null,
    doc: 'Listener used between brokers (default: the one named after security.inter.broker.protocol); must be in advertised.listeners',
  },
  {
    name: 'log.dirs',
    type: 'list',
    defaultValue: null,
    doc: 'Directories holding partition logs (default: log.dir)',
  },
  {
    name: 'log.dir',
    type: 'string',
    defaultValue: './strom-data',
    doc: 'Directory holding partition logs when log.dirs is unset',
  },
  {
    name: 'num.partitions',
    type: 'int',
    defaultValue: 1,
    doc: 'Default partition count of auto-created topics',
    validate: Validators.atLeast(1),
  },
  {
    name: 'default.replication.factor',
    type: 'int',
    defaultValue: 1,
    doc: 'Default replication factor of auto-created topics',
    validate: Validators.atLeast(1),
  },
  {
    name: 'auto.create.topics.enable',
    type: 'boolean',
    defaultValue: true,
    doc: 'Create topics on metadata or produce requests for unknown topics',
  },
  { name: 'delete.topic.enable', type: 'boolean', defaultValue: true, doc: 'Allow DeleteTopics' },
  {
    name: 'socket.request.max.bytes',
    type: 'int',
    defaultValue: 104857600,
    doc: 'Largest request accepted',
    validate: Validators.atLeast(1),
  },
  {
    name: 'socket.send.buffer.bytes',
    type: 'int',
    defaultValue: 102400,
    doc: 'SO_SNDBUF, -1 for the OS default',
  },
  {
    name: 'socket.receive.buffer.bytes',
    type: 'int',
    defaultValue: 102400,
    doc: 'SO_RCVBUF, -1 for the OS default',
  },
  {
    name: 'socket.listen.backlog.size',
    type: 'int',
    defaultValue: 50,
    doc: 'Listen backlog',
    validate: Validators.atLeast(1),
  },
  {
    name: 'max.connections',
    type: 'int',
    defaultValue: 2147483647,
    doc: 'Client connections open at once, all listeners together; a connection beyond it is closed at once',
    validate: Validators.atLeast(1),
  },
  {
    name: 'connections.max.idle.ms',
    type: 'long',
    defaultValue: 600000,
    doc: 'Idle connections are closed after this',
  },
  {
    name: 'queued.max.requests',
    type: 'int',
    defaultValue: 500,
    doc: 'Requests in flight per connection before it stops reading',
    validate: Validators.atLeast(1),
  },
  {
    name: 'quota.window.num',
    type: 'int',
    defaultValue: 11,
    doc: 'Samples kept in memory for client quotas (producer_byte_rate, consumer_byte_rate, request_percentage): the rate is measured over this many windows',
    validate: Validators.atLeast(1),
  },
  {
    name: 'quota.window.size.seconds',
    type: 'int',
    defaultValue: 1,
    doc: 'Length of each client quota sample window; also the longest throttle for request_percentage',
    validate: Validators.atLeast(1),
  },
  {
    name: 'strom.decompressed.batch.max.bytes',
    type: 'int',
    defaultValue: 268435456,
    doc: 'Most bytes one produced record batch may decompress to; more is answered MESSAGE_TOO_LARGE. Batches are checked piece by piece, so this bounds work, not memory',
    validate: Validators.atLeast(1024),
  },
  {
    name: 'queued.max.request.bytes',
    type: 'long',
    defaultValue: -1,
    doc: 'Memory for requests being read and handled, all connections together, before no new request is read; -1 for no limit',
  },
  {
    name: 'strom.queued.max.response.bytes',
    type: 'long',
    defaultValue: 67108864,
    doc: 'Bytes of responses one connection may have in flight (fetched records being read, or not yet sent) before it stops reading and its fetches wait',
    validate: Validators.atLeast(1),
  },
  {
    name: 'num.network.threads',
    type: 'int',
    defaultValue: 3,
    doc: 'Accepted for compatibility; Strom uses one event loop',
    validate: Validators.atLeast(1),
  },
  {
    name: 'num.io.threads',
    type: 'int',
    defaultValue: 8,
    doc: 'Accepted for compatibility; Strom uses one event loop',
    validate: Validators.atLeast(1),
  },
  { name: 'log.retention.hours', type: 'int', defaultValue: 168, doc: 'Retention in hours (tertiary)' },
  { name: 'log.retention.minutes', type: 'int', defaultValue: null, doc: 'Retention in minutes (secondary)' },
  {
    name: 'log.retention.ms',
    type: 'long',
    defaultValue: null,
    doc: 'Retention in milliseconds, -1 for no limit',
  },
  {
    name: 'log.roll.hours',
    type: 'int',
    defaultValue: 168,
    doc: 'Segment roll time in hours',
    validate: Validators.atLeast(1),
  },
  { name: 'log.roll.ms', type: 'long', defaultValue: null, doc: 'Segment roll time in milliseconds' },
  {
    name: 'log.roll.jitter.hours',
    type: 'int',
    defaultValue: 0,
    doc: 'Segment roll jitter in hours',
    validate: Validators.atLeast(0),
  },
  {
    name: 'log.roll.jitter.ms',
    type: 'long',
    defaultValue: null,
    doc: 'Segment roll jitter in milliseconds',
  },
  {
    name: 'log.retention.check.interval.ms',
    type: 'long',
    defaultValue: 300000,
    doc: 'How often retention runs',
    validate: Validators.atLeast(1),
  },
  {
    name: 'log.cleaner.enable',
    type: 'boolean',
    defaultValue: true,
    doc: 'Run the log cleaner for compacted topics',
  },
  {
    name: 'log.cleaner.backoff.ms',
    type: 'long',
    defaultValue: 15000,
    doc: 'Sleep when there is nothing to clean',
    validate: Validators.atLeast(0),
  },
  {
    name: 'log.flush.scheduler.interval.ms',
    type: 'long',
    defaultValue: LONG_MAX,
    doc: 'How often logs are checked for flush.ms',
  },
  {
    name: 'log.flush.offset.checkpoint.interval.ms',
    type: 'int',
    defaultValue: 60000,
    doc: 'Recovery point checkpoint interval',
    validate: Validators.atLeast(0),
  },
  {
    name: 'log.flush.start.offset.checkpoint.interval.ms',
    type: 'int',
    defaultValue: 60000,
    doc: 'Log start offset checkpoint interval',
    validate: Validators.atLeast(0),
  },
  {
    name: 'replica.high.watermark.checkpoint.interval.ms',
    type: 'long',
    defaultValue: 5000,
    doc: 'High watermark checkpoint interval',
  },
  {
    name: 'strom.log.fsync.on.ack',
    type: 'boolean',
    defaultValue: false,
    doc: "fsync produced batches before acknowledging them (group commit); off is Kafka's page-cache default",
  },
  {
    name: 'group.initial.rebalance.delay.ms',
    type: 'int',
    defaultValue: 3000,
    doc: 'Delay of the first rebalance of an empty group',
  },
  {
    name: 'group.min.session.timeout.ms',
    type: 'int',
    defaultValue: 6000,
    doc: 'Smallest session timeout a member may ask for',
  },
  {
    name: 'group.max.session.timeout.ms',
    type: 'int',
    defaultValue: 1800000,
    doc: 'Largest session timeout a member may ask for',
  },
  {
    name: 'group.max.size',
    type: 'int',
    defaultValue: 2147483647,
    doc: 'Most members in one group',
    validate: Validators.atLeast(1),
  },
  {
    name: 'offsets.topic.num.partitions',
    type: 'int',
    defaultValue: 50,
    doc: 'Partitions of __consumer_offsets',
    validate: Validators.atLeast(1),
  },
  {
    name: 'offsets.topic.replication.factor',
    type: 'short',
    defaultValue: 3,
    doc: 'Replication factor of __consumer_offsets',
    validate: Validators.atLeast(1),
  },
  {
    name: 'offsets.topic.segment.bytes',
    type: 'int',
    defaultValue: 104857600,
    doc: 'Segment size of __consumer_offsets',
    validate: Validators.atLeast(1),
  },
  {
    name: 'offsets.retention.minutes',
    type: 'int',
    defaultValue: 10080,
    doc: 'Retention of committed offsets of empty groups',
    validate: Validators.atLeast(1),
  },
  {
    name: 'offsets.retention.check.interval.ms',
    type: 'long',
    defaultValue: 600000,
    doc: 'How often stale offsets are removed',
    validate: Validators.atLeast(1),
  },
  {
    name: 'offsets.commit.timeout.ms',
    type: 'int',
    defaultValue: 5000,
    doc: 'Wait for an offset commit to be replicated',
    validate: Validators.atLeast(1),
  },
  {
    name: 'transaction.state.log.num.partitions',
    type: 'int',
    defaultValue: 50,
    doc: 'Partitions of __transaction_state',
    validate: Validators.atLeast(1),
  },
  {
    name: 'transaction.state.log.replication.factor',
    type: 'short',
    defaultValue: 3,
    doc: 'Replication factor of __transaction_state',
    validate: Validators.atLeast(1),
  },
  {
    name: 'transaction.max.timeout.ms',
    type: 'int',
    defaultValue: 900000,
    doc: 'Largest transaction timeout a producer may ask for',
    validate: Validators.atLeast(1),
  },
  {
    name: 'transaction.state.log.segment.bytes',
    type: 'int',
    defaultValue: 104857600,
    doc: 'Segment size of __transaction_state',
    validate: Validators.atLeast(1),
  },
  {
    name: 'transaction.abort.timed.out.transaction.cleanup.interval.ms',
    type: 'int',
    defaultValue: 10000,
    doc: 'How often transactions past their timeout are aborted',
    validate: Validators.atLeast(1),
  },
  {
    name: 'transaction.remove.expired.transaction.cleanup.interval.ms',
    type: 'int',
    defaultValue: 3600000,
    doc: 'How often transactional ids past transactional.id.expiration.ms are removed',
    validate: Validators.atLeast(1),
  },
  {
    name: 'transaction.partition.verification.enable',
    type: 'boolean',
    defaultValue: true,
    doc: 'Check with the transaction coordinator that a partition was added to the transaction before its first transactional append (KIP-890)',
  },
  {
    name: 'transactional.id.expiration.ms',
    type: 'int',
    defaultValue: 604800000,
    doc: 'Idle transactional ids expire after this',
    validate: Validators.atLeast(1),
  },
  {
    name: 'producer.id.expiration.ms',
    type: 'int',
    defaultValue: 86400000,
    doc: 'Idle producer ids expire after this',
    validate: Validators.atLeast(1),
  },
  {
    name: 'producer.id.expiration.check.interval.ms',
    type: 'int',
    defaultValue: 600000,
    doc: 'How often expired producer ids are removed',
    validate: Validators.atLeast(1),
  },
  {
    name: 'fetch.max.bytes',
    type: 'int',
    defaultValue: 57671680,
    doc: 'Largest fetch response, whatever the request asks',
    validate: Validators.atLeast(1024),
  },
  {
    name: 'max.incremental.fetch.session.cache.slots',
    type: 'int',
    defaultValue: 1000,
    doc: 'Fetch sessions kept',
    validate: Validators.atLeast(0),
  },
  {
    name: 'metadata.log.max.record.bytes.between.snapshots',
    type: 'long',
    defaultValue: 20971520,
    doc: 'Metadata log bytes after which the image is snapshotted and the covered records dropped',
    validate: Validators.atLeast(1),
  },
  {
    name: 'replica.lag.time.max.ms',
    type: 'long',
    defaultValue: 30000,
    doc: 'A follower this far behind leaves the ISR',
    validate: Validators.atLeast(1),
  },
  {
    name: 'replica.fetch.max.bytes',
    type: 'int',
    defaultValue: 1048576,
    doc: 'Bytes a follower fetches per partition per request (a larger first batch still comes whole)',
    validate: Validators.atLeast(0),
  },
  {
    name: 'replica.fetch.response.max.bytes',
    type: 'int',
    defaultValue: 10485760,
    doc: 'Bytes a follower fetches per request, all partitions together',
    validate: Validators.atLeast(0),
  },
  {
    name: 'replica.fetch.wait.max.ms',
    type: 'int',
    defaultValue: 500,
    doc: 'How long a follower fetch waits at the leader for replica.fetch.min.bytes',
    validate: Validators.atLeast(0),
  },
  {
    name: 'replica.fetch.min.bytes',
    type: 'int',
    defaultValue: 1,
    doc: 'Bytes a follower fetch waits for at the leader',
    validate: Validators.atLeast(1),
  },
  {
    name: 'replica.fetch.backoff.ms',
    type: 'int',
    defaultValue: 1000,
    doc: 'Pause of a follower after a fetch error',
    validate: Validators.atLeast(0),
  },
  {
    name: 'replica.socket.timeout.ms',
    type: 'int',
    defaultValue: 30000,
    doc: 'How long a follower request to its leader may go unanswered (beyond replica.fetch.wait.max.ms)',
    validate: Validators.atLeast(1),
  },
  {
    name: 'auto.leader.rebalance.enable',
    type: 'boolean',
    defaultValue: true,
    doc: 'The controller moves leadership back to preferred replicas when a broker leads too few of its own',
  },
  {
    name: 'leader.imbalance.check.interval.seconds',
    type: 'long',
    defaultValue: 300,
    doc: 'How often the controller checks the leader imbalance',
    validate: Validators.atLeast(1),
  },
  {
    name: 'leader.imbalance.per.broker.percentage',
    type: 'int',
    defaultValue: 10,
    doc: "Share of a broker's preferred partitions led elsewhere above which they are moved back",
    validate: Validators.atLeast(0),
  },
  {
    name: 'num.replica.fetchers',
    type: 'int',
    defaultValue: 1,
    doc: 'Fetchers (connections) per source broker; partitions are spread over them by hash',
    validate: Validators.atLeast(1),
  },
] as const satisfies readonly ConfigKeyDef[];

type BrokerOwnKeys = [...typeof brokerKeys, ...typeof securityKeys];
/** Broker keys that only provide a topic key's default have that topic key's type. */
type TopicSynonymValues = {
  readonly [K in TopicConfigKeys[number] as K['serverSynonyms'][number]]: ConfigValuesOf<[K]>[K['name']];
};

/**
 * The broker's configuration as one typed object (`BrokerConfig.get` reads it): every key of
 * `brokerKeys`, and the topic-default keys (log.cleanup.policy, message.max.bytes, …).
 */
export type BrokerConfigValues = ConfigValuesOf<BrokerOwnKeys> &
  Omit<TopicSynonymValues, BrokerOwnKeys[number]['name']>;
export type BrokerConfigKey = keyof BrokerConfigValues;

/** Broker keys that only provide topic defaults, named by Kafka's ServerTopicConfigSynonyms. */
const topicDefaultKeys = new Map<string, ConfigKeyDef>();
for (const topicKey of TOPIC_CONFIG_DEF.names()) {
  const topicDef = TOPIC_CONFIG_DEF.get(topicKey)!;
  for (const brokerKey of topicConfigSynonyms(topicKey)) {
    if ([...brokerKeys, ...securityKeys].some((k: ConfigKeyDef) => k.name === brokerKey)) continue;
    topicDefaultKeys.set(brokerKey, { ...topicDef, name: brokerKey, dynamic: true });
  }
}

/** Broker keys that are a topic key's default (log.retention.hours, log.roll.ms, …) change at runtime, as in Kafka. */
const synonymKeys = new Set(TOPIC_CONFIG_DEF.names().flatMap((t) => [...topicConfigSynonyms(t)]));

export const BROKER_CONFIG_DEF = new ConfigDef<BrokerConfigValues>([
  ...[...brokerKeys, ...securityKeys].map((k: ConfigKeyDef) =>
    synonymKeys.has(k.name) ? { ...k, dynamic: true } : k,
  ),
  ...topicDefaultKeys.values(),
]);
