import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureCeilings } from './ceilings.js';
import { installSignalHandlers, killAllSync } from './child-processes.js';
import { runAcls, runClients, runIdempotence, runSecurity, runTransactions } from './client-workloads.js';
import { runClusterWorkloads } from './cluster-workloads.js';
import { runConnect, runPostgresConnectors } from './connect-workloads.js';
import { runConsoleCost } from './console-workloads.js';
import { runKafkaWorkloads } from './kafka-workloads.js';
import { describeMachine } from './machine.js';
import { runMetricsCost } from './metrics-workloads.js';
import { runNats, runRedis } from './peer-systems.js';
import { settleDisk } from './settle-disk.js';
import { rssMiB, startStrom, stopStrom } from './strom-process.js';
import { manyPartitions, profileBroker, restartAfterKill } from './strom-workloads.js';
import type { SuiteContext } from './suite-context.js';
import { Recorder, type SuiteResults } from './suite-results.js';
import { writeReport } from './write-report.js';

/**
 * The benchmark suite: the machine's ceilings, Strom under OpenMessaging-Benchmark-like
 * workloads, NATS JetStream and Redis Streams on the same machine, the Kafka clients, and any
 * Kafka-compatible peer the user runs, all in one run. Figures are printed with their ratio to a
 * ceiling or peer of the same run, saved as JSON in bench/results/, and a full run regenerates
 * docs/benchmarks.md. It asserts nothing.
 *
 * npm run bench -- [--quick] [--only strom,nats,...] [--peer NAME=host:port]... [--producers N] [--seconds S]
 * (--seconds: per timed workload, 15 in a full run, 2 in a quick one; --no-report: leave docs/ alone)
 */
const SECTIONS = ['strom', 'partitions', 'nats', 'redis', 'clients', 'peers', 'profile'] as const;
type Section = (typeof SECTIONS)[number];

