/**
 * Client throughput: produce N records of 1 KiB (acks=1, linger 5 ms, no compression, then lz4)
 * and consume them back, with the Strom client, kafkajs and @platformatic/kafka against the same
 * broker in the same run. Each client runs in its own process so RSS is its own; the broker runs
 * in another. Records are offered in chunks of 100 with up to 32 chunks awaiting acknowledgement,
 * the same for every client (kafkajs and @platformatic/kafka have no linger: a chunk is a request).
 * The broker is `strom server` with its node flags, as an operator starts it. Consume rates run from
 * the first records received (ConsumeClock), so a group join is not counted against a client.
 * Prints records/s, MB/s, p99 acknowledgement latency and peak RSS, and ratios against the others.
 * A second round produces to a null broker (null-broker.ts), which acknowledges without storing,
 * to show each client's own cost when the broker is not the limit. Asserts nothing.
 *
 * Usage: node dist/bench/client.bench.js [--records 1000000] [--rounds 1] [--clients strom,kafkajs,platformatic]
 * With --rounds N every run is repeated N times (client order turning) and the medians are reported,
 * with their spread: on a shared machine one run of each can be off by a third.
 * 1,000,000 records per client by default, as the client's speed targets are stated; the first
 * chunks wait for connections and metadata, and with fewer records those waits fill the p99.
 * The last lines include `BENCH_JSON {...}`, the results the benchmark suite (bench/suite/) reads.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Admin } from '../src/client/index.js';
import { settleDisk } from './suite/settle-disk.js';
import { startStrom, stopStrom } from './suite/strom-process.js';

const VALUE_BYTES = 1024;
const CHUNK = 100;
const DEFAULT_RECORDS = 1_000_000;
const WINDOW = 32;
const SELF = fileURLToPath(import.meta.url);
/** kafkajs and @platformatic/kafka consume only through groups; without group APIs they never finish. */
const CONSUME_TIMEOUT_MS = 30_000;
const PRODUCE_ONLY = process.argv.includes('--produce-only');

type ClientName = 'strom' | 'kafkajs' | 'platformatic';
type Compression = 'none' | 'lz4';

interface RunResult {
  client: ClientName;
  compression: Compression;
  produceRecordsPerSec: number;
  produceMBPerSec: number;
  p99Ms: number;
  consumeRecordsPerSec: number | null;
  consumeNote?: string;
  rssPeakMB: number;
  /** With --rounds: how many runs the medians above are of, and the lowest and highest rates. */
  rounds?: number;
  /** With --rounds: which round a single run belongs to (from 0). */
  round?: number;
  produceSpread?: [number, number];
  consumeSpread?: [number, number];
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** Offers `records` in chunks through `send`, at most WINDOW chunks outstanding; returns per-record latencies. */
async function offer(records: number, send: (count: number) => Promise<unknown>): Promise<Float64Array> {
  const latencies = new Float64Array(records);
  let next = 0;
  let written = 0;
  const worker = async (): Promise<void> => {
    while (next < records) {
      const count = Math.min(CHUNK, records - next);
      next += count;
      const t0 = performance.now();
      await send(count);
      const ms = performance.now() - t0;
      latencies.fill(ms, written, written + count);
      written += count;
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, worker));
  return latencies.sort();
}

/**
 * Consume rate from the first records received to the last. kafkajs and @platformatic/kafka
 * consume through a group and first join it, Strom's consumer is assigned its partition: what is
 * compared is the reading, not the joining. The first delivery starts the clock and is not counted.
 */
class ConsumeClock {
  got = 0;
  private counted = 0;
  private startedAt = 0;

  add(n: number): void {
    if (n === 0) return;
    if (this.got === 0) this.startedAt = performance.now();
    else this.counted += n;
    this.got += n;
  }

  /**
   * Records per second after the first delivery, or null when everything came in that first
   * delivery: nothing was timed, and 0 records/s would read as a client that could not consume.
   */
  rate(): number | null {
    if (this.counted === 0) return null;
    return this.counted / ((performance.now() - this.startedAt) / 1000);
  }

  /** Why rate() is null, for the report's note column. */
  static readonly UNTIMED = 'every record came in the first delivery: too few records to time';
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms).unref(),
    ),
  ]);
}

