import { fileURLToPath } from 'node:url';
import type { ConnectRun } from '../connect.bench.js';
import { runBenchScript } from './child-processes.js';
import type { SuiteContext } from './suite-context.js';

const CONNECT_SCRIPT = fileURLToPath(new URL('../connect.bench.js', import.meta.url));

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
