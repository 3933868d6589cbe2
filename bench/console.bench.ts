/**
 * What the broker's HTTP listener costs and how fast the web console is, on a broker with many
 * partitions and topics:
 *
 * 1. Produce latency while /metrics is scraped every second, against the same broker not scraped:
 *    one `strom server` holding P partitions (10,000 by default, ten topics), a producer sending 1 KiB
 *    records at a fixed rate (acks=1) to one more topic, in alternating rounds with and without a
 *    scrape each second; p50 and p99 of send-to-ack. The scrape's own time and size are printed too.
 * 2. Console page load with T topics (10,000 by default, one partition each) in Chromium: from
 *    navigation to the topics list drawn (its first page of 50 rows), median of 5 fresh loads; and
 *    the API call behind it (/api/topics) alone.
 *
 * The last line is `BENCH_JSON {...}` for the benchmark suite (bench/suite/console-workloads.ts).
 * Asserts nothing.
 *
 * Usage: node dist/bench/console.bench.js [--partitions 10000] [--topics 10000] [--seconds 10] [--rate 2000] [--rounds 2]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka } from '../src/client/index.js';
import { launchChromium } from '../test/helpers/system-chromium.js';
import { arg, median } from './measure.js';
import { LatencyRecorder, type LatencySummary, stampNowMs } from './suite/latency.js';
import { pace } from './suite/pacer.js';
import { freePort, type StromProcess, startStrom, stopStrom } from './suite/strom-process.js';

const VALUE_BYTES = 1024;

/** User and system CPU time a process has used, from /proc (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function timed(url: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const res = await fetch(url);
  const body = await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return { ms: performance.now() - t0, bytes: body.byteLength };
}

async function startWithHttp(prefix: string): Promise<{ broker: StromProcess; http: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const port = await freePort();
  const http = `http://127.0.0.1:${port}`;
  const broker = await startStrom({
    dataDir: dir,
    overrides: [`strom.http.listeners=${http}`, 'num.partitions=1'],
  });
  return { broker, http, dir };
}

/**
 * Creates `count` topics of `partitions` partitions each, at most 5,000 partitions per CreateTopics
 * request (Kafka refuses more than 10,000 in one with POLICY_VIOLATION).
 */
async function createTopics(kafka: Kafka, prefix: string, count: number, partitions: number): Promise<void> {
  const admin = kafka.admin();
  const perRequest = Math.max(1, Math.floor(5000 / partitions));
  try {
    for (let i = 0; i < count; i += perRequest) {
      const n = Math.min(perRequest, count - i);
      await admin.createTopics(
        Array.from({ length: n }, (_, j) => ({ topic: `${prefix}-${i + j}`, numPartitions: partitions })),
      );
    }
  } finally {
    await admin.close();
  }
}

interface LatencyRound {
  scraped: boolean;
  latency: LatencySummary;
}

