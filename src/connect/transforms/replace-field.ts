import type { ConnectRecord } from '../api/connect-record.js';
import { ConfigError, ConnectConfigDef } from '../config/connect-config-def.js';
import type { ConnectValue } from '../data/schema.js';
import { Struct } from '../data/struct.js';
import {
  copySchemaBasics,
  fieldList,
  partSchema,
  partValue,
  type RecordPart,
  requireMap,
  requireStruct,
  withPart,
} from './record-part.js';
import type { Transformation } from './transformation.js';

const PURPOSE = 'field replacement';

/** Kafka's ReplaceField: keeps (`include`), drops (`exclude`) and renames (`renames=old:new,...`) fields. */
abstract class ReplaceField implements Transformation {
  private exclude = new Set<string>();
  private include = new Set<string>();
  private renames = new Map<string, string>();
  private reverseRenames = new Map<string, string>();
  protected abstract readonly part: RecordPart;

  config(): ConnectConfigDef {
    return new ConnectConfigDef([
      {
        name: 'exclude',
        type: 'list',
        defaultValue: '',
        importance: 'MEDIUM',
        documentation: 'Fields to exclude. This takes precedence over the fields to include.',
      },
      {
        name: 'include',
        type: 'list',
        defaultValue: '',
        importance: 'MEDIUM',
        documentation: 'Fields to include. If specified, only these fields will be used.',
      },
      {
        name: 'renames',
        type: 'list',
        defaultValue: '',
        importance: 'MEDIUM',
        documentation: 'Field rename mappings.',
        validator: (key, v) => {
          for (const item of (v as readonly string[] | null) ?? [])
            if (item.split(':').length !== 2)
              throw ConfigError.invalid(key, v, `Invalid rename mapping: ${item}`);
        },
      },
      {
        name: 'blacklist',
        type: 'list',
        defaultValue: null,
        importance: 'LOW',
        documentation: 'Deprecated. Use exclude instead.',
      },
      {
        name: 'whitelist',
        type: 'list',
        defaultValue: null,
        importance: 'LOW',
        documentation: 'Deprecated. Use include instead.',
      },
    ]);
  }

  configure(props: Readonly<Record<string, string>>): void {
    const c = this.config().parse(props);
    const pick = (name: string, old: string) =>
      props[name] !== undefined ? c.getList(name) : c.getList(old);
    this.exclude = new Set(fieldList(pick('exclude', 'blacklist')));
    this.include = new Set(fieldList(pick('include', 'whitelist')));
    this.renames = new Map(c.getList('renames').map((r) => r.split(':') as [string, string]));
    this.reverseRenames = new Map([...this.renames].map(([a, b]) => [b, a]));
  }

  private filter(name: string): boolean {
    return !this.exclude.has(name) && (this.include.size === 0 || this.include.has(name));
  }

  private renamed(name: string): string {
    return this.renames.get(name) ?? name;
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const value = partValue(record, this.part);
    if (value === null) return record;
    const schema = partSchema(record, this.part);
    if (schema === null) {
      const out = new Map<ConnectValue, ConnectValue>();
      for (const [k, v] of requireMap(value, PURPOSE)) if (this.filter(k)) out.set(this.renamed(k), v);
      return withPart(record, this.part, null, out);
    }
    const struct = requireStruct(value, PURPOSE);
    const builder = copySchemaBasics(schema);
    for (const f of schema.fields) if (this.filter(f.name)) builder.field(this.renamed(f.name), f.schema);
    const updatedSchema = builder.build();
    const updated = new Struct(updatedSchema);
    for (const f of updatedSchema.fields)
      updated.put(f.name, struct.get(this.reverseRenames.get(f.name) ?? f.name));
    return withPart(record, this.part, updatedSchema, updated);
  }

  close(): void {}
}

export class ReplaceFieldKey extends ReplaceField {
  protected readonly part = 'key';
}

export class ReplaceFieldValue extends ReplaceField {
  protected readonly part = 'value';
}
