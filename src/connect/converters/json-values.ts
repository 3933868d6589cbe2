import { DataError } from '../connect-error.js';
import {
  type ConnectValue,
  DATE_LOGICAL_NAME,
  DECIMAL_LOGICAL_NAME,
  DecimalValue,
  type Schema,
  TIME_LOGICAL_NAME,
  TIMESTAMP_LOGICAL_NAME,
} from '../data/schema.js';
import { Struct } from '../data/struct.js';
import { isJsonObject, type JsonNode } from './json-node.js';

const DAY_MS = 86_400_000;

/** How JsonConverter writes Decimal values (`decimal.format`, KIP-481). */
export type DecimalFormat = 'BASE64' | 'NUMERIC';

export interface JsonValueOptions {
  readonly decimalFormat: DecimalFormat;
  /** `replace.null.with.default` (KIP-1005): a null field is written as its schema's default. */
  readonly replaceNullWithDefault: boolean;
}

/** Java's BigInteger.toByteArray: the minimal big-endian two's-complement bytes. */
export function unscaledToBytes(n: bigint): Buffer {
  let bytes = 1;
  while (n < -(1n << BigInt(bytes * 8 - 1)) || n >= 1n << BigInt(bytes * 8 - 1)) bytes++;
  const out = Buffer.alloc(bytes);
  let v = BigInt.asUintN(bytes * 8, n);
  for (let i = bytes - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Java's new BigInteger(byte[]): big-endian two's complement. */
export function unscaledFromBytes(bytes: Buffer): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt.asIntN(bytes.length * 8, BigInt(`0x${bytes.toString('hex')}`));
}

function decimalScale(schema: Schema): number {
  const scale = Number(schema.parameters?.scale);
  if (!Number.isInteger(scale)) throw new DataError('Invalid Decimal schema: scale parameter not found.');
  return scale;
}

/** Connect data to JSON under a schema (Kafka's JsonConverter.convertToJson). */
export function valueToJson(schema: Schema | null, value: ConnectValue, options: JsonValueOptions): JsonNode {
  if (value === null) {
    if (schema === null) return null;
    if (schema.defaultValue !== undefined && schema.defaultValue !== null && options.replaceNullWithDefault)
      return valueToJson(schema, schema.defaultValue, options);
    if (schema.optional) return null;
    throw new DataError(`Conversion error: null value for field that is required and has no default value`);
  }
  if (schema === null) return schemalessToJson(value, options);
  switch (schema.name) {
    case DECIMAL_LOGICAL_NAME: {
      if (!(value instanceof DecimalValue))
        throw new DataError('Invalid type for Decimal, expected DecimalValue');
      if (value.scale !== decimalScale(schema)) throw new DataError('Decimal value has mismatching scale');
      return options.decimalFormat === 'NUMERIC'
        ? Number(value.toString())
        : unscaledToBytes(value.unscaled).toString('base64');
    }
    case DATE_LOGICAL_NAME:
      if (!(value instanceof Date)) throw new DataError('Invalid type for Date, expected Date');
      return Math.floor(value.getTime() / DAY_MS);
    case TIME_LOGICAL_NAME:
      if (!(value instanceof Date)) throw new DataError('Invalid type for Time, expected Date');
      return ((value.getTime() % DAY_MS) + DAY_MS) % DAY_MS;
    case TIMESTAMP_LOGICAL_NAME:
      if (!(value instanceof Date)) throw new DataError('Invalid type for Timestamp, expected Date');
      return value.getTime();
  }
  const bad = (): never => {
    throw new DataError(`Invalid type for ${schema.type}: ${typeof value}`);
  };
  switch (schema.type) {
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'FLOAT32':
    case 'FLOAT64':
      return typeof value === 'number' ? value : bad();
    case 'INT64':
      return typeof value === 'number' || typeof value === 'bigint' ? value : bad();
    case 'BOOLEAN':
      return typeof value === 'boolean' ? value : bad();
    case 'STRING':
      return typeof value === 'string' ? value : bad();
    case 'BYTES':
      return Buffer.isBuffer(value) ? value.toString('base64') : bad();
    case 'ARRAY':
      if (!Array.isArray(value)) bad();
      return (value as readonly ConnectValue[]).map((v) => valueToJson(schema.valueSchema, v, options));
    case 'MAP': {
      if (!(value instanceof Map)) bad();
      const map = value as ReadonlyMap<ConnectValue, ConnectValue>;
      // A map with string keys is a JSON object; any other key type makes it an array of [key, value] pairs.
      if (schema.keySchema!.type === 'STRING') {
        const out: { [key: string]: JsonNode } = {};
        for (const [k, v] of map) out[String(k)] = valueToJson(schema.valueSchema, v, options);
        return out;
      }
      return [...map].map(([k, v]) => [
        valueToJson(schema.keySchema, k, options),
        valueToJson(schema.valueSchema, v, options),
      ]);
    }
    case 'STRUCT': {
      if (!(value instanceof Struct)) return bad();
      const out: { [key: string]: JsonNode } = {};
      for (const field of schema.fields)
        out[field.name] = valueToJson(field.schema, value.getWithoutDefault(field.name), options);
      return out;
    }
  }
}

function schemalessToJson(value: ConnectValue, options: JsonValueOptions): JsonNode {
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Date) return value.getTime();
  if (value instanceof DecimalValue) return Number(value.toString());
  if (value instanceof Struct)
    throw new DataError('Conversion error: schema is null and a Struct has no schema');
  if (Array.isArray(value)) return value.map((v) => schemalessToJson(v, options));
  const map = value as ReadonlyMap<ConnectValue, ConnectValue>;
  if ([...map.keys()].every((k) => typeof k === 'string')) {
    const out: { [key: string]: JsonNode } = {};
    for (const [k, v] of map) out[k as string] = schemalessToJson(v, options);
    return out;
  }
  return [...map].map(([k, v]) => [schemalessToJson(k, options), schemalessToJson(v, options)]);
}

