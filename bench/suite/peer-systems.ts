import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnTracked, startWorker, stopProcess } from './child-processes.js';
import { FIXED_RATE_MBS } from './kafka-workloads.js';
import type { WorkerSpec } from './load-worker.js';
import { freePort, waitForPort } from './strom-process.js';
import type { SuiteContext } from './suite-context.js';
import type { Figure } from './suite-results.js';
import type { WorkerResult } from './worker-protocol.js';

/**
 * NATS JetStream and Redis Streams on the same machine, installed from Debian's packages when
 * missing (as root), with the same record size and rates as Strom's single-partition workloads.
 *
 * Durability: all three acknowledge a record once it is written to the operating system (page
 * cache), none fsyncs each record. They differ in when they fsync: Strom follows Kafka's default
 * (no forced flush, flush.messages unset), Redis runs with appendonly yes and appendfsync
 * everysec (at most a second lost), and JetStream's file store syncs every 2 minutes by default.
 */
const RECORD_BYTES = 1024;
const SATURATED_PERCENT = 75;
let aptUpdated = false;

function findBinary(name: string): string | null {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/bin', '/usr/local/sbin']) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

/** The binary's path, installing the Debian package when missing and allowed; or why not. */
function ensureInstalled(pkg: string, binary: string): { path: string } | { why: string } {
  const found = findBinary(binary);
  if (found) return { path: found };
  if (process.getuid?.() !== 0)
    return {
      why: `${binary} is not installed and the suite is not running as root (apt-get install -y ${pkg})`,
    };
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (!aptUpdated) execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    aptUpdated = true;
    execFileSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'ignore', env });
  } catch (err) {
    return { why: `apt-get install -y ${pkg} failed: ${(err as Error).message.split('\n')[0]}` };
  }
  const path = findBinary(binary);
  return path ? { path } : { why: `${binary} not found after installing ${pkg}` };
}

interface PeerDriver {
  system: string;
  produce(stream: string, rateBytesPerSec: number, seconds: number, limitBytes?: number): WorkerSpec;
  consume(stream: string, untilCaughtUp: boolean): WorkerSpec;
  setup?(stream: string): WorkerSpec;
}

async function runPeerLoad(
  d: PeerDriver,
  stream: string,
  rateMBs: number,
  seconds: number,
  producers: number,
): Promise<{ produceMBs: number; producers: WorkerResult[]; consumer: WorkerResult }> {
  if (d.setup) await startWorker(d.setup(stream)).result;
  const consumer = startWorker(d.consume(stream, false));
  await consumer.ready;
  const ws = Array.from({ length: producers }, () =>
    startWorker(d.produce(stream, (rateMBs * 1e6) / producers, seconds)),
  );
  const results = await Promise.all(ws.map((w) => w.result));
  consumer.stop();
  const c = await consumer.result;
  const bytes = results.reduce((s, r) => s + r.bytes, 0);
  return {
    produceMBs: bytes / 1e6 / Math.max(...results.map((r) => r.seconds)),
    producers: results,
    consumer: c,
  };
}

