/**
 * Strom Connect end to end, file to topic to file, against the same copy made with the Strom
 * client by hand in the same run:
 *
 * - connect-string: a standalone worker (in this process) runs FileStreamSource (a file of N lines
 *   of about 100 bytes) into a fresh one-partition topic and FileStreamSink from it into another
 *   file, StringConverter for keys and values.
 * - connect-json: the same with JsonConverter and schemas.enable=true (each value in Kafka's
 *   envelope, parsed again by the sink).
 * - connect-distributed: connect-string's copy run by a distributed worker (in this process, alone
 *   in its group), its configs, offsets and statuses in topics.
 * - baseline: the Strom client alone: the file's lines sent with sendBatch (1,000 a call, acks=all)
 *   and read back by a consumer that appends each value as a line to a file; the same bytes moved
 *   without Connect's tasks, converters and offsets.
 *
 * The sink connector is created first; once its consumer owns the topic's partition (the group
 * join, reported apart) the source is created and the rate is the steady state: lines per second
 * from the first line in the output file to the last, source, topic and sink running together.
 *
 * The broker is `strom server` in its own process. Prints the figures; the last line is
 * `BENCH_JSON {...}` for the benchmark suite (bench/suite/connect-workloads.ts). Asserts nothing.
 *
 * Usage: node dist/bench/connect.bench.js [--records 200000] [--rounds 3]
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka } from '../src/client/index.js';
import { noopLogger } from '../src/common/logger.js';
import { startDistributed } from '../src/connect/distributed/distributed-worker.js';
import type { Herder } from '../src/connect/runtime/herder.js';
import { startStandalone } from '../src/connect/runtime/standalone-worker.js';
import { environment } from './measure.js';
import { startStrom, stopStrom } from './suite/strom-process.js';

type Mode = 'baseline' | 'connect-string' | 'connect-json' | 'connect-distributed';
const MODES: readonly Mode[] = ['baseline', 'connect-string', 'connect-json', 'connect-distributed'];

export interface ConnectRun {
  mode: Mode;
  /** Steady state: lines per second from the first line in the output to the last. */
  recordsPerSec: number;
  spread: [number, number];
  /** Median milliseconds of the sink's group join before the copy (0: the baseline assigns). */
  joinMs: number;
  /** Median milliseconds from the start of the copy to the first line in the output. */
  firstLineMs: number;
  rounds: number;
}

