import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ErrorCode, errorInfo } from '../protocol/error-codes.js';
import {
  type ConnectionOptions,
  commandAction,
  connectionOptions,
  kafkaFor,
  writeOut,
} from './command-action.js';
import { ExitCode } from './exit-codes.js';
import { UsageError } from './usage-error.js';

interface LeaderElectionOptions extends ConnectionOptions {
  electionType: string;
  allTopicPartitions?: boolean;
  topic?: string;
  partition?: string;
  pathToJsonFile?: string;
}

export function registerLeaderElectionCommand(program: Command, done: (code: number) => void): void {
  connectionOptions(
    program
      .command('leader-election')
      .description(
        "Elect partition leaders: preferred replicas or unclean (Kafka's kafka-leader-election.sh)",
      ),
  )
    .requiredOption('--election-type <type>', 'PREFERRED (the first replica) or UNCLEAN (any live replica)')
    .option('--all-topic-partitions', 'every partition of every topic')
    .option('--topic <name>', 'the topic of --partition')
    .option('--partition <n>', 'one partition of --topic')
    .option(
      '--path-to-json-file <file>',
      'JSON: {"partitions":[{"topic":"t","partition":0}]}: the partitions to elect for',
    )
    .addHelpText(
      'after',
      `
Examples:
  strom leader-election --election-type preferred --all-topic-partitions
  strom leader-election --election-type unclean --topic orders --partition 3`,
    )
    .action(commandAction(done, runLeaderElection));
}

type Partition = { topic: string; partition: number };

/** Kafka's LeaderElectionCommand JSON file: {"partitions": [{"topic": "t", "partition": 0}, ...]}. */
export function parsePartitionsJson(text: string): Partition[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the JSON file is not valid JSON: ${(err as Error).message}`);
  }
  const partitions = (doc as { partitions?: unknown } | null)?.partitions;
  if (!Array.isArray(partitions)) throw new UsageError('the JSON file needs a "partitions" array');
  const out = partitions.map((p: unknown, i) => {
    const e = p as { topic?: unknown; partition?: unknown };
    if (typeof e.topic !== 'string' || !Number.isInteger(e.partition))
      throw new UsageError(`partitions[${i}] needs a string "topic" and an integer "partition"`);
    return { topic: e.topic, partition: e.partition as number };
  });
  const seen = new Set<string>();
  for (const p of out) {
    const key = `${p.topic}-${p.partition}`;
    if (seen.has(key)) throw new UsageError(`the JSON file names partition ${key} more than once`);
    seen.add(key);
  }
  return out;
}

function partitionsAsked(opts: LeaderElectionOptions): Partition[] | null {
  const chosen = [
    opts.allTopicPartitions === true,
    opts.topic !== undefined,
    opts.pathToJsonFile !== undefined,
  ];
  if (chosen.filter(Boolean).length !== 1)
    throw new UsageError(
      'give exactly one of --all-topic-partitions, --topic with --partition, --path-to-json-file',
    );
  if (opts.allTopicPartitions) return null;
  if (opts.topic !== undefined) {
    const n = Number(opts.partition);
    if (opts.partition === undefined || !Number.isInteger(n) || n < 0)
      throw new UsageError('--topic needs --partition with a partition number');
    return [{ topic: opts.topic, partition: n }];
  }
  let text: string;
  try {
    text = readFileSync(opts.pathToJsonFile!, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${opts.pathToJsonFile}: ${(err as Error).message}`);
  }
  return parsePartitionsJson(text);
}

async function runLeaderElection(opts: LeaderElectionOptions): Promise<number> {
  const type = opts.electionType.toLowerCase();
  if (type !== 'preferred' && type !== 'unclean')
    throw new UsageError(`--election-type must be PREFERRED or UNCLEAN, not ${opts.electionType}`);
  const partitions = partitionsAsked(opts);
  const admin = kafkaFor(opts, 'strom-leader-election').admin();
  let results: Awaited<ReturnType<typeof admin.electLeaders>>;
  try {
    results = await admin.electLeaders(type, partitions);
  } finally {
    await admin.close();
  }
  // LeaderElectionCommand's three kinds of answer, in its words.
  const name = type.toUpperCase();
  const tp = (r: Partition) => `${r.topic}-${r.partition}`;
  const succeeded = results.filter((r) => r.errorCode === ErrorCode.NONE).map(tp);
  const noop = results.filter((r) => r.errorCode === ErrorCode.ELECTION_NOT_NEEDED).map(tp);
  const failed = results.filter(
    (r) => r.errorCode !== ErrorCode.NONE && r.errorCode !== ErrorCode.ELECTION_NOT_NEEDED,
  );
  let out = '';
  if (succeeded.length > 0)
    out += `Successfully completed leader election (${name}) for partitions ${succeeded.join(', ')}\n`;
  if (noop.length > 0) out += `Valid replica already elected for partitions ${noop.join(', ')}\n`;
  for (const f of failed) {
    const e = errorInfo(f.errorCode);
    out += `Error completing leader election (${name}) for partition: ${tp(f)}: ${e.name}: ${f.errorMessage ?? e.message}\n`;
  }
  await writeOut(out);
  if (failed.length > 0) {
    process.stderr.write(`Error: ${failed.length} replica(s) could not be elected\n`);
    return ExitCode.FAILED;
  }
  return ExitCode.OK;
}