async function runStrom(
  bootstrap: string,
  topic: string,
  records: number,
  compression: Compression,
  value: Buffer,
) {
  const { Kafka } = await import('../src/client/index.js');
  const kafka = new Kafka({ bootstrapServers: bootstrap, clientId: 'bench-strom' });
  const producer = kafka.producer({
    acks: 1,
    lingerMs: 5,
    compression,
    // Batches up to 512 KiB (under the broker's message.max.bytes) and 16 requests in flight,
    // as the other clients have every offered chunk in flight at once.
    batchSize: 512 * 1024,
    maxInFlightRequestsPerConnection: 16,
  });
  const chunk = Array.from({ length: CHUNK }, () => ({ value }));
  const t0 = performance.now();
  const lat = await offer(records, (n) => producer.sendBatch(topic, n === CHUNK ? chunk : chunk.slice(0, n)));
  const produceMs = performance.now() - t0;
  await producer.close();
  if (PRODUCE_ONLY) return { lat, produceMs, consumeRate: null, note: 'produce only' as string | undefined };
  const consumer = kafka.consumer({
    autoOffsetReset: 'earliest',
    maxPollRecords: 5000,
  });
  consumer.assign([{ topic, partition: 0 }]);
  const clock = new ConsumeClock();
  while (clock.got < records) clock.add((await consumer.poll({ timeoutMs: 5000 })).length);
  const consumeRate = clock.rate();
  await consumer.close();
  return {
    lat,
    produceMs,
    consumeRate,
    note: (consumeRate === null ? ConsumeClock.UNTIMED : undefined) as string | undefined,
  };
}

async function runKafkaJs(
  bootstrap: string,
  topic: string,
  records: number,
  compression: Compression,
  value: Buffer,
) {
  // kafkajs is CommonJS; its codec registry is only reachable through the default export.
  const { Kafka, logLevel, CompressionTypes, CompressionCodecs } = (await import('kafkajs')).default;
  if (compression === 'lz4') {
    // kafkajs ships no LZ4 codec; plug in the one Strom's protocol layer uses so both compress alike.
    const { lz4FrameCompress, lz4FrameDecompress } = await import('../src/protocol/compression/lz4-frame.js');
    (CompressionCodecs as Record<number, unknown>)[CompressionTypes.LZ4] = () => ({
      compress: (encoder: { buffer: Buffer }) => lz4FrameCompress(encoder.buffer),
      decompress: (buffer: Buffer) => lz4FrameDecompress(buffer),
    });
  }
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'bench-kafkajs', logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  const messages = Array.from({ length: CHUNK }, () => ({ value }));
  const codec = compression === 'lz4' ? CompressionTypes.LZ4 : CompressionTypes.None;
  const t0 = performance.now();
  const lat = await offer(records, (n) =>
    producer.send({
      topic,
      acks: 1,
      compression: codec,
      messages: n === CHUNK ? messages : messages.slice(0, n),
    }),
  );
  const produceMs = performance.now() - t0;
  await producer.disconnect();
  if (PRODUCE_ONLY) return { lat, produceMs, consumeRate: null, note: 'produce only' };
  let consumeRate: number | null = null;
  let note: string | undefined;
  const consumer = kafka.consumer({ groupId: `bench-kafkajs-${topic}` });
  try {
    await withTimeout(
      (async () => {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        const clock = new ConsumeClock();
        await new Promise<void>((resolve, reject) => {
          consumer
            .run({
              eachBatch: async ({ batch }) => {
                clock.add(batch.messages.length);
                if (clock.got >= records) resolve();
              },
            })
            .catch(reject);
        });
        consumeRate = clock.rate();
        if (consumeRate === null) note = ConsumeClock.UNTIMED;
      })(),
      CONSUME_TIMEOUT_MS,
      'kafkajs consume',
    );
  } catch (err) {
    note = (err as Error).message;
  } finally {
    await consumer.disconnect().catch(() => {});
  }
  return { lat, produceMs, consumeRate, note };
}

