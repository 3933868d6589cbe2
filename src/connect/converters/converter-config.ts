import { ConnectError } from '../connect-error.js';
import type { Plugins } from '../plugins/plugins.js';
import type { Converter, HeaderConverter } from './converter.js';

function withPrefix(props: Readonly<Record<string, string>>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

/**
 * The key or value converter of a connector, as Kafka's Plugins.newConverter chooses it: the
 * connector's own `key.converter` with its `key.converter.*` keys if it sets one, else the
 * worker's with the worker's keys. `converter.type` tells the converter its role.
 */
export function converterFor(
  plugins: Plugins,
  role: 'key' | 'value',
  connectorProps: Readonly<Record<string, string>>,
  workerProps: Readonly<Record<string, string>>,
): Converter {
  const key = `${role}.converter`;
  const source = connectorProps[key] !== undefined ? connectorProps : workerProps;
  const className = source[key];
  if (className === undefined)
    throw new ConnectError(
      'CONFIG_ERROR',
      `Missing required configuration "${key}" which has no default value.`,
    );
  const converter = plugins.newConverter(className);
  converter.configure({ ...withPrefix(source, `${key}.`), 'converter.type': role }, role === 'key');
  return converter;
}

/** The header converter, chosen as converterFor does; Kafka's default is SimpleHeaderConverter. */
export function headerConverterFor(
  plugins: Plugins,
  connectorProps: Readonly<Record<string, string>>,
  workerProps: Readonly<Record<string, string>>,
): HeaderConverter {
  const key = 'header.converter';
  const source = connectorProps[key] !== undefined ? connectorProps : workerProps;
  const className = source[key] ?? 'org.apache.kafka.connect.storage.SimpleHeaderConverter';
  const converter = plugins.newHeaderConverter(className);
  converter.configure({ ...withPrefix(source, `${key}.`), 'converter.type': 'header' });
  return converter;
}
