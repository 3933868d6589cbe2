import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka } from '../../src/client/index.js';
import type { Producer } from '../../src/client/producer/producer.js';
import { noopLogger } from '../../src/common/logger.js';
import { readClusterStatus } from '../../src/metadata/etcd/cluster-status.js';
import { EtcdHttpClient } from '../../src/metadata/etcd/etcd-http-client.js';
import { clusterView, startCluster, type TestCluster, waitUntil } from '../helpers/cluster-processes.js';

const TOPIC = 'faults';
const PARTITIONS = 6;
const SESSION_TIMEOUT_MS = 2000;

/**
 * Faults with real processes on a cluster of three brokers and a real etcd, one after the other
 * on one cluster (each fault starts from a cluster that has converged): SIGKILL a broker, SIGKILL
 * the controller, SIGSTOP a broker past its session and SIGCONT it, stop etcd for 10 s, restart
 * every broker at once. After each: the brokers' views (Metadata: brokers, controller, every
 * partition's leader and leader epoch) are equal, every acknowledged record is read back at its
 * offset, and no partition was ever seen with two leaders in one leader epoch.
 */
describe('a cluster of three under faults', () => {
  let cluster: TestCluster;
  let kafka: Kafka;
  let producer: Producer;
  /** Every acknowledged record: value -> partition and offset. */
  const acked = new Map<string, { partition: number; offset: bigint }>();
  /** The leader seen for each `topic/partition@epoch`, by any broker at any time. */
  const leaderOfEpoch = new Map<string, number>();
  const violations: string[] = [];
  let watching = true;
  let watcher: Promise<void> = Promise.resolve();
  let sent = 0;

  /** Records what every answering broker says of each partition's leader, until the end. */
  async function watchLeaders(): Promise<void> {
    while (watching) {
      for (const b of cluster.live) {
        const md = await b.metadata().catch(() => null);
        if (md) observe(md);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  function observe(md: Parameters<typeof clusterView>[0]): void {
    for (const t of clusterView(md).topics) {
      for (const p of t.partitions) {
        if (p.leader < 0) continue;
        const key = `${t.name}/${p.partition}@${p.leaderEpoch}`;
        const seen = leaderOfEpoch.get(key);
        if (seen === undefined) leaderOfEpoch.set(key, p.leader);
        else if (seen !== p.leader) violations.push(`${key} led by ${seen} and by ${p.leader}`);
      }
    }
  }

  /** Sends `count` records with distinct keys (so every partition gets some); all must be acknowledged. */
  async function produce(tag: string, count = 24): Promise<void> {
    const values = Array.from({ length: count }, () => `${tag}-${sent++}`);
    const metas = await Promise.all(values.map((v) => producer.send(TOPIC, { key: v, value: v })));
    metas.forEach((m, i) => {
      acked.set(values[i]!, { partition: m.partition, offset: m.offset });
    });
  }

  /** The cluster converged with all three brokers, every record acknowledged so far is there. */
  async function checkConverged(): Promise<void> {
    await cluster.waitForBrokers([1, 2, 3]);
    const view = await cluster.converged();
    const partitions = view.topics.find((t) => t.name === TOPIC)!.partitions;
    assert.deepEqual(
      partitions.filter((p) => p.leader < 0).map((p) => p.partition),
      [],
      'every partition has a leader again',
    );
    for (const b of cluster.live) observe(await b.metadata());
    await produce('after');
    await checkNothingLost();
    assert.deepEqual(violations, []);
  }

  async function checkNothingLost(): Promise<void> {
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition })));
    const found = new Map<string, { partition: number; offset: bigint }>();
    try {
      await waitUntil(
        'every acknowledged record read back',
        async () => {
          for (const r of await consumer.poll({ timeoutMs: 500 })) {
            found.set(r.value!.toString(), { partition: r.partition, offset: r.offset });
          }
          return [...acked.keys()].every((v) => found.has(v));
        },
        30_000,
        () => `missing: ${[...acked.keys()].filter((v) => !found.has(v)).join(',')}`,
      );
    } finally {
      await consumer.close();
    }
    for (const [v, at] of acked) assert.deepEqual(found.get(v), at, `${v} where it was acknowledged`);
  }

  /** Broker epochs as etcd's metadata holds them: a broker that re-registered has a new one. */
  async function brokerEpochs(): Promise<Map<number, string>> {
    const kv = new EtcdHttpClient([cluster.etcdEndpoint], noopLogger);
    try {
      const s = await readClusterStatus(kv, cluster.prefix, noopLogger);
      return new Map(s.brokers.map((b) => [b.nodeId, b.brokerEpoch]));
    } finally {
      await kv.close();
    }
  }

  /** Waits until the live brokers list exactly `ids` and a partition of `nodeId` is offline. */
  async function waitFenced(nodeId: number): Promise<void> {
    const rest = [1, 2, 3].filter((id) => id !== nodeId);
    await cluster.waitForBrokers(rest);
    const view = await cluster.converged();
    const led = view.topics.find((t) => t.name === TOPIC)!.partitions.filter((p) => p.replicas[0] === nodeId);
    assert.ok(led.length > 0, `broker ${nodeId} hosts partitions of ${TOPIC}`);
    for (const p of led)
      assert.equal(p.leader, -1, `partition ${p.partition} is offline while ${nodeId} is fenced`);
  }

  before(async () => {
    cluster = await startCluster({ brokers: 3, sessionTimeoutMs: SESSION_TIMEOUT_MS });
    kafka = new Kafka({
      bootstrapServers: cluster.bootstrapServers,
      clientId: 'faults',
      retryBackoffMs: 100,
    });
    const admin = kafka.admin();
    try {
      await admin.createTopics([{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1 }]);
    } finally {
      await admin.close();
    }
    producer = kafka.producer({ acks: -1, lingerMs: 0, deliveryTimeoutMs: 60_000 });
    watcher = watchLeaders();
    await checkConverged();
  });

  after(async () => {
    watching = false;
    await watcher;
    await producer?.close();
    await cluster?.close();
  });

  it('SIGKILL a broker: it is fenced, its partitions go offline, and it serves them again after a restart', async () => {
    const controller = await cluster.controllerId();
    const victim = cluster.brokers.find((b) => b.nodeId !== controller)!;
    await victim.kill('SIGKILL');
    await waitFenced(victim.nodeId);
    await victim.start();
    await checkConverged();
  });

  it('SIGKILL the controller: another broker takes over and admin requests go on', async () => {
    const controller = await cluster.controllerId();
    await cluster.broker(controller).kill('SIGKILL');
    await waitFenced(controller);
    const next = await cluster.controllerId();
    assert.notEqual(next, controller);
    const admin = kafka.admin();
    try {
      await admin.createTopics([{ topic: 'after-controller-kill', numPartitions: 2, replicationFactor: 1 }]);
    } finally {
      await admin.close();
    }
    await cluster.broker(controller).start();
    await checkConverged();
    const view = await cluster.converged();
    assert.ok(view.topics.some((t) => t.name === 'after-controller-kill'));
  });

  it('SIGSTOP a broker past its session, then SIGCONT: it was fenced and registers again', async () => {
    const controller = await cluster.controllerId();
    const victim = cluster.brokers.find((b) => b.nodeId !== controller)!;
    const epochBefore = (await brokerEpochs()).get(victim.nodeId);
    victim.pause();
    await waitFenced(victim.nodeId);
    victim.resume();
    await checkConverged();
    const epochAfter = (await brokerEpochs()).get(victim.nodeId);
    assert.notEqual(epochAfter, epochBefore, 'registered again under a new broker epoch');
  });

  it('stop etcd for 10 s: produce goes on, nobody is fenced, and metadata changes resume', async () => {
    const epochsBefore = await brokerEpochs();
    await cluster.etcd!.kill();
    const outage = new Promise((r) => setTimeout(r, 10_000));
    // The brokers keep serving the partitions they lead, with the leadership they had.
    await produce('during-etcd-outage');
    await outage;
    await cluster.etcd!.start();
    await checkConverged();
    assert.deepEqual(await brokerEpochs(), epochsBefore, 'no broker re-registered: nobody was fenced');
    const admin = kafka.admin();
    try {
      await admin.createTopics([{ topic: 'after-etcd-outage', numPartitions: 1, replicationFactor: 1 }]);
    } finally {
      await admin.close();
    }
  });

  it('restart every broker at once', async () => {
    await Promise.all(cluster.brokers.map((b) => b.kill('SIGKILL')));
    await Promise.all(cluster.brokers.map((b) => b.start()));
    await checkConverged();
    // The epoch check saw leadership move: every fault above took partitions offline and back.
    assert.ok(leaderOfEpoch.size >= 2 * PARTITIONS, `leaders seen in ${leaderOfEpoch.size} partition epochs`);
  });
});
