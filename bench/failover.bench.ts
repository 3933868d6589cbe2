/**
 * The failover figure: three `strom server` processes and a real etcd, a topic of one
 * partition with replication factor 3 and min.insync.replicas 2; each trial SIGKILLs the
 * partition's leader and measures the time from the signal to the first acks=all produce
 * acknowledged by the new leader (records are sent one at a time from the kill on, each retried
 * by the client until acknowledged), then restarts the killed broker and waits until it is back in
 * the ISR. Prints p50, p99 and max over the trials with the session timeout they depend on
 * (target: session timeout + 1 s); the last line is `BENCH_JSON {...}`. Asserts nothing.
 *
 * Usage: node dist/bench/failover.bench.js [--trials 20] [--session-timeout-ms 2000]
 */
import { cpus, loadavg } from 'node:os';
import { Kafka } from '../src/client/index.js';
import { clusterView, startCluster, waitUntil } from '../test/helpers/cluster-processes.js';
import { arg, quantile } from './measure.js';

const TOPIC = 'failover';

async function main(): Promise<void> {
  const trials = Number(arg('--trials', '20'));
  const sessionTimeoutMs = Number(arg('--session-timeout-ms', '2000'));
  console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}`);
  console.log(
    `${trials} trials, broker.session.timeout.ms ${sessionTimeoutMs}, load average ${loadavg()[0]!.toFixed(1)}`,
  );
  const cluster = await startCluster({
    brokers: 3,
    sessionTimeoutMs,
    overrides: { 'replica.fetch.backoff.ms': '100', 'auto.leader.rebalance.enable': 'false' },
  });
  const kafka = new Kafka({
    bootstrapServers: cluster.bootstrapServers,
    clientId: 'bench-failover',
    retryBackoffMs: 20,
  });
  const samples: number[] = [];
  try {
    const admin = kafka.admin();
    await admin.createTopics([
      { topic: TOPIC, numPartitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
    ]);
    await admin.close();
    const producer = kafka.producer({ acks: -1, lingerMs: 0, deliveryTimeoutMs: 60_000 });
    const partition = async () => {
      const md = await cluster.live[0]!.metadata();
      return clusterView(md).topics.find((t) => t.name === TOPIC)?.partitions[0];
    };
    for (let i = 0; i < trials; i++) {
      await waitUntil(
        'the partition led with three in-sync replicas',
        async () => {
          const p = await partition();
          return p !== undefined && p.leader > 0 && p.isr.length === 3;
        },
        60_000,
      );
      await producer.send(TOPIC, { value: `warm-${i}` });
      const leader = (await partition())!.leader;
      const killedAt = performance.now();
      await cluster.broker(leader).kill('SIGKILL');
      await producer.send(TOPIC, { value: `after-kill-${i}` });
      const ms = performance.now() - killedAt;
      samples.push(ms);
      console.log(
        `trial ${i + 1}: leader ${leader} killed, first acks=all produce acknowledged after ${ms.toFixed(0)} ms`,
      );
      await cluster.broker(leader).start();
    }
    await producer.close();
  } finally {
    await cluster.close();
  }
  samples.sort((a, b) => a - b);
  const p50 = quantile(samples, 0.5);
  const p99 = quantile(samples, 0.99);
  const max = samples[samples.length - 1]!;
  console.log(
    `failover: p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${max.toFixed(0)} ms (session timeout ${sessionTimeoutMs} ms; target ${sessionTimeoutMs + 1000} ms)`,
  );
  console.log(
    `BENCH_JSON ${JSON.stringify({ trials, sessionTimeoutMs, p50Ms: p50, p99Ms: p99, maxMs: max })}`,
  );
}

await main();
