import type { Command } from 'commander';
import type { RecordMetadata } from '../client/index.js';
import { producerConfigFrom } from './client-properties.js';
import {
  type ConnectionOptions,
  commandAction,
  connectionOptions,
  kafkaFor,
  writeOut,
} from './command-action.js';
import { parseIntOption, parseKeyValues } from './key-values.js';
import { ProgressLine } from './progress-line.js';

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
/** How often the live line (terminal only) is refreshed. */
const PROGRESS_INTERVAL_MS = 1000;

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

/** Latency figures in Kafka's rounding: whole milliseconds for percentiles. */
export function latencySummary(latenciesMs: Float64Array): {
  avg: number;
  max: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
} {
  const sorted = Float64Array.from(latenciesMs).sort();
  const n = sorted.length;
  const at = (q: number): number => (n === 0 ? 0 : Math.trunc(sorted[Math.min(n - 1, Math.trunc(q * n))]!));
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    avg: n === 0 ? 0 : sum / n,
    max: n === 0 ? 0 : sorted[n - 1]!,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    p999: at(0.999),
  };
}

async function runProducerPerfTest(opts: ProducerPerfOptions): Promise<undefined> {
  const numRecords = parseIntOption(opts.numRecords, '--num-records', 1);
  const recordSize = parseIntOption(opts.recordSize, '--record-size', 0);
  const throughput = parseIntOption(opts.throughput, '--throughput');
  const config = producerConfigFrom(parseKeyValues(opts.producerProps, '--producer-props'));
  // One random payload of capital letters, reused for every record, as Kafka's tool does.
  const payload = Buffer.alloc(recordSize);
  for (let i = 0; i < recordSize; i++) payload[i] = 65 + Math.floor(Math.random() * 26);
  const producer = kafkaFor(opts, 'producer-perf-test').producer(config);
  const latencies = new Float64Array(numRecords);
  const progress = new ProgressLine();
  let acked = 0;
  let failure: unknown = null;
  const inFlight = new Set<Promise<RecordMetadata>>();
  const start = performance.now();
  let windowStart = start;
  let windowCount = 0;
  let windowLatency = 0;
  let windowMax = 0;
  try {
    for (let i = 0; i < numRecords && failure === null; i++) {
      if (throughput > 0) {
        const due = start + (i * 1000) / throughput;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      const sentAt = performance.now();
      const p = producer.send(opts.topic, { value: payload });
      inFlight.add(p);
      p.then(
        () => {
          const ms = performance.now() - sentAt;
          latencies[acked++] = ms;
          windowCount++;
          windowLatency += ms;
          windowMax = Math.max(windowMax, ms);
          const now = performance.now();
          if (now - windowStart >= PROGRESS_INTERVAL_MS) {
            const secs = (now - windowStart) / 1000;
            progress.update(
              `${windowCount} records sent, ${(windowCount / secs).toFixed(1)} records/sec (${((windowCount * recordSize) / secs / 1048576).toFixed(2)} MB/sec), ${(windowLatency / windowCount).toFixed(1)} ms avg latency, ${windowMax.toFixed(1)} ms max latency.`,
            );
            windowStart = now;
            windowCount = 0;
            windowLatency = 0;
            windowMax = 0;
          }
        },
        (err: unknown) => {
          failure ??= err;
        },
      ).finally(() => inFlight.delete(p));
      if (inFlight.size >= SENDS_IN_FLIGHT_MAX) await Promise.race(inFlight).catch(() => {});
    }
    await Promise.allSettled([...inFlight]);
  } finally {
    await producer.close();
    progress.clear();
  }
  if (failure) throw failure;
  const secs = (performance.now() - start) / 1000;
  const s = latencySummary(latencies.subarray(0, acked));
  const rate = acked / secs;
  const mb = (acked * recordSize) / secs / 1048576;
  await writeOut(
    opts.json
      ? `${JSON.stringify({ records: acked, recordsPerSec: rate, mbPerSec: mb, avgLatencyMs: s.avg, maxLatencyMs: s.max, p50Ms: s.p50, p95Ms: s.p95, p99Ms: s.p99, p999Ms: s.p999 })}\n`
      : `${acked} records sent, ${rate.toFixed(6)} records/sec (${mb.toFixed(2)} MB/sec), ${s.avg.toFixed(2)} ms avg latency, ${s.max.toFixed(2)} ms max latency, ${s.p50} ms 50th, ${s.p95} ms 95th, ${s.p99} ms 99th, ${s.p999} ms 99.9th.\n`,
  );
  return undefined;
}