async function runPeerWorkloads(ctx: SuiteContext, d: PeerDriver, strom: (id: string) => Figure | undefined) {
  const vsStrom = (id: string): Figure['baseline'] => {
    const s = strom(`strom.${id}`);
    return s
      ? { label: `Strom (${s.value.toFixed(s.unit === 'ms' ? 2 : 0)} ${s.unit})`, value: s.value }
      : undefined;
  };
  const cpu = (o: { producers: WorkerResult[]; consumer: WorkerResult }) => [
    ...o.producers.map((r) => r.cpuPercent ?? 0),
    o.consumer.cpuPercent ?? 0,
  ];
  ctx.progress(`${d.system}: max rate`);
  let producers = ctx.producers;
  let best: Awaited<ReturnType<typeof runPeerLoad>> | null = null;
  for (;;) {
    const o = await runPeerLoad(d, `thr${producers}`, 0, ctx.seconds, producers);
    if (!best || o.produceMBs > best.produceMBs) best = o;
    if (!o.producers.some((r) => (r.cpuPercent ?? 0) > SATURATED_PERCENT) || producers >= 4) break;
    producers *= 2;
    ctx.progress(`  a producer process was saturated: again with ${producers}`);
  }
  const b = vsStrom('throughput.p1.acks1');
  ctx.rec.add({
    section: 'peers',
    id: `${d.system}.throughput`,
    label: `${d.system}: produce, one stream, max rate`,
    system: d.system,
    value: best.produceMBs,
    unit: 'MB/s',
    ...(b ? { baseline: b } : {}),
    generatorCpuPercent: cpu(best),
    ...(best.consumer.latency ? { latency: best.consumer.latency } : {}),
    ...(best.producers.some((r) => r.note) ? { note: best.producers.find((r) => r.note)!.note! } : {}),
  });
  ctx.progress(`${d.system}: ${FIXED_RATE_MBS} MB/s`);
  // As many producer processes as max rate needed: one client process may not reach the rate alone.
  const fixed = await runPeerLoad(d, 'lat', FIXED_RATE_MBS, ctx.seconds, best.producers.length);
  const skipped = fixed.producers.reduce((s, r) => s + r.errors, 0);
  if (fixed.consumer.latency) {
    const bl = vsStrom('latency.p1.acks1');
    ctx.rec.add({
      section: 'peers',
      id: `${d.system}.latency`,
      label: `${d.system}: end-to-end p99 at ${FIXED_RATE_MBS} MB/s, one stream`,
      system: d.system,
      value: fixed.consumer.latency.p99Ms,
      unit: 'ms',
      ...(bl ? { baseline: bl } : {}),
      generatorCpuPercent: cpu(fixed),
      latency: fixed.consumer.latency,
      note: `achieved ${fixed.produceMBs.toFixed(1)} MB/s${skipped ? `; ${fixed.producers.find((r) => r.note)?.note ?? `${skipped} sends failed`}` : ''}`,
    });
  } else ctx.rec.skip(`${d.system} latency`, 'the consumer received nothing');
  // The backlog is smaller than Strom's: these servers are far slower to fill it.
  const backlog = Math.min(ctx.backlogBytes, 256e6);
  ctx.progress(`${d.system}: writing a ${(backlog / 1e6).toFixed(0)} MB backlog`);
  if (d.setup) await startWorker(d.setup('backlog')).result;
  await startWorker(d.produce('backlog', 0, 30 * 60, backlog)).result;
  ctx.progress(`${d.system}: consumer catching up`);
  const c = await startWorker(d.consume('backlog', true)).result;
  const bb = vsStrom('backlog');
  ctx.rec.add({
    section: 'peers',
    id: `${d.system}.backlog`,
    label: `${d.system}: consumer catching up on a ${(c.bytes / 1e6).toFixed(0)} MB backlog`,
    system: d.system,
    value: c.bytes / 1e6 / c.seconds,
    unit: 'MB/s',
    ...(bb ? { baseline: bb } : {}),
    generatorCpuPercent: [c.cpuPercent ?? 0],
  });
}

export async function runNats(ctx: SuiteContext, strom: (id: string) => Figure | undefined): Promise<void> {
  const bin = ensureInstalled('nats-server', 'nats-server');
  if ('why' in bin) return ctx.rec.skip('NATS JetStream', bin.why);
  const dir = join(ctx.dataDir, 'nats');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const server = spawnTracked(bin.path, ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port)], {
    // nats-server logs its banner and every connection to stderr.
    stdio: 'ignore',
  });
  try {
    await waitForPort('127.0.0.1', port, 30_000, server);
    const url = `nats://127.0.0.1:${port}`;
    await runPeerWorkloads(
      ctx,
      {
        system: 'nats',
        setup: (stream) => ({ kind: 'nats-setup', url, stream }),
        produce: (stream, rate, seconds, limit) => ({
          kind: 'nats-produce',
          url,
          stream,
          recordBytes: RECORD_BYTES,
          durationMs: seconds * 1000,
          rateBytesPerSec: rate,
          window: 512,
          ...(limit ? { bytesLimit: limit } : {}),
        }),
        consume: (stream, untilCaughtUp) => ({
          kind: 'nats-consume',
          url,
          stream,
          untilCaughtUp,
          latency: true,
        }),
      },
      strom,
    );
  } finally {
    await stopProcess(server);
  }
}

export async function runRedis(ctx: SuiteContext, strom: (id: string) => Figure | undefined): Promise<void> {
  const bin = ensureInstalled('redis-server', 'redis-server');
  if ('why' in bin) return ctx.rec.skip('Redis Streams', bin.why);
  const dir = join(ctx.dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const server = spawnTracked(
    bin.path,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      '--daemonize',
      'no',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  try {
    await waitForPort('127.0.0.1', port, 30_000, server);
    const host = '127.0.0.1';
    await runPeerWorkloads(
      ctx,
      {
        system: 'redis',
        produce: (stream, rate, seconds, limit) => ({
          kind: 'redis-produce',
          host,
          port,
          stream,
          recordBytes: RECORD_BYTES,
          durationMs: seconds * 1000,
          rateBytesPerSec: rate,
          window: 512,
          ...(limit ? { bytesLimit: limit } : {}),
        }),
        consume: (stream, untilCaughtUp) => ({
          kind: 'redis-consume',
          host,
          port,
          stream,
          untilCaughtUp,
          latency: true,
        }),
      },
      strom,
    );
  } finally {
    await stopProcess(server);
  }
}
