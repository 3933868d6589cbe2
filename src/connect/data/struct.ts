import { DataError } from '../connect-error.js';
import {
  type ConnectValue,
  type Field,
  type Schema,
  type StructValue,
  schemaEquals,
  validateValue,
  valuesEqual,
} from './schema.js';

/** Kafka Connect's Struct: the value of a STRUCT schema, fields checked as they are put. */
export class Struct implements StructValue {
  private readonly values: ConnectValue[];

  constructor(readonly schema: Schema) {
    if (schema.type !== 'STRUCT') throw new DataError(`Not a struct schema: ${String(schema)}`);
    this.values = new Array<ConnectValue>(schema.fields.length).fill(null);
  }

  /** Sets a field after checking the value against the field's schema; returns this for chaining. */
  put(fieldName: string, value: ConnectValue): this {
    const field = this.lookup(fieldName);
    validateValue(field.schema, value, field.name);
    this.values[field.index] = value;
    return this;
  }

  /** The field's value, or its schema's default when it was not set (Kafka's Struct.get). */
  get(fieldName: string): ConnectValue {
    const field = this.lookup(fieldName);
    const value = this.values[field.index]!;
    return value === null && field.schema.defaultValue !== undefined ? field.schema.defaultValue : value;
  }

  /** The value without the default applied (Kafka's getWithoutDefault). */
  getWithoutDefault(fieldName: string): ConnectValue {
    return this.values[this.lookup(fieldName).index]!;
  }

  getString(fieldName: string): string | null {
    return this.typed(fieldName, 'string') as string | null;
  }

  getNumber(fieldName: string): number | null {
    return this.typed(fieldName, 'number') as number | null;
  }

  getBoolean(fieldName: string): boolean | null {
    return this.typed(fieldName, 'boolean') as boolean | null;
  }

  getStruct(fieldName: string): Struct | null {
    const v = this.get(fieldName);
    if (v !== null && !(v instanceof Struct)) throw new DataError(`Field "${fieldName}" is not a struct`);
    return v;
  }

  /** Checks every required field has a value, as Kafka's Struct.validate. */
  validate(): void {
    for (const field of this.schema.fields) {
      const value = this.values[field.index]!;
      validateValue(field.schema, value === null ? (field.schema.defaultValue ?? null) : value, field.name);
    }
  }

  equals(other: unknown): boolean {
    if (!(other instanceof Struct) || !schemaEquals(this.schema, other.schema)) return false;
    return this.values.every((v, i) => valuesEqual(v, other.values[i]!));
  }

  toString(): string {
    const parts = this.schema.fields.map((f) => `${f.name}=${String(this.values[f.index])}`);
    return `Struct{${parts.join(',')}}`;
  }

  private lookup(fieldName: string): Field {
    const field = this.schema.field(fieldName);
    if (!field) throw new DataError(`${fieldName} is not a valid field name`);
    return field;
  }

  private typed(fieldName: string, type: 'string' | 'number' | 'boolean'): ConnectValue {
    const v = this.get(fieldName);
    if (v !== null && typeof v !== type) throw new DataError(`Field "${fieldName}" is not a ${type}`);
    return v;
  }
}
