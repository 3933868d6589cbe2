import { ConfigValidators, ConnectConfigDef } from '../config/connect-config-def.js';
import { DataError } from '../connect-error.js';
import { type ConnectValue, type Schema, Schemas } from '../data/schema.js';
import {
  type Converter,
  type HeaderConverter,
  NULL_SCHEMA_AND_VALUE,
  type SchemaAndValue,
} from './converter.js';

const ENCODINGS: Record<string, BufferEncoding> = {
  UTF8: 'utf8',
  'UTF-8': 'utf8',
  'UTF-16LE': 'utf16le',
  'US-ASCII': 'ascii',
  ASCII: 'ascii',
  'ISO-8859-1': 'latin1',
  LATIN1: 'latin1',
};

/**
 * Kafka's StringConverter: values are written as their string form and read as optional
 * strings, in `converter.encoding` (UTF-8 by default).
 */
export class StringConverter implements Converter, HeaderConverter {
  private encoding: BufferEncoding = 'utf8';

  config(): ConnectConfigDef {
    return new ConnectConfigDef([
      {
        name: 'converter.encoding',
        type: 'string',
        defaultValue: 'UTF8',
        importance: 'HIGH',
        documentation: 'The name of the character set to encode and decode strings with.',
        validator: ConfigValidators.oneOfIgnoreCase(...Object.keys(ENCODINGS)),
        group: 'Converter',
      },
    ]);
  }

  configure(configs: Readonly<Record<string, string>>, _isKey?: boolean): void {
    const parsed = this.config().parse(configs);
    this.encoding = ENCODINGS[String(parsed.getString('converter.encoding')).toUpperCase()]!;
  }

  fromConnectData(_topic: string, _schema: Schema | null, value: ConnectValue): Buffer | null {
    if (value === null) return null;
    return Buffer.from(stringOf(value), this.encoding);
  }

  toConnectData(_topic: string, value: Buffer | null): SchemaAndValue {
    if (value === null) return NULL_SCHEMA_AND_VALUE;
    return { schema: Schemas.OPTIONAL_STRING, value: value.toString(this.encoding) };
  }

  fromConnectHeader(topic: string, _key: string, schema: Schema | null, value: ConnectValue): Buffer | null {
    return this.fromConnectData(topic, schema, value);
  }

  toConnectHeader(topic: string, _key: string, value: Buffer | null): SchemaAndValue {
    return this.toConnectData(topic, value);
  }
}

/** Java's toString of a Connect value, for the converters that write text. */
export function stringOf(value: ConnectValue): string {
  if (value === null) return 'null';
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(stringOf).join(', ')}]`;
  if (value instanceof Map)
    return `{${[...value].map(([k, v]) => `${stringOf(k)}=${stringOf(v)}`).join(', ')}}`;
  if (typeof value === 'object' || typeof value === 'string' || typeof value === 'number')
    return String(value);
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  throw new DataError(`Cannot write ${typeof value} as a string`);
}
