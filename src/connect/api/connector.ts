import type { ConfigValueReport, ConnectConfigDef } from '../config/connect-config-def.js';
import type { SourceMap, TopicPartition } from './connect-record.js';
import type { SinkTask, SourceTask } from './task.js';

/** What a connector can ask of the worker running it (Kafka's ConnectorContext). */
export interface ConnectorContext {
  /** Asks the worker to call taskConfigs again and restart the tasks with the new configs. */
  requestTaskReconfiguration(): void;
  /** Fails the connector with this error (its status becomes FAILED). */
  raiseError(error: Error): void;
}

export type Constructor<T> = new () => T;

/**
 * Kafka Connect's Connector: configured with the connector's properties, it splits the work into
 * at most `maxTasks` task configs that the worker hands to instances of `taskClass()`.
 * Lifecycle: initialize, start, (taskConfigs)*, stop. Methods may return promises.
 */
export abstract class Connector {
  protected context: ConnectorContext | null = null;

  initialize(context: ConnectorContext): void {
    this.context = context;
  }

  abstract version(): string;
  abstract start(props: Readonly<Record<string, string>>): void | Promise<void>;
  abstract taskClass(): Constructor<SourceTask> | Constructor<SinkTask>;
  abstract taskConfigs(maxTasks: number): Record<string, string>[] | Promise<Record<string, string>[]>;
  abstract stop(): void | Promise<void>;
  /** The connector's own config keys (beyond Connect's common ones). */
  abstract config(): ConnectConfigDef;

  /** Validates the connector's own keys; override to add checks across keys (Kafka's Connector.validate). */
  validate(props: Readonly<Record<string, string>>): ConfigValueReport[] | Promise<ConfigValueReport[]> {
    return this.config().validate(props);
  }
}

/** KIP-618: whether a source connector can give exactly-once delivery with a given config. */
export type ExactlyOnceSupport = 'SUPPORTED' | 'UNSUPPORTED';
/** KIP-618: whether a source connector can define its own transaction boundaries. */
export type ConnectorTransactionBoundaries = 'SUPPORTED' | 'UNSUPPORTED';

/** A connector that reads from a system into topics (Kafka's SourceConnector). */
export abstract class SourceConnector extends Connector {
  abstract override taskClass(): Constructor<SourceTask>;

  exactlyOnceSupport(_props: Readonly<Record<string, string>>): ExactlyOnceSupport | null {
    return null;
  }

  canDefineTransactionBoundaries(_props: Readonly<Record<string, string>>): ConnectorTransactionBoundaries {
    return 'UNSUPPORTED';
  }

  /**
   * Called before offsets are altered or reset through the REST API (KIP-875), a null offset
   * meaning a reset: throw to refuse them, return true when the connector has checked (and, if it
   * keeps offsets of its own, applied) them. The default returns false, as Kafka's: the worker
   * alters its offsets and tells the user the connector did not confirm.
   */
  alterOffsets(
    _props: Readonly<Record<string, string>>,
    _offsets: ReadonlyMap<SourceMap, SourceMap | null>,
  ): boolean | Promise<boolean> {
    return false;
  }
}

/** A connector that writes topics into a system (Kafka's SinkConnector). */
export abstract class SinkConnector extends Connector {
  /** The key sink connectors list their topics under. */
  static readonly TOPICS_CONFIG = 'topics';

  abstract override taskClass(): Constructor<SinkTask>;

  /** As SourceConnector.alterOffsets, for the consumer group's offsets (KIP-875); the default accepts. */
  alterOffsets(
    _props: Readonly<Record<string, string>>,
    _offsets: ReadonlyMap<TopicPartition, bigint | null>,
  ): boolean | Promise<boolean> {
    return true;
  }
}
