import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka } from '../../src/client/index.js';
import { waitUntil } from '../helpers/cluster-processes.js';
import { type EtcdProcess, startEtcd } from '../helpers/etcd-process.js';
import { type StartedNode, startNode } from './http-node.js';

interface OverviewBody {
  controllerId: number;
  nodeId: number;
  brokers: { nodeId: number; port: number; rack: string | null; fenced: boolean; controller: boolean }[];
  partitions: number;
  offlinePartitions: number;
}

interface TopicBody {
  partitions: { partition: number; leader: number; offline: boolean; replicas: number[]; isr: number[] }[];
}

/** The console of one broker of a three-broker cluster (real etcd): brokers, racks, fencing, offline partitions. */
describe('web console of a broker in a cluster', { timeout: 90_000 }, () => {
  let etcd: EtcdProcess;
  const nodes: StartedNode[] = [];
  const closed = new Set<StartedNode>();

  before(async () => {
    etcd = await startEtcd();
    for (const id of [1, 2, 3]) {
      nodes.push(
        await startNode({
          'metadata.etcd.endpoints': etcd.endpoint,
          'node.id': String(id),
          'broker.rack': `rack-${id}`,
          'broker.session.timeout.ms': '2000',
          'broker.heartbeat.interval.ms': '500',
        }),
      );
    }
  });
  after(async () => {
    for (const n of nodes) if (!closed.has(n)) await n.close().catch(() => undefined);
    await etcd?.stop();
  });

  const get = async <T>(node: StartedNode, path: string): Promise<T> => {
    const r = await fetch(`${node.http}${path}`);
    assert.equal(r.status, 200, path);
    return (await r.json()) as T;
  };

  it('shows every broker with its rack and role, then a stopped one fenced and its partitions offline', async () => {
    const viewer = nodes[0]!;
    await waitUntil(
      'three brokers registered',
      async () => (await get<OverviewBody>(viewer, '/api/overview')).brokers.length === 3,
      10_000,
    );
    const admin = new Kafka({ bootstrapServers: viewer.bootstrap }).admin();
    try {
      await admin.createTopics([{ topic: 'spread', numPartitions: 6 }]);
    } finally {
      await admin.close();
    }
    const o = await get<OverviewBody>(viewer, '/api/overview');
    assert.equal(o.nodeId, 1);
    assert.deepEqual(
      o.brokers.map((b) => [b.nodeId, b.port, b.rack, b.fenced, b.controller]),
      nodes.map((n, i) => [
        i + 1,
        Number(n.bootstrap.split(':')[1]),
        `rack-${i + 1}`,
        false,
        i + 1 === o.controllerId,
      ]),
    );
    assert.equal(o.partitions, 6);
    assert.equal(o.offlinePartitions, 0);
    const spread = await get<TopicBody>(viewer, '/api/topics/spread');
    assert.deepEqual(
      [...new Set(spread.partitions.map((p) => p.leader))].sort(),
      [1, 2, 3],
      'leaders on every broker',
    );
    for (const p of spread.partitions) {
      assert.deepEqual([p.replicas, p.isr, p.offline], [[p.leader], [p.leader], false]);
    }

    // A broker other than the viewer and the controller stops: it is fenced, its partitions offline.
    const victim = nodes.find((_, i) => i + 1 !== 1 && i + 1 !== o.controllerId)!;
    const victimId = nodes.indexOf(victim) + 1;
    await victim.close();
    closed.add(victim);
    await waitUntil(
      'the stopped broker shown fenced',
      async () =>
        (await get<OverviewBody>(viewer, '/api/overview')).brokers.find((b) => b.nodeId === victimId)
          ?.fenced === true,
      10_000,
    );
    const after = await get<OverviewBody>(viewer, '/api/overview');
    assert.deepEqual(
      after.brokers.map((b) => [b.nodeId, b.fenced]),
      [1, 2, 3].map((id) => [id, id === victimId]),
    );
    assert.equal(after.offlinePartitions, 2, 'the fenced broker led two of six partitions');
    const offline = (await get<TopicBody>(viewer, '/api/topics/spread')).partitions.filter((p) => p.offline);
    assert.equal(offline.length, 2);
    for (const p of offline) {
      assert.equal(p.leader, -1);
      assert.deepEqual(p.replicas, [victimId], 'its replica is still assigned to the fenced broker');
    }
  });
});
