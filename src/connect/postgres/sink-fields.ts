import type { SinkRecord } from '../api/connect-record.js';
import { ConnectError, DataError } from '../connect-error.js';
import { unscaledFromBytes } from '../converters/json-values.js';
import {
  type ConnectValue,
  DATE_LOGICAL_NAME,
  DECIMAL_LOGICAL_NAME,
  DecimalValue,
  type Schema,
  Schemas,
  TIME_LOGICAL_NAME,
  TIMESTAMP_LOGICAL_NAME,
} from '../data/schema.js';
import type { Struct } from '../data/struct.js';
import type { PostgresSinkSettings } from './postgres-sink-config.js';

/** A column the sink writes: its name, schema and whether it is part of the primary key. */
export interface SinkColumn {
  readonly name: string;
  readonly schema: Schema;
  readonly primaryKey: boolean;
}

/** What one record writes: the table's columns and the row's values as SQL parameters. */
export interface SinkRow {
  readonly columns: readonly SinkColumn[];
  readonly values: readonly SqlParam[];
  /** The primary key values, in the order of the key columns. */
  readonly key: readonly SqlParam[];
}

export type SqlParam = string | number | boolean | Buffer | null | readonly SqlParam[];

const KAFKA_PK_DEFAULT = ['__connect_topic', '__connect_partition', '__connect_offset'];

/**
 * The columns and values of a record as Confluent's FieldsMetadata extracts them: primary key
 * columns by pk.mode (the Kafka coordinates, the key's fields or a primitive key, or fields of
 * the value), then the value's fields (all of them, or fields.whitelist).
 */
