import { DataError } from '../connect-error.js';
import { unscaledToBytes } from '../converters/json-values.js';
import { type ConnectValue, DecimalValue, type Schema, Schemas } from '../data/schema.js';
import { SchemaBuilder } from '../data/schema-builder.js';
import { Struct } from '../data/struct.js';

/** How numeric columns are represented (Debezium's decimal.handling.mode). */
export type DecimalHandlingMode = 'precise' | 'double' | 'string';

/**
 * A column's Connect type: its schema (required; the table schema makes it optional when the
 * column is nullable), how PostgreSQL's text form becomes a value, and the value a required
 * column takes when PostgreSQL did not send it (the non-key columns of an old row under REPLICA
 * IDENTITY DEFAULT, or an unchanged TOASTed value).
 */
export interface ColumnType {
  readonly schema: (optional: boolean) => Schema;
  /** `schema` is the column's own (optional or not), for values that are structs. */
  readonly convert: (text: string, schema: Schema) => ConnectValue;
  readonly absent: ConnectValue;
}

/** Debezium's placeholder for values PostgreSQL did not send (unavailable.value.placeholder). */
export const UNAVAILABLE_VALUE_PLACEHOLDER = '__debezium_unavailable_value';

const PG_OID = {
  bool: 16,
  bytea: 17,
  char: 18,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  timetz: 1266,
  numeric: 1700,
  uuid: 2950,
  jsonb: 3802,
} as const;

/** One-dimensional arrays of these element types become Connect ARRAYs; other arrays are text. */
const ARRAY_ELEMENT_OID: Readonly<Record<number, number>> = {
  1000: PG_OID.bool,
  1005: PG_OID.int2,
  1007: PG_OID.int4,
  1016: PG_OID.int8,
  1021: PG_OID.float4,
  1022: PG_OID.float8,
  1009: PG_OID.text,
  1014: PG_OID.bpchar,
  1015: PG_OID.varchar,
  2951: PG_OID.uuid,
};

const named = (builder: () => SchemaBuilder) => (optional: boolean) => {
  const b = builder();
  return (optional ? b.optional() : b).build();
};

const plain = (required: Schema, optional: Schema) => (o: boolean) => (o ? optional : required);

function integer(parse: (t: string) => number | bigint, required: Schema, optional: Schema): ColumnType {
  return { schema: plain(required, optional), convert: parse, absent: 0 };
}

const parseInteger = (t: string): number => {
  const n = Number(t);
  if (!Number.isInteger(n)) throw new DataError(`Not an integer: ${t}`);
  return n;
};

const parseInt64 = (t: string): bigint | number => {
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : BigInt(t);
};

/** PostgreSQL's text form of floats: digits, or NaN, Infinity, -Infinity (which Number reads too). */
const parseFloatText = (t: string): number => Number(t);

const STRING: ColumnType = {
  schema: plain(Schemas.STRING, Schemas.OPTIONAL_STRING),
  convert: (t) => t,
  absent: UNAVAILABLE_VALUE_PLACEHOLDER,
};

/** A string with a Debezium semantic name (io.debezium.data.Json, io.debezium.data.Uuid, ...). */
function semanticString(name: string): ColumnType {
  return {
    schema: named(() => SchemaBuilder.string().name(name).version(1)),
    convert: (t) => t,
    absent: UNAVAILABLE_VALUE_PLACEHOLDER,
  };
}

/** numeric's precision and scale from its type modifier, null when declared without them. */
function numericPrecisionScale(typeMod: number): { precision: number; scale: number } | null {
  if (typeMod < 4) return null;
  return { precision: ((typeMod - 4) >> 16) & 0xffff, scale: (typeMod - 4) & 0xffff };
}

const VARIABLE_SCALE_DECIMAL = 'io.debezium.data.VariableScaleDecimal';

