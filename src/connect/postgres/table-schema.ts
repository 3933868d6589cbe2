import type { ConnectValue, Schema } from '../data/schema.js';
import { Schemas } from '../data/schema.js';
import { SchemaBuilder } from '../data/schema-builder.js';
import { Struct } from '../data/struct.js';
import { type ColumnType, columnType, type DecimalHandlingMode } from './column-types.js';
import { type TupleData, UNCHANGED_TOAST } from './pgoutput-decoder.js';

/** A column as the catalog or a pgoutput Relation message describes it. */
export interface ColumnDef {
  readonly name: string;
  readonly typeOid: number;
  readonly typeMod: number;
  readonly notNull: boolean;
  readonly primaryKey: boolean;
}

interface Column extends ColumnDef {
  readonly type: ColumnType;
}

/** Debezium's source block of the PostgreSQL connector. */
export const SOURCE_SCHEMA: Schema = SchemaBuilder.struct()
  .name('io.debezium.connector.postgresql.Source')
  .field('version', Schemas.STRING)
  .field('connector', Schemas.STRING)
  .field('name', Schemas.STRING)
  .field('ts_ms', Schemas.INT64)
  .field(
    'snapshot',
    SchemaBuilder.string()
      .optional()
      .name('io.debezium.data.Enum')
      .version(1)
      .parameter('allowed', 'true,last,false,incremental')
      .defaultValue('false'),
  )
  .field('db', Schemas.STRING)
  .field('sequence', Schemas.OPTIONAL_STRING)
  .field('schema', Schemas.STRING)
  .field('table', Schemas.STRING)
  .field('txId', Schemas.OPTIONAL_INT64)
  .field('lsn', Schemas.OPTIONAL_INT64)
  .field('xmin', Schemas.OPTIONAL_INT64)
  .build();

/** Debezium's transaction block (filled only with provide.transaction.metadata, null here). */
const TRANSACTION_SCHEMA: Schema = SchemaBuilder.struct()
  .optional()
  .name('event.block')
  .version(1)
  .field('id', Schemas.STRING)
  .field('total_order', Schemas.INT64)
  .field('data_collection_order', Schemas.INT64)
  .build();

/** Characters Debezium replaces in schema names so that they are valid Avro names. */
function avroName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.]/g, '_').replace(/^([^A-Za-z_])/, '_$1');
}

/**
 * One captured table's Connect schemas as Debezium names them: key `<prefix>.<schema>.<table>.Key`
 * (the primary key columns; none for a table without one), row `....Value` and envelope
 * `....Envelope`; and the conversion of PostgreSQL rows into their structs.
 */
export class TableSchema {
  readonly topic: string;
  readonly keySchema: Schema | null;
  readonly rowSchema: Schema;
  readonly envelopeSchema: Schema;
  readonly columns: readonly Column[];

  constructor(
    readonly prefix: string,
    readonly schemaName: string,
    readonly tableName: string,
    columns: readonly ColumnDef[],
    decimalMode: DecimalHandlingMode,
  ) {
    this.topic = `${prefix}.${schemaName}.${tableName}`;
    const base = avroName(this.topic);
    this.columns = columns.map((c) => ({ ...c, type: columnType(c.typeOid, c.typeMod, decimalMode) }));
    const keyColumns = this.columns.filter((c) => c.primaryKey);
    if (keyColumns.length > 0) {
      const kb = SchemaBuilder.struct().name(`${base}.Key`);
      for (const c of keyColumns) kb.field(c.name, c.type.schema(false));
      this.keySchema = kb.build();
    } else this.keySchema = null;
    const vb = SchemaBuilder.struct().optional().name(`${base}.Value`);
    for (const c of this.columns) vb.field(c.name, c.type.schema(!c.notNull && !c.primaryKey));
    this.rowSchema = vb.build();
    this.envelopeSchema = SchemaBuilder.struct()
      .name(`${base}.Envelope`)
      .version(1)
      .field('before', this.rowSchema)
      .field('after', this.rowSchema)
      .field('source', SOURCE_SCHEMA)
      .field('transaction', TRANSACTION_SCHEMA)
      .field('op', Schemas.STRING)
      .field('ts_ms', Schemas.OPTIONAL_INT64)
      .build();
  }

  /**
   * The row struct of a tuple (values in column order). Columns PostgreSQL did not send (an old
   * row's non-key columns, unchanged TOASTed values, a shorter tuple after ALTER TABLE ADD COLUMN)
   * are null when optional, Debezium's placeholder or zero value when required.
   */
  row(values: TupleData | readonly (string | null)[], fallback: Struct | null = null): Struct {
    const struct = new Struct(this.rowSchema);
    for (let i = 0; i < this.columns.length; i++) {
      const c = this.columns[i]!;
      const text = values[i];
      let v: ConnectValue;
      if (text === undefined || text === UNCHANGED_TOAST) {
        const previous = fallback?.schema.field(c.name) ? fallback.get(c.name) : null;
        v = previous ?? (this.rowSchema.fields[i]!.schema.optional ? null : c.type.absent);
      } else if (text === null) v = this.rowSchema.fields[i]!.schema.optional ? null : c.type.absent;
      else v = c.type.convert(text, this.rowSchema.fields[i]!.schema);
      struct.put(c.name, v);
    }
    return struct;
  }

  /** The key struct of a row, null for a table without a primary key. */
  key(row: Struct): Struct | null {
    if (this.keySchema === null) return null;
    const key = new Struct(this.keySchema);
    for (const f of this.keySchema.fields) key.put(f.name, row.get(f.name));
    return key;
  }
}
