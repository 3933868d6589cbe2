/**
 * Strom Streams against a broker process, one application instance (one stream thread) in this
 * process, the issue's word count (lines of 5 words from a vocabulary of 1,000, two input
 * partitions, counts through a repartition topic into a persistent store):
 *
 * - throughput: N lines already in the input, the application started on them; the rate is input
 *   records per second from the group's first committed offset until the offsets of the input and
 *   of the repartition topic (every word counted) are committed to their ends, once at_least_once
 *   and once exactly_once_v2 (commit.interval.ms 100 for both, so both commit as often);
 * - end-to-end latency: lines produced at a fixed rate to a running application, each output
 *   count read back (read_committed under exactly_once_v2) and timed from its input's send (the
 *   count carries its input record's timestamp): p50 and p99;
 * - restore: a new instance with no local state restores the word counts' changelog (one record
 *   per count update); records per second from start() to RUNNING.
 *
 * Prints the figures; the last line is `BENCH_JSON {...}`. Asserts nothing.
 *
 * Usage: node dist/bench/streams.bench.js [--quick] [--lines 50000] [--latency-seconds 10] [--rate 500]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka } from '../src/client/index.js';
import { KafkaStreams, Serdes, StreamsBuilder, type Topology } from '../src/streams/index.js';
import { arg, quantile } from './measure.js';
import { startStrom, stopStrom } from './suite/strom-process.js';

const quick = process.argv.includes('--quick');
const LINES = Number(arg('--lines', quick ? '20000' : '200000'));
const LATENCY_SECONDS = Number(arg('--latency-seconds', quick ? '3' : '15'));
const RATE = Number(arg('--rate', '500'));
const VOCABULARY = Array.from({ length: 1000 }, (_, i) => `w${i}`);
const PARTITIONS = 2;

function wordCount(input: string, output: string): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream(input, { key: Serdes.String, value: Serdes.String })
    .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter(Boolean))
    .groupBy((_key, word) => word)
    .count({ name: 'counts' })
    .toStream()
    .to(output, { key: Serdes.String, value: Serdes.Long });
  return builder.build();
}

let seed = 42;
const random = (): number => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const line = (): string => Array.from({ length: 5 }, () => VOCABULARY[Math.floor(random() * 1000)]).join(' ');

const dataDir = mkdtempSync(join(tmpdir(), 'strom-bench-streams-'));
const stateRoot = mkdtempSync(join(tmpdir(), 'strom-bench-streams-state-'));
const broker = await startStrom({ dataDir, overrides: ['group.initial.rebalance.delay.ms=0'] });
const bootstrap = `${broker.host}:${broker.port}`;
const kafka = new Kafka({ bootstrapServers: bootstrap, clientId: 'streams-bench' });

async function createTopics(...topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.createTopics(topics.map((topic) => ({ topic, numPartitions: PARTITIONS })));
  await admin.close();
}

async function committedSum(group: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  try {
    return (await admin.listGroupOffsets(group, { topics: [topic] })).reduce(
      (n, o) => n + Number(o.offset),
      0,
    );
  } finally {
    await admin.close();
  }
}

type Guarantee = 'at_least_once' | 'exactly_once_v2';

function app(applicationId: string, input: string, output: string, guarantee: Guarantee): KafkaStreams {
  return new KafkaStreams(wordCount(input, output), {
    applicationId,
    bootstrapServers: bootstrap,
    processingGuarantee: guarantee,
    commitIntervalMs: 100,
    stateDir: join(stateRoot, `${applicationId}-${Math.random().toString(36).slice(2)}`),
  });
}

async function throughput(guarantee: Guarantee, input: string): Promise<number> {
  const id = `wc-${guarantee}`;
  const streams = app(id, input, `${id}-out`, guarantee);
  await createTopics(`${id}-out`);
  await streams.start();
  let first: { at: number; done: number } | null = null;
  const repartition = `${id}-counts-repartition`;
  for (;;) {
    const done = await committedSum(id, input);
    const now = performance.now();
    if (first === null && done > 0) first = { at: now, done };
    // Done when the counting sub-topology has also read every word of every line (under
    // exactly-once the repartition topic's offsets include transaction markers, hence >=).
    if (done >= LINES && (await committedSum(id, repartition)) >= 5 * LINES) {
      await streams.close();
      const f = first!;
      return (done - f.done) / ((now - f.at) / 1000);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function latency(guarantee: Guarantee): Promise<{ p50: number; p99: number; samples: number }> {
  const id = `lat-${guarantee}`;
  await createTopics(`${id}-in`, `${id}-out`);
  const streams = app(id, `${id}-in`, `${id}-out`, guarantee);
  await streams.start();
  while (streams.state !== 'RUNNING') await new Promise((r) => setTimeout(r, 20));
  const consumer = kafka.consumer({
    isolationLevel: guarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted',
    fetchMaxWaitMs: 10,
  });
  consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: `${id}-out`, partition })));
  const samples: number[] = [];
  let reading = true;
  const reader = (async () => {
    while (reading)
      for (const r of await consumer.poll({ timeoutMs: 100 })) samples.push(Date.now() - Number(r.timestamp));
  })();
  const producer = kafka.producer({ lingerMs: 0 });
  const total = RATE * LATENCY_SECONDS;
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    producer.sendWithCallback(`${id}-in`, { key: null, value: line(), timestamp: Date.now() }, () => {});
  }
  await producer.flush();
  await producer.close();
  // Let the last counts arrive (an exactly-once commit, 100 ms apart, then the fetch).
  await new Promise((r) => setTimeout(r, 1500));
  reading = false;
  await reader;
  await consumer.close();
  await streams.close();
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), samples: samples.length };
}

async function restore(input: string): Promise<{ records: number; recordsPerSec: number }> {
  // The at_least_once run's changelog, restored by an instance with an empty state directory.
  const id = 'wc-at_least_once';
  const streams = app(id, input, `${id}-out`, 'at_least_once');
  const t0 = performance.now();
  await streams.start();
  while (streams.state !== 'RUNNING') await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - t0) / 1000;
  const records = streams.restoredRecords;
  await streams.close();
  return { records, recordsPerSec: records / seconds };
}

try {
  console.log(
    `node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const input = 'wc-lines';
  await createTopics(input);
  const producer = kafka.producer({ lingerMs: 5 });
  for (let i = 0; i < LINES; i += 1000)
    await producer.sendBatch(
      input,
      Array.from({ length: Math.min(1000, LINES - i) }, () => ({ key: null, value: line() })),
    );
  await producer.close();
  const alos = await throughput('at_least_once', input);
  console.log(`word count, at_least_once: ${Math.round(alos)} input records/s (${LINES} lines of 5 words)`);
  const eos = await throughput('exactly_once_v2', input);
  console.log(
    `word count, exactly_once_v2: ${Math.round(eos)} input records/s (${(eos / alos).toFixed(2)}x of at_least_once)`,
  );
  const latAlos = await latency('at_least_once');
  console.log(
    `end-to-end, at_least_once: p50 ${latAlos.p50} ms, p99 ${latAlos.p99} ms (${latAlos.samples} counts, ${RATE} lines/s)`,
  );
  const latEos = await latency('exactly_once_v2');
  console.log(
    `end-to-end, exactly_once_v2: p50 ${latEos.p50} ms, p99 ${latEos.p99} ms (${latEos.samples} counts, ${RATE} lines/s)`,
  );
  const restored = await restore(input);
  console.log(
    `restore: ${restored.records} changelog records at ${Math.round(restored.recordsPerSec)} records/s`,
  );
  console.log(
    `BENCH_JSON ${JSON.stringify({
      lines: LINES,
      throughput: { atLeastOnce: alos, exactlyOnceV2: eos },
      latency: { atLeastOnce: latAlos, exactlyOnceV2: latEos },
      restore: restored,
    })}`,
  );
} finally {
  await stopStrom(broker);
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(stateRoot, { recursive: true, force: true });
}
process.exit(0);
