import type { Kafka } from '../../client/index.js';
import type { Logger } from '../../common/logger.js';
import { type Connector, SinkConnector } from '../api/connector.js';
import { SinkTask, SourceTask } from '../api/task.js';
import { ConfigError } from '../config/connect-config-def.js';
import { sinkConnectorConfigDef, sourceConnectorConfigDef } from '../config/connector-config.js';
import { ConnectError } from '../connect-error.js';
import { converterFor, headerConverterFor } from '../converters/converter-config.js';
import type { Plugins } from '../plugins/plugins.js';
import { transformChain } from '../transforms/transform-chain.js';
import { kafkaConfigOf, sinkConsumerConfig, sourceProducerConfig } from './client-configs.js';
import { ErrorHandler, errorHandlingConfig } from './error-handler.js';
import { ExactlyOnceWorkerSourceTask, type TransactionBoundary } from './exactly-once-source-task.js';
import type { OffsetBackingStore } from './offset-store.js';
import type { ConnectorTaskId, StateListener, TargetState } from './task-status.js';
import { WorkerSinkTask } from './worker-sink-task.js';
import { WorkerSourceTask } from './worker-source-task.js';
import type { WorkerTask } from './worker-task.js';

export interface WorkerOptions {
  readonly workerId: string;
  readonly props: Readonly<Record<string, string>>;
  readonly plugins: Plugins;
  readonly offsetStore: OffsetBackingStore;
  readonly kafka: Kafka;
  readonly logger: Logger;
  readonly offsetFlushIntervalMs: number;
  /**
   * Set when the worker runs source tasks exactly once (exactly.once.source.support=enabled):
   * the group whose id prefixes the tasks' transactional ids, and the offset topic.
   */
  readonly exactlyOnceSource?: { readonly groupId: string; readonly offsetTopic: string } | null;
}

/** A source task's transactional.id, as Kafka names it: `<group.id>-<connector>-<task>` (KIP-618). */
export function taskTransactionalId(groupId: string, id: ConnectorTaskId): string {
  return `${groupId}-${id.connector}-${id.task}`;
}

/**
 * Instantiates connectors and runs tasks (Kafka's Worker): the herder decides what runs, the worker
 * builds it with the connector's converters, clients and transforms.
 */
export class Worker {
  constructor(readonly options: WorkerOptions) {}

  get workerId(): string {
    return this.options.workerId;
  }

  isSink(connectorProps: Readonly<Record<string, string>>): boolean {
    return this.options.plugins.connector(connectorProps['connector.class'] ?? '').type === 'sink';
  }

  newConnector(connectorProps: Readonly<Record<string, string>>): Connector {
    return this.options.plugins.newConnector(connectorProps['connector.class'] ?? '');
  }

  /**
   * A started connector's task configs, at most tasks.max of them (Kafka's
   * Worker.connectorTaskConfigs): each gets `task.class`, and sink tasks the connector's topics.
   */
  async taskConfigs(
    connector: Connector,
    connectorProps: Readonly<Record<string, string>>,
  ): Promise<Record<string, string>[]> {
    const common = (
      connector instanceof SinkConnector ? sinkConnectorConfigDef() : sourceConnectorConfigDef()
    ).parse(connectorProps);
    const maxTasks = common.getInt('tasks.max');
    const configs = await connector.taskConfigs(maxTasks);
    if (configs.length > maxTasks && common.getBoolean('tasks.max.enforce'))
      throw new ConnectError(
        'CONNECT_ERROR',
        `The connector ${connectorProps.name} has generated ${configs.length} tasks, which is greater than ${maxTasks}, the maximum number of tasks it is configured to create.`,
      );
    const taskClass = connector.taskClass();
    return configs.map((c) => {
      const out: Record<string, string> = { ...c, 'task.class': taskClass.name };
      if (connector instanceof SinkConnector) {
        if (connectorProps.topics !== undefined) out.topics = connectorProps.topics;
        if (connectorProps['topics.regex'] !== undefined)
          out['topics.regex'] = connectorProps['topics.regex'];
      }
      return out;
    });
  }

