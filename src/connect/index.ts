// Strom Connect: `import { SourceConnector, SourceTask, ... } from 'strom/connect'`.

export type { LogFields, Logger } from '../common/logger.js';
export {
  type ConnectHeader,
  ConnectRecord,
  type ConnectRecordFields,
  type ConnectRecordInit,
  type RecordChanges,
  SinkRecord,
  type SinkRecordInit,
  type SourceMap,
  SourceRecord,
  type SourceRecordInit,
  type TimestampType,
  type TopicPartition,
} from './api/connect-record.js';
export {
  Connector,
  type ConnectorContext,
  type ConnectorTransactionBoundaries,
  type Constructor,
  type ExactlyOnceSupport,
  SinkConnector,
  SourceConnector,
} from './api/connector.js';
export {
  type ErrantRecordReporter,
  type OffsetStorageReader,
  type RecordMetadata,
  SinkTask,
  type SinkTaskContext,
  SourceTask,
  type SourceTaskContext,
  Task,
} from './api/task.js';
export {
  type ConfigInfos,
  type ConfigKeyInfo,
  type ConfigValueInfo,
  configInfos,
  invalidConfigMessage,
  validateConnectorConfig,
} from './config/config-infos.js';
export {
  ConfigError,
  type ConfigValidator,
  ConfigValidators,
  type ConfigValueReport,
  ConnectConfigDef,
  type ConnectConfigKey,
  type Importance,
  ParsedConfig,
  type ParsedValue,
  type Width,
} from './config/connect-config-def.js';
export {
  connectorConfigDef,
  sinkConnectorConfigDef,
  sourceConnectorConfigDef,
} from './config/connector-config.js';
export { ConnectError, type ConnectErrorCode, DataError, RetriableError } from './connect-error.js';
export { ByteArrayConverter } from './converters/byte-array-converter.js';
export type { Converter, HeaderConverter, SchemaAndValue } from './converters/converter.js';
export { converterFor, headerConverterFor } from './converters/converter-config.js';
export { JsonConverter } from './converters/json-converter.js';
export { SimpleHeaderConverter } from './converters/simple-header-converter.js';
export { StringConverter } from './converters/string-converter.js';
export {
  ConnectSchema,
  type ConnectValue,
  DATE_LOGICAL_NAME,
  DECIMAL_LOGICAL_NAME,
  DecimalValue,
  type Field,
  type Schema,
  Schemas,
  type SchemaType,
  schemaEquals,
  TIME_LOGICAL_NAME,
  TIMESTAMP_LOGICAL_NAME,
  validateValue,
  valuesEqual,
} from './data/schema.js';
export { SchemaBuilder } from './data/schema-builder.js';
export { Struct } from './data/struct.js';
export { BUILTIN_PLUGIN_VERSION, builtinPlugins } from './plugins/builtin-plugins.js';
export { loadPluginPath } from './plugins/plugin-path.js';
export {
  aliasesOf,
  type PluginClass,
  type PluginDesc,
  Plugins,
  type PluginType,
  pluginTypeOf,
} from './plugins/plugins.js';
export {
  type StandaloneOptions,
  type StandaloneWorker,
  startStandalone,
} from './runtime/standalone-worker.js';
export type { Predicate, Transformation } from './transforms/transformation.js';