/** When the first line reached the output and when the last did (performance.now()). */
interface Timing {
  /** When the copy began: the sink ready (Connect) or the first send (baseline). */
  startMs: number;
  /** The sink's group join before the copy (0 for the baseline's assigned consumer). */
  joinMs: number;
  firstMs: number;
  lastMs: number;
}

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const records = arg('records', 200_000);
const rounds = arg('rounds', 3);

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Polls the output every 5 ms: when its first bytes appeared and when it reached `bytes`. */
async function watchOutput(
  file: string,
  bytes: number,
  timeoutMs: number,
): Promise<{ firstMs: number; lastMs: number }> {
  const deadline = Date.now() + timeoutMs;
  let firstMs = 0;
  for (;;) {
    const size = sizeOf(file);
    if (size > 0 && firstMs === 0) firstMs = performance.now();
    if (size >= bytes) return { firstMs, lastMs: performance.now() };
    if (Date.now() > deadline) throw new Error(`${file} reached ${size} of ${bytes} bytes`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function runBaseline(bootstrap: string, input: string, output: string, topic: string): Promise<Timing> {
  const kafka = new Kafka({ bootstrapServers: bootstrap, clientId: 'connect-bench' });
  const lines = readFileSync(input, 'utf8').split('\n').slice(0, -1);
  const startMs = performance.now();
  const watched = watchOutput(output, statSync(input).size, 600_000);
  const producer = kafka.producer({ acks: 'all', lingerMs: 5 });
  const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
  const consumed = (async () => {
    // The topic exists once the first batch is sent; assign after that.
    const admin = kafka.admin();
    while (!(await admin.listTopics()).includes(topic)) await new Promise((r) => setTimeout(r, 5));
    await admin.close();
    consumer.assign([{ topic, partition: 0 }]);
    let n = 0;
    while (n < lines.length) {
      const batch = await consumer.poll({ timeoutMs: 500 });
      if (batch.length === 0) continue;
      let text = '';
      for (const r of batch) text += `${r.value!.toString()}\n`;
      appendFileSync(output, text);
      n += batch.length;
    }
  })();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < lines.length; i += 1000)
    sends.push(
      producer.sendBatch(
        topic,
        lines.slice(i, i + 1000).map((value) => ({ value })),
      ),
    );
  await Promise.all(sends);
  await consumed;
  const { firstMs, lastMs } = await watched;
  await producer.close();
  await consumer.close();
  return { startMs, firstMs, lastMs, joinMs: 0 };
}

async function runConnect(
  bootstrap: string,
  dir: string,
  input: string,
  output: string,
  topic: string,
  json: boolean,
  distributed: boolean,
): Promise<Timing> {
  const converter = json
    ? 'org.apache.kafka.connect.json.JsonConverter'
    : 'org.apache.kafka.connect.storage.StringConverter';
  const common = {
    'bootstrap.servers': bootstrap,
    'key.converter': converter,
    'value.converter': converter,
    'offset.flush.interval.ms': '10000',
    listeners: 'http://127.0.0.1:0',
  };
  const worker = distributed
    ? await startDistributed({
        workerProps: {
          ...common,
          'group.id': `bench-${topic}`,
          'config.storage.topic': `${topic}-configs`,
          'offset.storage.topic': `${topic}-offsets`,
          'status.storage.topic': `${topic}-status`,
          'config.storage.replication.factor': '1',
          'offset.storage.replication.factor': '1',
          'status.storage.replication.factor': '1',
        },
        logger: noopLogger,
      })
    : await startStandalone({
        workerProps: { ...common, 'offset.storage.file.filename': join(dir, `${topic}.offsets`) },
        logger: noopLogger,
      });
  if (distributed) {
    // The first rebalance of the worker's own group must elect it leader before it takes connectors.
    const isLeader = (): boolean => {
      try {
        return (worker.herder as Herder).forwardUrl?.() === null;
      } catch {
        return false; // no leader known yet
      }
    };
    while (!isLeader()) await new Promise((r) => setTimeout(r, 20));
  }
  // The sink starts first and the copy is timed once its consumer owns the topic's partition:
  // the group join (the broker's group.initial.rebalance.delay.ms, and in distributed mode the
  // workers' rebalance that assigns the task) is measured apart, as the start-up.
  const admin = new Kafka({ bootstrapServers: bootstrap, clientId: 'connect-bench-admin' }).admin();
  await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
  const joinStartMs = performance.now();
  // A sink of its own name each round: its group (connect-<name>) has no members of earlier rounds.
  const sink = `sink-${topic}`;
  await worker.herder.putConnectorConfig(
    sink,
    { 'connector.class': 'FileStreamSink', file: output, topics: topic },
    false,
  );
  for (;;) {
    const [group] = await admin.describeGroups([`connect-${sink}`]).catch(() => []);
    if (group?.state === 'Stable' && group.members[0]?.assignment?.has(topic)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const startMs = performance.now();
  const joinMs = startMs - joinStartMs;
  await admin.close();
  const watched = watchOutput(output, statSync(input).size, 600_000);
  await worker.herder.putConnectorConfig(
    'source',
    { 'connector.class': 'FileStreamSource', file: input, topic },
    false,
  );
  const { firstMs, lastMs } = await watched;
  await worker.stop();
  return { startMs, firstMs, lastMs, joinMs };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'strom-connect-bench-'));
  const broker = await startStrom({ dataDir: join(dir, 'data') });
  const bootstrap = `${broker.host}:${broker.port}`;
  try {
    const input = join(dir, 'input.txt');
    let text = '';
    for (let i = 0; i < records; i++) text += `event ${String(i).padStart(9, '0')} ${'x'.repeat(84)}\n`;
    writeFileSync(input, text);
    console.log(
      `Strom Connect file pipeline: ${records} lines of ~100 bytes, ${rounds} round(s); ${environment()}`,
    );
    const rates: Record<Mode, number[]> = {
      baseline: [],
      'connect-string': [],
      'connect-json': [],
      'connect-distributed': [],
    };
    const joins: Record<Mode, number[]> = {
      baseline: [],
      'connect-string': [],
      'connect-json': [],
      'connect-distributed': [],
    };
    const firsts: Record<Mode, number[]> = {
      baseline: [],
      'connect-string': [],
      'connect-json': [],
      'connect-distributed': [],
    };
    for (let round = 0; round < rounds; round++) {
      // The modes' order turns each round, so none always runs on a warmer machine.
      const order = MODES.map((_, i) => MODES[(i + round) % MODES.length]!);
      for (const mode of order) {
        const topic = `${mode}-${round}`;
        const output = join(dir, `${topic}.out`);
        const t =
          mode === 'baseline'
            ? await runBaseline(bootstrap, input, output, topic)
            : await runConnect(
                bootstrap,
                dir,
                input,
                output,
                topic,
                mode === 'connect-json',
                mode === 'connect-distributed',
              );
        // The first line is in the output at firstMs; the other records - 1 followed it.
        const rate = (records - 1) / (Math.max(t.lastMs - t.firstMs, 1) / 1000);
        rates[mode].push(rate);
        joins[mode].push(t.joinMs);
        firsts[mode].push(t.firstMs - t.startMs);
        console.log(
          `  round ${round + 1} ${mode.padEnd(19)} ${Math.round(rate).toLocaleString('en-US')} records/s steady, group join ${Math.round(t.joinMs)} ms, first line after ${Math.round(t.firstMs - t.startMs)} ms`,
        );
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const results: ConnectRun[] = MODES.map((mode) => ({
      mode,
      recordsPerSec: median(rates[mode]),
      spread: [Math.min(...rates[mode]), Math.max(...rates[mode])],
      joinMs: median(joins[mode]),
      firstLineMs: median(firsts[mode]),
      rounds,
    }));
    for (const r of results)
      console.log(
        `${r.mode.padEnd(19)} ${Math.round(r.recordsPerSec).toLocaleString('en-US')} records/s median (steady state), group join ${Math.round(r.joinMs)} ms, first line after ${Math.round(r.firstLineMs)} ms`,
      );
    console.log(`BENCH_JSON ${JSON.stringify({ results })}`);
  } finally {
    await stopStrom(broker);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
