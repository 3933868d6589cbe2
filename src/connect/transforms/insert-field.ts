import type { ConnectRecord } from '../api/connect-record.js';
import { SinkRecord } from '../api/connect-record.js';
import { ConfigError, ConnectConfigDef } from '../config/connect-config-def.js';
import { type ConnectValue, type Schema, Schemas } from '../data/schema.js';
import { SchemaBuilder } from '../data/schema-builder.js';
import { Struct } from '../data/struct.js';
import {
  copySchemaBasics,
  partSchema,
  partValue,
  type RecordPart,
  requireMap,
  requireStruct,
  withPart,
} from './record-part.js';
import type { Transformation } from './transformation.js';

interface InsertionSpec {
  name: string;
  optional: boolean;
}

/** Kafka's InsertionSpec.parse: `name!` is required, `name?` (or `name`) optional. */
function spec(raw: string | null): InsertionSpec | null {
  if (raw === null || raw.trim() === '') return null;
  const s = raw.trim();
  if (s.endsWith('!')) return { name: s.slice(0, -1), optional: false };
  if (s.endsWith('?')) return { name: s.slice(0, -1), optional: true };
  return { name: s, optional: true };
}

const PURPOSE = 'field insertion';

/**
 * Kafka's InsertField: adds the record's topic, partition, offset (sink records), timestamp and
 * a static value as fields of the key or value. Tombstones pass through unchanged.
 */
abstract class InsertField implements Transformation {
  private topicField: InsertionSpec | null = null;
  private partitionField: InsertionSpec | null = null;
  private offsetField: InsertionSpec | null = null;
  private timestampField: InsertionSpec | null = null;
  private staticField: InsertionSpec | null = null;
  private staticValue: string | null = null;

  protected abstract readonly part: RecordPart;

  config(): ConnectConfigDef {
    const field = (name: string, doc: string) => ({
      name,
      type: 'string' as const,
      defaultValue: null,
      importance: 'MEDIUM' as const,
      documentation: `${doc} Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).`,
    });
    return new ConnectConfigDef([
      field('topic.field', 'Field name for Kafka topic.'),
      field('partition.field', 'Field name for Kafka partition.'),
      field('offset.field', 'Field name for Kafka offset - only applicable to sink connectors.'),
      field('timestamp.field', 'Field name for record timestamp.'),
      field('static.field', 'Field name for static data field.'),
      {
        name: 'static.value',
        type: 'string',
        defaultValue: null,
        importance: 'MEDIUM',
        documentation: 'Static field value, if field name configured.',
      },
    ]);
  }

  configure(props: Readonly<Record<string, string>>): void {
    const c = this.config().parse(props);
    this.topicField = spec(c.getString('topic.field'));
    this.partitionField = spec(c.getString('partition.field'));
    this.offsetField = spec(c.getString('offset.field'));
    this.timestampField = spec(c.getString('timestamp.field'));
    this.staticField = spec(c.getString('static.field'));
    this.staticValue = c.getString('static.value');
    if (
      !this.topicField &&
      !this.partitionField &&
      !this.offsetField &&
      !this.timestampField &&
      !this.staticField
    )
      throw new ConfigError(null, 'No field insertion configured');
    if (this.staticField && this.staticValue === null)
      throw new ConfigError('static.value', `No value specified for static field: ${this.staticField.name}`);
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const value = partValue(record, this.part);
    if (value === null) return record;
    const schema = partSchema(record, this.part);
    const inserts = this.inserts(record);
    if (schema === null) {
      const map = new Map<ConnectValue, ConnectValue>(requireMap(value, PURPOSE));
      for (const [field, v] of inserts) map.set(field.name, v);
      return withPart(record, this.part, null, map);
    }
    const struct = requireStruct(value, PURPOSE);
    const builder = copySchemaBasics(schema);
    for (const f of schema.fields) builder.field(f.name, f.schema);
    for (const [field, , fieldSchema] of inserts) builder.field(field.name, fieldSchema);
    const updatedSchema = builder.build();
    const updated = new Struct(updatedSchema);
    for (const f of schema.fields) updated.put(f.name, struct.get(f.name));
    for (const [field, v] of inserts) updated.put(field.name, v);
    return withPart(record, this.part, updatedSchema, updated);
  }

  /** The fields to insert with their values and schemas (Kafka's: topic STRING, partition INT32, offset INT64, timestamp Timestamp). */
  private inserts(record: ConnectRecord): [InsertionSpec, ConnectValue, Schema][] {
    const out: [InsertionSpec, ConnectValue, Schema][] = [];
    const opt = (s: InsertionSpec, optional: Schema, required: Schema) => (s.optional ? optional : required);
    if (this.topicField)
      out.push([
        this.topicField,
        record.topic,
        opt(this.topicField, Schemas.OPTIONAL_STRING, Schemas.STRING),
      ]);
    if (this.partitionField)
      out.push([
        this.partitionField,
        record.kafkaPartition,
        opt(this.partitionField, Schemas.OPTIONAL_INT32, Schemas.INT32),
      ]);
    if (this.offsetField) {
      if (!(record instanceof SinkRecord))
        throw new ConfigError('offset.field', 'Offset field is only applicable to sink connectors');
      out.push([
        this.offsetField,
        record.kafkaOffset,
        opt(this.offsetField, Schemas.OPTIONAL_INT64, Schemas.INT64),
      ]);
    }
    if (this.timestampField) {
      const ts = SchemaBuilder.timestamp();
      if (this.timestampField.optional) ts.optional();
      out.push([
        this.timestampField,
        record.timestamp === null ? null : new Date(record.timestamp),
        ts.build(),
      ]);
    }
    if (this.staticField)
      out.push([
        this.staticField,
        this.staticValue,
        opt(this.staticField, Schemas.OPTIONAL_STRING, Schemas.STRING),
      ]);
    return out;
  }

  close(): void {}
}

export class InsertFieldKey extends InsertField {
  protected readonly part = 'key';
}

export class InsertFieldValue extends InsertField {
  protected readonly part = 'value';
}
