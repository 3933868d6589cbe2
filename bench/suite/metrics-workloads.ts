import { fileURLToPath } from 'node:url';
import { runBenchScript } from './child-processes.js';
import type { SuiteContext } from './suite-context.js';

const SCRIPT = fileURLToPath(new URL('../metrics.bench.js', import.meta.url));

interface ModeRun {
  mode: 'off' | 'on';
  recordsPerSec: number;
  spread: [number, number];
  rounds: number;
}

const note = (r: ModeRun): string =>
  r.rounds > 1
    ? `median of ${r.rounds} rounds, ${Math.round(r.spread[0])}-${Math.round(r.spread[1])} records/s`
    : 'one round';

/**
 * bench/metrics.bench.ts: produce to a broker with metrics on (scraped every second) against the
 * same broker with `strom.http.listeners=none`, in the same run, off as the baseline (target: at
 * least 0.97x); and the time and size of a scrape with many partitions (target: under 200 ms).
 */
export async function runMetricsCost(ctx: SuiteContext): Promise<void> {
  const records = ctx.quick ? 20_000 : 500_000;
  const rounds = ctx.quick ? 1 : 3;
  const partitions = ctx.quick ? 1_000 : 10_000;
  ctx.progress(
    `metrics: ${records} records per mode, ${rounds} round(s), metrics on and off; scrape of ${partitions} partitions`,
  );
  const parsed = await runBenchScript<{
    off: ModeRun;
    on: ModeRun;
    scrape: { partitions: number; ms: number; bytes: number; spread: [number, number] };
  }>(ctx, 'metrics', SCRIPT, [
    '--records',
    String(records),
    '--rounds',
    String(rounds),
    '--partitions',
    String(partitions),
  ]);
  if (!parsed) return;
  const { off, on, scrape } = parsed;
  const label = (r: ModeRun) =>
    `Produce 1 KiB records, acks=1, metrics ${r.mode === 'on' ? 'on, scraped every second' : 'off (strom.http.listeners=none)'}`;
  ctx.rec.add({
    section: 'strom',
    id: 'strom.metrics.off.produce',
    label: label(off),
    system: 'strom',
    value: off.recordsPerSec,
    unit: 'records/s',
    note: note(off),
  });
  ctx.rec.add({
    section: 'strom',
    id: 'strom.metrics.on.produce',
    label: label(on),
    system: 'strom',
    value: on.recordsPerSec,
    unit: 'records/s',
    baseline: { label: 'metrics off', value: off.recordsPerSec },
    note: note(on),
  });
  ctx.rec.add({
    section: 'strom',
    id: 'strom.metrics.scrape.ms',
    label: `/metrics scrape with ${scrape.partitions} partitions`,
    system: 'strom',
    value: scrape.ms,
    unit: 'ms',
    note: `median of 5, ${scrape.spread[0].toFixed(0)}-${scrape.spread[1].toFixed(0)} ms; ${(scrape.bytes / 1e6).toFixed(2)} MB of text`,
  });
}