  /** Builds and starts one task; its state changes go to `onState`. */
  startTask(
    id: ConnectorTaskId,
    connectorProps: Readonly<Record<string, string>>,
    taskConfig: Readonly<Record<string, string>>,
    target: TargetState,
    onState: StateListener,
  ): WorkerTask {
    const { plugins, props, kafka, logger } = this.options;
    const connector = this.newConnector(connectorProps);
    const task = new (connector.taskClass())();
    const keyConverter = converterFor(plugins, 'key', connectorProps, props);
    const valueConverter = converterFor(plugins, 'value', connectorProps, props);
    const headerConverter = headerConverterFor(plugins, connectorProps, props);
    const transform = transformChain(plugins, connectorProps);
    const taskLogger = logger.child({ connector: id.connector, task: id.task });
    const errors = errorHandlingConfig(connectorProps);
    let stopping = false;
    const dlqProducer =
      task instanceof SinkTask && errors.dlqTopic !== '' ? kafka.producer({ acks: 'all' }) : null;
    const errorHandler = new ErrorHandler(errors, {
      connector: id.connector,
      task: id.task,
      logger: taskLogger,
      dlqProducer,
      isStopping: () => stopping,
    });
    let worker: WorkerTask;
    const eos = this.options.exactlyOnceSource ?? null;
    if (task instanceof SourceTask && eos !== null) {
      const source = sourceConnectorConfigDef().parse(connectorProps);
      const interval = source.get('transaction.boundary.interval.ms');
      worker = new ExactlyOnceWorkerSourceTask({
        id,
        task,
        taskConfig,
        producer: kafka.producer({
          ...sourceProducerConfig(props, connectorProps, taskLogger),
          transactionalId: taskTransactionalId(eos.groupId, id),
        }),
        keyConverter,
        valueConverter,
        headerConverter,
        transform,
        errorHandler,
        offsetStore: this.options.offsetStore,
        offsetFlushIntervalMs: this.options.offsetFlushIntervalMs,
        logger,
        onState,
        offsetTopic: eos.offsetTopic,
        boundary: String(source.getString('transaction.boundary')).toLowerCase() as TransactionBoundary,
        boundaryIntervalMs:
          interval === null || interval === undefined ? this.options.offsetFlushIntervalMs : Number(interval),
      });
    } else if (task instanceof SourceTask) {
      worker = new WorkerSourceTask({
        id,
        task,
        taskConfig,
        producer: kafka.producer(sourceProducerConfig(props, connectorProps, taskLogger)),
        keyConverter,
        valueConverter,
        headerConverter,
        transform,
        errorHandler,
        offsetStore: this.options.offsetStore,
        offsetFlushIntervalMs: this.options.offsetFlushIntervalMs,
        logger,
        onState,
      });
    } else if (task instanceof SinkTask) {
      const common = sinkConnectorConfigDef().parse(connectorProps);
      const regex = common.getString('topics.regex') ?? '';
      const topics = common.getList('topics');
      worker = new WorkerSinkTask({
        id,
        task,
        taskConfig,
        consumer: kafka.consumer(sinkConsumerConfig(id.connector, props, connectorProps, taskLogger)),
        admin: regex !== '' ? kafka.admin() : null,
        topics,
        topicsRegex: regex !== '' ? new RegExp(`^(?:${regex})$`) : null,
        keyConverter,
        valueConverter,
        headerConverter,
        transform,
        errorHandler,
        setUpDeadLetterQueue: async () => {
          if (errors.dlqTopic === '') return;
          const admin = kafka.admin();
          try {
            if ((await admin.listTopics()).includes(errors.dlqTopic)) return;
            const replicationFactor = Number(
              connectorProps['errors.deadletterqueue.topic.replication.factor'] ?? 3,
            );
            await admin.createTopics([{ topic: errors.dlqTopic, numPartitions: 1, replicationFactor }]);
          } catch (err) {
            throw new ConnectError(
              'CONNECT_ERROR',
              `Could not initialize dead letter queue with topic=${errors.dlqTopic}`,
              {
                cause: err,
              },
            );
          } finally {
            await admin.close();
          }
        },
        offsetFlushIntervalMs: this.options.offsetFlushIntervalMs,
        logger,
        onState,
        onClose: async () => {
          stopping = true;
          await dlqProducer?.close();
        },
      });
    } else {
      throw new ConfigError(
        'task.class',
        `${connector.taskClass().name} is neither a SourceTask nor a SinkTask`,
      );
    }
    worker.start(target);
    return worker;
  }

  /** The Kafka connection settings the worker's clients use. */
  static kafkaConfig(props: Readonly<Record<string, string>>, logger: Logger) {
    return kafkaConfigOf(props, logger);
  }
}
