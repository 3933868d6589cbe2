import type { ConsumerRecord } from '../client/index.js';

/** What Kafka's DefaultMessageFormatter prints, chosen with --property. */
export interface RecordFormat {
  printTimestamp: boolean;
  printKey: boolean;
  printValue: boolean;
  printHeaders: boolean;
  printPartition: boolean;
  printOffset: boolean;
  keySeparator: string;
  lineSeparator: string;
  headersSeparator: string;
  headersKeySeparator: string;
  nullLiteral: string;
}

export function recordFormatFrom(props: ReadonlyMap<string, string>): RecordFormat {
  const on = (k: string, dflt = false): boolean => (props.has(k) ? props.get(k) === 'true' : dflt);
  return {
    printTimestamp: on('print.timestamp'),
    printKey: on('print.key'),
    printValue: on('print.value', true),
    printHeaders: on('print.headers'),
    printPartition: on('print.partition'),
    printOffset: on('print.offset'),
    keySeparator: props.get('key.separator') ?? '\t',
    lineSeparator: props.get('line.separator') ?? '\n',
    headersSeparator: props.get('headers.separator') ?? ',',
    headersKeySeparator: props.get('headers.key.separator') ?? ':',
    nullLiteral: props.get('null.literal') ?? 'null',
  };
}

/** One record in DefaultMessageFormatter's order: timestamp, partition, offset, headers, key, value. */
export function formatRecord(r: ConsumerRecord, f: RecordFormat): string {
  const text = (b: Buffer | null): string => (b === null ? f.nullLiteral : b.toString('utf8'));
  const parts: string[] = [];
  // The consumer does not see the batch's timestamp type; records carry producer (create) times
  // unless the topic uses LogAppendTime.
  if (f.printTimestamp) parts.push(r.timestamp < 0n ? 'NO_TIMESTAMP' : `CreateTime:${r.timestamp}`);
  if (f.printPartition) parts.push(`Partition:${r.partition}`);
  if (f.printOffset) parts.push(`Offset:${r.offset}`);
  if (f.printHeaders) {
    parts.push(
      r.headers.length === 0
        ? 'NO_HEADERS'
        : r.headers.map((h) => `${h.key}${f.headersKeySeparator}${text(h.value)}`).join(f.headersSeparator),
    );
  }
  if (f.printKey) parts.push(text(r.key));
  if (f.printValue) parts.push(text(r.value));
  return parts.join(f.keySeparator) + f.lineSeparator;
}

/** One record as a JSON line (--format json); key, value and header values as UTF-8 text. */
export function formatRecordJson(r: ConsumerRecord): string {
  const text = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));
  return `${JSON.stringify({
    topic: r.topic,
    partition: r.partition,
    offset: Number(r.offset),
    timestamp: Number(r.timestamp),
    key: text(r.key),
    value: text(r.value),
    headers: r.headers.map((h) => ({ key: h.key, value: text(h.value) })),
  })}\n`;
}
