import type { SourceMap } from '../api/connect-record.js';
import { type ExactlyOnceSupport, SourceConnector } from '../api/connector.js';
import { ConfigValidators, ConnectConfigDef } from '../config/connect-config-def.js';
import { ConnectError } from '../connect-error.js';
import { BUILTIN_PLUGIN_VERSION } from '../plugins/plugin-version.js';
import { FileStreamSourceTask } from './file-stream-source-task.js';

export const FILE_CONFIG = 'file';
export const TOPIC_CONFIG = 'topic';
export const BATCH_SIZE_CONFIG = 'batch.size';
/** The keys of the source partition and offset, as Kafka's FileStreamSourceTask names them. */
export const FILENAME_FIELD = 'filename';
export const POSITION_FIELD = 'position';

const CONFIG_DEF = (): ConnectConfigDef =>
  new ConnectConfigDef([
    {
      name: FILE_CONFIG,
      type: 'string',
      defaultValue: null,
      importance: 'HIGH',
      documentation: 'Source filename. If not specified, the standard input will be used',
    },
    {
      name: TOPIC_CONFIG,
      type: 'string',
      importance: 'HIGH',
      documentation: 'The topic to publish data to',
      validator: ConfigValidators.nonEmptyString(),
    },
    {
      name: BATCH_SIZE_CONFIG,
      type: 'int',
      defaultValue: 2000,
      importance: 'LOW',
      documentation:
        'The maximum number of records the source task can read from the file each time it is polled',
    },
  ]);

/**
 * Kafka's FileStreamSourceConnector (org.apache.kafka.connect.file): one task reads a file (or
 * standard input) line by line into a topic, each line a STRING value; its offset is the byte
 * position after the line, so a restart resumes where the stored offset says.
 */
export class FileStreamSourceConnector extends SourceConnector {
  private props: Record<string, string> = {};

  version(): string {
    return BUILTIN_PLUGIN_VERSION;
  }

  start(props: Readonly<Record<string, string>>): void {
    const parsed = CONFIG_DEF().parse(props);
    this.props = {
      [TOPIC_CONFIG]: parsed.getString(TOPIC_CONFIG)!,
      [BATCH_SIZE_CONFIG]: String(parsed.getInt(BATCH_SIZE_CONFIG)),
    };
    const file = parsed.getString(FILE_CONFIG);
    if (file) this.props[FILE_CONFIG] = file;
  }

  taskClass(): typeof FileStreamSourceTask {
    return FileStreamSourceTask;
  }

  /** One task whatever tasks.max says: a file is read by one reader. */
  taskConfigs(_maxTasks: number): Record<string, string>[] {
    return [{ ...this.props }];
  }

  stop(): void {}

  config(): ConnectConfigDef {
    return CONFIG_DEF();
  }

  /** Reading a file can be done exactly once: the offset is a byte position (KIP-618). */
  override exactlyOnceSupport(props: Readonly<Record<string, string>>): ExactlyOnceSupport {
    return props[FILE_CONFIG] ? 'SUPPORTED' : 'UNSUPPORTED';
  }

  /** Accepts offsets of the shape this connector writes: {filename} to {position}, as Kafka's. */
  override alterOffsets(
    _props: Readonly<Record<string, string>>,
    offsets: ReadonlyMap<SourceMap, SourceMap | null>,
  ): boolean {
    for (const [partition, offset] of offsets) {
      if (typeof partition[FILENAME_FIELD] !== 'string')
        throw new ConnectError('BAD_REQUEST', `Partition objects must contain the key '${FILENAME_FIELD}'`);
      if (offset === null) continue;
      const position = offset[POSITION_FIELD];
      if (position === undefined)
        throw new ConnectError(
          'BAD_REQUEST',
          `Offset objects should either be null or contain the key '${POSITION_FIELD}'`,
        );
      if (
        (typeof position !== 'number' && typeof position !== 'bigint') ||
        !Number.isInteger(Number(position))
      )
        throw new ConnectError(
          'BAD_REQUEST',
          `The value for the '${POSITION_FIELD}' key in the offset is expected to be a Long value`,
        );
      if (Number(position) < 0)
        throw new ConnectError(
          'BAD_REQUEST',
          `The value for the '${POSITION_FIELD}' key in the offset should be a non-negative value`,
        );
    }
    return true;
  }
}
