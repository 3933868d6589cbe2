/**
 * Strom Connect's PostgreSQL connectors against a PostgreSQL of the same machine (started in a
 * temporary directory, as the tests do) and `strom server` in its own process:
 *
 * - cdc-throughput: N single-row inserts committed in transactions of 1,000 while the CDC source
 *   (a standalone worker in this process, JsonConverter with schemas) streams them; timed from the
 *   first commit to the last change event read from the topic. Baseline: the same changes read
 *   from a slot by the source task alone (decoding and envelopes, no worker, converter or broker).
 * - cdc-lag: a steady load of single-row transactions (every 5 ms) for the duration; each event's
 *   lag is the time it is read from the topic minus its commit time (source.ts_ms). p50 and p99.
 * - sink: N change events already in a topic (the source's output) written by the JDBC sink with
 *   ExtractNewRecordState into a second database, upsert by key; timed from creating the connector
 *   to the last row. Baseline: the same rows written with pg by hand, multi-row INSERT ... ON
 *   CONFLICT statements of batch.size rows, one transaction per 3,000.
 *
 * Prints the figures; the last line is `BENCH_JSON {...}` for the benchmark suite
 * (bench/suite/connect-workloads.ts). Asserts nothing.
 *
 * Usage: node dist/bench/postgres.bench.js [--changes 50000] [--seconds 15]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { Kafka } from '../src/client/index.js';
import { noopLogger } from '../src/common/logger.js';
import type { SourceMap } from '../src/connect/api/connect-record.js';
import { PostgresSourceTask } from '../src/connect/postgres/postgres-source-task.js';
import { startStandalone } from '../src/connect/runtime/standalone-worker.js';
import { PostgresServer } from '../test/helpers/postgres-server.js';
import { environment } from './measure.js';
import { startStrom, stopStrom } from './suite/strom-process.js';

export interface PostgresBenchResults {
  cdcChangesPerSec: number;
  cdcBaselineChangesPerSec: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagRatePerSec: number;
  sinkRowsPerSec: number;
  sinkBaselineRowsPerSec: number;
  changes: number;
}

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const changes = arg('changes', 50_000);
const seconds = arg('seconds', 15);
const TXN_ROWS = 1000;

async function insertRows(db: pg.Client, table: string, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i += TXN_ROWS) {
    const n = Math.min(TXN_ROWS, from + count - i);
    await db.query(
      `INSERT INTO ${table} SELECT g, 'name ' || g, g * 1.5, now() FROM generate_series($1::int, $2::int) g`,
      [i, i + n - 1],
    );
  }
}

const sourceProps = (server: PostgresServer, prefix: string, table: string, slot: string) => ({
  'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
  'database.hostname': '127.0.0.1',
  'database.port': String(server.port),
  'database.user': 'postgres',
  'database.dbname': 'postgres',
  'topic.prefix': prefix,
  'table.include.list': `public.${table}`,
  'slot.name': slot,
  'publication.name': `pub_${slot}`,
  'publication.autocreate.mode': 'filtered',
  'snapshot.mode': 'never',
  'poll.interval.ms': '10',
});

async function createTable(db: pg.Client, table: string): Promise<void> {
  await db.query(`CREATE TABLE ${table} (id int PRIMARY KEY, name text, amount numeric(12,2), at timestamp)`);
}

/** Reads `count` values from a topic, calling `each` with the parsed JSON payload of each. */
async function readTopic(
  kafka: Kafka,
  topic: string,
  count: number,
  each?: (payload: { source: { ts_ms: number } }) => void,
): Promise<void> {
  const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
  const admin = kafka.admin();
  while (!(await admin.listTopics()).includes(topic)) await new Promise((r) => setTimeout(r, 5));
  await admin.close();
  consumer.assign([{ topic, partition: 0 }]);
  let n = 0;
  const deadline = Date.now() + 600_000;
  while (n < count && Date.now() < deadline) {
    for (const r of await consumer.poll({ timeoutMs: 200 })) {
      if (r.value === null) continue;
      n++;
      if (each) each((JSON.parse(r.value.toString()) as { payload: { source: { ts_ms: number } } }).payload);
    }
  }
  await consumer.close();
  if (n < count) throw new Error(`read ${n} of ${count} events from ${topic}`);
}

