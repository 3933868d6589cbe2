import { fileURLToPath } from 'node:url';
import { runBenchScript } from './child-processes.js';
import type { SuiteContext } from './suite-context.js';

const SCRIPT = fileURLToPath(new URL('../console.bench.js', import.meta.url));

interface Percentiles {
  p50Ms: number;
  p99Ms: number;
}

/**
 * bench/console.bench.ts: produce p99 on a broker with many partitions while /metrics is scraped
 * every second against the same broker not scraped (target: unaffected), the scrape's time and size
 * there (target: under 200 ms), and the web console's topics page load with many topics in Chromium.
 */
export async function runConsoleCost(ctx: SuiteContext): Promise<void> {
  const partitions = ctx.quick ? 1_000 : 10_000;
  const topics = ctx.quick ? 1_000 : 10_000;
  const seconds = ctx.quick ? 3 : 10;
  const rounds = ctx.quick ? 1 : 2;
  ctx.progress(
    `console: produce p99 with and without a scrape each second (${partitions} partitions); page load (${topics} topics)`,
  );
  const parsed = await runBenchScript<{
    produce: { notScraped: Percentiles; scraped: Percentiles; rounds: number; seconds: number; rate: number };
    scrape: {
      partitions: number;
      ms: number;
      bytes: number;
      spread: [number, number];
      idleMs: number;
      idleCpuMs: number;
    };
    page: { topics: number; ms: number; spread: [number, number] };
    api: { ms: number; bytes: number };
  }>(ctx, 'console', SCRIPT, [
    '--partitions',
    String(partitions),
    '--topics',
    String(topics),
    '--seconds',
    String(seconds),
    '--rounds',
    String(rounds),
  ]);
  if (!parsed) return;
  const { produce, scrape, page, api } = parsed;
  const what = `${produce.rate} records/s of 1 KiB, acks=1, ${partitions} partitions on the broker`;
  ctx.rec.add({
    section: 'strom',
    id: 'strom.console.produce.p99.unscraped',
    label: `Produce p99, ${what}, not scraped`,
    system: 'strom',
    value: produce.notScraped.p99Ms,
    unit: 'ms',
    note: `p50 ${produce.notScraped.p50Ms.toFixed(2)} ms; median of ${produce.rounds} round(s) of ${produce.seconds} s`,
  });
  ctx.rec.add({
    section: 'strom',
    id: 'strom.console.produce.p99.scraped',
    label: `Produce p99, ${what}, /metrics scraped every second`,
    system: 'strom',
    value: produce.scraped.p99Ms,
    unit: 'ms',
    baseline: { label: 'not scraped', value: produce.notScraped.p99Ms },
    note: `p50 ${produce.scraped.p50Ms.toFixed(2)} ms; median of ${produce.rounds} round(s) of ${produce.seconds} s`,
  });
  ctx.rec.add({
    section: 'strom',
    id: 'strom.console.scrape.ms',
    label: `/metrics scrape with ${scrape.partitions} partitions, under produce load`,
    system: 'strom',
    value: scrape.ms,
    unit: 'ms',
    note: `median, ${scrape.spread[0].toFixed(0)}-${scrape.spread[1].toFixed(0)} ms; ${(scrape.bytes / 1e6).toFixed(2)} MB of text`,
  });
  ctx.rec.add({
    section: 'strom',
    id: 'strom.console.scrape.idle.ms',
    label: `/metrics scrape with ${scrape.partitions} partitions, idle broker`,
    system: 'strom',
    value: scrape.idleMs,
    unit: 'ms',
    note: `median of 5; the broker's CPU time per scrape ${scrape.idleCpuMs.toFixed(0)} ms`,
  });
  ctx.rec.add({
    section: 'strom',
    id: 'strom.console.page.ms',
    label: `Web console topics page load with ${page.topics} topics (Chromium, first 50 rows drawn)`,
    system: 'strom',
    value: page.ms,
    unit: 'ms',
    note: `median of 5, ${page.spread[0].toFixed(0)}-${page.spread[1].toFixed(0)} ms; /api/topics alone ${api.ms.toFixed(0)} ms, ${api.bytes} B`,
  });
}
