import { type ExactlyOnceSupport, SourceConnector } from '../api/connector.js';
import type { ConnectConfigDef } from '../config/connect-config-def.js';
import { BUILTIN_PLUGIN_VERSION } from '../plugins/plugin-version.js';
import { POSTGRES_SOURCE_CONFIG } from './postgres-source-config.js';
import { PostgresSourceTask } from './postgres-source-task.js';

/**
 * Change data capture from PostgreSQL with logical replication (pgoutput), configured and shaped
 * as Debezium's PostgresConnector: Strom accepts `io.debezium.connector.postgresql.PostgresConnector`
 * as its class name too. One task: a slot is read by one reader.
 */
export class PostgresSourceConnector extends SourceConnector {
  private props: Record<string, string> = {};

  version(): string {
    return BUILTIN_PLUGIN_VERSION;
  }

  start(props: Readonly<Record<string, string>>): void {
    POSTGRES_SOURCE_CONFIG().parse(props);
    this.props = { ...props };
  }

  taskClass(): typeof PostgresSourceTask {
    return PostgresSourceTask;
  }

  taskConfigs(_maxTasks: number): Record<string, string>[] {
    return [{ ...this.props }];
  }

  stop(): void {}

  config(): ConnectConfigDef {
    return POSTGRES_SOURCE_CONFIG();
  }

  /** A change may be sent again after a crash (at least once): not exactly once. */
  override exactlyOnceSupport(_props: Readonly<Record<string, string>>): ExactlyOnceSupport {
    return 'UNSUPPORTED';
  }
}
