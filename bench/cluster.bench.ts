/**
 * What a cluster of brokers costs and how fast it reacts, with real `strom server` processes and a
 * real etcd on this machine (test/helpers/cluster-processes.ts starts them):
 *
 * 1. CreateTopics sent to one broker (each in turn) until the topic is in the Metadata of all
 *    three: p50 and p99 over `--creates` topics.
 * 2. Controller failover: SIGKILL the active controller, time until another broker's Metadata
 *    names a new live controller; then the killed broker is restarted and re-registered before the
 *    next trial. p50 and p99 over `--failovers` trials, at `--session-ms` (broker.session.timeout.ms).
 * 3. Produce then consume throughput of 1 KiB records over a 16-partition topic (the Strom
 *    client, acks=1), a cluster of three against a cluster of one broker, same harness: the ratio.
 * 4. With `--many-partitions N` (the full suite: 10,000): creating N partitions (ten topics) on three
 *    brokers, and each broker's RSS after.
 *
 * The last line is `BENCH_JSON {...}` for the benchmark suite (bench/suite/cluster-workloads.ts).
 * Asserts nothing.
 *
 * Usage: node dist/bench/cluster.bench.js [--creates 50] [--failovers 20] [--session-ms 2000]
 *        [--records 200000] [--rounds 2] [--many-partitions 0]
 */
import { cpus, loadavg } from 'node:os';
import { Kafka } from '../src/client/index.js';
import { ApiKey } from '../src/protocol/generated/api-registry.js';
import type { MetadataResponse } from '../src/protocol/generated/messages/metadata-response.js';
import { ZERO_UUID } from '../src/protocol/primitives/uuid.js';
import { startCluster, type TestCluster } from '../test/helpers/cluster-processes.js';
import { request } from '../test/helpers/request.js';
import { arg, median, quantile } from './measure.js';
import { produceRate } from './produce-rate.js';
import { rssMiB } from './suite/strom-process.js';

const PARTITIONS = 16;
const POLL_MS = 5;

const metadata = (bootstrap: string, topics: string[] | null) =>
  request<MetadataResponse>(bootstrap, ApiKey.Metadata, 12, {
    topics: topics?.map((name) => ({ name, topicId: ZERO_UUID })) ?? null,
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentiles(xs: number[]): { p50Ms: number; p99Ms: number; n: number } {
  return { p50Ms: quantile(xs, 0.5), p99Ms: quantile(xs, 0.99), n: xs.length };
}

async function createVisible(cluster: TestCluster, creates: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < creates; i++) {
    const via = cluster.brokers[i % cluster.brokers.length]!;
    const admin = new Kafka({ bootstrapServers: via.bootstrap, clientId: 'bench-cluster' }).admin();
    const topic = `visible-${i}`;
    try {
      const t0 = performance.now();
      await admin.createTopics([{ topic, numPartitions: 3 }]);
      const pending = new Set(cluster.brokers);
      while (pending.size > 0) {
        for (const b of [...pending]) {
          if ((await metadata(b.bootstrap, [topic])).topics[0]?.errorCode === 0) pending.delete(b);
        }
        if (pending.size > 0) await sleep(POLL_MS);
      }
      times.push(performance.now() - t0);
    } finally {
      await admin.close();
    }
  }
  return times;
}

async function liveController(cluster: TestCluster, exclude: number): Promise<number> {
  for (const b of cluster.live) {
    try {
      const m = await metadata(b.bootstrap, []);
      if (m.controllerId >= 0 && m.controllerId !== exclude && cluster.broker(m.controllerId).running)
        return m.controllerId;
    } catch {
      // a broker between states; ask the next
    }
  }
  return -1;
}

async function failovers(cluster: TestCluster, trials: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < trials; i++) {
    const old = await cluster.controllerId();
    const victim = cluster.broker(old);
    const t0 = performance.now();
    await victim.kill('SIGKILL');
    while ((await liveController(cluster, old)) < 0) await sleep(POLL_MS);
    times.push(performance.now() - t0);
    await victim.start();
    await cluster.waitForBrokers();
  }
  return times;
}

async function throughput(
  cluster: TestCluster,
  topic: string,
  records: number,
): Promise<{ produce: number; consume: number }> {
  const kafka = new Kafka({ bootstrapServers: cluster.bootstrapServers, clientId: 'bench-cluster' });
  const admin = kafka.admin();
  await admin.createTopics([{ topic, numPartitions: PARTITIONS }]);
  await admin.close();
  const producer = kafka.producer({
    acks: 1,
    lingerMs: 5,
    batchSize: 512 * 1024,
    maxInFlightRequestsPerConnection: 5,
  });
  const produce = await produceRate(producer, topic, { records, valueBytes: 1024, chunk: 100, window: 32 });
  const consumer = kafka.consumer({ autoOffsetReset: 'earliest', maxPollRecords: 5000 });
  consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
  const t0 = performance.now();
  // produceRate sends one warm-up record before the timed ones.
  let got = 0;
  while (got < records + 1) got += (await consumer.poll({ timeoutMs: 5000 })).length;
  const consume = got / ((performance.now() - t0) / 1000);
  await consumer.close();
  return { produce, consume };
}