async function runPlatformatic(
  bootstrap: string,
  topic: string,
  records: number,
  compression: Compression,
  value: Buffer,
) {
  const { Producer, Consumer } = await import('../test/peers/platformatic-kafka.js');
  const producer = new Producer({
    clientId: 'bench-platformatic',
    bootstrapBrokers: [bootstrap],
    idempotent: false,
  });
  const messages = Array.from({ length: CHUNK }, () => ({ topic, value }));
  const t0 = performance.now();
  const lat = await offer(records, (n) =>
    producer.send({ messages: n === CHUNK ? messages : messages.slice(0, n), acks: 1, compression }),
  );
  const produceMs = performance.now() - t0;
  await producer.close();
  if (PRODUCE_ONLY) return { lat, produceMs, consumeRate: null, note: 'produce only' };
  let consumeRate: number | null = null;
  let note: string | undefined;
  const consumer = new Consumer({
    groupId: `bench-platformatic-${topic}`,
    clientId: 'bench-platformatic',
    bootstrapBrokers: [bootstrap],
  });
  try {
    await withTimeout(
      (async () => {
        const clock = new ConsumeClock();
        const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
        for await (const _ of stream) {
          clock.add(1);
          if (clock.got >= records) break;
        }
        consumeRate = clock.rate();
        if (consumeRate === null) note = ConsumeClock.UNTIMED;
        await stream.close();
      })(),
      CONSUME_TIMEOUT_MS,
      '@platformatic/kafka consume',
    );
  } catch (err) {
    note = (err as Error).message;
  } finally {
    try {
      await consumer.close(true);
    } catch {
      // closing after a failed consume may fail as well; the figure is already n/a
    }
  }
  return { lat, produceMs, consumeRate, note };
}

/**
 * A 1 KiB value that compresses about as well as text: letters and digits from a fixed-seed
 * generator, so every client sends identical bytes and lz4 has realistic work to do.
 */
function benchValue(): Buffer {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ';
  let seed = 0x2545f491;
  const out = Buffer.alloc(VALUE_BYTES);
  for (let i = 0; i < VALUE_BYTES; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    out[i] = alphabet.charCodeAt((seed >>> 16) % alphabet.length);
  }
  return out;
}

/** Child mode: one client, one compression; prints a RunResult as JSON. */
async function clientChild(): Promise<void> {
  const client = arg('--client', 'strom') as ClientName;
  const compression = arg('--compression', 'none') as Compression;
  const records = Number(arg('--records', String(DEFAULT_RECORDS)));
  const bootstrap = arg('--bootstrap', '');
  const topic = arg('--topic', 'bench');
  const value = benchValue();
  let rssPeak = 0;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  }, 20);
  const run = client === 'strom' ? runStrom : client === 'kafkajs' ? runKafkaJs : runPlatformatic;
  const r = await run(bootstrap, topic, records, compression, value);
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  const result: RunResult = {
    client,
    compression,
    produceRecordsPerSec: records / (r.produceMs / 1000),
    produceMBPerSec: (records * VALUE_BYTES) / 1e6 / (r.produceMs / 1000),
    p99Ms: percentile(r.lat, 0.99),
    consumeRecordsPerSec: r.consumeRate,
    rssPeakMB: rssPeak / 1e6,
    ...(r.note ? { consumeNote: r.note } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

/** Runs `use` with an admin client of Strom's, closed afterwards. */
async function withAdmin(bootstrap: string, use: (admin: Admin) => Promise<unknown>): Promise<void> {
  const { Kafka } = await import('../src/client/index.js');
  const admin = new Kafka({ bootstrapServers: bootstrap }).admin();
  try {
    await use(admin);
  } finally {
    await admin.close();
  }
}

/** Every client gets a topic created the same way beforehand (@platformatic/kafka does not auto-create). */
function createTopic(bootstrap: string, topic: string): Promise<void> {
  return withAdmin(bootstrap, (admin) => admin.createTopics([{ topic, numPartitions: 1 }]));
}

/**
 * Each run's topic is deleted when it ends, as the suite does with its workloads: the gigabytes
 * of every earlier run would otherwise sit in the page cache as dirty pages, and once they pass
 * the kernel's dirty limit it throttles the broker's writes to disk speed, in whichever client's
 * run that happens to be (the fastest producer is hit hardest).
 */
function deleteTopic(bootstrap: string, topic: string): Promise<void> {
  return withAdmin(bootstrap, (admin) => admin.deleteTopics([topic]));
}

/** Null-broker mode (see null-broker.ts) until stdin closes. */
async function sinkChild(): Promise<void> {
  const { startNullBroker } = await import('./null-broker.js');
  process.stdout.write(`${await startNullBroker()}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

function collect(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited with ${code}`))));
  });
}

