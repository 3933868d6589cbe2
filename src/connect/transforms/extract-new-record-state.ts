import type { ConnectHeader, ConnectRecord } from '../api/connect-record.js';
import { ConfigValidators, ConnectConfigDef } from '../config/connect-config-def.js';
import type { ConnectValue, Schema } from '../data/schema.js';
import { Schemas } from '../data/schema.js';
import { SchemaBuilder } from '../data/schema-builder.js';
import { Struct } from '../data/struct.js';
import type { Transformation } from './transformation.js';

type DeleteTombstoneHandling = 'drop' | 'tombstone' | 'rewrite' | 'rewrite-with-tombstone';

/**
 * Debezium's ExtractNewRecordState (io.debezium.transforms.ExtractNewRecordState): a change event
 * in Debezium's envelope becomes its `after` row, so that sinks write rows. Deletes and tombstones
 * as delete.tombstone.handling.mode says (default `tombstone`: the delete event is dropped and the
 * tombstone after it kept; `drop`; `rewrite`: the `before` row with `__deleted=true`;
 * `rewrite-with-tombstone`), or as the older drop.tombstones and delete.handling.mode did when they
 * are set. add.fields and add.headers copy envelope fields (`op`, `ts_ms`) and source fields
 * (`source.ts_ms`, `table`, `lsn`, ...) as `__<name>` fields or headers. Records that are not
 * envelopes (no `op` field) pass unchanged.
 */
export class ExtractNewRecordState implements Transformation {
  private mode: DeleteTombstoneHandling = 'tombstone';
  private addFields: string[] = [];
  private addHeaders: string[] = [];
  private prefix = '__';
  private readonly schemaCache = new WeakMap<Schema, Schema>();

  config(): ConnectConfigDef {
    return new ConnectConfigDef([
      {
        name: 'delete.tombstone.handling.mode',
        type: 'string',
        defaultValue: null,
        importance: 'MEDIUM',
        documentation:
          'How delete events and tombstones are handled: drop, tombstone (the default), rewrite, rewrite-with-tombstone.',
        validator: (key, v) => {
          if (v !== null)
            ConfigValidators.oneOf('drop', 'tombstone', 'rewrite', 'rewrite-with-tombstone')(key, v);
        },
      },
      {
        name: 'drop.tombstones',
        type: 'boolean',
        defaultValue: null,
        importance: 'LOW',
        documentation:
          'Deprecated: whether tombstones are dropped (true by default when delete.handling.mode is set).',
      },
      {
        name: 'delete.handling.mode',
        type: 'string',
        defaultValue: null,
        importance: 'LOW',
        documentation: 'Deprecated: drop, rewrite or none (the delete becomes a tombstone).',
        validator: (key, v) => {
          if (v !== null) ConfigValidators.oneOf('drop', 'rewrite', 'none')(key, v);
        },
      },
      {
        name: 'add.fields',
        type: 'list',
        defaultValue: '',
        importance: 'LOW',
        documentation: 'Fields from the change event to add to the row (op, ts_ms, source fields).',
      },
      {
        name: 'add.headers',
        type: 'list',
        defaultValue: '',
        importance: 'LOW',
        documentation: 'Fields from the change event to add as headers.',
      },
      {
        name: 'add.fields.prefix',
        type: 'string',
        defaultValue: '__',
        importance: 'LOW',
        documentation: 'Prefix of added fields.',
      },
      {
        name: 'add.headers.prefix',
        type: 'string',
        defaultValue: '__',
        importance: 'LOW',
        documentation: 'Prefix of added headers.',
      },
    ]);
  }

