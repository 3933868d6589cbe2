import type { ConnectRecord } from '../api/connect-record.js';
import { DataError } from '../connect-error.js';
import type { ConnectValue, Field, Schema } from '../data/schema.js';
import { SchemaBuilder } from '../data/schema-builder.js';
import { Struct } from '../data/struct.js';

/** Which part of a record a `$Key` or `$Value` transform works on. */
export type RecordPart = 'key' | 'value';

export function partSchema(record: ConnectRecord, part: RecordPart): Schema | null {
  return part === 'key' ? record.keySchema : record.valueSchema;
}

export function partValue(record: ConnectRecord, part: RecordPart): ConnectValue {
  return part === 'key' ? record.key : record.value;
}

/** A copy of the record with the part replaced. */
export function withPart<R extends ConnectRecord>(
  record: R,
  part: RecordPart,
  schema: Schema | null,
  value: ConnectValue,
): R {
  return part === 'key'
    ? record.newRecord({ keySchema: schema, key: value })
    : record.newRecord({ valueSchema: schema, value });
}

/** Kafka's Requirements.requireMap: a schemaless part must be a map with string keys. */
export function requireMap(value: ConnectValue, purpose: string): ReadonlyMap<string, ConnectValue> {
  if (!(value instanceof Map))
    throw new DataError(
      `Only Map objects supported in absence of schema for [${purpose}], found: ${typeof value}`,
    );
  return value as ReadonlyMap<string, ConnectValue>;
}

/** Kafka's Requirements.requireStruct. */
export function requireStruct(value: ConnectValue, purpose: string): Struct {
  if (!(value instanceof Struct))
    throw new DataError(`Only Struct objects supported for [${purpose}], found: ${typeof value}`);
  return value;
}

/** A struct builder copying a schema's name, version, doc, optionality and parameters (Kafka's SchemaUtil.copySchemaBasics). */
export function copySchemaBasics(
  schema: Schema,
  builder: SchemaBuilder = SchemaBuilder.struct(),
): SchemaBuilder {
  if (schema.name !== null) builder.name(schema.name);
  if (schema.version !== null) builder.version(schema.version);
  if (schema.doc !== null) builder.doc(schema.doc);
  if (schema.parameters !== null) builder.parameters({ ...schema.parameters });
  if (schema.optional) builder.optional();
  return builder;
}

/** A new struct of `schema` taking each field that `source` also has. */
export function copyFields(
  source: Struct,
  schema: Schema,
  fields: readonly Field[] = schema.fields,
  from = (f: Field) => f.name,
): Struct {
  const out = new Struct(schema);
  for (const f of fields) out.put(f.name, source.get(from(f)));
  return out;
}

/** The fields a list config names, checked to be non-empty names. */
export function fieldList(values: readonly string[]): string[] {
  return values.map((v) => v.trim()).filter((v) => v !== '');
}
