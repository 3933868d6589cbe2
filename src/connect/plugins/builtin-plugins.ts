import { ByteArrayConverter } from '../converters/byte-array-converter.js';
import { JsonConverter } from '../converters/json-converter.js';
import { SimpleHeaderConverter } from '../converters/simple-header-converter.js';
import { StringConverter } from '../converters/string-converter.js';
import { FileStreamSinkConnector } from '../file/file-stream-sink-connector.js';
import { FileStreamSourceConnector } from '../file/file-stream-source-connector.js';
import { BUILTIN_PLUGIN_VERSION } from './plugin-version.js';
import { type PluginDesc, Plugins } from './plugins.js';

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
];

/** A registry holding Strom's built-in plugins. */
export function builtinPlugins(): Plugins {
  const plugins = new Plugins();
  for (const desc of BUILTINS)
    plugins.register({ ...desc, version: BUILTIN_PLUGIN_VERSION, location: 'builtin' });
  return plugins;
}
