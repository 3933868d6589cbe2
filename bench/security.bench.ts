/**
 * Security's cost, same broker, same run: the Strom client produces N records of 1 KiB (acks=all,
 * linger 5 ms, batch.size 512 KiB, 5 in flight, idempotent) over PLAINTEXT, over SSL and over
 * SASL_SSL with SCRAM-SHA-256, in alternating rounds, each to a fresh one-partition topic; the
 * issue's target is at least 0.7x of PLAINTEXT. Then it opens C fresh connections per mode
 * (connect, TLS handshake, ApiVersions, SaslHandshake and the SCRAM exchange at 4096 iterations)
 * and reports the set-up time's p50 and p99. The broker is `strom server` in its own process with
 * three listeners; certificates are made for the run with openssl. Prints the figures and ratios;
 * the last line is `BENCH_JSON {...}` for the benchmark suite (bench/suite/client-workloads.ts).
 * Asserts nothing.
 *
 * Usage: node dist/bench/security.bench.js [--records 300000] [--rounds 3] [--connections 200]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, type KafkaConfig } from '../src/client/index.js';
import { BrokerConnection } from '../src/client/network/broker-connection.js';
import { noopLogger } from '../src/common/logger.js';
import { makeTestCertificates } from '../test/helpers/test-certificates.js';
import { arg, quantile } from './measure.js';
import { produceRate } from './produce-rate.js';
import { freePort, startStrom, stopStrom } from './suite/strom-process.js';

const VALUE_BYTES = 1024;
const CHUNK = 100;
const WINDOW = 32;
const MODES = ['plaintext', 'ssl', 'sasl_ssl'] as const;
type Mode = (typeof MODES)[number];

interface ModeResult {
  mode: Mode;
  recordsPerSec: number;
  spread: [number, number];
  rounds: number;
  setupP50Ms: number;
  setupP99Ms: number;
  connections: number;
}

async function produce(settings: KafkaConfig, topic: string, records: number): Promise<number> {
  const producer = new Kafka(settings).producer({
    acks: 'all',
    lingerMs: 5,
    batchSize: 512 * 1024,
    maxInFlightRequestsPerConnection: 5,
  });
  return produceRate(producer, topic, { records, valueBytes: VALUE_BYTES, chunk: CHUNK, window: WINDOW });
}

/** Milliseconds from connect() to a connection ready for requests, for `count` fresh connections. */
async function setupTimes(settings: KafkaConfig, count: number): Promise<number[]> {
  const [host, port] = String(settings.bootstrapServers).split(':');
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const c = new BrokerConnection({
      host: host!,
      port: Number(port),
      nodeId: -1,
      clientId: 'bench-setup',
      connectTimeoutMs: 10_000,
      requestTimeoutMs: 10_000,
      logger: noopLogger,
      ...(settings.ssl ? { tls: settings.ssl === true ? {} : settings.ssl } : {}),
      ...(settings.sasl ? { sasl: settings.sasl } : {}),
    });
    const t0 = performance.now();
    await c.connect();
    times.push(performance.now() - t0);
    c.close();
  }
  return times;
}

async function main(): Promise<void> {
  const records = Number(arg('--records', '300000'));
  const rounds = Number(arg('--rounds', '3'));
  const connections = Number(arg('--connections', '200'));
  console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}`);
  console.log(
    `${records} records of ${VALUE_BYTES} B per mode, ${rounds} round(s), acks=all, idempotent; ${connections} connection set-ups per mode`,
  );
  const certs = makeTestCertificates();
  const dataDir = mkdtempSync(join(tmpdir(), 'strom-bench-security-'));
  const [sslPort, saslPort] = [await freePort(), await freePort()];
  const port = await freePort();
  const broker = await startStrom({
    dataDir,
    port,
    overrides: [
      `listeners=PLAINTEXT://127.0.0.1:${port},SSL://localhost:${sslPort},SASL_SSL://localhost:${saslPort}`,
      'num.partitions=1',
      'ssl.keystore.type=PEM',
      `ssl.keystore.location=${certs.serverPemFile}`,
      'sasl.enabled.mechanisms=SCRAM-SHA-256',
    ],
  });
  const settings: Record<Mode, KafkaConfig> = {
    plaintext: { bootstrapServers: `127.0.0.1:${port}`, clientId: 'bench-plaintext' },
    ssl: { bootstrapServers: `localhost:${sslPort}`, clientId: 'bench-ssl', ssl: { ca: certs.caPem } },
    sasl_ssl: {
      bootstrapServers: `localhost:${saslPort}`,
      clientId: 'bench-sasl-ssl',
      ssl: { ca: certs.caPem },
      sasl: { mechanism: 'scram-sha-256', username: 'bench', password: 'bench-secret' },
    },
  };
  const rates: Record<Mode, number[]> = { plaintext: [], ssl: [], sasl_ssl: [] };
  const setups = {} as Record<Mode, number[]>;
  try {
    const admin = new Kafka(settings.plaintext).admin();
    await admin.alterUserScramCredentials([
      {
        kind: 'upsert',
        user: 'bench',
        mechanism: 'SCRAM-SHA-256',
        iterations: 4096,
        password: 'bench-secret',
      },
    ]);
    await admin.close();
    for (let round = 0; round < rounds; round++) {
      // Rotating which goes first, so none always meets the page cache another filled.
      const order = [...MODES.slice(round % 3), ...MODES.slice(0, round % 3)];
      for (const mode of order) {
        const rate = await produce(settings[mode], `bench-${mode}-${round}`, records);
        rates[mode].push(rate);
        console.log(`round ${round} ${mode}: ${Math.round(rate)} records/s`);
      }
    }
    for (const mode of MODES) setups[mode] = await setupTimes(settings[mode], connections);
  } finally {
    await stopStrom(broker);
    rmSync(dataDir, { recursive: true, force: true });
    certs.remove();
  }
  const result = (mode: Mode): ModeResult => ({
    mode,
    recordsPerSec: quantile(rates[mode], 0.5),
    spread: [Math.min(...rates[mode]), Math.max(...rates[mode])],
    rounds,
    setupP50Ms: quantile(setups[mode], 0.5),
    setupP99Ms: quantile(setups[mode], 0.99),
    connections,
  });
  const results = MODES.map(result);
  const plain = results[0]!.recordsPerSec;
  for (const r of results) {
    console.log(
      `${r.mode}: ${Math.round(r.recordsPerSec)} records/s (${(r.recordsPerSec / plain).toFixed(3)}x of plaintext), set-up p50 ${r.setupP50Ms.toFixed(2)} ms, p99 ${r.setupP99Ms.toFixed(2)} ms`,
    );
  }
  console.log(`BENCH_JSON ${JSON.stringify({ results })}`);
}

await main();
