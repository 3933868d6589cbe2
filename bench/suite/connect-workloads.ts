import { fileURLToPath } from 'node:url';
import type { ConnectRun } from '../connect.bench.js';
import type { PostgresBenchResults } from '../postgres.bench.js';
import { runBenchScript } from './child-processes.js';
import type { SuiteContext } from './suite-context.js';

const CONNECT_SCRIPT = fileURLToPath(new URL('../connect.bench.js', import.meta.url));
const POSTGRES_SCRIPT = fileURLToPath(new URL('../postgres.bench.js', import.meta.url));

/** Strom Connect's file pipeline (bench/connect.bench.ts) against the same copy made with the client alone. */
export async function runConnect(ctx: SuiteContext): Promise<void> {
  // Enough lines that the steady state, not the start-up, sets the rate even in --quick.
  const records = ctx.quick ? 100_000 : 200_000;
  const rounds = ctx.quick ? 1 : 3;
  ctx.progress(`connect: FileStreamSource -> topic -> FileStreamSink, ${records} lines, ${rounds} round(s)`);
  const parsed = await runBenchScript<{ results: ConnectRun[] }>(ctx, 'connect', CONNECT_SCRIPT, [
    '--records',
    String(records),
    '--rounds',
    String(rounds),
  ]);
  if (!parsed) return;
  const baseline = parsed.results.find((r) => r.mode === 'baseline')!;
  const note = (r: ConnectRun) =>
    `${
      r.rounds > 1
        ? `median of ${r.rounds} rounds (${Math.round(r.spread[0])}–${Math.round(r.spread[1])})`
        : 'one round'
    }, steady state (first line to last); the sink's group join before it took ${Math.round(r.joinMs)} ms`;
  for (const r of parsed.results) {
    if (r.mode === 'baseline') continue;
    ctx.rec.add({
      section: 'clients',
      id: `clients.strom.connect.${r.mode}`,
      label:
        r.mode === 'connect-string'
          ? 'Strom Connect: FileStreamSource -> topic -> FileStreamSink, StringConverter, standalone worker'
          : r.mode === 'connect-json'
            ? 'Strom Connect: the same with JsonConverter, schemas.enable=true'
            : 'Strom Connect: the same with StringConverter on a distributed worker',
      system: 'strom',
      value: r.recordsPerSec,
      unit: 'records/s',
      baseline: { label: 'the same copy with the Strom client alone', value: baseline.recordsPerSec },
      note: note(r),
    });
  }
}

/** Strom Connect's PostgreSQL CDC source and sink (bench/postgres.bench.ts) against a PostgreSQL of the same machine. */
export async function runPostgresConnectors(ctx: SuiteContext): Promise<void> {
  const changes = ctx.quick ? 5_000 : 50_000;
  const seconds = ctx.quick ? 3 : 15;
  ctx.progress(`connect: PostgreSQL CDC and sink, ${changes} changes, lag over ${seconds} s`);
  const r = await runBenchScript<PostgresBenchResults>(ctx, 'connect-postgres', POSTGRES_SCRIPT, [
    '--changes',
    String(changes),
    '--seconds',
    String(seconds),
  ]);
  if (!r) return;
  ctx.rec.add({
    section: 'clients',
    id: 'clients.strom.connect.postgres-cdc',
    label: 'Strom Connect: PostgreSQL CDC source to the topic, JsonConverter with schemas',
    system: 'strom',
    value: r.cdcChangesPerSec,
    unit: 'changes/s',
    baseline: {
      label: 'the source task alone (decoding, no worker or broker)',
      value: r.cdcBaselineChangesPerSec,
    },
    note: `${r.changes} single-row inserts in transactions of 1,000`,
  });
  ctx.rec.add({
    section: 'clients',
    id: 'clients.strom.connect.postgres-cdc-lag-p99',
    label: `Strom Connect: PostgreSQL CDC lag p99 (commit to read from the topic) at ${Math.round(r.lagRatePerSec)} changes/s`,
    system: 'strom',
    value: r.lagP99Ms,
    unit: 'ms',
    note: `p50 ${r.lagP50Ms} ms`,
  });
  ctx.rec.add({
    section: 'clients',
    id: 'clients.strom.connect.postgres-sink',
    label: 'Strom Connect: JDBC sink into PostgreSQL with ExtractNewRecordState, upsert',
    system: 'strom',
    value: r.sinkRowsPerSec,
    unit: 'rows/s',
    baseline: { label: 'the same rows with pg by hand (multi-row upserts)', value: r.sinkBaselineRowsPerSec },
    note: 'includes the sink group join (3 s initial rebalance delay)',
  });
}