function numeric(typeMod: number, mode: DecimalHandlingMode): ColumnType {
  if (mode === 'double')
    return {
      schema: plain(Schemas.FLOAT64, Schemas.OPTIONAL_FLOAT64),
      convert: (t) => Number(t),
      absent: 0,
    };
  if (mode === 'string') return { ...STRING, absent: '0' };
  const ps = numericPrecisionScale(typeMod);
  if (ps !== null) {
    const scale = ps.scale;
    return {
      schema: named(() =>
        SchemaBuilder.decimal(scale).parameter('connect.decimal.precision', String(ps.precision)),
      ),
      // NaN has no decimal form: Debezium's precise mode gives null too.
      convert: (t) => (t === 'NaN' ? null : rescale(DecimalValue.parse(t), scale)),
      absent: new DecimalValue(0n, scale),
    };
  }
  // numeric without a declared scale: each value carries its own (Debezium's VariableScaleDecimal).
  const schema = (optional: boolean): Schema => {
    const b = SchemaBuilder.struct()
      .name(VARIABLE_SCALE_DECIMAL)
      .version(1)
      .doc('Variable scaled decimal')
      .field('scale', Schemas.INT32)
      .field('value', Schemas.BYTES);
    return (optional ? b.optional() : b).build();
  };
  const toStruct = (d: DecimalValue, s: Schema): Struct =>
    new Struct(s).put('scale', d.scale).put('value', unscaledToBytes(d.unscaled));
  return {
    schema,
    convert: (t, s) => (t === 'NaN' ? null : toStruct(DecimalValue.parse(t), s)),
    absent: toStruct(new DecimalValue(0n, 0), schema(false)),
  };
}

function rescale(d: DecimalValue, scale: number): DecimalValue {
  if (d.scale === scale) return d;
  if (d.scale < scale) return new DecimalValue(d.unscaled * 10n ** BigInt(scale - d.scale), scale);
  return new DecimalValue(d.unscaled / 10n ** BigInt(d.scale - scale), scale);
}

const DAY_MS = 86_400_000;

/** Microseconds since the epoch of `YYYY-MM-DD[ HH:MM:SS[.ffffff]][ BC]` read as UTC (DateStyle ISO). */
export function parseTimestampUs(text: string): number | bigint {
  if (text === 'infinity') return 9223372036854775807n;
  if (text === '-infinity') return -9223372036854775808n;
  const m = /^(\d{4,})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?)?( BC)?$/.exec(text);
  if (!m) throw new DataError(`Not a timestamp: ${text}`);
  let year = Number(m[1]);
  if (m[8]) year = 1 - year;
  const ms = Date.UTC(
    2000,
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
  );
  // Date.UTC maps years 0-99 to 1900-1999: set the year separately.
  const date = new Date(ms);
  date.setUTCFullYear(year);
  const micros = Number((m[7] ?? '').padEnd(6, '0'));
  return date.getTime() * 1000 + micros;
}

function timeOfDayUs(text: string): number {
  const m = /^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?/.exec(text);
  if (!m) throw new DataError(`Not a time: ${text}`);
  return (
    ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1_000_000 + Number((m[4] ?? '').padEnd(6, '0'))
  );
}

/** `2024-01-02 03:04:05.123456+00` (timezone UTC) as Debezium's ZonedTimestamp `2024-01-02T03:04:05.123456Z`. */
function zonedTimestamp(text: string): string {
  if (text === 'infinity' || text === '-infinity') return text;
  const m = /^(.*?)([+-]\d\d(?::?\d\d){0,2})( BC)?$/.exec(text);
  if (!m) throw new DataError(`Not a timestamp with time zone: ${text}`);
  const offset = m[2] === '+00' ? 'Z' : m[2]!.length === 3 ? `${m[2]}:00` : m[2]!;
  return `${m[1]!.replace(' ', 'T')}${offset}${m[3] ?? ''}`;
}

/** Debezium's temporal types in its default time.precision.mode=adaptive. */
function temporal(oid: number, typeMod: number): ColumnType {
  // typmod is the fractional digits declared (-1: the default, 6).
  const precision = typeMod < 0 ? 6 : typeMod;
  switch (oid) {
    case PG_OID.date:
      return {
        schema: named(() => SchemaBuilder.int32().name('io.debezium.time.Date').version(1)),
        convert: (t) => {
          const us = parseTimestampUs(t);
          return typeof us === 'bigint'
            ? us > 0n
              ? 2 ** 31 - 1
              : -(2 ** 31)
            : Math.floor(us / 1000 / DAY_MS);
        },
        absent: 0,
      };
    case PG_OID.timestamp:
      return precision <= 3
        ? {
            schema: named(() => SchemaBuilder.int64().name('io.debezium.time.Timestamp').version(1)),
            convert: (t) => {
              const us = parseTimestampUs(t);
              return typeof us === 'bigint' ? us : Math.floor(us / 1000);
            },
            absent: 0,
          }
        : {
            schema: named(() => SchemaBuilder.int64().name('io.debezium.time.MicroTimestamp').version(1)),
            convert: parseTimestampUs,
            absent: 0,
          };
    case PG_OID.time:
      return precision <= 3
        ? {
            schema: named(() => SchemaBuilder.int32().name('io.debezium.time.Time').version(1)),
            convert: (t) => Math.floor(timeOfDayUs(t) / 1000),
            absent: 0,
          }
        : {
            schema: named(() => SchemaBuilder.int64().name('io.debezium.time.MicroTime').version(1)),
            convert: timeOfDayUs,
            absent: 0,
          };
    case PG_OID.timestamptz:
      return { ...semanticString('io.debezium.time.ZonedTimestamp'), convert: zonedTimestamp };
    default:
      return {
        ...semanticString('io.debezium.time.ZonedTime'),
        convert: (t) => {
          const m = /^([\d:.]+)([+-]\d\d(?::?\d\d)?)$/.exec(t);
          return m ? `${m[1]}${m[2] === '+00' ? 'Z' : m[2]}` : t;
        },
      };
  }
}

