import type { ConnectRecord } from '../api/connect-record.js';
import { ConfigError, ConnectConfigDef } from '../config/connect-config-def.js';
import { DataError } from '../connect-error.js';
import type { Transformation } from './transformation.js';

/**
 * Java's SimpleDateFormat for the patterns topic names use (y, M, d, H, h, m, s, S, a and quoted
 * text), in UTC as Kafka's TimestampRouter formats.
 */
export function formatTimestamp(pattern: string, ms: number): string {
  const d = new Date(ms);
  const tokens = /'([^']*)'|y+|M+|d+|H+|h+|m+|s+|S+|a/g;
  return pattern.replace(tokens, (token, quoted: string | undefined) => {
    if (quoted !== undefined) return quoted === '' ? "'" : quoted;
    const pad = (n: number) => String(n).padStart(token.length, '0');
    switch (token[0]) {
      case 'y':
        return token.length === 2
          ? String(d.getUTCFullYear() % 100).padStart(2, '0')
          : pad(d.getUTCFullYear());
      case 'M':
        return pad(d.getUTCMonth() + 1);
      case 'd':
        return pad(d.getUTCDate());
      case 'H':
        return pad(d.getUTCHours());
      case 'h':
        return pad(d.getUTCHours() % 12 || 12);
      case 'm':
        return pad(d.getUTCMinutes());
      case 's':
        return pad(d.getUTCSeconds());
      case 'S':
        return pad(d.getUTCMilliseconds());
      default:
        return d.getUTCHours() < 12 ? 'AM' : 'PM';
    }
  });
}

/** Kafka's placeholders in TimestampRouter's topic.format. */
const TOPIC_PLACEHOLDER = '$' + '{topic}';
const TIMESTAMP_PLACEHOLDER = '$' + '{timestamp}';
const DEFAULT_TOPIC_FORMAT = `${TOPIC_PLACEHOLDER}-${TIMESTAMP_PLACEHOLDER}`;

/** Kafka's TimestampRouter: the topic becomes `topic.format` with its topic and timestamp placeholders filled in. */
export class TimestampRouter implements Transformation {
  private topicFormat = DEFAULT_TOPIC_FORMAT;
  private timestampFormat = 'yyyyMMdd';

  config(): ConnectConfigDef {
    return new ConnectConfigDef([
      {
        name: 'topic.format',
        type: 'string',
        defaultValue: DEFAULT_TOPIC_FORMAT,
        importance: 'HIGH',
        documentation: `Format string which can contain <code>${TOPIC_PLACEHOLDER}</code> and <code>${TIMESTAMP_PLACEHOLDER}</code> as placeholders for the topic and timestamp, respectively.`,
      },
      {
        name: 'timestamp.format',
        type: 'string',
        defaultValue: 'yyyyMMdd',
        importance: 'HIGH',
        documentation:
          'Format string for the timestamp that is compatible with <code>java.text.SimpleDateFormat</code>.',
      },
    ]);
  }

  configure(props: Readonly<Record<string, string>>): void {
    const c = this.config().parse(props);
    this.topicFormat = c.getString('topic.format')!;
    this.timestampFormat = c.getString('timestamp.format')!;
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    if (record.timestamp === null) throw new DataError(`Timestamp missing on record: ${record.topic}`);
    const stamp = formatTimestamp(this.timestampFormat, record.timestamp);
    const topic = this.topicFormat
      .replaceAll(TOPIC_PLACEHOLDER, record.topic)
      .replaceAll(TIMESTAMP_PLACEHOLDER, stamp);
    return record.newRecord({ topic });
  }

  close(): void {}
}

/** Kafka's RegexRouter: a topic matching `regex` whole is renamed with `replacement` ($1 for groups). */
export class RegexRouter implements Transformation {
  private regex: RegExp = /^$/;
  private replacement = '';

  config(): ConnectConfigDef {
    return new ConnectConfigDef([
      {
        name: 'regex',
        type: 'string',
        importance: 'HIGH',
        documentation: 'Regular expression to use for matching.',
        validator: (key, v) => {
          try {
            new RegExp(String(v));
          } catch (err) {
            throw ConfigError.invalid(key, v, (err as Error).message);
          }
        },
      },
      { name: 'replacement', type: 'string', importance: 'HIGH', documentation: 'Replacement string.' },
    ]);
  }

  configure(props: Readonly<Record<string, string>>): void {
    const c = this.config().parse(props);
    // Java's Matcher.matches(): the whole topic must match.
    this.regex = new RegExp(`^(?:${c.getString('regex')})$`);
    this.replacement = c.getString('replacement')!;
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    if (!this.regex.test(record.topic)) return record;
    return record.newRecord({ topic: record.topic.replace(this.regex, this.replacement) });
  }

  close(): void {}
}