  configure(props: Readonly<Record<string, string>>): void {
    const parsed = this.config().parse(props);
    const explicit = parsed.getString('delete.tombstone.handling.mode') as DeleteTombstoneHandling | null;
    const legacyDelete = parsed.getString('delete.handling.mode');
    const legacyDrop = parsed.get('drop.tombstones');
    if (explicit !== null) this.mode = explicit;
    else if (legacyDelete !== null || legacyDrop !== null) {
      const dropTombstones = legacyDrop === null ? true : legacyDrop === true;
      // Debezium's mapping of the older pair of keys onto the newer one.
      if (legacyDelete === 'rewrite') this.mode = dropTombstones ? 'rewrite' : 'rewrite-with-tombstone';
      else if (legacyDelete === 'none') this.mode = 'tombstone';
      else this.mode = dropTombstones ? 'drop' : 'tombstone';
    }
    this.addFields = [...parsed.getList('add.fields')];
    this.addHeaders = [...parsed.getList('add.headers')];
    this.prefix = parsed.getString('add.fields.prefix') ?? '__';
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    if (record.value === null)
      return this.mode === 'tombstone' || this.mode === 'rewrite-with-tombstone' ? record : null;
    const schema = record.valueSchema;
    if (schema === null || schema.type !== 'STRUCT' || !schema.field('op') || !schema.field('after'))
      return record;
    const envelope = record.value as Struct;
    const op = envelope.get('op');
    const headers = this.headers(record, envelope);
    if (op === 'd') {
      if (this.mode === 'drop' || this.mode === 'tombstone') return null;
      const before = envelope.getStruct('before');
      if (before === null) return null;
      return this.withRow(record, envelope, before, true, headers);
    }
    const after = envelope.getStruct('after');
    if (after === null) return null;
    return this.withRow(record, envelope, after, false, headers);
  }

  private headers(record: ConnectRecord, envelope: Struct): readonly ConnectHeader[] {
    if (this.addHeaders.length === 0) return record.headers;
    const added: ConnectHeader[] = [];
    for (const name of this.addHeaders) {
      const found = this.envelopeField(envelope, name);
      if (found)
        added.push({ key: `${this.prefix}${found.label}`, schema: found.schema, value: found.value });
    }
    return [...record.headers, ...added];
  }

  /** An envelope field (`op`, `ts_ms`) or a source field (`table`, `lsn`, `source.ts_ms`). */
  private envelopeField(
    envelope: Struct,
    name: string,
  ): { label: string; schema: Schema; value: ConnectValue } | null {
    const path = name.startsWith('source.')
      ? ['source', name.slice(7)]
      : envelope.schema.field(name)
        ? [name]
        : ['source', name];
    const label = path.join('_');
    if (path.length === 1) {
      const f = envelope.schema.field(path[0]!)!;
      return { label, schema: f.schema, value: envelope.get(path[0]!) };
    }
    const source = envelope.getStruct('source');
    const f = source?.schema.field(path[1]!);
    if (!source || !f) return null;
    return { label: path[1]!, schema: f.schema, value: source.get(path[1]!) };
  }

  private withRow<R extends ConnectRecord>(
    record: R,
    envelope: Struct,
    row: Struct,
    deleted: boolean,
    headers: readonly ConnectHeader[],
  ): R {
    const rewrite = this.mode === 'rewrite' || this.mode === 'rewrite-with-tombstone';
    if (this.addFields.length === 0 && !rewrite)
      return record.newRecord({ valueSchema: row.schema, value: row, headers });
    const extra = this.addFields
      .map((n) => this.envelopeField(envelope, n))
      .filter((f): f is NonNullable<typeof f> => f !== null);
    const schema = this.extendedSchema(row.schema, extra, rewrite);
    const out = new Struct(schema);
    for (const f of row.schema.fields) out.put(f.name, row.get(f.name));
    for (const f of extra) out.put(`${this.prefix}${f.label}`, f.value);
    if (rewrite) out.put(`${this.prefix}deleted`, deleted ? 'true' : 'false');
    return record.newRecord({ valueSchema: schema, value: out, headers });
  }

  private extendedSchema(
    rowSchema: Schema,
    extra: readonly { label: string; schema: Schema }[],
    rewrite: boolean,
  ): Schema {
    const cached = this.schemaCache.get(rowSchema);
    if (cached) return cached;
    const b = SchemaBuilder.struct();
    if (rowSchema.name) b.name(rowSchema.name);
    if (rowSchema.optional) b.optional();
    for (const f of rowSchema.fields) b.field(f.name, f.schema);
    for (const f of extra) b.field(`${this.prefix}${f.label}`, optionalOf(f.schema));
    if (rewrite) b.field(`${this.prefix}deleted`, Schemas.OPTIONAL_STRING);
    const schema = b.build();
    this.schemaCache.set(rowSchema, schema);
    return schema;
  }

  close(): void {}
}

function optionalOf(schema: Schema): Schema {
  if (schema.optional) return schema;
  switch (schema.type) {
    case 'STRING':
      return Schemas.OPTIONAL_STRING;
    case 'INT64':
      return Schemas.OPTIONAL_INT64;
    case 'INT32':
      return Schemas.OPTIONAL_INT32;
    case 'BOOLEAN':
      return Schemas.OPTIONAL_BOOLEAN;
    default:
      return schema;
  }
}
