/**
 * Idempotent produce against plain produce, same broker, same run: the Strom client sends N
 * records of 1 KiB with acks=all, linger 5 ms, batch.size 512 KiB and 5 requests in flight (the
 * most idempotence allows), once with `idempotent: false` and once idempotent (the default), in
 * alternating rounds, each to a fresh one-partition topic. Idempotence costs the producer a
 * sequence per batch and the broker a check of each batch header against the producer's state;
 * the target is at least 0.95x of plain produce. The broker is `strom server` in its own process.
 * Prints records/s per mode (median of the rounds and their spread) and the ratio; the last line
 * is `BENCH_JSON {...}` for the benchmark suite (bench/suite/client-workloads.ts). Asserts nothing.
 *
 * Usage: node dist/bench/idempotence.bench.js [--records 500000] [--rounds 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka } from '../src/client/index.js';
import { arg, median } from './measure.js';
import { produceRate } from './produce-rate.js';
import { startStrom, stopStrom } from './suite/strom-process.js';

const VALUE_BYTES = 1024;
const CHUNK = 100;
const WINDOW = 32;

type Mode = 'plain' | 'idempotent';

interface ModeResult {
  mode: Mode;
  recordsPerSec: number;
  spread: [number, number];
  rounds: number;
}

async function produce(bootstrap: string, topic: string, mode: Mode, records: number): Promise<number> {
  const kafka = new Kafka({ bootstrapServers: bootstrap, clientId: `bench-${mode}` });
  const producer = kafka.producer({
    acks: 'all',
    lingerMs: 5,
    batchSize: 512 * 1024,
    maxInFlightRequestsPerConnection: 5,
    idempotent: mode === 'idempotent',
  });
  return produceRate(producer, topic, { records, valueBytes: VALUE_BYTES, chunk: CHUNK, window: WINDOW });
}

async function main(): Promise<void> {
  const records = Number(arg('--records', '500000'));
  const rounds = Number(arg('--rounds', '3'));
  console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}`);
  console.log(
    `${records} records of ${VALUE_BYTES} B, ${rounds} round(s), acks=all, linger 5 ms, batch.size 512 KiB, 5 in flight`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'strom-bench-idempotence-'));
  const broker = await startStrom({ dataDir, overrides: ['num.partitions=1'] });
  const rates: Record<Mode, number[]> = { plain: [], idempotent: [] };
  try {
    const bootstrap = `${broker.host}:${broker.port}`;
    for (let round = 0; round < rounds; round++) {
      // Alternating which goes first, so neither always meets the page cache the other filled.
      const order: Mode[] = round % 2 === 0 ? ['plain', 'idempotent'] : ['idempotent', 'plain'];
      for (const mode of order) {
        const rate = await produce(bootstrap, `bench-${mode}-${round}`, mode, records);
        rates[mode].push(rate);
        console.log(`round ${round} ${mode}: ${Math.round(rate)} records/s`);
      }
    }
  } finally {
    await stopStrom(broker);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const result = (mode: Mode): ModeResult => ({
    mode,
    recordsPerSec: median(rates[mode]),
    spread: [Math.min(...rates[mode]), Math.max(...rates[mode])],
    rounds,
  });
  const plain = result('plain');
  const idempotent = result('idempotent');
  console.log(
    `median: plain ${Math.round(plain.recordsPerSec)} records/s, idempotent ${Math.round(idempotent.recordsPerSec)} records/s, ratio ${(idempotent.recordsPerSec / plain.recordsPerSec).toFixed(3)}x`,
  );
  console.log(`BENCH_JSON ${JSON.stringify({ plain, idempotent })}`);
}

await main();
