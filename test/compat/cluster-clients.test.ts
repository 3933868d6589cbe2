import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kafka } from '../../src/client/index.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { FindCoordinatorResponse } from '../../src/protocol/generated/messages/find-coordinator-response.js';
import {
  type ClusterBroker,
  clusterView,
  startCluster,
  type TestCluster,
} from '../helpers/cluster-processes.js';
import { request } from '../helpers/request.js';
import { kcat, python } from './helpers/run-client.js';

/**
 * Real clients against a cluster of three broker processes and a real etcd: each learns all three
 * brokers from one, produces to partitions led by different brokers and reads them back, runs a
 * consumer group whose coordinator is on another broker than most of its partitions, and sends
 * admin requests to a broker that is not the active controller (which forwards them).
 */
describe('real clients against a cluster of three brokers', () => {
  let cluster: TestCluster;
  let controller: ClusterBroker;
  let other: ClusterBroker;

  /** Creates a topic of six partitions (leaders on every broker) and returns its leaders. */
  async function sixPartitions(topic: string): Promise<number[]> {
    const kafka = new Kafka({ bootstrapServers: cluster.bootstrapServers, clientId: 'compat-setup' });
    const admin = kafka.admin();
    try {
      await admin.createTopics([{ topic, numPartitions: 6, replicationFactor: 1 }]);
    } finally {
      await admin.close();
    }
    const view = await cluster.converged();
    const leaders = view.topics.find((t) => t.name === topic)!.partitions.map((p) => p.leader);
    assert.deepEqual([...new Set(leaders)].sort(), [1, 2, 3], 'leaders on every broker');
    return leaders;
  }

  /** The group's coordinator, as FindCoordinator on any broker names it. */
  async function coordinatorOf(group: string): Promise<number> {
    const res = await request<FindCoordinatorResponse>(other.bootstrap, ApiKey.FindCoordinator, 3, {
      key: group,
      keyType: 0,
    });
    assert.equal(res.errorCode, 0);
    return res.nodeId;
  }

  before(async () => {
    cluster = await startCluster({ brokers: 3, sessionTimeoutMs: 3000 });
    controller = cluster.broker(await cluster.controllerId());
    other = cluster.brokers.find((b) => b !== controller)!;
  });
  after(async () => {
    await cluster?.close();
  });

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
    const lines = out.split('\n').filter((l) => l !== '');
    assert.deepEqual(lines.map((l) => l.split(' ')[1]).sort(), [...keys].sort());
    for (const l of lines) assert.equal(l.split(' ')[2], `v-${l.split(' ')[1]}`);
    assert.ok(new Set(lines.map((l) => l.split(' ')[0])).size >= 3, 'records on several partitions');
  });

  test('confluent-kafka-python: metadata, admin through a broker that is not the controller, keyed produce and a group', async () => {
    const script = 'confluent_kafka_compat.py';
    const topic = 'ck-cluster';
    const leaders = await sixPartitions(topic);
    assert.deepEqual(JSON.parse(await python(script, ['metadata', other.bootstrap, topic])), {
      brokers: [1, 2, 3],
      partitions: [0, 1, 2, 3, 4, 5],
    });
    // Admin with only the non-controller as bootstrap: it forwards the changes to the controller.
    const admin = JSON.parse(await python(script, ['admin', other.bootstrap, 'ck-cluster-admin'])) as Record<
      string,
      unknown
    >;
    assert.equal(admin.listed, true);
    assert.equal(admin.grown, 4);
    assert.equal(admin['retention.ms'], '7200000');
    assert.equal(admin.after_delete, false);
    await python(script, ['produce-keyed', other.bootstrap, topic, 300]);
    const group = 'ck-cluster-group';
    const out = await python(script, ['group-consume', controller.bootstrap, topic, group, 300]);
    assert.equal(out.split('\n').filter((l) => l !== '').length, 300);
    const coordinator = await coordinatorOf(group);
    assert.ok(
      leaders.some((l) => l !== coordinator),
      'the group reads partitions led by brokers other than its coordinator',
    );
  });

  test('kafka-python: metadata, admin through a broker that is not the controller, reads of every partition and a group', async () => {
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
    const all = (await python(script, ['consume-all', other.bootstrap, topic, 300]))
      .split('\n')
      .filter((l) => l);
    assert.equal(all.length, 300);
    assert.deepEqual(
      [...new Set(all.map((l) => Number(l.split('\t')[0])))].sort(),
      [0, 1, 2, 3, 4, 5],
      'read from the leader of every partition',
    );
    const group = 'kp-cluster-group';
    const out = await python(script, ['group-consume', other.bootstrap, topic, group, 300]);
    assert.equal(out.split('\n').filter((l) => l !== '').length, 300);
    const coordinator = await coordinatorOf(group);
    assert.ok(leaders.some((l) => l !== coordinator));
    // Every broker ends with the same view of the topics the clients created and deleted.
    const view = await cluster.converged();
    assert.deepEqual(
      view.topics.map((t) => t.name).filter((n) => !n.startsWith('__')),
      ['ck-cluster', 'kc-cluster', 'kp-cluster'],
    );
    assert.equal(clusterView(await other.metadata()).controllerId, controller.nodeId);
  });
});
