import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../src/protocol/generated/messages/create-topics-response.js';
import { startCluster, type TestCluster, waitUntil } from '../helpers/cluster-processes.js';
import { request } from '../helpers/request.js';
import { kcat, python } from './helpers/run-client.js';

/**
 * Real clients against three `strom server` processes and etcd: librdkafka (kcat and
 * confluent-kafka-python) routes produce and consume to the leaders of a topic spread over the
 * brokers; the controller SIGKILLed is replaced within the session timeout; an acks=all producer
 * rides the SIGKILL of a leader of a replicated topic; a SIGKILLed broker's partitions of
 * replication factor 1 are LEADER_NOT_AVAILABLE until it returns, then serve everything they held.
 */

const COUNT = 600;
const TOPIC = 'cluster-spread';

/** Every record of the topic, read by kcat from all partitions: one "partition<TAB>value" line each. */
async function kcatAll(bootstrap: string): Promise<string[]> {
  const out = await kcat(bootstrap, ['-C', '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-f', '%p\t%s\n']);
  return out.split('\n').filter((l) => l.length > 0);
}

describe('a three-broker cluster with real clients', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster({ brokers: 3, sessionTimeoutMs: 2000 });
  });
  after(async () => {
    await cluster?.close();
  });

  const createTopic = async (name: string, partitions: number) => {
    const res = await request<CreateTopicsResponse>(cluster.live[0]!.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [{ name, numPartitions: partitions, replicationFactor: 1 }],
      timeoutMs: 10_000,
    });
    return res.topics[0]!.errorCode;
  };

  test('confluent-kafka-python produces and kcat and a consumer group read a topic spread over the brokers', async () => {
    assert.equal(await createTopic(TOPIC, 6), ErrorCode.NONE);
    const view = await cluster.converged();
    const leaders = view.topics.find((t) => t.name === TOPIC)!.partitions.map((p) => p.leader);
    assert.deepEqual([...new Set(leaders)].sort(), [1, 2, 3], 'every broker leads some partitions');

    // Bootstrapped from one broker only: the clients find the others through Metadata.
    const bootstrap = cluster.broker(2).bootstrap;
    await python('confluent_kafka_compat.py', ['produce-keyed', bootstrap, TOPIC, COUNT], 120_000);
    const lines = await kcatAll(bootstrap);
    assert.equal(lines.length, COUNT);
    assert.equal(new Set(lines.map((l) => l.split('\t')[0])).size, 6, 'records on every partition');
    const grouped = await python(
      'confluent_kafka_compat.py',
      ['group-consume', bootstrap, TOPIC, 'cluster-group', COUNT],
      120_000,
    );
    assert.equal(grouped.split('\n').filter((l) => l.length > 0).length, COUNT);
  });

  test('the controller SIGKILLed: another broker becomes controller within the session timeout and creates topics', async () => {
    const old = await cluster.controllerId();
    await cluster.broker(old).kill('SIGKILL');
    const killedAt = Date.now();
    let next = -1;
    await waitUntil(
      'another controller',
      async () => {
        next = await cluster.controllerId().catch(() => -1);
        return next !== -1 && next !== old;
      },
      4 * cluster.sessionTimeoutMs,
    );
    // A bound, not a timing assertion: the lease of the old controller lasts the session timeout.
    assert.ok(Date.now() - killedAt < 4 * cluster.sessionTimeoutMs);
    await waitUntil(
      'a topic created through the new controller',
      async () => {
        const code = await createTopic('after-failover', 2).catch(() => -1);
        return code === ErrorCode.NONE || code === ErrorCode.TOPIC_ALREADY_EXISTS;
      },
      20_000,
    );
    await cluster.broker(old).restart();
    await cluster.waitForBrokers([1, 2, 3]);
  });

  test('replication factor 3: an idempotent acks=all confluent-kafka-python producer rides the SIGKILL of a leader, and kcat reads every acknowledged record at its offset', async () => {
    const topic = 'cluster-replicated';
    const res = await request<CreateTopicsResponse>(cluster.live[0]!.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [
        {
          name: topic,
          numPartitions: 3,
          replicationFactor: 3,
          configs: [{ name: 'min.insync.replicas', value: '2' }],
        },
      ],
      timeoutMs: 10_000,
    });
    assert.equal(res.topics[0]!.errorCode, ErrorCode.NONE);
    await cluster.waitForBrokers([1, 2, 3]);
    const controller = await cluster.controllerId();
    const leaders = (await cluster.converged()).topics.find((t) => t.name === topic)!.partitions;
    const victim = cluster.broker(leaders.find((p) => p.leader !== controller)?.leader ?? leaders[0]!.leader);
    const bootstrap = cluster.brokers
      .filter((b) => b !== victim)
      .map((b) => b.bootstrap)
      .join(',');
    const count = 400;
    const producing = python(
      'confluent_kafka_compat.py',
      ['produce-paced', bootstrap, topic, count, 6],
      120_000,
    );
    await new Promise((r) => setTimeout(r, 2500));
    await victim.kill('SIGKILL');
    const acked = (await producing).split('\n').filter((l) => l.length > 0);
    assert.equal(acked.length, count, 'every record acknowledged, none failed');
    const read = await kcat(bootstrap, [
      '-C',
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%p\t%o\t%k\n',
    ]);
    const lines = new Set(read.split('\n').filter((l) => l.length > 0));
    for (const a of acked) assert.ok(lines.has(a), `${a} read back where it was acknowledged`);
    assert.equal(lines.size, count, 'no duplicates (idempotence)');
    await victim.start();
    await cluster.waitForBrokers([1, 2, 3]);
  });

  test('a SIGKILLed broker: its partitions are LEADER_NOT_AVAILABLE until it returns, then serve what they held', async () => {
    const before = await kcatAll(cluster.broker(1).bootstrap);
    assert.equal(before.length, COUNT);
    const controller = await cluster.controllerId();
    const victim = cluster.brokers.find((b) => b.nodeId !== controller)!;
    await victim.kill('SIGKILL');
    const witness = cluster.live[0]!;
    await waitUntil(
      'the killed broker fenced and its partitions without a leader',
      async () => {
        const md = await witness.metadata();
        const t = md.topics.find((x) => x.name === TOPIC);
        const led = t?.partitions.filter((p) => p.replicaNodes.includes(victim.nodeId)) ?? [];
        return (
          !md.brokers.some((b) => b.nodeId === victim.nodeId) &&
          led.length > 0 &&
          led.every((p) => p.leaderId === -1 && p.errorCode === ErrorCode.LEADER_NOT_AVAILABLE)
        );
      },
      4 * cluster.sessionTimeoutMs,
    );
    await victim.restart();
    await cluster.waitForBrokers([1, 2, 3]);
    const view = await cluster.converged();
    assert.ok(view.topics.find((t) => t.name === TOPIC)!.partitions.every((p) => p.leader >= 1));
    const after = await kcatAll(witness.bootstrap);
    assert.deepEqual(after.sort(), before.sort(), 'nothing lost');
  });
});
