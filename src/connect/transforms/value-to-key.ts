import type { ConnectRecord } from '../api/connect-record.js';
import { ConfigValidators, ConnectConfigDef } from '../config/connect-config-def.js';
import { DataError } from '../connect-error.js';
import type { ConnectValue } from '../data/schema.js';
import { SchemaBuilder } from '../data/schema-builder.js';
import { Struct } from '../data/struct.js';
import { fieldList, requireMap, requireStruct } from './record-part.js';
import type { Transformation } from './transformation.js';

const PURPOSE = 'copying fields from value to key';

/** Kafka's ValueToKey: the key becomes a struct (or map) of the named fields of the value. */
export class ValueToKey implements Transformation {
  private fields: string[] = [];

  config(): ConnectConfigDef {
    return new ConnectConfigDef([
      {
        name: 'fields',
        type: 'list',
        importance: 'HIGH',
        documentation: 'Field names on the record value to extract as the record key.',
        validator: ConfigValidators.nonEmptyList(),
      },
    ]);
  }

  configure(props: Readonly<Record<string, string>>): void {
    this.fields = fieldList(this.config().parse(props).getList('fields'));
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    if (record.valueSchema === null) {
      const value = requireMap(record.value, PURPOSE);
      const key = new Map<ConnectValue, ConnectValue>();
      for (const f of this.fields) key.set(f, value.get(f) ?? null);
      return record.newRecord({ keySchema: null, key });
    }
    const value = requireStruct(record.value, PURPOSE);
    const builder = SchemaBuilder.struct();
    for (const f of this.fields) {
      const field = record.valueSchema.field(f);
      if (!field) throw new DataError(`Field does not exist: ${f}`);
      builder.field(f, field.schema);
    }
    const keySchema = builder.build();
    const key = new Struct(keySchema);
    for (const f of this.fields) key.put(f, value.get(f));
    return record.newRecord({ keySchema, key });
  }

  close(): void {}
}
