import type { Command } from 'commander';
import type { OffsetTimestamp } from '../client/index.js';
import {
  type ConnectionOptions,
  commandAction,
  connectionOptions,
  kafkaFor,
  writeOut,
} from './command-action.js';
import { parseIntOption } from './key-values.js';
import { selectTopics } from './topic-selection.js';
import { UsageError } from './usage-error.js';

interface GetOffsetsOptions extends ConnectionOptions {
  topic?: string;
  partitions?: string;
  time: string;
  excludeInternalTopics?: boolean;
  json?: boolean;
}

export function registerGetOffsetsCommand(program: Command, done: (code: number) => void): void {
  connectionOptions(
    program
      .command('get-offsets')
      .description("Print partition offsets by time (Kafka's kafka-get-offsets.sh)"),
  )
    .option('--topic <topic>', 'topic name or regular expression (all topics when omitted)')
    .option('--partitions <list>', 'comma-separated partition ids (all when omitted)')
    .option('--time <time>', '-1 or latest, -2 or earliest, -3 or max-timestamp, or a timestamp in ms', '-1')
    .option('--exclude-internal-topics', 'leave out internal topics such as __consumer_offsets')
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      `
Output is one topic:partition:offset line per partition, as Kafka prints it.

Examples:
  strom get-offsets --topic quickstart-events
  strom get-offsets --topic quickstart-events --time -2
  strom get-offsets --topic quickstart-events --partitions 0,1 --time 1700000000000`,
    )
    .action(commandAction(done, runGetOffsets));
}

function parseTime(text: string): OffsetTimestamp {
  if (text === '-1' || text === 'latest') return 'latest';
  if (text === '-2' || text === 'earliest') return 'earliest';
  if (text === '-3' || text === 'max-timestamp') return -3n;
  const ms = parseIntOption(text, '--time');
  if (ms < 0) throw new UsageError(`--time must be -1, -2, -3 or a timestamp, got ${ms}`);
  return BigInt(ms);
}

async function runGetOffsets(opts: GetOffsetsOptions): Promise<undefined> {
  const timestamp = parseTime(opts.time);
  const wanted = opts.partitions?.split(',').map((p) => parseIntOption(p, '--partitions', 0));
  const admin = kafkaFor(opts, 'strom-get-offsets').admin();
  try {
    const topics = await selectTopics(admin, opts.topic, {
      excludeInternal: opts.excludeInternalTopics === true,
    });
    const infos = topics.length === 0 ? [] : await admin.describeTopics(topics);
    const queries = infos.flatMap((t) =>
      t.partitions
        .filter((p) => wanted === undefined || wanted.includes(p.partition))
        .map((p) => ({ topic: t.name, partition: p.partition, timestamp })),
    );
    const answers = queries.length === 0 ? [] : await admin.listOffsets(queries);
    // A time after the last record has no offset (-1); Kafka leaves such partitions out.
    const found = answers
      .filter((a) => a.offset >= 0n)
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    await writeOut(
      opts.json
        ? `${JSON.stringify(found.map((a) => ({ topic: a.topic, partition: a.partition, offset: Number(a.offset) })))}\n`
        : found.map((a) => `${a.topic}:${a.partition}:${a.offset}\n`).join(''),
    );
  } finally {
    await admin.close();
  }
  return undefined;
}
