import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { groupBy } from '../client/collections.js';
import {
  type ConnectionOptions,
  commandAction,
  connectionOptions,
  kafkaFor,
  writeOut,
} from './command-action.js';
import { UsageError } from './usage-error.js';

interface DeleteRecordsOptions extends ConnectionOptions {
  offsetJsonFile: string;
  json?: boolean;
}

interface OffsetEntry {
  topic: string;
  partition: number;
  offset: bigint;
}

export function registerDeleteRecordsCommand(program: Command, done: (code: number) => void): void {
  connectionOptions(
    program
      .command('delete-records')
      .description("Delete records before given offsets (Kafka's kafka-delete-records.sh)"),
  )
    .requiredOption(
      '--offset-json-file <file>',
      'JSON: {"partitions":[{"topic":"t","partition":0,"offset":10}],"version":1}; offset -1 means the high watermark',
    )
    .option('--json', 'print the new low watermarks as JSON')
    .addHelpText(
      'after',
      `
Examples:
  echo '{"partitions":[{"topic":"quickstart-events","partition":0,"offset":2}],"version":1}' > delete.json
  strom delete-records --offset-json-file delete.json`,
    )
    .action(commandAction(done, runDeleteRecords));
}

/** Reads Kafka's offset JSON file, checking every field. */
export function parseOffsetJson(text: string): OffsetEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the offset JSON file is not valid JSON: ${(err as Error).message}`);
  }
  const partitions = (doc as { partitions?: unknown } | null)?.partitions;
  if (!Array.isArray(partitions)) throw new UsageError('the offset JSON file needs a "partitions" array');
  return partitions.map((p: unknown, i) => {
    const e = p as { topic?: unknown; partition?: unknown; offset?: unknown };
    if (typeof e.topic !== 'string' || !Number.isInteger(e.partition) || !Number.isInteger(e.offset)) {
      throw new UsageError(`partitions[${i}] needs a string "topic" and integer "partition" and "offset"`);
    }
    return { topic: e.topic, partition: e.partition as number, offset: BigInt(e.offset as number) };
  });
}

async function runDeleteRecords(opts: DeleteRecordsOptions): Promise<undefined> {
  let text: string;
  try {
    text = readFileSync(opts.offsetJsonFile, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${opts.offsetJsonFile}: ${(err as Error).message}`);
  }
  const entries = parseOffsetJson(text);
  const admin = kafkaFor(opts, 'strom-delete-records').admin();
  const results: { topic: string; partition: number; lowWatermark: bigint }[] = [];
  try {
    for (const [topic, list] of groupBy(entries, (e) => e.topic)) {
      const done = await admin.deleteRecords(topic, list);
      results.push(...done.map((d) => ({ topic, ...d })));
    }
  } finally {
    await admin.close();
  }
  if (opts.json) {
    await writeOut(
      `${JSON.stringify(results.map((r) => ({ topic: r.topic, partition: r.partition, lowWatermark: Number(r.lowWatermark) })))}\n`,
    );
  } else {
    await writeOut(
      `Executing records delete operation\nRecords delete operation completed:\n${results
        .map((r) => `partition: ${r.topic}-${r.partition}\tlow_watermark: ${r.lowWatermark}\n`)
        .join('')}`,
    );
  }
  return undefined;
}
