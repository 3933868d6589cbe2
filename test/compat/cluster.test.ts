import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kafka as KafkaJs, logLevel } from 'kafkajs';
import { Kafka } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../src/protocol/generated/messages/create-topics-response.js';
import type { FindCoordinatorResponse } from '../../src/protocol/generated/messages/find-coordinator-response.js';
import {
  type ClusterBroker,
  clusterView,
  startCluster,
  type TestCluster,
  waitUntil,
} from '../helpers/cluster-processes.js';
import { request } from '../helpers/request.js';
import { buildGo } from './helpers/go-build.js';
import { KAFKAJS_CLIENT_ID, kafkajs, kafkajsGroupConsume } from './helpers/js-clients.js';
import { kcat, python, runOk } from './helpers/run-client.js';

/**
 * Real clients against one cluster of three `strom server` processes and a real etcd, started once
 * for the file. kcat, confluent-kafka-python, kafka-python, kafkajs and sarama (Go) each learn all
 * three brokers from one, produce to partitions led by different brokers and read them back, run a
 * consumer group whose coordinator is another broker than the one they bootstrap from, and create
 * topics through a broker that is not the active controller. Then the faults: the controller
 * SIGKILLed is replaced within the session timeout; an acks=all producer rides the SIGKILL of a
 * leader of a replicated topic; a SIGKILLed broker's partitions of replication factor 1 are
 * LEADER_NOT_AVAILABLE until it returns, then serve everything they held.
 */

/** Non-empty lines of a client's output. */
const linesOf = (out: string): string[] => out.split('\n').filter((l) => l.length > 0);