async function baselineCdc(server: PostgresServer, db: pg.Client): Promise<number> {
  await createTable(db, 'base');
  const task = new PostgresSourceTask();
  let stored: SourceMap | null = null;
  task.initialize({
    configs: () => ({}),
    offsetStorageReader: () => ({ offset: async () => stored, offsets: async () => new Map() }),
  });
  await task.start(sourceProps(server, 'base', 'base', 'base'));
  const t0 = performance.now();
  const writing = insertRows(db, 'base', 0, changes);
  let n = 0;
  while (n < changes) {
    const records = (await task.poll()) ?? [];
    n += records.length;
    if (records.length > 0) stored = records.at(-1)!.sourceOffset;
    await task.commit();
  }
  await writing;
  const ms = performance.now() - t0;
  await task.stop();
  return changes / (ms / 1000);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'strom-pg-bench-'));
  let server: PostgresServer;
  try {
    server = await PostgresServer.start();
  } catch (err) {
    console.log(`PostgreSQL is not available: ${(err as Error).message.split('\n')[0]}`);
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  const broker = await startStrom({ dataDir: join(dir, 'data') });
  const bootstrap = `${broker.host}:${broker.port}`;
  const kafka = new Kafka({ bootstrapServers: bootstrap, clientId: 'pg-bench' });
  const db = await server.client();
  await server.createDatabase('replica');
  const replica = await server.client('replica');
  const worker = await startStandalone({
    workerProps: {
      'bootstrap.servers': bootstrap,
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'offset.storage.file.filename': join(dir, 'connect.offsets'),
      'offset.flush.interval.ms': '1000',
      listeners: 'http://127.0.0.1:0',
    },
    logger: noopLogger,
  });
  try {
    console.log(
      `Strom Connect PostgreSQL connectors: ${changes} changes, lag over ${seconds} s; ${environment()}`,
    );
    const cdcBaseline = await baselineCdc(server, db);
    console.log(`  source task alone        ${Math.round(cdcBaseline).toLocaleString('en-US')} changes/s`);

    await createTable(db, 'items');
    await worker.herder.putConnectorConfig('cdc', sourceProps(server, 'bench', 'items', 'bench'), false);
    // The slot exists once the task started: wait for it before timing.
    while (
      (await db.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'bench' AND active")).rowCount ===
      0
    )
      await new Promise((r) => setTimeout(r, 10));
    const t0 = performance.now();
    const writing = insertRows(db, 'items', 0, changes);
    await readTopic(kafka, 'bench.public.items', changes);
    await writing;
    const cdc = changes / ((performance.now() - t0) / 1000);
    console.log(`  CDC to the topic         ${Math.round(cdc).toLocaleString('en-US')} changes/s`);

    // Lag under a steady load: one single-row transaction every 5 ms.
    await createTable(db, 'steady');
    await worker.herder.putConnectorConfig('steady', sourceProps(server, 'lag', 'steady', 'steady'), false);
    while (
      (await db.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'steady' AND active"))
        .rowCount === 0
    )
      await new Promise((r) => setTimeout(r, 10));
    const writer = await server.client();
    let written = 0;
    const stopAt = Date.now() + seconds * 1000;
    const load = (async () => {
      let next = performance.now();
      while (Date.now() < stopAt) {
        await writer.query('INSERT INTO steady VALUES ($1, $2, 1.5, now())', [written, `n${written}`]);
        written++;
        next += 5;
        const wait = next - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    })();
    const lags: number[] = [];
    const reading = readTopic(kafka, 'lag.public.steady', Number.MAX_SAFE_INTEGER, (p) =>
      lags.push(Date.now() - p.source.ts_ms),
    ).catch(() => {});
    await load;
    const settle = Date.now() + 10_000;
    while (lags.length < written && Date.now() < settle) await new Promise((r) => setTimeout(r, 50));
    await writer.end();
    void reading;
    lags.sort((a, b) => a - b);
    const q = (p: number) => lags[Math.min(lags.length - 1, Math.floor(p * lags.length))] ?? Number.NaN;
    const rate = written / seconds;
    console.log(
      `  lag at ${Math.round(rate)} changes/s    p50 ${q(0.5)} ms, p99 ${q(0.99)} ms (${lags.length} of ${written} events)`,
    );

    // Sink: the CDC topic's events into a second database.
    const s0 = performance.now();
    await worker.herder.putConnectorConfig(
      'sink',
      {
        'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
        topics: 'bench.public.items',
        'connection.url': `jdbc:postgresql://127.0.0.1:${server.port}/replica`,
        'connection.user': 'postgres',
        'insert.mode': 'upsert',
        'pk.mode': 'record_key',
        'delete.enabled': 'true',
        'auto.create': 'true',
        'table.name.format': 'items',
        transforms: 'unwrap',
        'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
      },
      false,
    );
    const deadline = Date.now() + 600_000;
    for (;;) {
      const res = await replica
        .query('SELECT count(*)::int AS n FROM items')
        .catch(() => ({ rows: [{ n: 0 }] }));
      if (res.rows[0].n >= changes || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const sink = changes / ((performance.now() - s0) / 1000);
    console.log(`  sink into PostgreSQL     ${Math.round(sink).toLocaleString('en-US')} rows/s`);

    await replica.query('CREATE TABLE by_hand (id int PRIMARY KEY, name text, amount numeric, at timestamp)');
    const b0 = performance.now();
    for (let i = 0; i < changes; i += 3000) {
      const rows = Math.min(3000, changes - i);
      const params: unknown[] = [];
      const tuples: string[] = [];
      for (let k = i; k < i + rows; k++) {
        params.push(k, `name ${k}`, String(k * 1.5), '2024-01-01 00:00:00');
        const b = params.length;
        tuples.push(`($${b - 3}, $${b - 2}, $${b - 1}, $${b})`);
      }
      await replica.query('BEGIN');
      await replica.query(
        `INSERT INTO by_hand VALUES ${tuples.join(', ')} ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, amount = EXCLUDED.amount, at = EXCLUDED.at`,
        params,
      );
      await replica.query('COMMIT');
    }
    const sinkBaseline = changes / ((performance.now() - b0) / 1000);
    console.log(`  the same rows with pg    ${Math.round(sinkBaseline).toLocaleString('en-US')} rows/s`);

    const results: PostgresBenchResults = {
      cdcChangesPerSec: cdc,
      cdcBaselineChangesPerSec: cdcBaseline,
      lagP50Ms: q(0.5),
      lagP99Ms: q(0.99),
      lagRatePerSec: rate,
      sinkRowsPerSec: sink,
      sinkBaselineRowsPerSec: sinkBaseline,
      changes,
    };
    console.log(`BENCH_JSON ${JSON.stringify(results)}`);
  } finally {
    await worker.stop().catch(() => {});
    await db.end().catch(() => {});
    await replica.end().catch(() => {});
    await stopStrom(broker);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
// A connection pg keeps open after the worker stopped would hold the process (and a --cpu-prof profile) open.
process.exit(0);