async function manyPartitions(cluster: TestCluster, partitions: number) {
  const admin = new Kafka({ bootstrapServers: cluster.bootstrapServers, clientId: 'bench-cluster' }).admin();
  const perTopic = partitions / 10;
  const t0 = performance.now();
  try {
    for (let i = 0; i < 10; i++) await admin.createTopics([{ topic: `many-${i}`, numPartitions: perTopic }]);
  } finally {
    await admin.close();
  }
  const createMs = performance.now() - t0;
  // Visible (and hosted) on every broker: each one's Metadata lists all of them.
  const names = Array.from({ length: 10 }, (_, i) => `many-${i}`);
  for (const b of cluster.brokers) {
    for (;;) {
      const m = await metadata(b.bootstrap, names);
      if (m.topics.every((t) => t.errorCode === 0 && t.partitions.length === perTopic)) break;
      await sleep(50);
    }
  }
  const visibleMs = performance.now() - t0;
  await sleep(2000);
  const rss = cluster.brokers.map((b) => ({ nodeId: b.nodeId, rssMiB: rssMiB(b.pid!) }));
  return { partitions, createMs, visibleMs, rss };
}

async function main(): Promise<void> {
  const creates = Number(arg('--creates', '50'));
  const trials = Number(arg('--failovers', '20'));
  const sessionMs = Number(arg('--session-ms', '2000'));
  const records = Number(arg('--records', '200000'));
  const rounds = Number(arg('--rounds', '2'));
  const many = Number(arg('--many-partitions', '0'));
  console.log(
    `node ${process.version}, ${cpus()[0]?.model ?? '?'} × ${cpus().length}, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );

  const three = await startCluster({ brokers: 3, sessionTimeoutMs: sessionMs, waitLimitMs: 60_000 });
  let create: ReturnType<typeof percentiles>;
  let failover: ReturnType<typeof percentiles>;
  let manyResult: Awaited<ReturnType<typeof manyPartitions>> | null = null;
  const rates: { brokers: number; produce: number; consume: number }[] = [];
  try {
    create = percentiles(await createVisible(three, creates));
    console.log(
      `CreateTopics to visible on all 3: p50 ${create.p50Ms.toFixed(1)} ms, p99 ${create.p99Ms.toFixed(1)} ms (${create.n} topics)`,
    );
    failover = percentiles(await failovers(three, trials));
    console.log(
      `controller failover after SIGKILL, session ${sessionMs} ms: p50 ${failover.p50Ms.toFixed(0)} ms, p99 ${failover.p99Ms.toFixed(0)} ms (${failover.n} trials)`,
    );
    for (let r = 0; r < rounds; r++) {
      const t = await throughput(three, `rate-3-${r}`, records);
      rates.push({ brokers: 3, ...t });
      console.log(
        `round ${r} three brokers: produce ${t.produce.toFixed(0)} records/s, consume ${t.consume.toFixed(0)} records/s`,
      );
    }
    if (many > 0) {
      manyResult = await manyPartitions(three, many);
      console.log(
        `${many} partitions on 3 brokers: created in ${manyResult.createMs.toFixed(0)} ms, on every broker in ${manyResult.visibleMs.toFixed(0)} ms; RSS ${manyResult.rss.map((r) => `${r.nodeId}: ${r.rssMiB.toFixed(0)} MiB`).join(', ')}`,
      );
    }
  } finally {
    await three.close();
  }
  const one = await startCluster({ brokers: 1, sessionTimeoutMs: sessionMs, waitLimitMs: 60_000 });
  try {
    for (let r = 0; r < rounds; r++) {
      const t = await throughput(one, `rate-1-${r}`, records);
      rates.push({ brokers: 1, ...t });
      console.log(
        `round ${r} one broker: produce ${t.produce.toFixed(0)} records/s, consume ${t.consume.toFixed(0)} records/s`,
      );
    }
  } finally {
    await one.close();
  }
  const med = (brokers: number, k: 'produce' | 'consume') =>
    median(rates.filter((x) => x.brokers === brokers).map((x) => x[k]));
  const throughputs = {
    partitions: PARTITIONS,
    records,
    rounds,
    three: { produce: med(3, 'produce'), consume: med(3, 'consume') },
    one: { produce: med(1, 'produce'), consume: med(1, 'consume') },
  };
  console.log(
    `16 partitions, three brokers against one: produce ${(throughputs.three.produce / throughputs.one.produce).toFixed(2)}x, consume ${(throughputs.three.consume / throughputs.one.consume).toFixed(2)}x`,
  );
  console.log(
    `BENCH_JSON ${JSON.stringify({ sessionMs, create, failover, throughputs, many: manyResult, loadavg: loadavg() })}`,
  );
}

await main();
