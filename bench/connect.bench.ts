/**
 * Strom Connect end to end, file to topic to file, against the same copy made with the Strom
 * client by hand in the same run:
 *
 * - connect-string: a standalone worker (in this process) runs FileStreamSource (a file of N lines
 *   of about 100 bytes) into a fresh one-partition topic and FileStreamSink from it into another
 *   file, StringConverter for keys and values; timed from creating the two connectors to the last
 *   line in the sink file.
 * - connect-json: the same with JsonConverter and schemas.enable=true (each value in Kafka's
 *   envelope, parsed again by the sink).
 * - baseline: the Strom client alone: the file's lines sent with sendBatch (1,000 a call, acks=all)
 *   and read back by a consumer that appends each value as a line to a file; the same bytes moved
 *   without Connect's tasks, converters and offsets.
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
import { startStandalone } from '../src/connect/runtime/standalone-worker.js';
import { environment } from './measure.js';
import { startStrom, stopStrom } from './suite/strom-process.js';

type Mode = 'baseline' | 'connect-string' | 'connect-json';
const MODES: readonly Mode[] = ['baseline', 'connect-string', 'connect-json'];

export interface ConnectRun {
  mode: Mode;
  recordsPerSec: number;
  spread: [number, number];
  rounds: number;
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

async function waitForSize(file: string, bytes: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (sizeOf(file) < bytes) {
    if (Date.now() > deadline) throw new Error(`${file} reached ${sizeOf(file)} of ${bytes} bytes`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function runBaseline(bootstrap: string, input: string, output: string, topic: string): Promise<number> {
  const kafka = new Kafka({ bootstrapServers: bootstrap, clientId: 'connect-bench' });
  const lines = readFileSync(input, 'utf8').split('\n').slice(0, -1);
  const t0 = performance.now();
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
  const ms = performance.now() - t0;
  await producer.close();
  await consumer.close();
  return ms;
}

async function runConnect(
  bootstrap: string,
  dir: string,
  input: string,
  output: string,
  topic: string,
  json: boolean,
): Promise<number> {
  const converter = json
    ? 'org.apache.kafka.connect.json.JsonConverter'
    : 'org.apache.kafka.connect.storage.StringConverter';
  const worker = await startStandalone({
    workerProps: {
      'bootstrap.servers': bootstrap,
      'key.converter': converter,
      'value.converter': converter,
      'offset.storage.file.filename': join(dir, `${topic}.offsets`),
      'offset.flush.interval.ms': '10000',
      listeners: 'http://127.0.0.1:0',
    },
    logger: noopLogger,
  });
  const expected = statSync(input).size;
  const t0 = performance.now();
  await worker.herder.putConnectorConfig(
    'source',
    { 'connector.class': 'FileStreamSource', file: input, topic },
    false,
  );
  await worker.herder.putConnectorConfig(
    'sink',
    { 'connector.class': 'FileStreamSink', file: output, topics: topic },
    false,
  );
  await waitForSize(output, expected, 600_000);
  const ms = performance.now() - t0;
  await worker.stop();
  return ms;
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
    const rates: Record<Mode, number[]> = { baseline: [], 'connect-string': [], 'connect-json': [] };
    for (let round = 0; round < rounds; round++) {
      // The modes' order turns each round, so none always runs on a warmer machine.
      const order = MODES.map((_, i) => MODES[(i + round) % MODES.length]!);
      for (const mode of order) {
        const topic = `${mode}-${round}`;
        const output = join(dir, `${topic}.out`);
        const ms =
          mode === 'baseline'
            ? await runBaseline(bootstrap, input, output, topic)
            : await runConnect(bootstrap, dir, input, output, topic, mode === 'connect-json');
        rates[mode].push(records / (ms / 1000));
        console.log(
          `  round ${round + 1} ${mode.padEnd(15)} ${Math.round(records / (ms / 1000)).toLocaleString('en-US')} records/s`,
        );
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const results: ConnectRun[] = MODES.map((mode) => ({
      mode,
      recordsPerSec: median(rates[mode]),
      spread: [Math.min(...rates[mode]), Math.max(...rates[mode])],
      rounds,
    }));
    for (const r of results)
      console.log(
        `${r.mode.padEnd(15)} ${Math.round(r.recordsPerSec).toLocaleString('en-US')} records/s median`,
      );
    console.log(`BENCH_JSON ${JSON.stringify({ results })}`);
  } finally {
    await stopStrom(broker);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
