import { ByteArrayConverter } from '../converters/byte-array-converter.js';
import { JsonConverter } from '../converters/json-converter.js';
import { SimpleHeaderConverter } from '../converters/simple-header-converter.js';
import { StringConverter } from '../converters/string-converter.js';
import { FileStreamSinkConnector } from '../file/file-stream-sink-connector.js';
import { FileStreamSourceConnector } from '../file/file-stream-source-connector.js';
import { PostgresSinkConnector } from '../postgres/postgres-sink-connector.js';
import { PostgresSourceConnector } from '../postgres/postgres-source-connector.js';
import { ExtractFieldKey, ExtractFieldValue } from '../transforms/extract-field.js';
import { ExtractNewRecordState } from '../transforms/extract-new-record-state.js';
import { Filter } from '../transforms/filter.js';
import { InsertFieldKey, InsertFieldValue } from '../transforms/insert-field.js';
import { MaskFieldKey, MaskFieldValue } from '../transforms/mask-field.js';
import { HasHeaderKey, RecordIsTombstone, TopicNameMatches } from '../transforms/predicates.js';
import { ReplaceFieldKey, ReplaceFieldValue } from '../transforms/replace-field.js';
import { RegexRouter, TimestampRouter } from '../transforms/routers.js';
import { ValueToKey } from '../transforms/value-to-key.js';
import { BUILTIN_PLUGIN_VERSION } from './plugin-version.js';
import { type PluginClass, type PluginDesc, Plugins } from './plugins.js';

export { BUILTIN_PLUGIN_VERSION } from './plugin-version.js';

const BUILTINS: readonly Omit<PluginDesc, 'version' | 'location'>[] = [
  {
    className: 'org.apache.kafka.connect.file.FileStreamSourceConnector',
    type: 'source',
    ctor: FileStreamSourceConnector,
  },
  {
    className: 'org.apache.kafka.connect.file.FileStreamSinkConnector',
    type: 'sink',
    ctor: FileStreamSinkConnector,
  },
  // Strom's PostgreSQL CDC source, also under Debezium's class name so that its configs run unchanged.
  {
    className: 'io.debezium.connector.postgresql.PostgresConnector',
    type: 'source',
    ctor: PostgresSourceConnector,
  },
  {
    className: 'io.strom.connect.postgres.PostgresSourceConnector',
    type: 'source',
    ctor: PostgresSourceConnector,
  },
  // Strom's PostgreSQL sink, also under the name of Confluent's JDBC sink whose keys it reads.
  { className: 'io.confluent.connect.jdbc.JdbcSinkConnector', type: 'sink', ctor: PostgresSinkConnector },
  { className: 'io.strom.connect.postgres.PostgresSinkConnector', type: 'sink', ctor: PostgresSinkConnector },
  // Debezium's unwrap transform, so that sinks write the rows of change events.
  {
    className: 'io.debezium.transforms.ExtractNewRecordState',
    type: 'transformation',
    ctor: ExtractNewRecordState,
  },
  { className: 'org.apache.kafka.connect.json.JsonConverter', type: 'converter', ctor: JsonConverter },
  { className: 'org.apache.kafka.connect.storage.StringConverter', type: 'converter', ctor: StringConverter },
  {
    className: 'org.apache.kafka.connect.converters.ByteArrayConverter',
    type: 'converter',
    ctor: ByteArrayConverter,
  },
  {
    className: 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
    type: 'header_converter',
    ctor: SimpleHeaderConverter,
  },
  ...transforms({
    InsertField$Key: InsertFieldKey,
    InsertField$Value: InsertFieldValue,
    ReplaceField$Key: ReplaceFieldKey,
    ReplaceField$Value: ReplaceFieldValue,
    MaskField$Key: MaskFieldKey,
    MaskField$Value: MaskFieldValue,
    ExtractField$Key: ExtractFieldKey,
    ExtractField$Value: ExtractFieldValue,
    ValueToKey,
    TimestampRouter,
    RegexRouter,
    Filter,
  }),
  ...predicates({ TopicNameMatches, HasHeaderKey, RecordIsTombstone }),
];

/** Kafka's transforms under their class names (org.apache.kafka.connect.transforms.InsertField$Value, ...). */
function transforms(classes: Record<string, PluginClass>): Omit<PluginDesc, 'version' | 'location'>[] {
  return Object.entries(classes).map(([name, ctor]) => ({
    className: `org.apache.kafka.connect.transforms.${name}`,
    type: 'transformation',
    ctor,
  }));
}

function predicates(classes: Record<string, PluginClass>): Omit<PluginDesc, 'version' | 'location'>[] {
  return Object.entries(classes).map(([name, ctor]) => ({
    className: `org.apache.kafka.connect.transforms.predicates.${name}`,
    type: 'predicate',
    ctor,
  }));
}

/** A registry holding Strom's built-in plugins. */
export function builtinPlugins(): Plugins {
  const plugins = new Plugins();
  for (const desc of BUILTINS)
    plugins.register({ ...desc, version: BUILTIN_PLUGIN_VERSION, location: 'builtin' });
  return plugins;
}
