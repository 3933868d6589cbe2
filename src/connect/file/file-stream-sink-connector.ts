import type { TopicPartition } from '../api/connect-record.js';
import { SinkConnector } from '../api/connector.js';
import { ConnectConfigDef } from '../config/connect-config-def.js';
import { BUILTIN_PLUGIN_VERSION } from '../plugins/plugin-version.js';
import { FileStreamSinkTask } from './file-stream-sink-task.js';

const CONFIG_DEF = (): ConnectConfigDef =>
  new ConnectConfigDef([
    {
      name: 'file',
      type: 'string',
      defaultValue: null,
      importance: 'HIGH',
      documentation: 'Destination filename. If not specified, the standard output will be used',
    },
  ]);

/**
 * Kafka's FileStreamSinkConnector: writes each record's value as a line of text to a file (or
 * standard output). Every task gets the same config, as Kafka's.
 */
export class FileStreamSinkConnector extends SinkConnector {
  private props: Record<string, string> = {};

  version(): string {
    return BUILTIN_PLUGIN_VERSION;
  }

  start(props: Readonly<Record<string, string>>): void {
    CONFIG_DEF().parse(props);
    this.props = { ...props };
  }

  taskClass(): typeof FileStreamSinkTask {
    return FileStreamSinkTask;
  }

  taskConfigs(maxTasks: number): Record<string, string>[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.props }));
  }

  stop(): void {}

  config(): ConnectConfigDef {
    return CONFIG_DEF();
  }

  /** The task keeps no offsets of its own: the consumer group's are all there is. */
  override alterOffsets(
    _props: Readonly<Record<string, string>>,
    _offsets: ReadonlyMap<TopicPartition, bigint | null>,
  ): boolean {
    return true;
  }
}
