import type { ConnectRecord } from '../api/connect-record.js';
import { ConfigError, ConnectConfigDef } from '../config/connect-config-def.js';
import type { Predicate } from './transformation.js';

/** Kafka's TopicNameMatches: true when the whole topic name matches `pattern`. */
export class TopicNameMatches implements Predicate {
  private pattern: RegExp = /^$/;

  config(): ConnectConfigDef {
    return new ConnectConfigDef([
      {
        name: 'pattern',
        type: 'string',
        importance: 'MEDIUM',
        documentation: "A Java regular expression for matching against the name of a record's topic.",
        validator: (key, v) => {
          if (typeof v !== 'string' || v === '') throw ConfigError.invalid(key, v, 'String may not be empty');
          try {
            new RegExp(v);
          } catch (err) {
            throw ConfigError.invalid(
              key,
              v,
              `entry must be a Java-compatible regular expression: ${(err as Error).message}`,
            );
          }
        },
      },
    ]);
  }

  configure(props: Readonly<Record<string, string>>): void {
    this.pattern = new RegExp(`^(?:${this.config().parse(props).getString('pattern')})$`);
  }

  test(record: ConnectRecord): boolean {
    return this.pattern.test(record.topic);
  }

  close(): void {}
}

/** Kafka's HasHeaderKey: true when the record has at least one header with key `name`. */
export class HasHeaderKey implements Predicate {
  private name = '';

  config(): ConnectConfigDef {
    return new ConnectConfigDef([
      { name: 'name', type: 'string', importance: 'MEDIUM', documentation: 'The header name.' },
    ]);
  }

  configure(props: Readonly<Record<string, string>>): void {
    this.name = this.config().parse(props).getString('name')!;
  }

  test(record: ConnectRecord): boolean {
    return record.headers.some((h) => h.key === this.name);
  }

  close(): void {}
}

/** Kafka's RecordIsTombstone: true for a record whose value is null. */
export class RecordIsTombstone implements Predicate {
  config(): ConnectConfigDef {
    return new ConnectConfigDef();
  }
  configure(): void {}
  test(record: ConnectRecord): boolean {
    return record.value === null;
  }
  close(): void {}
}
