import type { ConnectRecord } from '../api/connect-record.js';
import { ConnectConfigDef } from '../config/connect-config-def.js';
import { DataError } from '../connect-error.js';
import {
  partSchema,
  partValue,
  type RecordPart,
  requireMap,
  requireStruct,
  withPart,
} from './record-part.js';
import type { Transformation } from './transformation.js';

const PURPOSE = 'field extraction';

/** Kafka's ExtractField: the key or value becomes one of its fields. */
abstract class ExtractField implements Transformation {
  private field = '';
  protected abstract readonly part: RecordPart;

  config(): ConnectConfigDef {
    return new ConnectConfigDef([
      { name: 'field', type: 'string', importance: 'MEDIUM', documentation: 'Field name to extract.' },
    ]);
  }

  configure(props: Readonly<Record<string, string>>): void {
    this.field = this.config().parse(props).getString('field')!;
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const value = partValue(record, this.part);
    const schema = partSchema(record, this.part);
    if (schema === null) {
      if (value === null) return withPart(record, this.part, null, null);
      return withPart(record, this.part, null, requireMap(value, PURPOSE).get(this.field) ?? null);
    }
    const field = schema.field(this.field);
    if (!field) throw new DataError(`Unknown field: ${this.field}`);
    if (value === null) return withPart(record, this.part, field.schema, null);
    return withPart(record, this.part, field.schema, requireStruct(value, PURPOSE).get(this.field));
  }

  close(): void {}
}

export class ExtractFieldKey extends ExtractField {
  protected readonly part = 'key';
}

export class ExtractFieldValue extends ExtractField {
  protected readonly part = 'value';
}