/** JSON to Connect data under a schema (Kafka's JsonConverter.convertToConnect). */
export function valueFromJson(schema: Schema | null, json: JsonNode | undefined): ConnectValue {
  if (schema === null) return schemalessFromJson(json ?? null);
  if (json === null || json === undefined) {
    if (schema.defaultValue !== undefined) return schema.defaultValue;
    if (schema.optional) return null;
    throw new DataError(`Invalid null value for required ${schema.type} field`);
  }
  const bad = (): never => {
    throw new DataError(
      `Invalid JSON for ${schema.type.toLowerCase()} field: ${JSON.stringify(String(json))}`,
    );
  };
  switch (schema.name) {
    case DECIMAL_LOGICAL_NAME: {
      const scale = decimalScale(schema);
      if (typeof json === 'string')
        return new DecimalValue(unscaledFromBytes(Buffer.from(json, 'base64')), scale);
      if (typeof json === 'number' || typeof json === 'bigint') {
        const parsed = DecimalValue.parse(typeof json === 'bigint' ? json.toString() : json.toFixed(scale));
        return new DecimalValue(parsed.unscaled * 10n ** BigInt(Math.max(0, scale - parsed.scale)), scale);
      }
      return bad();
    }
    case DATE_LOGICAL_NAME:
      return typeof json === 'number' ? new Date(json * DAY_MS) : bad();
    case TIME_LOGICAL_NAME:
    case TIMESTAMP_LOGICAL_NAME:
      return typeof json === 'number' ? new Date(json) : bad();
  }
  switch (schema.type) {
    case 'INT8':
    case 'INT16':
    case 'INT32':
      return typeof json === 'number' && Number.isInteger(json) ? json : bad();
    case 'INT64':
      return typeof json === 'bigint' || (typeof json === 'number' && Number.isInteger(json)) ? json : bad();
    case 'FLOAT32':
    case 'FLOAT64':
      return typeof json === 'number' ? json : bad();
    case 'BOOLEAN':
      return typeof json === 'boolean' ? json : bad();
    case 'STRING':
      return typeof json === 'string' ? json : bad();
    case 'BYTES':
      return typeof json === 'string' ? Buffer.from(json, 'base64') : bad();
    case 'ARRAY':
      return Array.isArray(json) ? json.map((item) => valueFromJson(schema.valueSchema, item)) : bad();
    case 'MAP': {
      const out = new Map<ConnectValue, ConnectValue>();
      if (schema.keySchema!.type === 'STRING') {
        if (!isJsonObject(json)) return bad();
        for (const [k, v] of Object.entries(json)) out.set(k, valueFromJson(schema.valueSchema, v));
      } else {
        if (!Array.isArray(json)) return bad();
        for (const pair of json) {
          if (!Array.isArray(pair) || pair.length !== 2)
            throw new DataError('Found invalid map entry instead of array tuple');
          out.set(valueFromJson(schema.keySchema, pair[0]), valueFromJson(schema.valueSchema, pair[1]));
        }
      }
      return out;
    }
    case 'STRUCT': {
      if (!isJsonObject(json)) return bad();
      const struct = new Struct(schema);
      for (const field of schema.fields)
        struct.put(field.name, valueFromJson(field.schema, json[field.name]));
      return struct;
    }
  }
}

/** Schemaless JSON as Kafka reads it: integers as INT64, other numbers as FLOAT64, objects as maps. */
function schemalessFromJson(json: JsonNode): ConnectValue {
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) return json.map(schemalessFromJson);
  const out = new Map<ConnectValue, ConnectValue>();
  for (const [k, v] of Object.entries(json)) out.set(k, schemalessFromJson(v));
  return out;
}
