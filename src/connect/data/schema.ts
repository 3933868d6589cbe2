import { DataError } from '../connect-error.js';

/** The types of Kafka Connect's data API (org.apache.kafka.connect.data.Schema.Type). */
export type SchemaType =
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'FLOAT32'
  | 'FLOAT64'
  | 'BOOLEAN'
  | 'STRING'
  | 'BYTES'
  | 'ARRAY'
  | 'MAP'
  | 'STRUCT';

/** A decimal number as Kafka Connect's Decimal logical type carries it: unscaled value and scale. */
export class DecimalValue {
  constructor(
    readonly unscaled: bigint,
    readonly scale: number,
  ) {}

  static parse(text: string): DecimalValue {
    const m = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
    if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new DataError(`Invalid decimal: ${text}`);
    const fraction = m[3] ?? '';
    return new DecimalValue(BigInt(`${m[1]}${m[2] || '0'}${fraction}`), fraction.length);
  }

  toString(): string {
    const negative = this.unscaled < 0n;
    const digits = (negative ? -this.unscaled : this.unscaled).toString();
    if (this.scale <= 0) return `${negative ? '-' : ''}${digits}${'0'.repeat(-this.scale)}`;
    const padded = digits.padStart(this.scale + 1, '0');
    const cut = padded.length - this.scale;
    return `${negative ? '-' : ''}${padded.slice(0, cut)}.${padded.slice(cut)}`;
  }
}

/**
 * What this file needs of a Struct (struct.ts implements it), so that the two files do not import
 * each other.
 */
export interface StructValue {
  readonly schema: Schema;
  get(fieldName: string): ConnectValue;
  validate(): void;
  equals(other: unknown): boolean;
}

/**
 * A value of Connect data. INT8 to INT32 and the floats are numbers; INT64 is a bigint or a safe
 * integer number; BYTES is a Buffer; ARRAY an array, MAP a Map, STRUCT a Struct; the logical types
 * Date, Time and Timestamp are JS Dates and Decimal is a DecimalValue, as Java's Date and BigDecimal.
 */
export type ConnectValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Buffer
  | Date
  | DecimalValue
  | StructValue
  | readonly ConnectValue[]
  | ReadonlyMap<ConnectValue, ConnectValue>;

export interface Field {
  readonly name: string;
  readonly index: number;
  readonly schema: Schema;
}

/** Kafka Connect's Schema: a type, optionality, a default, a name and version for logical types. */
export interface Schema {
  readonly type: SchemaType;
  readonly optional: boolean;
  /** undefined when there is no default (null is a default of null). */
  readonly defaultValue: ConnectValue | undefined;
  readonly name: string | null;
  readonly version: number | null;
  readonly doc: string | null;
  readonly parameters: Readonly<Record<string, string>> | null;
  /** STRUCT only, in order. */
  readonly fields: readonly Field[];
  /** MAP only. */
  readonly keySchema: Schema | null;
  /** ARRAY and MAP only. */
  readonly valueSchema: Schema | null;
  field(name: string): Field | null;
}

export interface SchemaInit {
  type: SchemaType;
  optional?: boolean;
  defaultValue?: ConnectValue | undefined;
  name?: string | null;
  version?: number | null;
  doc?: string | null;
  parameters?: Record<string, string> | null;
  fields?: readonly Field[];
  keySchema?: Schema | null;
  valueSchema?: Schema | null;
}

/** An immutable schema (Kafka's ConnectSchema). Build one with SchemaBuilder. */
export class ConnectSchema implements Schema {
  readonly type: SchemaType;
  readonly optional: boolean;
  readonly defaultValue: ConnectValue | undefined;
  readonly name: string | null;
  readonly version: number | null;
  readonly doc: string | null;
  readonly parameters: Readonly<Record<string, string>> | null;
  readonly fields: readonly Field[];
  readonly keySchema: Schema | null;
  readonly valueSchema: Schema | null;
  private readonly byName: ReadonlyMap<string, Field>;

