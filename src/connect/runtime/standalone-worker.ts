import { hostname } from 'node:os';
import { Kafka, type KafkaConfig } from '../../client/index.js';
import type { Logger } from '../../common/logger.js';
import { builtinPlugins } from '../plugins/builtin-plugins.js';
import { loadPluginPath } from '../plugins/plugin-path.js';
import type { Plugins } from '../plugins/plugins.js';
import { buildRestServer, listenRest } from '../rest/connect-rest-server.js';
import { parseRestListeners } from '../rest/rest-listeners.js';
import { kafkaConfigOf } from './client-configs.js';
import { FileOffsetBackingStore } from './offset-store.js';
import { StandaloneHerder } from './standalone-herder.js';
import { Worker } from './worker.js';
import { standaloneWorkerConfigDef } from './worker-config.js';

export interface StandaloneOptions {
  /** The worker's properties (connect-standalone.properties). */
  readonly workerProps: Readonly<Record<string, string>>;
  /** Connectors to create at start, each a connector config with its `name`. */
  readonly connectors?: readonly Readonly<Record<string, string>>[];
  readonly logger: Logger;
  /** Connection settings the properties cannot carry as such (TLS and SASL, built by the caller). */
  readonly kafka?: Partial<KafkaConfig>;
}

/** A running standalone worker. */
export interface StandaloneWorker {
  readonly herder: StandaloneHerder;
  readonly plugins: Plugins;
  readonly workerId: string;
  /** The REST API's bound URLs (a port 0 in `listeners` replaced by the port bound). */
  readonly restUrls: readonly string[];
  stop(): Promise<void>;
}

/** The worker id Kafka gives a worker: the host and port of its REST API (advertised or bound). */
export function workerIdOf(
  boundUrl: string | undefined,
  advertisedHost: string | null,
  advertisedPort: number | null,
): string {
  const m = /^[a-z]+:\/\/([^:/]*|\[[^\]]*\]):(\d+)/i.exec(boundUrl ?? '');
  const bound = m?.[1] && m[1] !== '0.0.0.0' && m[1] !== '[::]' ? m[1] : hostname();
  return `${advertisedHost ?? bound}:${advertisedPort ?? m?.[2] ?? '8083'}`;
}

/**
 * Starts a standalone worker (Kafka's ConnectStandalone): loads the plugins, reads the offsets
 * file and creates the given connectors. The REST API is attached by the caller.
 */
export async function startStandalone(options: StandaloneOptions): Promise<StandaloneWorker> {
  const { workerProps, logger } = options;
  const parsed = standaloneWorkerConfigDef().parse(workerProps);
  const plugins = builtinPlugins();
  await loadPluginPath(plugins, parsed.getList('plugin.path'), logger);
  const offsetStore = new FileOffsetBackingStore(parsed.getString('offset.storage.file.filename')!);
  await offsetStore.start();
  const kafka = new Kafka({ ...kafkaConfigOf(workerProps, logger), ...options.kafka });
  const listeners = parseRestListeners(parsed.getList('listeners'));
  // The herder answers REST requests; the worker id it reports is known once the REST API is bound.
  let workerId = '';
  const worker = new Worker({
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
  const herder = new StandaloneHerder({
    worker,
    logger,
    admin: () => kafka.admin(),
    taskShutdownTimeoutMs: parsed.getLong('task.shutdown.graceful.timeout.ms'),
  });
  const rest = await buildRestServer({
    herder,
    plugins,
    logger: logger.child({ component: 'rest' }),
    kafkaClusterId: async () => {
      const admin = kafka.admin();
      try {
        return (await admin.describeCluster()).clusterId;
      } finally {
        await admin.close();
      }
    },
  });
  const restUrls = await listenRest(rest, listeners);
  workerId = workerIdOf(
    restUrls[0],
    parsed.getString('rest.advertised.host.name'),
    parsed.get('rest.advertised.port') as number | null,
  );
  for (const url of restUrls) logger.info({ url }, 'REST server listening');
  logger.info({ workerId, plugins: plugins.list().length }, 'standalone worker started');
  for (const config of options.connectors ?? []) {
    const name = config.name ?? '';
    await herder.putConnectorConfig(name, config, false);
    logger.info({ connector: name }, 'created connector');
  }
  return {
    herder,
    plugins,
    workerId,
    restUrls,
    async stop() {
      await rest.close();
      await herder.stopAll();
      await offsetStore.stop();
      logger.info({}, 'standalone worker stopped');
    },
  };
}
