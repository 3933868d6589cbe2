import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Kafka } from '../../src/client/index.js';
import type { Producer } from '../../src/client/producer/producer.js';
import { clusterView, startCluster, type TestCluster, waitUntil } from '../helpers/cluster-processes.js';
import { STROM_BIN } from '../helpers/server-process.js';

const run = promisify(execFile);

/** `strom ARGS`: its standard output. */
async function strom(args: readonly string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [STROM_BIN, ...args], { timeout: 30_000 });
  return stdout;
}

const TOPIC = 'replicated';
const PARTITIONS = 3;
const SESSION_TIMEOUT_MS = 2000;

/**
 * Replication with real processes: three brokers and a real etcd, a topic of replication factor 3
 * and min.insync.replicas 2, acks=all producers. Leaders are SIGKILLed while records are produced;
 * every acknowledged record must be read back at the offset it was acknowledged with, from the
 * new leaders, and a broker that was down catches up and rejoins every ISR.
 */
describe('replication factor 3 across three broker processes', () => {
  let cluster: TestCluster;
  let kafka: Kafka;
  let producer: Producer;
  const acked = new Map<string, { partition: number; offset: bigint }>();
  let sent = 0;

  async function produce(tag: string, count = 30): Promise<void> {
    const values = Array.from({ length: count }, () => `${tag}-${sent++}`);
    const metas = await Promise.all(values.map((v) => producer.send(TOPIC, { key: v, value: v })));
    metas.forEach((m, i) => {
      acked.set(values[i]!, { partition: m.partition, offset: m.offset });
    });
  }

  /** The partitions as the live brokers agree on them. */
  async function partitions() {
    const view = await cluster.converged();
    return view.topics.find((t) => t.name === TOPIC)!.partitions;
  }

  async function waitFullIsr(): Promise<void> {
    let last = '';
    await waitUntil(
      'every partition led, with all three replicas in its ISR',
      async () => {
        const md = await cluster.live[0]!.metadata();
        const ps = clusterView(md).topics.find((t) => t.name === TOPIC)?.partitions ?? [];
        last = JSON.stringify(ps.map((p) => ({ p: p.partition, leader: p.leader, isr: p.isr })));
        return ps.length === PARTITIONS && ps.every((p) => p.leader >= 0 && p.isr.length === 3);
      },
      30_000,
      () => last,
    );
  }

  async function checkNothingLost(): Promise<void> {
    const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition })));
    const found = new Map<string, { partition: number; offset: bigint }>();
    try {
      await waitUntil(
        'every acknowledged record read back',
        async () => {
          for (const r of await consumer.poll({ timeoutMs: 500 }))
            found.set(r.value!.toString(), { partition: r.partition, offset: r.offset });
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

  before(async () => {
    cluster = await startCluster({
      brokers: 3,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      // Short fetch waits and backoffs, so a follower finds its new leader quickly.
      // auto.leader.rebalance.enable off: the test moves leadership back itself, when it chooses.
      overrides: {
        'replica.fetch.backoff.ms': '200',
        'replica.lag.time.max.ms': '3000',
        'auto.leader.rebalance.enable': 'false',
      },
    });
    kafka = new Kafka({
      bootstrapServers: cluster.bootstrapServers,
      clientId: 'replication',
      retryBackoffMs: 100,
    });
    const admin = kafka.admin();
    try {
      await admin.createTopics([
        {
          topic: TOPIC,
          numPartitions: PARTITIONS,
          replicationFactor: 3,
          configs: { 'min.insync.replicas': '2' },
        },
      ]);
    } finally {
      await admin.close();
    }
    producer = kafka.producer({ acks: -1, lingerMs: 0, deliveryTimeoutMs: 60_000 });
  });

  after(async () => {
    await producer?.close();
    await cluster?.close();
  });

  it('acks=all is answered once the followers have the records; each leader is followed by both others', async () => {
    await waitFullIsr();
    await produce('initial');
    await checkNothingLost();
    // Every broker hosts every partition's log: the leader's and both followers' are the same size.
    const sizes = new Map<number, number[]>();
    await waitUntil(
      'followers hold as many bytes as their leaders',
      async () => {
        for (const b of cluster.live) {
          const res = await b.describeLogDirs();
          const ps = res.results.flatMap((d) =>
            d.topics.filter((t) => t.name === TOPIC).flatMap((t) => t.partitions),
          );
          sizes.set(
            b.nodeId,
            [...ps].sort((x, y) => x.partitionIndex - y.partitionIndex).map((p) => Number(p.partitionSize)),
          );
        }
        const all = [...sizes.values()].map((s) => JSON.stringify(s));
        return all.length === 3 && all.every((s) => s === all[0]) && !all[0]!.includes('[]');
      },
      15_000,
      () => JSON.stringify([...sizes]),
    );
  });

  it('SIGKILL a leader during acks=all production: a follower of the ISR leads, and every acknowledged record is there', async () => {
    await waitFullIsr();
    const before = await partitions();
    const victim = before[0]!.leader;
    const production = produce('during-kill', 60);
    await cluster.broker(victim).kill('SIGKILL');
    await production;
    await produce('after-kill');
    const now = await partitions();
    for (const p of now) {
      assert.notEqual(p.leader, victim, `partition ${p.partition} moved off the killed broker`);
      assert.ok(p.leader >= 0, `partition ${p.partition} has a leader`);
      const was = before.find((x) => x.partition === p.partition)!;
      if (was.leader === victim) assert.ok(p.leaderEpoch > was.leaderEpoch, 'a new leader epoch');
    }
    await checkNothingLost();
    // The killed broker comes back as a follower, truncates, catches up and rejoins every ISR.
    await cluster.broker(victim).start();
    await waitFullIsr();
    await produce('after-rejoin');
    await checkNothingLost();
    // Its leadership stays where failover put it until a preferred election gives it back.
    const moved = (await partitions()).filter((p) => p.replicas[0] === victim && p.leader !== victim);
    assert.ok(moved.length > 0, 'the restarted broker leads none of its preferred partitions yet');
    const out = await strom([
      'leader-election',
      '--bootstrap-server',
      cluster.bootstrapServers,
      '--election-type',
      'preferred',
      '--all-topic-partitions',
    ]);
    assert.match(
      out,
      new RegExp(
        `^Successfully completed leader election \\(PREFERRED\\) for partitions .*${TOPIC}-${moved[0]!.partition}`,
        'm',
      ),
    );
    await waitUntil(
      'the preferred replicas lead again',
      async () => (await partitions()).every((p) => p.leader === p.replicas[0]),
      15_000,
    );
    await produce('after-preferred-election');
    await checkNothingLost();
    const again = await strom([
      'leader-election',
      '--bootstrap-server',
      cluster.bootstrapServers,
      '--election-type',
      'PREFERRED',
      '--topic',
      TOPIC,
      '--partition',
      String(moved[0]!.partition),
    ]);
    assert.equal(again, `Valid replica already elected for partitions ${TOPIC}-${moved[0]!.partition}\n`);
  });

  it('SIGTERM a leader during acks=all production: leadership moves before it stops, and no producer sees an error', async () => {
    await waitFullIsr();
    const before = await partitions();
    const victim = cluster.broker(before[0]!.leader);
    const errors: string[] = [];
    // Retriable answers (NOT_LEADER_OR_FOLLOWER) are retried inside the client; anything else, or a
    // record not acknowledged within the delivery timeout, reaches the application as an error.
    const strict = kafka.producer({ acks: -1, lingerMs: 0, deliveryTimeoutMs: 15_000 });
    let stop = false;
    const production = (async () => {
      let i = 0;
      while (!stop) {
        const v = `sigterm-${i++}`;
        try {
          const m = await strict.send(TOPIC, { key: v, value: v });
          acked.set(v, { partition: m.partition, offset: m.offset });
        } catch (err) {
          errors.push(`${v}: ${(err as Error).message}`);
        }
      }
    })();
    try {
      await new Promise((r) => setTimeout(r, 300));
      await victim.kill('SIGTERM');
      assert.equal(await victim.exited, 0, 'a clean stop');
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      stop = true;
      await production;
      await strict.close();
    }
    assert.deepEqual(errors, [], 'no produce failed');
    assert.match(
      victim.output(),
      /controlled shutdown: this broker leads no partition/,
      'leadership moved while the broker still served, not after its session ended',
    );
    for (const p of await partitions()) assert.notEqual(p.leader, victim.nodeId);
    await checkNothingLost();
    await victim.start();
    await waitFullIsr();
  });

  it('a follower down while records are written catches up and rejoins the ISR', async () => {
    await waitFullIsr();
    const controller = await cluster.controllerId();
    const leaders = new Set((await partitions()).map((p) => p.leader));
    const victim =
      cluster.brokers.find((b) => b.nodeId !== controller && !leaders.has(b.nodeId)) ??
      cluster.brokers.find((b) => b.nodeId !== controller)!;
    await victim.kill('SIGKILL');
    await waitUntil(
      'the stopped broker out of every ISR',
      async () => (await partitions()).every((p) => !p.isr.includes(victim.nodeId)),
      15_000,
    );
    await produce('while-follower-down', 90);
    // kafka-topics.sh's view of it: every partition is under-replicated while the broker is away.
    const under = await strom([
      'topics',
      '--bootstrap-server',
      cluster.bootstrapServers,
      '--describe',
      '--under-replicated-partitions',
    ]);
    const listed = under.split('\n').filter((l) => l.includes(`Topic: ${TOPIC}\t`));
    assert.equal(listed.length, PARTITIONS, under);
    for (const l of listed) assert.doesNotMatch(l.split('Isr: ')[1]!, new RegExp(`\\b${victim.nodeId}\\b`));
    await victim.start();
    await waitFullIsr();
    await checkNothingLost();
    const none = await strom([
      'topics',
      '--bootstrap-server',
      cluster.bootstrapServers,
      '--describe',
      '--under-replicated-partitions',
    ]);
    assert.equal(none.split('\n').filter((l) => l.includes(`Topic: ${TOPIC}\t`)).length, 0, none);
  });
});