  constructor(init: SchemaInit) {
    this.type = init.type;
    this.optional = init.optional ?? false;
    this.defaultValue = init.defaultValue;
    this.name = init.name ?? null;
    this.version = init.version ?? null;
    this.doc = init.doc ?? null;
    this.parameters = init.parameters ? Object.freeze({ ...init.parameters }) : null;
    this.fields = Object.freeze([...(init.fields ?? [])]);
    this.keySchema = init.keySchema ?? null;
    this.valueSchema = init.valueSchema ?? null;
    this.byName = new Map(this.fields.map((f) => [f.name, f]));
    if (this.type !== 'STRUCT' && this.fields.length > 0)
      throw new DataError(`Cannot add fields to a schema of type ${this.type}`);
    if (this.type === 'ARRAY' && !this.valueSchema)
      throw new DataError('An ARRAY schema needs a value schema');
    if (this.type === 'MAP' && (!this.keySchema || !this.valueSchema))
      throw new DataError('A MAP schema needs a key and a value schema');
    if (this.defaultValue !== undefined) validateValue(this, this.defaultValue, 'default value');
  }

  field(name: string): Field | null {
    if (this.type !== 'STRUCT') throw new DataError('Cannot look up fields on non-struct type');
    return this.byName.get(name) ?? null;
  }

  toString(): string {
    return this.name ? `Schema{${this.name}:${this.type}}` : `Schema{${this.type}}`;
  }
}

const primitive = (type: SchemaType, optional: boolean): Schema => new ConnectSchema({ type, optional });

/** Kafka's Schema.*_SCHEMA constants. */
export const Schemas = {
  INT8: primitive('INT8', false),
  INT16: primitive('INT16', false),
  INT32: primitive('INT32', false),
  INT64: primitive('INT64', false),
  FLOAT32: primitive('FLOAT32', false),
  FLOAT64: primitive('FLOAT64', false),
  BOOLEAN: primitive('BOOLEAN', false),
  STRING: primitive('STRING', false),
  BYTES: primitive('BYTES', false),
  OPTIONAL_INT8: primitive('INT8', true),
  OPTIONAL_INT16: primitive('INT16', true),
  OPTIONAL_INT32: primitive('INT32', true),
  OPTIONAL_INT64: primitive('INT64', true),
  OPTIONAL_FLOAT32: primitive('FLOAT32', true),
  OPTIONAL_FLOAT64: primitive('FLOAT64', true),
  OPTIONAL_BOOLEAN: primitive('BOOLEAN', true),
  OPTIONAL_STRING: primitive('STRING', true),
  OPTIONAL_BYTES: primitive('BYTES', true),
} as const;

const INT_RANGES: Partial<Record<SchemaType, [number, number]>> = {
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-(2 ** 31), 2 ** 31 - 1],
};

/** The logical types whose values are not their physical type's (Kafka's LOGICAL_TYPE_CLASSES). */
export const DECIMAL_LOGICAL_NAME = 'org.apache.kafka.connect.data.Decimal';
export const DATE_LOGICAL_NAME = 'org.apache.kafka.connect.data.Date';
export const TIME_LOGICAL_NAME = 'org.apache.kafka.connect.data.Time';
export const TIMESTAMP_LOGICAL_NAME = 'org.apache.kafka.connect.data.Timestamp';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Buffer.isBuffer(value)) return 'Buffer';
  if (Array.isArray(value)) return 'Array';
  if (value instanceof Map) return 'Map';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/**
 * Checks a value against a schema as Kafka's ConnectSchema.validateValue does, throwing DataError
 * with the field's name; `where` names the field or the role of the value in the message.
 */
