import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startWorker } from './child-processes.js';
import { topSelfTime } from './cpu-profile-summary.js';
import { KafkaAdmin } from './kafka-admin.js';
import { rssMiB, type StromProcess, startStrom, stopStrom } from './strom-process.js';
import type { SuiteContext } from './suite-context.js';
import type { SuiteResults } from './suite-results.js';

/**
 * Workloads only Strom gets, because they need the broker's process: restart after SIGKILL with a
 * large log, many partitions (RSS, start-up), and a CPU profile of the broker under load.
 */
function duBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? duBytes(p) : statSync(p).size;
  }
  return total;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (performance.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** SIGKILL under a large log, then the time until the port answers and until every partition serves a fetch. */
export async function restartAfterKill(
  ctx: SuiteContext,
  broker: StromProcess,
  dataDir: string,
  topic: string,
  partitions: number,
): Promise<void> {
  ctx.progress('strom: SIGKILL and restart');
  await stopStrom(broker, 'SIGKILL');
  const logBytes = duBytes(dataDir);
  const t0 = performance.now();
  const again = await startStrom({ dataDir, port: broker.port });
  const admin = await KafkaAdmin.open(again.host, again.port);
  try {
    await until(() => admin.fetchAnswers(topic, partitions), 600_000);
    const readyMs = performance.now() - t0;
    const size = `${(logBytes / 1e6).toFixed(0)} MB of log`;
    ctx.rec.add({
      section: 'startup',
      id: 'startup.restart-after-kill.listening',
      label: `Restart after SIGKILL, ${size}: process start to listening`,
      system: 'strom',
      value: again.startMs,
      unit: 'ms',
    });
    ctx.rec.add({
      section: 'startup',
      id: 'startup.restart-after-kill.ready',
      label: `Restart after SIGKILL, ${size}: until all ${partitions} partitions serve a fetch`,
      system: 'strom',
      value: readyMs,
      unit: 'ms',
    });
  } finally {
    admin.close();
    await stopStrom(again);
  }
}

/**
 * Kafka refuses more than 10,000 records in one controller operation, so a topic has at most
 * 9,999 partitions; many partitions are spread over topics of this size, as users would.
 */
const PARTITIONS_PER_TOPIC = 1000;

/** Many partitions: creation time, RSS, clean shutdown and start-up. */
export async function manyPartitions(ctx: SuiteContext, dataDir: string): Promise<void> {
  const n = ctx.manyPartitions;
  const topics = Array.from({ length: Math.ceil(n / PARTITIONS_PER_TOPIC) }, (_, i) => ({
    name: `many-${i}`,
    partitions: Math.min(PARTITIONS_PER_TOPIC, n - i * PARTITIONS_PER_TOPIC),
  }));
  const shape = `${n} partitions (${topics.length} topic(s) of up to ${PARTITIONS_PER_TOPIC})`;
  const broker = await startStrom({ dataDir });
  let current = broker;
  try {
    const admin = await KafkaAdmin.open(broker.host, broker.port);
    const rssIdle = rssMiB(broker.child.pid!);
    ctx.progress(`strom: creating ${shape}`);
    const t0 = performance.now();
    for (const t of topics) await admin.createTopic(t.name, t.partitions);
    const createMs = performance.now() - t0;
    admin.close();
    const rssLoaded = rssMiB(broker.child.pid!);
    ctx.rec.add({
      section: 'startup',
      id: 'startup.many.create',
      label: `Create ${shape}, until all have a leader`,
      system: 'strom',
      value: createMs,
      unit: 'ms',
    });
    ctx.rec.add({
      section: 'startup',
      id: 'startup.many.rss',
      label: `Broker RSS with ${n} partitions`,
      system: 'strom',
      value: rssLoaded,
      unit: 'MiB',
      baseline: { label: 'idle broker', value: rssIdle },
    });
    ctx.progress(`strom: clean restart with ${n} partitions`);
    await stopStrom(broker);
    const t1 = performance.now();
    current = await startStrom({ dataDir, port: broker.port });
    const admin2 = await KafkaAdmin.open(current.host, current.port);
    for (const t of topics) await until(() => admin2.fetchAnswers(t.name, t.partitions), 600_000);
    const readyMs = performance.now() - t1;
    admin2.close();
    ctx.rec.add({
      section: 'startup',
      id: 'startup.many.listening',
      label: `Start-up with ${n} partitions: process start to listening`,
      system: 'strom',
      value: current.startMs,
      unit: 'ms',
    });
    ctx.rec.add({
      section: 'startup',
      id: 'startup.many.ready',
      label: `Start-up with ${n} partitions: until all serve a fetch`,
      system: 'strom',
      value: readyMs,
      unit: 'ms',
      note: `RSS then ${rssMiB(current.child.pid!).toFixed(0)} MiB`,
    });
  } finally {
    await stopStrom(current);
  }
}

/** Profiles a broker through a max-rate produce workload (16 partitions, acks=1) with --cpu-prof. */
export async function profileBroker(ctx: SuiteContext, dataDir: string): Promise<SuiteResults['profile']> {
  const profileDir = join(dataDir, 'profile');
  const broker = await startStrom({
    dataDir: join(dataDir, 'log'),
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir],
  });
  const workload = '16 partitions, acks=1, max rate, with a tailing consumer';
  ctx.progress(`strom: CPU profile of the broker, ${workload}`);
  try {
    const admin = await KafkaAdmin.open(broker.host, broker.port);
    await admin.createTopic('profile', 16);
    admin.close();
    const consumer = startWorker({
      kind: 'kafka-consume',
      host: broker.host,
      port: broker.port,
      topic: 'profile',
      partitionCount: 16,
      untilCaughtUp: false,
      latency: false,
    });
    await consumer.ready;
    const producer = startWorker({
      kind: 'kafka-produce',
      host: broker.host,
      port: broker.port,
      topic: 'profile',
      partitions: Array.from({ length: 16 }, (_, p) => p),
      acks: 1,
      durationMs: ctx.seconds * 1000,
      rateBytesPerSec: 0,
      window: 32,
    });
    await producer.result;
    consumer.stop();
    await consumer.result;
  } finally {
    // The profile is written when the process exits on its own, so stop it gently.
    await stopStrom(broker);
  }
  const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) {
    ctx.rec.skip('CPU profile', 'the broker wrote no .cpuprofile');
    return undefined;
  }
  const top = topSelfTime(join(profileDir, file), 15);
  for (const e of top.slice(0, 8)) {
    const where = e.calledFrom ? `from ${e.calledFrom}` : e.url;
    console.log(`    ${e.selfPercent.toFixed(1).padStart(5)}%  ${e.functionName}  ${where}`);
  }
  return { workload, top };
}