interface Options {
  quick: boolean;
  only: Set<Section>;
  peers: { name: string; host: string; port: number }[];
  producers: number;
  report: boolean;
  seconds: number | null;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    quick: false,
    only: new Set(SECTIONS),
    peers: [],
    producers: 1,
    report: true,
    seconds: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--no-report') o.report = false;
    else if (a === '--seconds') o.seconds = Math.max(1, Number(value()));
    else if (a === '--producers') o.producers = Math.max(1, Number(value()));
    else if (a === '--only') {
      const names = value().split(',');
      for (const n of names) {
        if (!SECTIONS.includes(n as Section))
          throw new Error(`--only ${n}: expected one of ${SECTIONS.join(', ')}`);
      }
      o.only = new Set(names as Section[]);
    } else if (a === '--peer') {
      const m = /^([\w.-]+)=([^:]+):(\d+)$/.exec(value());
      if (!m) throw new Error('--peer expects NAME=host:port, e.g. --peer kafka=127.0.0.1:9092');
      o.peers.push({ name: m[1]!, host: m[2]!, port: Number(m[3]) });
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'strom-suite-'));
  installSignalHandlers(() => rmSync(dataDir, { recursive: true, force: true }));
  const rec = new Recorder();
  const clock = (): string => {
    const s = Math.floor((performance.now() - t0) / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };
  const ctx: SuiteContext = {
    quick: opts.quick,
    seconds: opts.seconds ?? (opts.quick ? 2 : 15),
    backlogBytes: opts.quick ? 128e6 : 2e9,
    manyPartitions: opts.quick ? 1000 : 10_000,
    producers: opts.producers,
    rec,
    dataDir,
    progress: (m) => {
      lastProgress = m;
      lastProgressAt = performance.now();
      console.log(`[${clock()}] ${m}`);
    },
  };
  // Long steps (a 2 GB backlog, 10,000 partitions) say they are still going.
  let lastProgress = 'starting';
  let lastProgressAt = performance.now();
  const heartbeat = setInterval(() => {
    if (performance.now() - lastProgressAt > 20_000) console.log(`[${clock()}] … still: ${lastProgress}`);
  }, 20_000);
  heartbeat.unref();
  const machine = describeMachine(dataDir);
  console.log(
    `Strom benchmark suite (${opts.quick ? 'quick' : 'full'}): ${machine.cpu} × ${machine.cores}, ` +
      `${machine.memoryGiB} GiB, disk ${machine.disk}, Node ${machine.node}`,
  );
  const results: SuiteResults = {
    date: new Date().toISOString(),
    mode: opts.quick ? 'quick' : 'full',
    secondsPerWorkload: ctx.seconds,
    machine,
    durationSeconds: 0,
    figures: rec.figures,
    skipped: rec.skipped,
  };
  const stromFigure = (id: string) => rec.find(id.startsWith('strom.') ? id : `strom.${id}`);
  const failed: string[] = [];
  /**
   * Runs one section from a settled disk; a failure is reported and stops its processes, and the
   * next section still runs.
   */
  const guard = async (name: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      settleDisk();
      await fn();
    } catch (err) {
      failed.push(name);
      rec.skip(name, `failed: ${err instanceof Error ? err.message : String(err)}`);
      console.error(err instanceof Error ? err.stack : err);
      killAllSync();
    }
  };
  try {
    const ceilings = await measureCeilings(ctx);
    if (opts.only.has('strom')) {
      await guard('strom', async () => {
        const dir = join(dataDir, 'strom');
        const broker = await startStrom({ dataDir: dir });
        rec.add({
          section: 'startup',
          id: 'startup.fresh.listening',
          label: 'Start-up on an empty data directory: process start to listening',
          system: 'strom',
          value: broker.startMs,
          unit: 'ms',
        });
        // Idle: no client yet, and time for start-up garbage to be collected (V8's memory reducer
        // runs 8 s after start).
        const idleSeconds = opts.quick ? 1 : 10;
        await new Promise((r) => setTimeout(r, idleSeconds * 1000));
        rec.add({
          section: 'startup',
          id: 'startup.idle.rss',
          label: `Idle broker RSS, ${idleSeconds} s after start, no clients`,
          system: 'strom',
          value: (rssMiB(broker.child.pid!) * 1048576) / 1e6,
          unit: 'MB',
        });
        try {
          const target = { system: 'strom', section: 'strom', ...broker };
          const backlog = await runKafkaWorkloads(ctx, target, ceilings);
          await restartAfterKill(ctx, broker, dir, backlog, 16);
        } finally {
          await stopStrom(broker);
        }
        rmSync(dir, { recursive: true, force: true });
      });
    }
    if (opts.only.has('strom')) await guard('metrics', () => runMetricsCost(ctx));
    if (opts.only.has('strom')) await guard('console', () => runConsoleCost(ctx));
    if (opts.only.has('strom')) await guard('cluster', () => runClusterWorkloads(ctx));
    if (opts.only.has('partitions')) {
      await guard('partitions', async () => {
        await manyPartitions(ctx, join(dataDir, 'many'));
        rmSync(join(dataDir, 'many'), { recursive: true, force: true });
      });
    }
    if (opts.only.has('nats')) await guard('nats', () => runNats(ctx, stromFigure));
    if (opts.only.has('redis')) await guard('redis', () => runRedis(ctx, stromFigure));
    if (opts.only.has('clients')) await guard('clients', () => runClients(ctx));
    if (opts.only.has('clients')) await guard('idempotence', () => runIdempotence(ctx));
    if (opts.only.has('clients')) await guard('security', () => runSecurity(ctx));
    if (opts.only.has('clients')) await guard('acls', () => runAcls(ctx));
    if (opts.only.has('clients')) await guard('transactions', () => runTransactions(ctx));
    if (opts.only.has('clients')) await guard('connect', () => runConnect(ctx));
    if (opts.only.has('clients')) await guard('connect-postgres', () => runPostgresConnectors(ctx));
    if (opts.only.has('peers')) {
      for (const p of opts.peers) {
        const target = { system: p.name, section: `peer:${p.name}`, host: p.host, port: p.port };
        await guard(`peer ${p.name}`, () =>
          runKafkaWorkloads(ctx, target, ceilings, (id) => rec.find(`strom.${id}`)),
        );
      }
    }
    if (opts.only.has('profile')) {
      await guard('profile', async () => {
        const profile = await profileBroker(ctx, join(dataDir, 'profile'));
        if (profile) results.profile = profile;
      });
    }
    // A section that failed is a broken script: CI must see it, though no figure is ever judged.
    if (failed.length) process.exitCode = 1;
  } finally {
    results.durationSeconds = (performance.now() - t0) / 1000;
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const resultsDir = join(root, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    // Quick runs (CI) keep the scripts from rotting; their figures are not worth keeping.
    const name = `${results.date.slice(0, 10)}-${hostname()}${opts.quick ? '-quick' : ''}.json`;
    const file = join(resultsDir, name);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nresults: bench/results/${name} (${results.durationSeconds.toFixed(0)} s)`);
    if (rec.skipped.length) console.log(`skipped:\n  ${rec.skipped.join('\n  ')}`);
    if (opts.report) {
      // A quick run writes the page into its scratch directory: the generator runs, docs/ stays.
      const docs = opts.quick ? join(dataDir, 'docs') : join(root, 'docs');
      writeReport(results, docs, `bench/results/${name}`);
      console.log(
        opts.quick ? 'report generated (quick run: not written to docs/)' : 'docs/benchmarks.md regenerated',
      );
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  // Workers still waiting for a stop that will never come would keep this process alive.
  killAllSync();
  process.exitCode = 1;
});
