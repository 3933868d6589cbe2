import { DataError } from '../connect-error.js';
import {
  ConnectSchema,
  type ConnectValue,
  DATE_LOGICAL_NAME,
  DECIMAL_LOGICAL_NAME,
  type Field,
  type Schema,
  type SchemaType,
  TIME_LOGICAL_NAME,
  TIMESTAMP_LOGICAL_NAME,
} from './schema.js';

/** Kafka Connect's SchemaBuilder: a fluent way to build a ConnectSchema. */
export class SchemaBuilder {
  private optionalValue = false;
  private defaultVal: ConnectValue | undefined = undefined;
  private nameValue: string | null = null;
  private versionValue: number | null = null;
  private docValue: string | null = null;
  private params: Record<string, string> | null = null;
  private readonly fieldList: Field[] = [];

  constructor(
    readonly type: SchemaType,
    private readonly keySchema: Schema | null = null,
    private readonly valueSchema: Schema | null = null,
  ) {}

  static int8(): SchemaBuilder {
    return new SchemaBuilder('INT8');
  }
  static int16(): SchemaBuilder {
    return new SchemaBuilder('INT16');
  }
  static int32(): SchemaBuilder {
    return new SchemaBuilder('INT32');
  }
  static int64(): SchemaBuilder {
    return new SchemaBuilder('INT64');
  }
  static float32(): SchemaBuilder {
    return new SchemaBuilder('FLOAT32');
  }
  static float64(): SchemaBuilder {
    return new SchemaBuilder('FLOAT64');
  }
  static bool(): SchemaBuilder {
    return new SchemaBuilder('BOOLEAN');
  }
  static string(): SchemaBuilder {
    return new SchemaBuilder('STRING');
  }
  static bytes(): SchemaBuilder {
    return new SchemaBuilder('BYTES');
  }
  static struct(): SchemaBuilder {
    return new SchemaBuilder('STRUCT');
  }
  static array(valueSchema: Schema): SchemaBuilder {
    return new SchemaBuilder('ARRAY', null, valueSchema);
  }
  static map(keySchema: Schema, valueSchema: Schema): SchemaBuilder {
    return new SchemaBuilder('MAP', keySchema, valueSchema);
  }
  /** A builder of the given type (Kafka's SchemaBuilder.type). */
  static type(type: SchemaType): SchemaBuilder {
    return new SchemaBuilder(type);
  }

  /** Kafka's Decimal logical type: BYTES holding the unscaled two's-complement value, scale as a parameter. */
  static decimal(scale: number): SchemaBuilder {
    return SchemaBuilder.bytes().name(DECIMAL_LOGICAL_NAME).version(1).parameter('scale', String(scale));
  }
  /** Kafka's Date logical type: INT32 days since the epoch. */
  static date(): SchemaBuilder {
    return SchemaBuilder.int32().name(DATE_LOGICAL_NAME).version(1);
  }
  /** Kafka's Time logical type: INT32 milliseconds since midnight. */
  static time(): SchemaBuilder {
    return SchemaBuilder.int32().name(TIME_LOGICAL_NAME).version(1);
  }
  /** Kafka's Timestamp logical type: INT64 milliseconds since the epoch. */
  static timestamp(): SchemaBuilder {
    return SchemaBuilder.int64().name(TIMESTAMP_LOGICAL_NAME).version(1);
  }

  optional(): this {
    this.optionalValue = true;
    return this;
  }
  required(): this {
    this.optionalValue = false;
    return this;
  }
  defaultValue(value: ConnectValue): this {
    this.defaultVal = value;
    return this;
  }
  name(name: string): this {
    this.nameValue = name;
    return this;
  }
  version(version: number): this {
    this.versionValue = version;
    return this;
  }
  doc(doc: string): this {
    this.docValue = doc;
    return this;
  }
  parameter(name: string, value: string): this {
    this.params = { ...(this.params ?? {}), [name]: value };
    return this;
  }
  parameters(params: Record<string, string>): this {
    this.params = { ...(this.params ?? {}), ...params };
    return this;
  }

  /** Adds a STRUCT field; names are unique, as in Kafka. */
  field(name: string, schema: Schema | SchemaBuilder): this {
    if (this.type !== 'STRUCT') throw new DataError(`Cannot create fields on type ${this.type}`);
    if (name === '') throw new DataError('fieldName cannot be null.');
    if (this.fieldList.some((f) => f.name === name))
      throw new DataError(`Cannot create field because of field name duplication ${name}`);
    const built = schema instanceof SchemaBuilder ? schema.build() : schema;
    this.fieldList.push({ name, index: this.fieldList.length, schema: built });
    return this;
  }

  build(): Schema {
    return new ConnectSchema({
      type: this.type,
      optional: this.optionalValue,
      defaultValue: this.defaultVal,
      name: this.nameValue,
      version: this.versionValue,
      doc: this.docValue,
      parameters: this.params,
      fields: this.fieldList,
      keySchema: this.keySchema,
      valueSchema: this.valueSchema,
    });
  }
}