async function produceLatency(
  partitions: number,
  seconds: number,
  rate: number,
  rounds: number,
): Promise<{
  rounds: LatencyRound[];
  scrape: { ms: number; bytes: number; spread: [number, number]; idleMs: number; idleCpuMs: number };
}> {
  const { broker, http, dir } = await startWithHttp('strom-bench-console-lat-');
  try {
    const kafka = new Kafka({ bootstrapServers: `${broker.host}:${broker.port}`, clientId: 'bench-console' });
    await createTopics(kafka, 'many', 10, Math.ceil(partitions / 10));
    await createTopics(kafka, 'latency', 1, 1);
    const scrapes: { ms: number; bytes: number }[] = [];
    for (let i = 0; i < 3; i++) await timed(`${http}/metrics`); // warm-up
    const producer = kafka.producer({ acks: 1, lingerMs: 0 });
    const value = Buffer.alloc(VALUE_BYTES, 7);
    await producer.send('latency-0', { value }); // warm-up: metadata, connection
    // Warm-up: a round of the same load, not recorded (the first seconds pay for JIT compilation).
    await pace(
      { durationMs: 2000, rateBytesPerSec: rate * VALUE_BYTES, unitBytes: VALUE_BYTES, window: 1000 },
      async () => {
        await producer.send('latency-0', { value });
      },
    );
    const out: LatencyRound[] = [];
    for (let n = 0; n < rounds * 2; n++) {
      const scraped = n % 2 === (Math.floor(n / 2) % 2 === 0 ? 1 : 0); // off, on, on, off, ...
      // Scraped as Prometheus scrapes a target: every second, never two scrapes at once (a scrape
      // that takes longer delays the next, as Prometheus' scrape loop does).
      let scraping = scraped;
      const scraper = (async () => {
        while (scraping) {
          const t0 = performance.now();
          try {
            scrapes.push(await timed(`${http}/metrics`));
          } catch (err) {
            console.error(`scrape failed: ${String(err)}`);
          }
          await sleep(Math.max(0, 1000 - (performance.now() - t0)));
        }
      })();
      const recorder = new LatencyRecorder();
      try {
        await pace(
          {
            durationMs: seconds * 1000,
            rateBytesPerSec: rate * VALUE_BYTES,
            unitBytes: VALUE_BYTES,
            window: 1000,
          },
          async () => {
            const stamp = stampNowMs();
            await producer.send('latency-0', { value });
            recorder.record(stamp);
          },
        );
      } finally {
        scraping = false;
        await scraper;
      }
      const latency = recorder.summary()!;
      out.push({ scraped, latency });
      console.log(
        `round ${n} ${scraped ? 'scraped every second' : 'not scraped'}: p50 ${latency.p50Ms.toFixed(2)} ms, p99 ${latency.p99Ms.toFixed(2)} ms (${latency.count} records)`,
      );
    }
    await producer.close();
    // Then scrapes of the idle broker, with the broker's CPU time for each: a figure that a busy
    // machine inflates far less than the wall time.
    const idle: { ms: number; cpuMs: number }[] = [];
    for (let i = 0; i < 5; i++) {
      const cpu0 = cpuMs(broker.child.pid!);
      const s = await timed(`${http}/metrics`);
      idle.push({ ms: s.ms, cpuMs: cpuMs(broker.child.pid!) - cpu0 });
    }
    const times = scrapes.map((s) => s.ms);
    return {
      rounds: out,
      scrape: {
        ms: median(times),
        bytes: scrapes.at(-1)?.bytes ?? 0,
        spread: [Math.min(...times), Math.max(...times)],
        idleMs: median(idle.map((x) => x.ms)),
        idleCpuMs: median(idle.map((x) => x.cpuMs)),
      },
    };
  } finally {
    await stopStrom(broker);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function pageLoad(topics: number): Promise<{ pageMs: number[]; apiMs: number[]; apiBytes: number }> {
  const { broker, http, dir } = await startWithHttp('strom-bench-console-page-');
  try {
    const kafka = new Kafka({ bootstrapServers: `${broker.host}:${broker.port}`, clientId: 'bench-console' });
    await createTopics(kafka, 'topic', topics, 1);
    const apiMs: number[] = [];
    let apiBytes = 0;
    for (let i = 0; i < 6; i++) {
      const r = await timed(`${http}/api/topics?limit=50`);
      if (i > 0) apiMs.push(r.ms); // the first warms up
      apiBytes = r.bytes;
    }
    const browser = await launchChromium();
    const pageMs: number[] = [];
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      for (let i = 0; i < 6; i++) {
        await page.goto('about:blank');
        const t0 = performance.now();
        await page.goto(`${http}/#/topics`);
        await page.locator('tbody tr').nth(49).waitFor({ timeout: 60_000 });
        if (i > 0) pageMs.push(performance.now() - t0);
      }
    } finally {
      await browser.close();
    }
    return { pageMs, apiMs, apiBytes };
  } finally {
    await stopStrom(broker);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const partitions = Number(arg('--partitions', '10000'));
  const topics = Number(arg('--topics', '10000'));
  const seconds = Number(arg('--seconds', '10'));
  const rate = Number(arg('--rate', '2000'));
  const rounds = Number(arg('--rounds', '2'));
  console.log(
    `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(`${partitions} partitions; ${rate} records/s of ${VALUE_BYTES} B for ${seconds} s per round`);
  const lat = await produceLatency(partitions, seconds, rate, rounds);
  const p99 = (scraped: boolean) =>
    median(lat.rounds.filter((r) => r.scraped === scraped).map((r) => r.latency.p99Ms));
  const p50 = (scraped: boolean) =>
    median(lat.rounds.filter((r) => r.scraped === scraped).map((r) => r.latency.p50Ms));
  const produce = {
    notScraped: { p50Ms: p50(false), p99Ms: p99(false) },
    scraped: { p50Ms: p50(true), p99Ms: p99(true) },
    rounds,
    seconds,
    rate,
  };
  console.log(
    `produce p99: ${produce.notScraped.p99Ms.toFixed(2)} ms not scraped, ${produce.scraped.p99Ms.toFixed(2)} ms scraped every second`,
  );
  console.log(
    `scrape with ${partitions} partitions, idle broker: ${lat.scrape.idleMs.toFixed(1)} ms, broker CPU ${lat.scrape.idleCpuMs.toFixed(0)} ms (median of 5)`,
  );
  console.log(
    `scrape with ${partitions} partitions under load: ${lat.scrape.ms.toFixed(1)} ms median (${lat.scrape.spread.map((x) => x.toFixed(1)).join('–')}), ${(lat.scrape.bytes / 1e6).toFixed(2)} MB`,
  );
  const load = await pageLoad(topics);
  const page = {
    topics,
    ms: median(load.pageMs),
    spread: [Math.min(...load.pageMs), Math.max(...load.pageMs)],
  };
  const api = { ms: median(load.apiMs), bytes: load.apiBytes };
  console.log(
    `console topics page with ${topics} topics: ${page.ms.toFixed(0)} ms median of ${load.pageMs.length} (${page.spread.map((x) => x.toFixed(0)).join('–')}); /api/topics ${api.ms.toFixed(1)} ms, ${api.bytes} B`,
  );
  console.log(
    `BENCH_JSON ${JSON.stringify({ partitions, produce, scrape: { partitions, ...lat.scrape }, page, api, loadavg: loadavg() })}`,
  );
}

await main();