/** PostgreSQL's text form of a one-dimensional array: `{1,2,NULL}`, `{"a,b","c\"d"}`. */
export function parseArrayText(text: string): (string | null)[] {
  if (!text.startsWith('{') || !text.endsWith('}')) throw new DataError(`Not an array: ${text}`);
  const out: (string | null)[] = [];
  const body = text.slice(1, -1);
  if (body === '') return out;
  let i = 0;
  while (i <= body.length) {
    if (body[i] === '{') throw new DataError('Multi-dimensional arrays are not supported');
    if (body[i] === '"') {
      let s = '';
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i++;
        s += body[i] ?? '';
        i++;
      }
      out.push(s);
      i += 2; // closing quote and comma
    } else {
      const end = body.indexOf(',', i);
      const item = body.slice(i, end < 0 ? body.length : end);
      out.push(item === 'NULL' ? null : item);
      i = end < 0 ? body.length + 1 : end + 1;
    }
  }
  return out;
}

function array(element: ColumnType): ColumnType {
  const elementSchema = element.schema(true);
  return {
    schema: (optional) => {
      const b = SchemaBuilder.array(elementSchema);
      return (optional ? b.optional() : b).build();
    },
    convert: (t) =>
      parseArrayText(t).map((item) => (item === null ? null : element.convert(item, elementSchema))),
    absent: [],
  };
}

/** The Connect type of a PostgreSQL column, by type OID and modifier, as Debezium's defaults map it. */
export function columnType(oid: number, typeMod: number, decimalMode: DecimalHandlingMode): ColumnType {
  switch (oid) {
    case PG_OID.bool:
      return {
        schema: plain(Schemas.BOOLEAN, Schemas.OPTIONAL_BOOLEAN),
        convert: (t) => t === 't' || t === 'true',
        absent: false,
      };
    case PG_OID.int2:
      return integer(parseInteger, Schemas.INT16, Schemas.OPTIONAL_INT16);
    case PG_OID.int4:
      return integer(parseInteger, Schemas.INT32, Schemas.OPTIONAL_INT32);
    case PG_OID.int8:
    case PG_OID.oid:
      return integer(parseInt64, Schemas.INT64, Schemas.OPTIONAL_INT64);
    case PG_OID.float4:
      return { schema: plain(Schemas.FLOAT32, Schemas.OPTIONAL_FLOAT32), convert: parseFloatText, absent: 0 };
    case PG_OID.float8:
      return { schema: plain(Schemas.FLOAT64, Schemas.OPTIONAL_FLOAT64), convert: parseFloatText, absent: 0 };
    case PG_OID.numeric:
      return numeric(typeMod, decimalMode);
    case PG_OID.bytea:
      return {
        schema: plain(Schemas.BYTES, Schemas.OPTIONAL_BYTES),
        // bytea_output=hex: \x followed by two hex digits a byte.
        convert: (t) => (t.startsWith('\\x') ? Buffer.from(t.slice(2), 'hex') : Buffer.from(t, 'binary')),
        absent: Buffer.alloc(0),
      };
    case PG_OID.json:
    case PG_OID.jsonb:
      return semanticString('io.debezium.data.Json');
    case PG_OID.uuid:
      return semanticString('io.debezium.data.Uuid');
    case PG_OID.date:
    case PG_OID.time:
    case PG_OID.timestamp:
    case PG_OID.timestamptz:
    case PG_OID.timetz:
      return temporal(oid, typeMod);
    default: {
      const element = ARRAY_ELEMENT_OID[oid];
      if (element !== undefined) return array(columnType(element, -1, decimalMode));
      // text, varchar, char, name, enums, domains over text and every type without a mapping of
      // its own: PostgreSQL's text form, as Debezium does for enums and (with
      // include.unknown.datatypes) unknown types.
      return STRING;
    }
  }
}
