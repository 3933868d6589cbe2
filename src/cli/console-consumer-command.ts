import type { Command } from 'commander';
import { ClientError, type Consumer, type ConsumerConfig, type Kafka } from '../client/index.js';
import { consumerConfigFrom } from './client-properties.js';
import { isClosedOutputError, onClosedOutput } from './closed-output.js';
import {
  type ConnectionOptions,
  collect,
  commandAction,
  connectionOptions,
  kafkaFor,
  writeOut,
} from './command-action.js';
import { parseIntOption, parseKeyValues } from './key-values.js';
import { formatRecord, formatRecordJson, recordFormatFrom } from './record-formatter.js';
import { UsageError } from './usage-error.js';

interface ConsoleConsumerOptions extends ConnectionOptions {
  topic: string;
  fromBeginning?: boolean;
  group?: string;
  partition?: string;
  offset?: string;
  maxMessages?: string;
  timeoutMs?: string;
  property: string[];
  consumerProperty: string[];
  isolationLevel?: string;
  format: string;
}

export function registerConsoleConsumerCommand(program: Command, done: (code: number) => void): void {
  connectionOptions(
    program
      .command('console-consumer')
      .description("Print records of a topic to stdout (Kafka's kafka-console-consumer.sh)"),
  )
    .requiredOption('--topic <topic>', 'topic to read')
    .option('--from-beginning', 'start at the earliest offset when there is no committed offset')
    .option('--group <group>', 'consumer group to join (its committed offsets are used and updated)')
    .option('--partition <n>', 'read only this partition (no group)')
    .option('--offset <offset>', 'with --partition: an offset, earliest or latest (default latest)')
    .option('--max-messages <n>', 'exit after this many records')
    .option('--timeout-ms <ms>', 'exit when no record arrives for this long')
    .option(
      '--property <key=value>',
      'print.key, print.timestamp, print.headers, print.partition, print.offset, print.value, key.separator, line.separator, headers.separator, headers.key.separator, null.literal',
      collect,
      [],
    )
    .option('--consumer-property <key=value>', 'a Kafka consumer config key; may be repeated', collect, [])
    .option('--isolation-level <level>', 'read_uncommitted (default) or read_committed')
    .option('--format <format>', "text (Kafka's formatter) or json (one object per line)", 'text')
    .addHelpText(
      'after',
      `
Examples:
  strom console-consumer --topic quickstart-events --from-beginning
  strom console-consumer --topic t --group g --max-messages 10 --property print.key=true --property print.offset=true
  strom console-consumer --topic t --partition 0 --offset 42 --timeout-ms 5000 --format json

Without --group or --partition the consumer reads every partition without joining a group, so no
throw-away group is left behind. On exit it prints "Processed a total of N messages" to stderr.`,
    )
    .action(commandAction(done, runConsoleConsumer));
}

async function runConsoleConsumer(opts: ConsoleConsumerOptions): Promise<number | undefined> {
  if (opts.format !== 'text' && opts.format !== 'json') throw new UsageError('--format must be text or json');
  if (opts.offset !== undefined && opts.partition === undefined)
    throw new UsageError('--offset needs --partition');
  if (opts.partition !== undefined && opts.group !== undefined) {
    throw new UsageError('--partition and --group cannot be used together');
  }
  const maxMessages =
    opts.maxMessages === undefined ? Infinity : parseIntOption(opts.maxMessages, '--max-messages', 1);
  const timeoutMs =
    opts.timeoutMs === undefined ? Infinity : parseIntOption(opts.timeoutMs, '--timeout-ms', 0);
  const format = recordFormatFrom(parseKeyValues(opts.property, '--property'));
  const consumerProperties = parseKeyValues(opts.consumerProperty, '--consumer-property');
  const config: ConsumerConfig = {
    autoOffsetReset: opts.fromBeginning ? 'earliest' : 'latest',
    ...consumerConfigFrom(consumerProperties),
  };
  if (opts.group !== undefined) config.groupId = opts.group;
  if (opts.isolationLevel !== undefined) {
    config.isolationLevel = consumerConfigFrom(new Map([['isolation.level', opts.isolationLevel]]))
      .isolationLevel!;
  }
  const kafka = kafkaFor(opts, 'console-consumer', consumerProperties);
  const consumer = kafka.consumer(config);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // A closed pipe ends the loop, so the consumer still closes (and commits) before the exit.
  onClosedOutput(() => stop.abort());
  let processed = 0;
  try {
    await startReading(kafka, consumer, opts, config.groupId);
    let lastRecord = performance.now();
    while (processed < maxMessages && !stop.signal.aborted) {
      const waitMs = Math.min(1000, Math.max(0, timeoutMs - (performance.now() - lastRecord)));
      const records = await consumer
        .poll({ maxRecords: Math.min(500, maxMessages - processed), timeoutMs: waitMs, signal: stop.signal })
        .catch((err: unknown) => {
          if (stop.signal.aborted && err instanceof ClientError && err.code === 'ABORTED') return [];
          throw err;
        });
      if (records.length > 0) {
        lastRecord = performance.now();
        processed += records.length;
        const text = records.map((r) =>
          opts.format === 'json' ? formatRecordJson(r) : formatRecord(r, format),
        );
        if (!(await writeOrStop(text.join('')))) break;
      } else if (performance.now() - lastRecord >= timeoutMs) {
        break;
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await consumer.close();
    onClosedOutput(null);
    process.stderr.write(`Processed a total of ${processed} messages\n`);
  }
  return undefined;
}

/** Assigns or subscribes as the options ask, and seeks to --offset. */
async function startReading(
  kafka: Kafka,
  consumer: Consumer,
  opts: ConsoleConsumerOptions,
  groupId: string | undefined,
): Promise<void> {
  if (groupId !== undefined) {
    consumer.subscribe(opts.topic);
    return;
  }
  const admin = kafka.admin();
  let partitions: number[];
  try {
    const [info] = await admin.describeTopics([opts.topic]);
    partitions = info!.partitions.map((p) => p.partition);
  } finally {
    await admin.close();
  }
  if (opts.partition === undefined) {
    consumer.assign(partitions.map((partition) => ({ topic: opts.topic, partition })));
    return;
  }
  const partition = parseIntOption(opts.partition, '--partition', 0);
  if (!partitions.includes(partition)) {
    throw new ClientError('INVALID_ARGUMENT', `partition ${partition} of ${opts.topic} does not exist`);
  }
  const tp = { topic: opts.topic, partition };
  consumer.assign([tp]);
  const offset = opts.offset ?? (opts.fromBeginning ? 'earliest' : 'latest');
  if (offset === 'earliest') await consumer.seekToBeginning([tp]);
  else if (offset === 'latest') await consumer.seekToEnd([tp]);
  else consumer.seek(tp, BigInt(parseIntOption(offset, '--offset', 0)));
}

/** Writes records; false when stdout is gone (a closed pipe such as `| head`). */
async function writeOrStop(text: string): Promise<boolean> {
  try {
    await writeOut(text);
    return true;
  } catch (err) {
    if (isClosedOutputError(err)) return false;
    throw err;
  }
}