function startChild(mode: string): Promise<{ child: ChildProcess; bootstrap: string }> {
  const child = spawn(process.execPath, [SELF, mode], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    child.stdout!.once('data', (d: Buffer) => resolve({ child, bootstrap: d.toString().trim() }));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.stdin!.end();
  await exited;
}

/** Every client, both compressions, each in its own process against `bootstrap`. */
function printRun(r: RunResult, label: string): void {
  const consume =
    r.consumeRecordsPerSec === null
      ? `n/a (${r.consumeNote})`
      : `${Math.round(r.consumeRecordsPerSec)} rec/s`;
  const produce = `${Math.round(r.produceRecordsPerSec).toString().padStart(8)} rec/s ${r.produceMBPerSec.toFixed(1).padStart(7)} MB/s`;
  console.log(
    `${r.compression.padEnd(5)} ${label.padEnd(13)} produce ${produce}  p99 ${r.p99Ms.toFixed(1).padStart(7)} ms  consume ${consume}  RSS ${r.rssPeakMB.toFixed(0)} MB`,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One figure per client and compression: the median of each rate and p99 over the rounds, with the spread. */
function medians(runs: RunResult[]): RunResult[] {
  const out: RunResult[] = [];
  for (const compression of ['none', 'lz4'] as const) {
    for (const client of ['strom', 'kafkajs', 'platformatic'] as const) {
      const rs = runs.filter((r) => r.client === client && r.compression === compression);
      if (rs.length === 0) continue;
      const consumes = rs.map((r) => r.consumeRecordsPerSec);
      const produce = rs.map((r) => r.produceRecordsPerSec);
      const consumed = consumes.every((c) => c !== null);
      const note = rs.find((r) => r.consumeNote)?.consumeNote;
      out.push({
        client,
        compression,
        produceRecordsPerSec: median(produce),
        produceMBPerSec: median(rs.map((r) => r.produceMBPerSec)),
        p99Ms: median(rs.map((r) => r.p99Ms)),
        consumeRecordsPerSec: consumed ? median(consumes as number[]) : null,
        // The peak over the rounds: the figure to compare with is the most memory a client took.
        rssPeakMB: Math.max(...rs.map((r) => r.rssPeakMB)),
        rounds: rs.length,
        produceSpread: [Math.min(...produce), Math.max(...produce)],
        ...(consumed
          ? { consumeSpread: [Math.min(...(consumes as number[])), Math.max(...(consumes as number[]))] }
          : {}),
        ...(!consumed && note ? { consumeNote: note } : {}),
      });
    }
  }
  return out;
}

/**
 * Every client, both compressions, each in its own process against `bootstrap`, `rounds` times;
 * the order of the clients turns each round, so none always runs first on a fresh broker.
 */
async function runSuite(
  bootstrap: string,
  records: number,
  produceOnly: boolean,
  clients: readonly ClientName[],
  rounds: number,
): Promise<{ runs: RunResult[]; summary: RunResult[] }> {
  const results: RunResult[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = clients.map((_, i) => clients[(i + round) % clients.length]!);
    for (const compression of ['none', 'lz4'] as const) {
      for (const client of order) {
        const topic = `bench-${client}-${compression}-${round}-${Date.now()}`;
        if (!produceOnly) await createTopic(bootstrap, topic);
        settleDisk();
        const args = [SELF, '--client-child', '--client', client, '--compression', compression];
        args.push('--records', String(records), '--bootstrap', bootstrap, '--topic', topic);
        if (produceOnly) args.push('--produce-only');
        const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
        try {
          const r = JSON.parse((await collect(child)).trim().split('\n').pop()!) as RunResult;
          r.round = round;
          results.push(r);
          printRun(r, rounds > 1 ? `${client} #${round + 1}` : client);
        } catch (err) {
          console.log(`${compression.padEnd(5)} ${client.padEnd(13)} failed: ${(err as Error).message}`);
        }
        if (!produceOnly) await deleteTopic(bootstrap, topic);
      }
    }
  }
  if (rounds === 1) return { runs: results, summary: results };
  const summary = medians(results);
  console.log(`medians of ${rounds} rounds (RSS: the highest), with the lowest and highest rates:`);
  for (const r of summary) {
    printRun(r, r.client);
    const range = (s: [number, number]) => `${Math.round(s[0])}-${Math.round(s[1])} rec/s`;
    const consume = r.consumeSpread ? `, consume ${range(r.consumeSpread)}` : '';
    console.log(`      spread: produce ${range(r.produceSpread!)}${consume}`);
  }
  return { runs: results, summary };
}

/** Strom's ratio to another client in each round, where both ran: runs of one round share the machine's mood. */
function perRound(
  runs: RunResult[],
  compression: Compression,
  other: ClientName,
  measure: (r: RunResult) => number | null,
): string {
  const ratios: string[] = [];
  for (const s of runs.filter((r) => r.client === 'strom' && r.compression === compression)) {
    const o = runs.find((r) => r.client === other && r.compression === compression && r.round === s.round);
    const a = measure(s);
    const b = o ? measure(o) : null;
    if (a !== null && b !== null) ratios.push(`${(a / b).toFixed(2)}×`);
  }
  return ratios.join(' ');
}

function printRatios(label: string, results: RunResult[], runs: RunResult[]): void {
  const rounds = new Set(runs.map((r) => r.round)).size;
  for (const compression of ['none', 'lz4'] as const) {
    const by = (c: ClientName) => results.find((r) => r.client === c && r.compression === compression);
    const s = by('strom');
    if (!s) continue;
    for (const other of ['kafkajs', 'platformatic'] as const) {
      const o = by(other);
      if (!o) continue;
      const consume =
        s.consumeRecordsPerSec !== null && o.consumeRecordsPerSec !== null
          ? `${(s.consumeRecordsPerSec / o.consumeRecordsPerSec).toFixed(2)}×`
          : 'n/a';
      console.log(
        `${label} ${compression}: Strom / ${other}: produce ${(s.produceRecordsPerSec / o.produceRecordsPerSec).toFixed(2)}×, consume ${consume}, p99 ${(s.p99Ms / o.p99Ms).toFixed(2)}× (lower is better), RSS ${(s.rssPeakMB / o.rssPeakMB).toFixed(2)}×`,
      );
      if (rounds > 1) {
        const produce = perRound(runs, compression, other, (r) => r.produceRecordsPerSec);
        const consumed = perRound(runs, compression, other, (r) => r.consumeRecordsPerSec);
        console.log(`    round by round: produce ${produce}${consumed ? `, consume ${consumed}` : ''}`);
      }
    }
  }
}

async function main(): Promise<void> {
  const records = Number(arg('--records', String(DEFAULT_RECORDS)));
  const clients = arg('--clients', 'strom,kafkajs,platformatic').split(',') as ClientName[];
  const rounds = Number(arg('--rounds', '1'));
  console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}`);
  console.log(
    `${records} records of ${VALUE_BYTES} B${rounds > 1 ? `, ${rounds} rounds` : ''}, acks=1, chunks of ${CHUNK}, window ${WINDOW}; Strom: linger 5 ms, batch.size 512 KiB, 16 in flight`,
  );
  console.log('\n# Strom broker (`strom server`, its own process): produce, then consume');
  // Started as an operator starts it (the command and its node flags), on a fresh data dir.
  const dataDir = mkdtempSync(join(tmpdir(), 'strom-bench-client-'));
  // No initial rebalance delay for the group clients, as Kafka's sample server.properties has.
  const broker = await startStrom({
    dataDir,
    overrides: ['num.partitions=1', 'group.initial.rebalance.delay.ms=0'],
  });
  let withBroker: { runs: RunResult[]; summary: RunResult[] } = { runs: [], summary: [] };
  try {
    withBroker = await runSuite(`${broker.host}:${broker.port}`, records, false, clients, rounds);
  } finally {
    await stopStrom(broker);
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log("\n# Null broker (acknowledges Produce without storing): the clients' own produce cost");
  const sink = await startChild('--sink-child');
  let withSink: { runs: RunResult[]; summary: RunResult[] } = { runs: [], summary: [] };
  try {
    withSink = await runSuite(sink.bootstrap, records, true, clients, rounds);
  } finally {
    await stopChild(sink.child);
  }
  console.log('');
  // One machine-readable line for the benchmark suite, which runs this script as one of its sections.
  console.log(`BENCH_JSON ${JSON.stringify({ broker: withBroker.summary, nullBroker: withSink.summary })}`);
  printRatios('broker', withBroker.summary, withBroker.runs);
  printRatios('null broker', withSink.summary, withSink.runs);
}

if (process.argv.includes('--sink-child')) await sinkChild();
else if (process.argv.includes('--client-child')) await clientChild();
else await main();
