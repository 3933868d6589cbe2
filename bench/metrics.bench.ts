/**
 * What metrics cost the broker: the Strom client produces N records of 1 KiB (acks=1, linger 5 ms,
 * batch.size 512 KiB, 5 in flight) to a `strom server` with its HTTP listener and metrics on,
 * scraped every second as Prometheus would, and to one with `strom.http.listeners=none`, in
 * alternating rounds, each a fresh broker process and topic. The target is at least 0.97x of the
 * broker without metrics. Then one broker with P partitions (10,000 by default) is scraped a few
 * times: the time of a scrape and its size (target: under 200 ms). Prints both; the last line is
 * `BENCH_JSON {...}` for the benchmark suite (bench/suite/metrics-workloads.ts). Asserts nothing.
 *
 * Usage: node dist/bench/metrics.bench.js [--records 500000] [--rounds 3] [--partitions 10000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka } from '../src/client/index.js';
import { arg, median } from './measure.js';
import { produceRate } from './produce-rate.js';
import { freePort, startStrom, stopStrom } from './suite/strom-process.js';

const VALUE_BYTES = 1024;
const CHUNK = 100;
const WINDOW = 32;

type Mode = 'off' | 'on';

async function scrape(url: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const res = await fetch(url);
  const body = await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return { ms: performance.now() - t0, bytes: body.byteLength };
}

async function produce(bootstrap: string, topic: string, records: number): Promise<number> {
  const kafka = new Kafka({ bootstrapServers: bootstrap, clientId: 'bench-metrics' });
  const producer = kafka.producer({
    acks: 1,
    lingerMs: 5,
    batchSize: 512 * 1024,
    maxInFlightRequestsPerConnection: 5,
  });
  return produceRate(producer, topic, { records, valueBytes: VALUE_BYTES, chunk: CHUNK, window: WINDOW });
}

/** One round of one mode: a fresh broker, a produce run, and with metrics on a scrape every second. */
async function round(mode: Mode, records: number, n: number): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), `strom-bench-metrics-${mode}-`));
  const httpPort = await freePort();
  const http = mode === 'on' ? `http://127.0.0.1:${httpPort}` : 'none';
  const broker = await startStrom({
    dataDir,
    overrides: ['num.partitions=1', `strom.http.listeners=${http}`],
  });
  let scraping: NodeJS.Timeout | undefined;
  try {
    if (mode === 'on') {
      scraping = setInterval(() => {
        scrape(`${http}/metrics`).catch((err: unknown) => console.error(`scrape failed: ${String(err)}`));
      }, 1000);
    }
    return await produce(`${broker.host}:${broker.port}`, `bench-metrics-${mode}-${n}`, records);
  } finally {
    clearInterval(scraping);
    await stopStrom(broker);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Scrape time and size of a broker holding `partitions` partitions (ten topics), median of 5 scrapes. */
async function scrapeManyPartitions(
  partitions: number,
): Promise<{ ms: number; bytes: number; spread: [number, number] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'strom-bench-metrics-scrape-'));
  const httpPort = await freePort();
  const url = `http://127.0.0.1:${httpPort}/metrics`;
  const broker = await startStrom({
    dataDir,
    overrides: [`strom.http.listeners=http://127.0.0.1:${httpPort}`],
  });
  try {
    const kafka = new Kafka({ bootstrapServers: `${broker.host}:${broker.port}`, clientId: 'bench-metrics' });
    const admin = kafka.admin();
    // Ten topics: one request may create at most 10,000 partitions (Kafka's POLICY_VIOLATION).
    const perTopic = Math.ceil(partitions / 10);
    for (let t = 0; t < 10; t++)
      await admin.createTopics([{ topic: `many-${t}`, numPartitions: perTopic, replicationFactor: 1 }]);
    await admin.close();
    for (let i = 0; i < 3; i++) await scrape(url); // warm-up: the first scrapes compile the formatting code
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 5; i++) {
      const s = await scrape(url);
      times.push(s.ms);
      bytes = s.bytes;
    }
    return { ms: median(times), bytes, spread: [Math.min(...times), Math.max(...times)] };
  } finally {
    await stopStrom(broker);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const records = Number(arg('--records', '500000'));
  const rounds = Number(arg('--rounds', '3'));
  const partitions = Number(arg('--partitions', '10000'));
  console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}`);
  console.log(
    `${records} records of ${VALUE_BYTES} B, ${rounds} round(s), acks=1, metrics on (scraped every second) and off`,
  );
  const rates: Record<Mode, number[]> = { off: [], on: [] };
  for (let n = 0; n < rounds; n++) {
    const order: Mode[] = n % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
    for (const mode of order) {
      const rate = await round(mode, records, n);
      rates[mode].push(rate);
      console.log(`round ${n} metrics ${mode}: ${Math.round(rate)} records/s`);
    }
  }
  const result = (mode: Mode) => ({
    mode,
    recordsPerSec: median(rates[mode]),
    spread: [Math.min(...rates[mode]), Math.max(...rates[mode])] as [number, number],
    rounds,
  });
  const off = result('off');
  const on = result('on');
  console.log(
    `median: off ${Math.round(off.recordsPerSec)} records/s, on ${Math.round(on.recordsPerSec)} records/s, ratio ${(on.recordsPerSec / off.recordsPerSec).toFixed(3)}x`,
  );
  const scrapeResult = { partitions, ...(await scrapeManyPartitions(partitions)) };
  console.log(
    `scrape with ${partitions} partitions: ${scrapeResult.ms.toFixed(1)} ms (spread ${scrapeResult.spread.map((x) => x.toFixed(1)).join('–')}), ${(scrapeResult.bytes / 1e6).toFixed(2)} MB`,
  );
  console.log(`BENCH_JSON ${JSON.stringify({ off, on, scrape: scrapeResult })}`);
}

await main();
