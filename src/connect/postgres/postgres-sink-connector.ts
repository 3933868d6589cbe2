import type { TopicPartition } from '../api/connect-record.js';
import { SinkConnector } from '../api/connector.js';
import type { ConnectConfigDef } from '../config/connect-config-def.js';
import { BUILTIN_PLUGIN_VERSION } from '../plugins/plugin-version.js';
import { POSTGRES_SINK_CONFIG, sinkSettings } from './postgres-sink-config.js';
import { PostgresSinkTask } from './postgres-sink-task.js';

/**
 * Writes topics into PostgreSQL tables with the keys of Confluent's JDBC sink connector (also
 * accepted as `io.confluent.connect.jdbc.JdbcSinkConnector`). Every task gets the same config; the
 * consumer group spreads the partitions.
 */
export class PostgresSinkConnector extends SinkConnector {
  private props: Record<string, string> = {};

  version(): string {
    return BUILTIN_PLUGIN_VERSION;
  }

  start(props: Readonly<Record<string, string>>): void {
    sinkSettings(POSTGRES_SINK_CONFIG().parse(props));
    this.props = { ...props };
  }

  taskClass(): typeof PostgresSinkTask {
    return PostgresSinkTask;
  }

  taskConfigs(maxTasks: number): Record<string, string>[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.props }));
  }

  stop(): void {}

  config(): ConnectConfigDef {
    return POSTGRES_SINK_CONFIG();
  }

  /** The task keeps no offsets of its own: the consumer group's are all there is. */
  override alterOffsets(
    _props: Readonly<Record<string, string>>,
    _offsets: ReadonlyMap<TopicPartition, bigint | null>,
  ): boolean {
    return true;
  }
}
