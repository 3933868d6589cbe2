import { Kafka, type KafkaConfig } from '../../client/index.js';
import type { Logger } from '../../common/logger.js';
import type { ParsedConfig } from '../config/connect-config-def.js';
import { builtinPlugins } from '../plugins/builtin-plugins.js';
import { loadPluginPath } from '../plugins/plugin-path.js';
import type { Plugins } from '../plugins/plugins.js';
import { buildRestServer, listenRest } from '../rest/connect-rest-server.js';
import { parseRestListeners } from '../rest/rest-listeners.js';
import { kafkaConfigOf } from '../runtime/client-configs.js';
import { workerIdOf } from '../runtime/standalone-worker.js';
import { Worker } from '../runtime/worker.js';
import { distributedWorkerConfigDef } from '../runtime/worker-config.js';
import type { ConnectProtocolName } from './connect-protocol.js';
import { DistributedHerder } from './distributed-herder.js';
import type { TopicSettings } from './kafka-based-log.js';
import { KafkaOffsetBackingStore } from './kafka-offset-store.js';
import { KafkaStatusBackingStore } from './status-backing-store.js';

export interface DistributedOptions {
  /** The worker's properties (connect-distributed.properties). */
  readonly workerProps: Readonly<Record<string, string>>;
  readonly logger: Logger;
  /** Connection settings the properties cannot carry as such (TLS and SASL, built by the caller). */
  readonly kafka?: Partial<KafkaConfig>;
}

/** A running distributed worker. */
export interface DistributedWorker {
  readonly herder: DistributedHerder;
  readonly plugins: Plugins;
  readonly workerId: string;
  readonly restUrls: readonly string[];
  stop(): Promise<void>;
}

function topicOf(parsed: ParsedConfig, store: 'config' | 'offset' | 'status'): TopicSettings {
  const eos = String(parsed.getString('exactly.once.source.support')).toLowerCase();
  return {
    // With exactly-once sources (and while preparing for them) offsets are read as committed.
    readCommitted: store === 'offset' && eos !== 'disabled',
    topic: parsed.getString(`${store}.storage.topic`)!,
    // The config topic has one partition, so its records keep one order (Kafka requires it).
    partitions: store === 'config' ? 1 : parsed.getInt(`${store}.storage.partitions`),
    replicationFactor: Number(parsed.get(`${store}.storage.replication.factor`)),
  };
}

/**
 * Starts a distributed worker (Kafka's ConnectDistributed): plugins, the offset, status and config
 * topics (created compacted when missing), the REST API, then membership in `group.id`. Connectors
 * are created through the REST API of any worker of the group.
 */
export async function startDistributed(options: DistributedOptions): Promise<DistributedWorker> {
  const { workerProps, logger } = options;
  const parsed = distributedWorkerConfigDef().parse(workerProps);
  const plugins = builtinPlugins();
  await loadPluginPath(plugins, parsed.getList('plugin.path'), logger);
  const kafka = new Kafka({ ...kafkaConfigOf(workerProps, logger), ...options.kafka });
  const admin = kafka.admin();
  const offsetStore = new KafkaOffsetBackingStore(kafka, topicOf(parsed, 'offset'), admin, logger);
  const statusStore = new KafkaStatusBackingStore(kafka, topicOf(parsed, 'status'), admin, logger);
  await offsetStore.start();
  await statusStore.start();
  let workerId = '';
  const groupId = parsed.getString('group.id')!;
  const exactlyOnce = String(parsed.getString('exactly.once.source.support')).toLowerCase() === 'enabled';
  const worker = new Worker({
    exactlyOnceSource: exactlyOnce ? { groupId, offsetTopic: offsetStore.topic } : null,
    get workerId() {
      return workerId;
    },
    props: workerProps,
    plugins,
    offsetStore,
    kafka,
    logger,
    offsetFlushIntervalMs: parsed.getLong('offset.flush.interval.ms'),
  });
  const protocol = String(parsed.getString('connect.protocol')).toLowerCase();
  const herder = new DistributedHerder({
    worker,
    admin,
    logger,
    configTopic: topicOf(parsed, 'config'),
    statusStore,
    exactlyOnceSource: exactlyOnce,
    taskShutdownTimeoutMs: parsed.getLong('task.shutdown.graceful.timeout.ms'),
    group: {
      groupId,
      sessionTimeoutMs: parsed.getInt('session.timeout.ms'),
      heartbeatIntervalMs: parsed.getInt('heartbeat.interval.ms'),
      rebalanceTimeoutMs: parsed.getInt('rebalance.timeout.ms'),
      scheduledRebalanceMaxDelayMs: parsed.getInt('scheduled.rebalance.max.delay.ms'),
      // Kafka's "eager" is the protocol named "default" on the wire.
      protocol: (protocol === 'eager' ? 'default' : protocol) as ConnectProtocolName,
    },
    url: () => `http://${workerId}/`,
  });
  const rest = await buildRestServer({
    herder,
    plugins,
    logger: logger.child({ component: 'rest' }),
    kafkaClusterId: async () => (await admin.describeCluster()).clusterId,
  });
  const restUrls = await listenRest(rest, parseRestListeners(parsed.getList('listeners')));
  workerId = workerIdOf(
    restUrls[0],
    parsed.getString('rest.advertised.host.name'),
    parsed.get('rest.advertised.port') as number | null,
  );
  for (const url of restUrls) logger.info({ url }, 'REST server listening');
  await herder.start();
  logger.info({ workerId, groupId: parsed.getString('group.id') }, 'distributed worker started');
  return {
    herder,
    plugins,
    workerId,
    restUrls,
    async stop() {
      await rest.close();
      await herder.stop();
      await statusStore.stop();
      await offsetStore.stop();
      await admin.close();
      logger.info({}, 'distributed worker stopped');
    },
  };
}