describe('real clients against a cluster of three brokers', () => {
  let cluster: TestCluster;
  let sarama: string;
  let binDir: string;
  /** The active controller and a broker that is not, as they were before the fault tests. */
  let controller: ClusterBroker;
  let other: ClusterBroker;
  /** A broker that is neither: the third one. */
  let third: ClusterBroker;

  before(async () => {
    binDir = mkdtempSync(join(tmpdir(), 'strom-compat-cluster-go-'));
    [cluster, sarama] = await Promise.all([
      startCluster({
        brokers: 3,
        sessionTimeoutMs: 3000,
        overrides: { 'group.initial.rebalance.delay.ms': '0' },
      }),
      buildGo(binDir, 'sarama-client'),
    ]);
    controller = cluster.broker(await cluster.controllerId());
    [other, third] = cluster.brokers.filter((b) => b !== controller) as [ClusterBroker, ClusterBroker];
  });
  after(async () => {
    await cluster?.close();
    rmSync(binDir, { recursive: true, force: true });
  });

  /** Creates a topic of six partitions (leaders on every broker) and returns its leaders. */
  async function sixPartitions(topic: string): Promise<number[]> {
    const kafka = new Kafka({ bootstrapServers: cluster.bootstrapServers, clientId: 'compat-setup' });
    const admin = kafka.admin();
    try {
      await admin.createTopics([{ topic, numPartitions: 6, replicationFactor: 1 }]);
    } finally {
      await admin.close();
    }
    return leadersOf(topic);
  }

  /** The leader of each partition once every broker agrees; the leaders must cover all three. */
  async function leadersOf(topic: string): Promise<number[]> {
    const view = await cluster.converged();
    const leaders = view.topics.find((t) => t.name === topic)!.partitions.map((p) => p.leader);
    assert.deepEqual([...new Set(leaders)].sort(), [1, 2, 3], 'leaders on every broker');
    return leaders;
  }

  /** The group's coordinator as FindCoordinator asked of `via` names it (waits for __consumer_offsets). */
  async function coordinatorOf(via: ClusterBroker, group: string): Promise<number> {
    let nodeId = -1;
    await waitUntil(
      `a coordinator for ${group}`,
      async () => {
        const res = await request<FindCoordinatorResponse>(via.bootstrap, ApiKey.FindCoordinator, 3, {
          key: group,
          keyType: 0,
        });
        nodeId = res.errorCode === ErrorCode.NONE ? res.nodeId : -1;
        return nodeId !== -1;
      },
      20_000,
    );
    return nodeId;
  }

  /**
   * A group name whose coordinator is another broker than `bootstrap`, so that a client
   * bootstrapped there must follow FindCoordinator to a broker it did not start from.
   */
  async function groupAwayFrom(bootstrap: ClusterBroker, prefix: string) {
    for (let i = 0; i < 64; i++) {
      const group = `${prefix}-${i}`;
      const coordinator = await coordinatorOf(bootstrap, group);
      if (coordinator !== bootstrap.nodeId) return { group, coordinator };
    }
    throw new Error(`every ${prefix}-N group is coordinated by broker ${bootstrap.nodeId}`);
  }

  /** After a group read: its coordinator did not move and it read partitions led elsewhere. */
  async function assertGroupSpread(group: string, coordinator: number, leaders: readonly number[]) {
    assert.equal(await coordinatorOf(third, group), coordinator, 'the same coordinator from any broker');
    assert.ok(
      leaders.some((l) => l !== coordinator),
      'the group reads partitions led by brokers other than its coordinator',
    );
  }

  test('kcat: metadata from one broker lists all three; keyed records go to every leader and come back', async () => {
    const topic = 'kc-cluster';
    await sixPartitions(topic);
    const md = JSON.parse(await kcat(other.bootstrap, ['-L', '-J', '-t', topic])) as {
      controllerid: number;
      brokers: { id: number; name: string }[];
      topics: { topic: string; partitions: { partition: number; leader: number }[] }[];
    };
    assert.deepEqual(md.brokers.map((b) => b.id).sort(), [1, 2, 3]);
    assert.equal(md.controllerid, controller.nodeId);
    const keys = Array.from({ length: 60 }, (_, i) => `key-${i}`);
    await kcat(
      controller.bootstrap,
      ['-P', '-t', topic, '-K', ':', '-X', 'acks=all'],
      keys.map((k) => `${k}:v-${k}\n`).join(''),
    );
    const out = await kcat(other.bootstrap, [
      '-C',
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%p %k %s\n',
    ]);
    const lines = linesOf(out);
    assert.deepEqual(lines.map((l) => l.split(' ')[1]).sort(), [...keys].sort());
    for (const l of lines) assert.equal(l.split(' ')[2], `v-${l.split(' ')[1]}`);
    assert.ok(new Set(lines.map((l) => l.split(' ')[0])).size >= 3, 'records on several partitions');
  });

  /** The topic confluent-kafka-python fills; the broker-kill test below reads it again. */
  const CK_TOPIC = 'ck-cluster';
  const CK_COUNT = 600;

  /** Every record of ck-cluster, read by kcat from all partitions: one "partition<TAB>value" line each. */
  async function kcatAll(bootstrap: string): Promise<string[]> {
    return linesOf(
      await kcat(bootstrap, ['-C', '-t', CK_TOPIC, '-o', 'beginning', '-e', '-q', '-f', '%p\t%s\n']),
    );
  }

  test('confluent-kafka-python: metadata, admin with a non-controller bootstrap, keyed produce read by kcat and a group', async () => {
    const script = 'confluent_kafka_compat.py';
    const leaders = await sixPartitions(CK_TOPIC);
    assert.deepEqual(JSON.parse(await python(script, ['metadata', other.bootstrap, CK_TOPIC])), {
      brokers: [1, 2, 3],
      partitions: [0, 1, 2, 3, 4, 5],
    });
    // librdkafka sends admin requests to the controller that Metadata names: the bootstrap broker
    // only tells it where that is.
    const admin = JSON.parse(await python(script, ['admin', other.bootstrap, 'ck-cluster-admin'])) as Record<
      string,
      unknown
    >;
    assert.equal(admin.listed, true);
    assert.equal(admin.grown, 4);
    assert.equal(admin['retention.ms'], '7200000');
    assert.equal(admin.after_delete, false);
    // Bootstrapped from one broker only: the producer finds the others through Metadata.
    await python(script, ['produce-keyed', other.bootstrap, CK_TOPIC, CK_COUNT], 120_000);
    const lines = await kcatAll(controller.bootstrap);
    assert.equal(lines.length, CK_COUNT);
    assert.equal(new Set(lines.map((l) => l.split('\t')[0])).size, 6, 'records on every partition');
    const { group, coordinator } = await groupAwayFrom(third, 'ck-cluster-group');
    const out = await python(script, ['group-consume', third.bootstrap, CK_TOPIC, group, CK_COUNT], 120_000);
    assert.equal(linesOf(out).length, CK_COUNT);
    await assertGroupSpread(group, coordinator, leaders);
  });

  test('kafka-python: metadata, admin with a non-controller bootstrap, reads of every partition and a group', async () => {
    const script = 'kafka_python_compat.py';
    const topic = 'kp-cluster';
    const leaders = await sixPartitions(topic);
    assert.deepEqual(JSON.parse(await python(script, ['metadata', other.bootstrap, topic])), {
      brokers: [1, 2, 3],
      partitions: [0, 1, 2, 3, 4, 5],
    });
    assert.deepEqual(JSON.parse(await python(script, ['admin', other.bootstrap, 'kp-cluster-admin'])), {
      listed: true,
      partitions: [0, 1, 2],
      'retention.ms': '3600000',
      grown: 5,
      after_delete: false,
    });
    await python('confluent_kafka_compat.py', ['produce-keyed', controller.bootstrap, topic, 300]);
    const all = linesOf(await python(script, ['consume-all', other.bootstrap, topic, 300]));
    assert.equal(all.length, 300);
    assert.deepEqual(
      [...new Set(all.map((l) => Number(l.split('\t')[0])))].sort(),
      [0, 1, 2, 3, 4, 5],
      'read from the leader of every partition',
    );
    const { group, coordinator } = await groupAwayFrom(other, 'kp-cluster-group');
    const out = await python(script, ['group-consume', other.bootstrap, topic, group, 300]);
    assert.equal(linesOf(out).length, 300);
    await assertGroupSpread(group, coordinator, leaders);
  });

  test('kafkajs: metadata, keyed produce to every leader, a group coordinated elsewhere, CreateTopics sent to a non-controller', async () => {
    const topic = 'js-cluster';
    const leaders = await sixPartitions(topic);
    const admin = kafkajs(other.bootstrap).admin();
    await admin.connect();
    try {
      const described = await admin.describeCluster();
      assert.deepEqual(described.brokers.map((b) => b.nodeId).sort(), [1, 2, 3]);
      assert.equal(described.controller, controller.nodeId);
    } finally {
      await admin.disconnect();
    }

    // kafkajs's default partitioner (murmur2 of the key, as Java's) spreads the keys; each batch goes
    // to its partition's leader, found through the Metadata of the one bootstrap broker.
    const count = 300;
    const keys = Array.from({ length: count }, (_, i) => `key-${i}`);
    const producer = kafkajs(other.bootstrap).producer();
    await producer.connect();
    let acked: { partition: number; errorCode: number }[];
    try {
      acked = await producer.send({
        topic,
        acks: -1,
        messages: keys.map((k) => ({ key: k, value: `v-${k}` })),
      });
    } finally {
      await producer.disconnect();
    }
    assert.ok(acked.every((r) => r.errorCode === 0));
    assert.deepEqual(
      [...new Set(acked.map((r) => leaders[r.partition]))].sort(),
      [1, 2, 3],
      'batches acknowledged by every broker',
    );

    const { group, coordinator } = await groupAwayFrom(other, 'js-cluster-group');
    const read = linesOf(await kafkajsGroupConsume(other.bootstrap, topic, group, count));
    assert.deepEqual(read.map((l) => l.split('\t')[1]).sort(), [...keys].sort());
    for (const l of read) assert.equal(l.split('\t')[2], `v-${l.split('\t')[1]}`);
    await assertGroupSpread(group, coordinator, leaders);

    // kafkajs sends CreateTopics to the controller that Metadata names. Its connections to the
    // controller's address are sent to `other` instead, so that the request reaches a broker that
    // is not the controller and must forward it (as Kafka brokers forward to the KRaft controller).
    const [controllerHost, controllerPort] = controller.bootstrap.split(':') as [string, string];
    const [otherHost, otherPort] = other.bootstrap.split(':') as [string, string];
    let redirected = 0;
    const redirecting = new KafkaJs({
      brokers: [other.bootstrap],
      clientId: KAFKAJS_CLIENT_ID,
      logLevel: logLevel.NOTHING,
      retry: { retries: 3 },
      socketFactory: ({ host, port, onConnect }) => {
        const toController = host === controllerHost && port === Number(controllerPort);
        if (toController) redirected++;
        return connect(
          toController ? { host: otherHost, port: Number(otherPort) } : { host, port },
          onConnect,
        );
      },
    }).admin();
    await redirecting.connect();
    try {
      assert.equal(
        await redirecting.createTopics({ topics: [{ topic: 'js-cluster-admin', numPartitions: 6 }] }),
        true,
      );
    } finally {
      await redirecting.disconnect();
    }
    assert.ok(redirected > 0, "kafkajs's CreateTopics went to the non-controller");
    // Visible through a third broker, with a leader on each.
    const checker = kafkajs(third.bootstrap).admin();
    await checker.connect();
    try {
      let partitions: { partitionId: number; leader: number }[] = [];
      await waitUntil(
        'js-cluster-admin in the metadata of a third broker',
        async () => {
          const md = await checker.fetchTopicMetadata({ topics: ['js-cluster-admin'] }).catch(() => null);
          partitions = md?.topics[0]?.partitions ?? [];
          return partitions.length === 6 && partitions.every((p) => p.leader >= 1);
        },
        15_000,
      );
      assert.deepEqual([...new Set(partitions.map((p) => p.leader))].sort(), [1, 2, 3]);
    } finally {
      await checker.disconnect();
    }
  });

  test('sarama (Go): keyed produce to every leader read back per partition and by a group coordinated elsewhere; CreateTopics sent to a non-controller', async () => {
    const topic = 'go-cluster';
    const leaders = await sixPartitions(topic);
    const count = 300;
    // Each line is "partition<TAB>offset<TAB>key": what was acknowledged where, and what was read where.
    const produced = linesOf(await runOk(sarama, ['produce-keyed', other.bootstrap, topic, String(count)]));
    assert.equal(produced.length, count);
    assert.deepEqual(
      [...new Set(produced.map((l) => leaders[Number(l.split('\t')[0])]))].sort(),
      [1, 2, 3],
      'records acknowledged by every broker',
    );
    const consumed = linesOf(await runOk(sarama, ['consume-all', third.bootstrap, topic, String(count)]));
    assert.deepEqual(consumed.sort(), [...produced].sort(), 'every record read at its partition and offset');

    const { group, coordinator } = await groupAwayFrom(other, 'go-cluster-group');
    const grouped = linesOf(
      await runOk(sarama, ['group-consume-all', other.bootstrap, topic, String(count), group]),
    );
    assert.deepEqual(grouped.sort(), [...produced].sort(), 'the group read every record once');
    await assertGroupSpread(group, coordinator, leaders);

    // sarama's ClusterAdmin picks the controller; the Broker API sends to the broker it is given.
    const created = JSON.parse(
      await runOk(sarama, ['create-topic', other.bootstrap, 'go-cluster-admin', '6', third.bootstrap]),
    ) as { error: number; leaders: number[] | null };
    assert.equal(created.error, ErrorCode.NONE);
    assert.equal(created.leaders?.length, 6, 'visible with a leader per partition through a third broker');
    assert.deepEqual([...new Set(created.leaders)].sort(), [1, 2, 3]);
  });

  test('every broker reports the same topics and controller after the clients', async () => {
    const view = await cluster.converged();
    assert.deepEqual(
      view.topics.map((t) => t.name).filter((n) => !n.startsWith('__')),
      [
        'ck-cluster',
        'go-cluster',
        'go-cluster-admin',
        'js-cluster',
        'js-cluster-admin',
        'kc-cluster',
        'kp-cluster',
      ],
    );
    assert.equal(view.controllerId, controller.nodeId);
    assert.equal(clusterView(await third.metadata()).controllerId, controller.nodeId);
  });

  const createTopic = async (name: string, partitions: number) => {
    const res = await request<CreateTopicsResponse>(cluster.live[0]!.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [{ name, numPartitions: partitions, replicationFactor: 1 }],
      timeoutMs: 10_000,
    });
    return res.topics[0]!.errorCode;
  };

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
    const controllerNow = await cluster.controllerId();
    const leaders = (await cluster.converged()).topics.find((t) => t.name === topic)!.partitions;
    const victim = cluster.broker(
      leaders.find((p) => p.leader !== controllerNow)?.leader ?? leaders[0]!.leader,
    );
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
    const acked = linesOf(await producing);
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
    const lines = new Set(linesOf(read));
    for (const a of acked) assert.ok(lines.has(a), `${a} read back where it was acknowledged`);
    assert.equal(lines.size, count, 'no duplicates (idempotence)');
    await victim.start();
    await cluster.waitForBrokers([1, 2, 3]);
  });

  test('a SIGKILLed broker: its partitions are LEADER_NOT_AVAILABLE until it returns, then serve what they held', async () => {
    const before = await kcatAll(cluster.broker(1).bootstrap);
    assert.equal(before.length, CK_COUNT);
    const controllerNow = await cluster.controllerId();
    const victim = cluster.brokers.find((b) => b.nodeId !== controllerNow)!;
    await victim.kill('SIGKILL');
    const witness = cluster.live[0]!;
    await waitUntil(
      'the killed broker fenced and its partitions without a leader',
      async () => {
        const md = await witness.metadata();
        const t = md.topics.find((x) => x.name === CK_TOPIC);
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
    assert.ok(view.topics.find((t) => t.name === CK_TOPIC)!.partitions.every((p) => p.leader >= 1));
    const after = await kcatAll(witness.bootstrap);
    assert.deepEqual(after.sort(), before.sort(), 'nothing lost');
  });
});