export function sinkRow(record: SinkRecord, settings: PostgresSinkSettings, withValue: boolean): SinkRow {
  const columns: SinkColumn[] = [];
  const values: SqlParam[] = [];
  const key: SqlParam[] = [];
  const pk = (name: string, schema: Schema, value: ConnectValue): void => {
    columns.push({ name, schema, primaryKey: true });
    const v = toSqlParam(schema, value);
    values.push(v);
    key.push(v);
  };
  const { pkMode, pkFields } = settings;
  if (pkMode === 'kafka') {
    const names = pkFields.length === 3 ? pkFields : KAFKA_PK_DEFAULT;
    pk(names[0]!, Schemas.STRING, record.topic);
    pk(names[1]!, Schemas.INT32, record.kafkaPartition);
    pk(names[2]!, Schemas.INT64, record.kafkaOffset);
  } else if (pkMode === 'record_key') {
    if (record.keySchema === null || record.key === null)
      throw new ConnectError(
        'CONNECT_ERROR',
        `PK mode for table is RECORD_KEY, but record key schema is missing (topic ${record.topic})`,
      );
    if (record.keySchema.type === 'STRUCT') {
      const keyStruct = record.key as Struct;
      const names = pkFields.length > 0 ? pkFields : record.keySchema.fields.map((f) => f.name);
      for (const name of names) {
        const field = record.keySchema.field(name);
        if (!field) throw new ConnectError('CONNECT_ERROR', `PK field not in key schema: ${name}`);
        pk(name, field.schema, keyStruct.get(name));
      }
    } else pk(pkFields[0] ?? '__connect_key', record.keySchema, record.key);
  }
  const valueSchema = record.valueSchema;
  if (withValue) {
    if (valueSchema === null || valueSchema.type !== 'STRUCT' || record.value === null)
      throw new ConnectError(
        'CONNECT_ERROR',
        `Sink connector requires records with a non-null Struct value and non-null Struct schema, but found record at (${record.topic},${record.kafkaPartition},${record.kafkaOffset}) with a ${valueSchema?.type ?? 'null'} value and ${valueSchema === null ? 'null' : `${valueSchema.type}`} value schema.`,
      );
    const struct = record.value as Struct;
    const valuePk =
      pkMode === 'record_value'
        ? pkFields.length > 0
          ? pkFields
          : valueSchema.fields.map((f) => f.name)
        : [];
    for (const name of valuePk) {
      const field = valueSchema.field(name);
      if (!field) throw new ConnectError('CONNECT_ERROR', `PK field not in value schema: ${name}`);
      pk(name, field.schema, struct.get(name));
    }
    const taken = new Set(columns.map((c) => c.name));
    for (const field of valueSchema.fields) {
      if (taken.has(field.name)) continue;
      if (settings.fieldsWhitelist.length > 0 && !settings.fieldsWhitelist.includes(field.name)) continue;
      columns.push({ name: field.name, schema: field.schema, primaryKey: false });
      values.push(toSqlParam(field.schema, struct.get(field.name)));
    }
  }
  return { columns, values, key };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function isoDate(d: Date): string {
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Microseconds since the epoch as a `timestamp` literal, UTC, microseconds kept. */
function timestampFromMicros(us: number | bigint): string {
  const micros = BigInt(us);
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const rest = Number(micros - ms * 1000n);
  const d = new Date(Number(ms));
  return `${isoDate(d)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}${pad(rest, 3)}`;
}

function timeFromMicros(us: number): string {
  const s = Math.floor(us / 1_000_000);
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}.${pad(us % 1_000_000, 6)}`;
}

/** A Connect value as a parameter pg sends in text form, by its schema's type and logical name. */
export function toSqlParam(schema: Schema, value: ConnectValue): SqlParam {
  if (value === null) return null;
  switch (schema.name) {
    case DECIMAL_LOGICAL_NAME:
      return (value as DecimalValue).toString();
    case DATE_LOGICAL_NAME:
      return isoDate(value as Date);
    case TIME_LOGICAL_NAME:
      return (value as Date).toISOString().slice(11, 23);
    case TIMESTAMP_LOGICAL_NAME:
      return (value as Date).toISOString();
    case 'io.debezium.time.Date':
      return isoDate(new Date((value as number) * 86_400_000));
    case 'io.debezium.time.Timestamp':
      return timestampFromMicros(BigInt(value as number | bigint) * 1000n);
    case 'io.debezium.time.MicroTimestamp':
      return timestampFromMicros(value as number | bigint);
    case 'io.debezium.time.Time':
      return timeFromMicros((value as number) * 1000);
    case 'io.debezium.time.MicroTime':
      return timeFromMicros(Number(value));
    case 'io.debezium.data.VariableScaleDecimal': {
      const s = value as Struct;
      return new DecimalValue(
        unscaledFromBytes(s.get('value') as Buffer),
        s.get('scale') as number,
      ).toString();
    }
  }
  switch (schema.type) {
    case 'INT64':
      return typeof value === 'bigint' ? value.toString() : (value as number);
    case 'ARRAY':
      return (value as readonly ConnectValue[]).map((v) => toSqlParam(schema.valueSchema!, v));
    case 'STRUCT':
    case 'MAP':
      throw new DataError(`Unsupported source data type: ${schema.type}`);
    default:
      return value as SqlParam;
  }
}

/** The PostgreSQL type of a column made by auto.create (Confluent's PostgreSqlDatabaseDialect, and Debezium's types). */
export function sqlType(schema: Schema): string {
  switch (schema.name) {
    case DECIMAL_LOGICAL_NAME:
      return 'DECIMAL';
    case DATE_LOGICAL_NAME:
    case 'io.debezium.time.Date':
      return 'DATE';
    case TIME_LOGICAL_NAME:
    case 'io.debezium.time.Time':
    case 'io.debezium.time.MicroTime':
      return 'TIME';
    case TIMESTAMP_LOGICAL_NAME:
    case 'io.debezium.time.Timestamp':
    case 'io.debezium.time.MicroTimestamp':
      return 'TIMESTAMP';
    case 'io.debezium.time.ZonedTimestamp':
      return 'TIMESTAMPTZ';
    case 'io.debezium.data.Json':
      return 'JSONB';
    case 'io.debezium.data.Uuid':
      return 'UUID';
    case 'io.debezium.data.VariableScaleDecimal':
      return 'NUMERIC';
  }
  switch (schema.type) {
    case 'INT8':
    case 'INT16':
      return 'SMALLINT';
    case 'INT32':
      return 'INT';
    case 'INT64':
      return 'BIGINT';
    case 'FLOAT32':
      return 'REAL';
    case 'FLOAT64':
      return 'DOUBLE PRECISION';
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'STRING':
      return 'TEXT';
    case 'BYTES':
      return 'BYTEA';
    case 'ARRAY':
      return `${sqlType(schema.valueSchema!)}[]`;
    default:
      throw new ConnectError(
        'CONNECT_ERROR',
        `${schema.type} (${schema.name ?? 'no name'}) type doesn't have a mapping to the SQL database column type`,
      );
  }
}
