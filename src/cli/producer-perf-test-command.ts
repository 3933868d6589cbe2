import type { Command } from 'commander';
import { producerConfigFrom } from './client-properties.js';
import {
  type ConnectionOptions,
  commandAction,
  connectionOptions,
  kafkaFor,
  writeOut,
} from './command-action.js';
import { parseIntOption, parseKeyValues } from './key-values.js';
import { ProducerPerfStats } from './producer-perf-stats.js';
import { ProgressLine } from './progress-line.js';
import { SendWindow } from './send-window.js';

interface ProducerPerfOptions extends ConnectionOptions {
  topic: string;
  numRecords: string;
  recordSize: string;
  throughput: string;
  producerProps: string[];
  json?: boolean;
}

/** Sends allowed in flight at once; the producer's buffer.memory bounds bytes, this bounds promises. */
const SENDS_IN_FLIGHT_MAX = 20_000;
/** Unthrottled, the loop yields to the event loop after this many sends. */
const YIELD_EVERY_RECORDS = 1000;

export function registerProducerPerfTestCommand(program: Command, done: (code: number) => void): void {
  connectionOptions(
    program
      .command('producer-perf-test')
      .description("Measure producer throughput and latency (Kafka's kafka-producer-perf-test.sh)"),
  )
    .requiredOption('--topic <topic>', 'topic to write to')
    .requiredOption('--num-records <n>', 'how many records to send')
    .requiredOption('--record-size <bytes>', 'size of each record value')
    .option('--throughput <n>', 'records per second at most; -1 for no limit', '-1')
    .option('--producer-props <key=value...>', 'Kafka producer config keys, e.g. acks=1 linger.ms=5', [])
    .option('--json', 'print the final figures as JSON')
    .addHelpText(
      'after',
      `
Prints Kafka's summary line; a live progress line appears only on a terminal.

Examples:
  strom producer-perf-test --topic perf --num-records 100000 --record-size 100 --throughput -1
  strom producer-perf-test --topic perf --num-records 50000 --record-size 1024 --throughput 10000 --producer-props acks=1 linger.ms=10 compression.type=lz4`,
    )
    .action(commandAction(done, runProducerPerfTest));
}

async function runProducerPerfTest(opts: ProducerPerfOptions): Promise<undefined> {
  const numRecords = parseIntOption(opts.numRecords, '--num-records', 1);
  const recordSize = parseIntOption(opts.recordSize, '--record-size', 0);
  const throughput = parseIntOption(opts.throughput, '--throughput');
  const config = producerConfigFrom(parseKeyValues(opts.producerProps, '--producer-props'));
  // One random payload of capital letters, reused for every record, as Kafka's tool does.
  const payload = Buffer.alloc(recordSize);
  for (let i = 0; i < recordSize; i++) payload[i] = 65 + Math.floor(Math.random() * 26);
  const record = { value: payload };
  const producer = kafkaFor(opts, 'producer-perf-test').producer(config);
  const stats = new ProducerPerfStats(numRecords, recordSize, new ProgressLine());
  const window = new SendWindow(SENDS_IN_FLIGHT_MAX);
  const start = performance.now();
  try {
    for (let i = 0; i < numRecords && window.failure === null; i++) {
      if (throughput > 0) {
        const wait = start + (i * 1000) / throughput - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      } else if (i % YIELD_EVERY_RECORDS === 0 && i > 0) {
        // Java's producer sends from its own thread while the tool appends; here the sender runs
        // on this event loop, so hand it a turn now and then rather than only when the window is full.
        await new Promise((r) => setImmediate(r));
      }
      // Latency is per record, as in Kafka's tool: the delivery callback's time minus the send's.
      const sentAt = performance.now();
      window.add();
      const queued = producer.sendWithCallback(opts.topic, record, (err) => {
        if (err === null) stats.record(performance.now() - sentAt);
        window.settle(err);
      });
      if (queued !== undefined) await queued;
      if (window.full) await window.below(SENDS_IN_FLIGHT_MAX / 2);
    }
    await window.below(0);
  } finally {
    await producer.close();
    stats.progress.clear();
  }
  if (window.failure) throw window.failure;
  await writeOut(stats.summary(performance.now() - start, opts.json === true));
  return undefined;
}