export function validateValue(schema: Schema, value: ConnectValue, where = 'value'): void {
  if (value === null) {
    if (!schema.optional)
      throw new DataError(
        `Invalid value: null used for required field: "${where}", schema type: ${schema.type}`,
      );
    return;
  }
  const bad = (): never => {
    throw new DataError(
      `Invalid Java object for schema with type ${schema.type}: ${describe(value)} for field: "${where}"`,
    );
  };
  switch (schema.name) {
    case DECIMAL_LOGICAL_NAME:
      if (!(value instanceof DecimalValue)) bad();
      return;
    case DATE_LOGICAL_NAME:
    case TIME_LOGICAL_NAME:
    case TIMESTAMP_LOGICAL_NAME:
      if (!(value instanceof Date)) bad();
      return;
  }
  switch (schema.type) {
    case 'INT8':
    case 'INT16':
    case 'INT32': {
      const [lo, hi] = INT_RANGES[schema.type]!;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) bad();
      return;
    }
    case 'INT64':
      if (typeof value === 'bigint') {
        if (value < -(2n ** 63n) || value >= 2n ** 63n) bad();
      } else if (typeof value !== 'number' || !Number.isSafeInteger(value)) bad();
      return;
    case 'FLOAT32':
    case 'FLOAT64':
      if (typeof value !== 'number') bad();
      return;
    case 'BOOLEAN':
      if (typeof value !== 'boolean') bad();
      return;
    case 'STRING':
      if (typeof value !== 'string') bad();
      return;
    case 'BYTES':
      if (!Buffer.isBuffer(value)) bad();
      return;
    case 'ARRAY':
      if (!Array.isArray(value)) bad();
      for (const item of value as readonly ConnectValue[]) validateValue(schema.valueSchema!, item, where);
      return;
    case 'MAP':
      if (!(value instanceof Map)) bad();
      for (const [k, v] of value as ReadonlyMap<ConnectValue, ConnectValue>) {
        validateValue(schema.keySchema!, k, where);
        validateValue(schema.valueSchema!, v, where);
      }
      return;
    case 'STRUCT': {
      const struct = value as StructValue;
      if (typeof value !== 'object' || !('schema' in struct) || typeof struct.validate !== 'function') bad();
      if (!schemaEquals(struct.schema, schema))
        throw new DataError(`Struct schemas do not match for field: "${where}"`);
      struct.validate();
      return;
    }
  }
}

/** Structural equality of schemas, as Kafka's ConnectSchema.equals. */
export function schemaEquals(a: Schema | null, b: Schema | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (
    a.type !== b.type ||
    a.optional !== b.optional ||
    a.name !== b.name ||
    a.version !== b.version ||
    a.doc !== b.doc ||
    JSON.stringify(a.parameters) !== JSON.stringify(b.parameters) ||
    !valuesEqual(a.defaultValue ?? null, b.defaultValue ?? null) ||
    a.fields.length !== b.fields.length
  )
    return false;
  for (let i = 0; i < a.fields.length; i++) {
    const fa = a.fields[i]!;
    const fb = b.fields[i]!;
    if (fa.name !== fb.name || !schemaEquals(fa.schema, fb.schema)) return false;
  }
  return schemaEquals(a.keySchema, b.keySchema) && schemaEquals(a.valueSchema, b.valueSchema);
}

/** Deep equality of Connect values (Buffers by content, Structs by schema and fields). */
export function valuesEqual(a: ConnectValue, b: ConnectValue): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    return (typeof a === 'bigint' || typeof a === 'number') &&
      (typeof b === 'bigint' || typeof b === 'number')
      ? BigInt(a) === BigInt(b)
      : false;
  }
  if (Buffer.isBuffer(a)) return Buffer.isBuffer(b) && a.equals(b);
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  if (a instanceof DecimalValue)
    return b instanceof DecimalValue && a.unscaled === b.unscaled && a.scale === b.scale;
  if (Array.isArray(a))
    return (
      Array.isArray(b) && a.length === b.length && a.every((x, i) => valuesEqual(x, b[i] as ConnectValue))
    );
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !valuesEqual(v, b.get(k))) return false;
    return true;
  }
  if (typeof a === 'object' && typeof b === 'object' && 'equals' in a) return (a as StructValue).equals(b);
  return false;
}
