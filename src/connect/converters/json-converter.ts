import { ConfigValidators, ConnectConfigDef } from '../config/connect-config-def.js';
import { DataError } from '../connect-error.js';
import { ConnectSchema, type ConnectValue, type Schema } from '../data/schema.js';
import {
  type Converter,
  type HeaderConverter,
  NULL_SCHEMA_AND_VALUE,
  type SchemaAndValue,
} from './converter.js';
import { isJsonObject, type JsonNode, parseJson, writeJson } from './json-node.js';
import { schemaFromJson, schemaToJson } from './json-schema.js';
import { type DecimalFormat, type JsonValueOptions, valueFromJson, valueToJson } from './json-values.js';

const ENVELOPE_ERROR =
  'JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.';

/**
 * Kafka's JsonConverter. With `schemas.enable=true` (the default) each record is the envelope
 * `{"schema": ..., "payload": ...}`, so a reader gets the schema back; with false it is the bare
 * payload, and reads come back schemaless (integers as INT64, objects as maps).
 * INT64 values beyond 2^53 are bigints, written and read back with every digit.
 */
export class JsonConverter implements Converter, HeaderConverter {
  private schemasEnabled = true;
  private options: JsonValueOptions = { decimalFormat: 'BASE64', replaceNullWithDefault: true };
  /**
   * Kafka's fromConnectSchemaCache and toConnectSchemaCache: connectors reuse their Schema objects
   * (a CDC source has one per table), so the envelope's schema text is built once per schema, and
   * a sink reading many records of one schema parses it into a Schema once.
   */
  private schemaTextCache = new WeakMap<Schema, string>();
  private readonly schemaFromTextCache = new Map<string, Schema>();
  private schemaCacheSize = 1000;

  config(): ConnectConfigDef {
    return new ConnectConfigDef([
      {
        name: 'schemas.enable',
        type: 'boolean',
        defaultValue: true,
        importance: 'HIGH',
        documentation: 'Include schemas within each of the serialized values and keys.',
        group: 'Schemas',
        displayName: 'Enable Schemas',
      },
      {
        name: 'schemas.cache.size',
        type: 'int',
        defaultValue: 1000,
        importance: 'HIGH',
        documentation: 'The maximum number of schemas that can be cached in this converter instance.',
        group: 'Schemas',
        displayName: 'Schema Cache Size',
      },
      {
        name: 'decimal.format',
        type: 'string',
        defaultValue: 'BASE64',
        importance: 'LOW',
        documentation:
          'Controls which format this converter will serialize decimals in: BASE64 (binary) or NUMERIC (a JSON number).',
        validator: ConfigValidators.oneOfIgnoreCase('BASE64', 'NUMERIC'),
        group: 'Serialization',
        displayName: 'Decimal Format',
      },
      {
        name: 'replace.null.with.default',
        type: 'boolean',
        defaultValue: true,
        importance: 'LOW',
        documentation:
          'Whether to replace fields that have a default value and that are null to the default value.',
        group: 'Serialization',
        displayName: 'Replace null with default',
      },
      {
        name: 'converter.type',
        type: 'string',
        defaultValue: null,
        importance: 'LOW',
        documentation: 'How this converter will be used: key, value or header.',
        validator: (key, v) =>
          v === null || ConfigValidators.oneOfIgnoreCase('key', 'value', 'header')(key, v),
      },
    ]);
  }

  configure(configs: Readonly<Record<string, string>>, _isKey?: boolean): void {
    const parsed = this.config().parse(configs);
    this.schemasEnabled = parsed.getBoolean('schemas.enable');
    this.schemaCacheSize = parsed.getInt('schemas.cache.size');
    this.options = {
      decimalFormat: String(parsed.getString('decimal.format')).toUpperCase() as DecimalFormat,
      replaceNullWithDefault: parsed.getBoolean('replace.null.with.default'),
    };
    // Cached schema texts depend on the options (defaults are written as payloads).
    this.schemaTextCache = new WeakMap();
    this.schemaFromTextCache.clear();
  }

  fromConnectData(_topic: string, schema: Schema | null, value: ConnectValue): Buffer | null {
    if (schema === null && value === null) return null;
    const payload = writeJson(valueToJson(schema, value, this.options));
    if (!this.schemasEnabled) return Buffer.from(payload);
    return Buffer.from(
      `{"schema":${schema === null ? 'null' : this.schemaText(schema)},"payload":${payload}}`,
    );
  }

  toConnectData(_topic: string, value: Buffer | null): SchemaAndValue {
    if (value === null) return NULL_SCHEMA_AND_VALUE;
    let json: JsonNode;
    try {
      json = parseJson(value.toString('utf8'));
    } catch (err) {
      throw new DataError('Converting byte[] to Kafka Connect data failed due to serialization error: ', {
        cause: err,
      });
    }
    if (!this.schemasEnabled) return { schema: null, value: valueFromJson(null, json) };
    if (!isJsonObject(json) || Object.keys(json).length !== 2 || !('schema' in json) || !('payload' in json))
      throw new DataError(ENVELOPE_ERROR);
    const schema = this.schemaFromEnvelope(json.schema!);
    return { schema, value: valueFromJson(schema, json.payload) };
  }

  fromConnectHeader(topic: string, _key: string, schema: Schema | null, value: ConnectValue): Buffer | null {
    return this.fromConnectData(topic, schema, value);
  }

  toConnectHeader(topic: string, _key: string, value: Buffer | null): SchemaAndValue {
    return this.toConnectData(topic, value);
  }

  private schemaText(schema: Schema): string {
    let text = this.schemaTextCache.get(schema);
    if (text === undefined) {
      text = writeJson(this.schemaJson(schema));
      this.schemaTextCache.set(schema, text);
    }
    return text;
  }

  /** The envelope's schema as a Schema, from a bounded cache keyed by its JSON text (least recently used out). */
  private schemaFromEnvelope(node: JsonNode): Schema | null {
    if (node === null) return null;
    const key = schemaCacheKey(node);
    const cached = this.schemaFromTextCache.get(key);
    if (cached !== undefined) {
      this.schemaFromTextCache.delete(key);
      this.schemaFromTextCache.set(key, cached);
      return cached;
    }
    const schema = schemaFromJson(node, (s, d) => withDefault(s, valueFromJson(s, d)));
    if (schema !== null && this.schemaCacheSize > 0) {
      if (this.schemaFromTextCache.size >= this.schemaCacheSize) {
        const oldest = this.schemaFromTextCache.keys().next().value;
        if (oldest !== undefined) this.schemaFromTextCache.delete(oldest);
      }
      this.schemaFromTextCache.set(key, schema);
    }
    return schema;
  }

  /** The envelope's schema JSON: the schema's default is written as its payload would be. */
  schemaJson(schema: Schema): { [key: string]: JsonNode } {
    return schemaToJson(schema, (s) => valueToJson(s, s.defaultValue ?? null, this.options));
  }
}

/** A cache key for a schema node: JSON.stringify is native and fast; a bigint default needs writeJson. */
function schemaCacheKey(node: JsonNode): string {
  try {
    return JSON.stringify(node);
  } catch {
    return writeJson(node);
  }
}

function withDefault(schema: Schema, defaultValue: ConnectValue): Schema {
  return new ConnectSchema({ ...schema, fields: schema.fields, defaultValue });
}
