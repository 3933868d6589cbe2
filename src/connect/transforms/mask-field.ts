import type { ConnectRecord } from '../api/connect-record.js';
import { ConfigError, ConfigValidators, ConnectConfigDef } from '../config/connect-config-def.js';
import { DataError } from '../connect-error.js';
import { type ConnectValue, DecimalValue, type Schema } from '../data/schema.js';
import { Struct } from '../data/struct.js';
import {
  fieldList,
  partSchema,
  partValue,
  type RecordPart,
  requireMap,
  requireStruct,
  withPart,
} from './record-part.js';
import type { Transformation } from './transformation.js';

const PURPOSE = 'mask fields';

/** The value a masked field takes: its type's empty value, as Kafka's MaskField.PRIMITIVE_VALUE_MAPPING. */
function emptyValueOf(value: ConnectValue, schema: Schema | null): ConnectValue {
  if (schema) {
    switch (schema.type) {
      case 'BOOLEAN':
        return false;
      case 'STRING':
        return '';
      case 'BYTES':
        return value instanceof DecimalValue ? new DecimalValue(0n, value.scale) : Buffer.alloc(0);
      case 'ARRAY':
        return [];
      case 'MAP':
        return new Map();
      case 'STRUCT':
        throw new DataError('Cannot mask value of type STRUCT');
      case 'INT64':
        return typeof value === 'bigint' ? 0n : 0;
      default:
        return value instanceof Date ? new Date(0) : 0;
    }
  }
  if (typeof value === 'boolean') return false;
  if (typeof value === 'string') return '';
  if (typeof value === 'bigint') return 0n;
  if (typeof value === 'number') return 0;
  if (Buffer.isBuffer(value)) return Buffer.alloc(0);
  if (value instanceof Date) return new Date(0);
  if (value instanceof DecimalValue) return new DecimalValue(0n, value.scale);
  if (Array.isArray(value)) return [];
  if (value instanceof Map) return new Map();
  throw new DataError(`Cannot mask value of type ${typeof value}`);
}

/**
 * Kafka's MaskField: replaces the named fields with their type's empty value (0, false, "",
 * empty bytes, list or map), or with `replacement` (parsed as the field's type) when set.
 */
abstract class MaskField implements Transformation {
  private fields = new Set<string>();
  private replacement: string | null = null;
  protected abstract readonly part: RecordPart;

  config(): ConnectConfigDef {
    return new ConnectConfigDef([
      {
        name: 'fields',
        type: 'list',
        importance: 'HIGH',
        documentation: 'Names of fields to mask.',
        validator: ConfigValidators.nonEmptyList(),
      },
      {
        name: 'replacement',
        type: 'string',
        defaultValue: null,
        importance: 'LOW',
        documentation:
          "Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only).",
        validator: (key, v) => {
          if (v === '') throw ConfigError.invalid(key, v, 'String may not be empty');
        },
      },
    ]);
  }

  configure(props: Readonly<Record<string, string>>): void {
    const c = this.config().parse(props);
    this.fields = new Set(fieldList(c.getList('fields')));
    this.replacement = c.getString('replacement');
  }

  private masked(value: ConnectValue, schema: Schema | null): ConnectValue {
    if (this.replacement === null) return emptyValueOf(value, schema);
    const r = this.replacement;
    const type =
      schema?.type ??
      (typeof value === 'string'
        ? 'STRING'
        : typeof value === 'number'
          ? 'FLOAT64'
          : typeof value === 'bigint'
            ? 'INT64'
            : null);
    switch (type) {
      case 'STRING':
        return r;
      case 'INT8':
      case 'INT16':
      case 'INT32':
      case 'FLOAT32':
      case 'FLOAT64': {
        const n = Number(r);
        if (Number.isNaN(n)) throw new DataError(`Unable to convert ${r} to a number`);
        return n;
      }
      case 'INT64':
        if (!/^-?\d+$/.test(r)) throw new DataError(`Unable to convert ${r} to a number`);
        return typeof value === 'bigint' ? BigInt(r) : Number(r);
      default:
        throw new DataError(`Cannot mask value of type ${type ?? typeof value} with custom replacement.`);
    }
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const value = partValue(record, this.part);
    if (value === null) return record;
    const schema = partSchema(record, this.part);
    if (schema === null) {
      const out = new Map<ConnectValue, ConnectValue>(requireMap(value, PURPOSE));
      for (const f of this.fields) if (out.has(f)) out.set(f, this.masked(out.get(f)!, null));
      return withPart(record, this.part, null, out);
    }
    const struct = requireStruct(value, PURPOSE);
    const updated = new Struct(schema);
    for (const f of schema.fields) {
      const v = struct.get(f.name);
      updated.put(f.name, this.fields.has(f.name) && v !== null ? this.masked(v, f.schema) : v);
    }
    return withPart(record, this.part, schema, updated);
  }

  close(): void {}
}

export class MaskFieldKey extends MaskField {
  protected readonly part = 'key';
}

export class MaskFieldValue extends MaskField {
  protected readonly part = 'value';
}
