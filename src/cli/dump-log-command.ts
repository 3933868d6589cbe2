import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { StorageError } from '../storage/storage-error.js';
import { commandAction, writeOut } from './command-action.js';
import { ExitCode } from './exit-codes.js';
import {
  dumpLogSegment,
  dumpOffsetIndex,
  dumpProducerSnapshot,
  dumpTimeIndex,
  dumpTxnIndex,
} from './segment-dump.js';
import { UsageError } from './usage-error.js';

interface DumpLogOptions {
  files: string;
  printDataLog?: boolean;
  deepIteration?: boolean;
  json?: boolean;
  verbose?: boolean;
}

/** Lines are written in chunks of this many, so big segments stream instead of piling up. */
const LINES_PER_WRITE = 1000;

export function registerDumpLogCommand(program: Command, done: (code: number) => void): void {
  program
    .command('dump-log')
    .description("Decode log segments and their indexes (Kafka's kafka-dump-log.sh)")
    .requiredOption(
      '--files <files>',
      'comma-separated .log, .index, .timeindex, .txnindex and .snapshot files',
    )
    .option('--print-data-log', 'print record keys and values (implies --deep-iteration)')
    .option('--deep-iteration', 'print every record, not only batch headers')
    .option('--json', 'one JSON object per line (type: file, batch, record, indexEntry, …) instead of text')
    .option('--verbose', 'print stack traces of errors')
    .addHelpText(
      'after',
      `
Examples:
  strom dump-log --files strom-data/quickstart-events-0/00000000000000000000.log --print-data-log
  strom dump-log --files strom-data/quickstart-events-0/00000000000000000000.index
  strom dump-log --files strom-data/quickstart-events-0/00000000000000000000.timeindex
  strom dump-log --files strom-data/quickstart-events-0/00000000000000000000.txnindex
  strom dump-log --files strom-data/quickstart-events-0/00000000000000000042.snapshot`,
    )
    .action(commandAction(done, runDumpLog));
}

async function runDumpLog(opts: DumpLogOptions): Promise<number | undefined> {
  const files = opts.files
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (files.length === 0) throw new UsageError('--files names no file');
  const json = opts.json === true;
  let code: number = ExitCode.OK;
  for (const file of files) {
    if (!existsSync(file)) {
      process.stderr.write(`Error: ${file} does not exist\n`);
      code = ExitCode.FAILED;
      continue;
    }
    let lines: Iterable<string>;
    if (file.endsWith('.log')) {
      lines = dumpLogSegment(file, {
        deepIteration: opts.deepIteration === true,
        printDataLog: opts.printDataLog === true,
        json,
      });
    } else if (file.endsWith('.index')) {
      const log = `${file.slice(0, -'.index'.length)}.log`;
      lines = dumpOffsetIndex(file, readFileSync(file), existsSync(log) ? log : null, json);
    } else if (file.endsWith('.timeindex')) {
      lines = dumpTimeIndex(file, readFileSync(file), json);
    } else if (file.endsWith('.txnindex')) {
      lines = dumpTxnIndex(readFileSync(file), json);
    } else if (file.endsWith('.snapshot')) {
      try {
        // Decoded whole first: a corrupt snapshot prints its error only, as Kafka's tool does.
        lines = [...dumpProducerSnapshot(file, readFileSync(file), json)];
      } catch (e) {
        if (!(e instanceof StorageError)) throw e;
        process.stderr.write(`Error: ${e.message}\n`);
        code = ExitCode.FAILED;
        continue;
      }
    } else {
      process.stderr.write(`Ignoring unknown file ${file}\n`);
      code = ExitCode.FAILED;
      continue;
    }
    await writeOut(json ? `${JSON.stringify({ type: 'file', path: file })}\n` : `Dumping ${file}\n`);
    let chunk: string[] = [];
    for (const line of lines) {
      chunk.push(line);
      if (chunk.length >= LINES_PER_WRITE) {
        await writeOut(`${chunk.join('\n')}\n`);
        chunk = [];
      }
    }
    if (chunk.length > 0) await writeOut(`${chunk.join('\n')}\n`);
  }
  return code;
}
