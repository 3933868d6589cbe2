import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { ProducerRecord } from '../client/index.js';
import { compressionName, producerConfigFrom } from './client-properties.js';
import {
  type ConnectionOptions,
  collect,
  commandAction,
  connectionOptions,
  kafkaFor,
} from './command-action.js';
import { parseKeyValues } from './key-values.js';
import { SendWindow } from './send-window.js';
import { UsageError } from './usage-error.js';

interface ConsoleProducerOptions extends ConnectionOptions {
  topic: string;
  property: string[];
  producerProperty: string[];
  compressionCodec?: string | true;
  sync?: boolean;
}

/** How many sends may be outstanding before reading more lines (bounds memory on big inputs). */
const SENDS_IN_FLIGHT_MAX = 10_000;

/** How a line becomes a record: Kafka's LineMessageReader properties. */
export interface LineFormat {
  parseKey: boolean;
  keySeparator: string;
  parseHeaders: boolean;
  headersDelimiter: string;
  headersSeparator: string;
  headersKeySeparator: string;
  nullMarker: string | null;
  ignoreError: boolean;
}

export function lineFormatFrom(props: ReadonlyMap<string, string>): LineFormat {
  return {
    parseKey: props.get('parse.key') === 'true',
    keySeparator: props.get('key.separator') ?? '\t',
    parseHeaders: props.get('parse.headers') === 'true',
    headersDelimiter: props.get('headers.delimiter') ?? '\t',
    headersSeparator: props.get('headers.separator') ?? ',',
    headersKeySeparator: props.get('headers.key.separator') ?? ':',
    nullMarker: props.get('null.marker') ?? null,
    ignoreError: props.get('ignore.error') === 'true',
  };
}

/** Parses `headers<TAB>key<TAB>value` (each part only when asked for), as LineMessageReader does. */
export function parseLine(line: string, f: LineFormat, lineNumber: number): ProducerRecord | null {
  let rest = line;
  const record: ProducerRecord = { value: null };
  const orNull = (s: string): string | null => (f.nullMarker !== null && s === f.nullMarker ? null : s);
  const fail = (what: string): null => {
    if (f.ignoreError) return null;
    throw new UsageError(`no ${what} found on line number ${lineNumber}: '${line}'`);
  };
  if (f.parseHeaders) {
    const at = rest.indexOf(f.headersDelimiter);
    if (at < 0) return fail('headers delimiter');
    const raw = rest.slice(0, at);
    rest = rest.slice(at + f.headersDelimiter.length);
    record.headers =
      raw === ''
        ? []
        : raw.split(f.headersSeparator).map((h) => {
            const kv = h.indexOf(f.headersKeySeparator);
            if (kv < 0) return { key: h, value: null };
            const value = orNull(h.slice(kv + f.headersKeySeparator.length));
            return { key: h.slice(0, kv), value: value === null ? null : Buffer.from(value) };
          });
  }
  if (f.parseKey) {
    const at = rest.indexOf(f.keySeparator);
    if (at < 0) return fail('key separator');
    record.key = orNull(rest.slice(0, at));
    rest = rest.slice(at + f.keySeparator.length);
  }
  record.value = orNull(rest);
  return record;
}

export function registerConsoleProducerCommand(program: Command, done: (code: number) => void): void {
  connectionOptions(
    program
      .command('console-producer')
      .description("Write each line of stdin as a record (Kafka's kafka-console-producer.sh)"),
  )
    .requiredOption('--topic <topic>', 'topic to write to')
    .option(
      '--property <key=value>',
      'line format: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, null.marker, ignore.error',
      collect,
      [],
    )
    .option('--producer-property <key=value>', 'a Kafka producer config key; may be repeated', collect, [])
    .option('--compression-codec [codec]', 'none, gzip (the default when given alone), snappy, lz4 or zstd')
    .option('--sync', 'send each record and wait for its acknowledgement before reading the next line')
    .addHelpText(
      'after',
      `
Examples:
  printf 'first\\nsecond\\n' | strom console-producer --topic quickstart-events
  printf 'k1:v1\\n' | strom console-producer --topic t --property parse.key=true --property key.separator=:
  strom console-producer --topic t --producer-property acks=1 --compression-codec lz4 < events.txt`,
    )
    .action(commandAction(done, runConsoleProducer));
}

async function runConsoleProducer(opts: ConsoleProducerOptions): Promise<number | undefined> {
  const format = lineFormatFrom(parseKeyValues(opts.property, '--property'));
  const producerProperties = parseKeyValues(opts.producerProperty, '--producer-property');
  const config = producerConfigFrom(producerProperties);
  if (opts.compressionCodec !== undefined) {
    config.compression = opts.compressionCodec === true ? 'gzip' : compressionName(opts.compressionCodec);
  }
  const producer = kafkaFor(opts, 'console-producer', producerProperties).producer(config);
  const window = new SendWindow(SENDS_IN_FLIGHT_MAX);
  try {
    const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
    let n = 0;
    for await (const line of lines) {
      const record = parseLine(line, format, ++n);
      if (record === null) continue;
      if (opts.sync) {
        await producer.send(opts.topic, record);
      } else {
        // A callback per record rather than a promise: a pipe of small lines is otherwise bound by
        // the promises' cost, not by the broker.
        window.add();
        const queued = producer.sendWithCallback(opts.topic, record, window.settle);
        if (queued !== undefined) await queued;
        if (window.full) await window.below(SENDS_IN_FLIGHT_MAX / 2);
      }
      if (window.failure) break;
    }
    await window.below(0);
    if (window.failure) throw window.failure;
  } finally {
    await producer.close();
  }
  return undefined;
}
