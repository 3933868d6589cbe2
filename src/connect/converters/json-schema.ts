import { DataError } from '../connect-error.js';
import type { Schema, SchemaType } from '../data/schema.js';
import { SchemaBuilder } from '../data/schema-builder.js';
import { isJsonObject, type JsonNode } from './json-node.js';

/** Connect's schema types as the JSON envelope names them (Kafka's JsonSchema). */
const TYPE_NAMES: Record<SchemaType, string> = {
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FLOAT32: 'float',
  FLOAT64: 'double',
  BOOLEAN: 'boolean',
  STRING: 'string',
  BYTES: 'bytes',
  ARRAY: 'array',
  MAP: 'map',
  STRUCT: 'struct',
};
const TYPES_BY_NAME = new Map<string, SchemaType>(
  Object.entries(TYPE_NAMES).map(([type, name]) => [name, type as SchemaType]),
);

/**
 * A schema as the `schema` of JsonConverter's envelope, in Kafka's field order: type, then
 * fields/items/keys+values, optional, name, version, doc, parameters, default.
 */
export function schemaToJson(
  schema: Schema,
  defaultToJson: (s: Schema) => JsonNode,
): { [key: string]: JsonNode } {
  const out: { [key: string]: JsonNode } = { type: TYPE_NAMES[schema.type] };
  if (schema.type === 'STRUCT')
    out.fields = schema.fields.map((f) => ({ ...schemaToJson(f.schema, defaultToJson), field: f.name }));
  if (schema.type === 'ARRAY') out.items = schemaToJson(schema.valueSchema!, defaultToJson);
  if (schema.type === 'MAP') {
    out.keys = schemaToJson(schema.keySchema!, defaultToJson);
    out.values = schemaToJson(schema.valueSchema!, defaultToJson);
  }
  out.optional = schema.optional;
  if (schema.name !== null) out.name = schema.name;
  if (schema.version !== null) out.version = schema.version;
  if (schema.doc !== null) out.doc = schema.doc;
  if (schema.parameters !== null) out.parameters = { ...schema.parameters };
  if (schema.defaultValue !== undefined && schema.defaultValue !== null) out.default = defaultToJson(schema);
  return out;
}

/** Reads an envelope's `schema` (Kafka's JsonConverter.asConnectSchema); `defaultFromJson` reads defaults. */
export function schemaFromJson(
  json: JsonNode,
  defaultFromJson: (schema: Schema, value: JsonNode) => Schema,
): Schema | null {
  if (json === null) return null;
  if (!isJsonObject(json)) throw new DataError('Schema must be an object');
  const typeName = json.type;
  if (typeof typeName !== 'string') throw new DataError("Schema must contain 'type' field");
  const type = TYPES_BY_NAME.get(typeName);
  if (!type) throw new DataError(`Unknown schema type: ${typeName}`);
  let builder: SchemaBuilder;
  switch (type) {
    case 'STRUCT': {
      builder = SchemaBuilder.struct();
      if (!Array.isArray(json.fields))
        throw new DataError('Struct schema\'s "fields" argument is not an array.');
      for (const f of json.fields) {
        if (!isJsonObject(f) || typeof f.field !== 'string')
          throw new DataError("Struct schema's field name not specified properly");
        builder.field(f.field, schemaFromJson(f, defaultFromJson)!);
      }
      break;
    }
    case 'ARRAY':
      if (json.items === undefined) throw new DataError('Array schema did not specify the element type');
      builder = SchemaBuilder.array(schemaFromJson(json.items, defaultFromJson)!);
      break;
    case 'MAP':
      if (json.keys === undefined || json.values === undefined)
        throw new DataError('Map schema did not specify the key and value types');
      builder = SchemaBuilder.map(
        schemaFromJson(json.keys, defaultFromJson)!,
        schemaFromJson(json.values, defaultFromJson)!,
      );
      break;
    default:
      builder = SchemaBuilder.type(type);
  }
  if (json.optional === true) builder.optional();
  if (typeof json.name === 'string') builder.name(json.name);
  if (typeof json.version === 'number') builder.version(json.version);
  if (typeof json.doc === 'string') builder.doc(json.doc);
  if (isJsonObject(json.parameters)) {
    for (const [k, v] of Object.entries(json.parameters)) {
      if (typeof v !== 'string') throw new DataError('Schema parameters must have string values.');
      builder.parameter(k, v);
    }
  }
  const schema = builder.build();
  return json.default !== undefined && json.default !== null ? defaultFromJson(schema, json.default) : schema;
}
