import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/common/clock.js';
import { BrokerIdInUseError } from '../../../src/metadata/etcd/broker-session.js';
import { MetadataWriterFencedError } from '../../../src/metadata/metadata-log.js';
import { createTopic, imageOf } from './cluster-metadata.js';
import { ClusterNode, HEARTBEAT_MS, PausableKv, SESSION_TIMEOUT_MS, settle } from './cluster-node.js';
import { FakeEtcd } from './fake-etcd.js';

/** Moves the brokers' clock and etcd's lease clock together, a heartbeat at a time. */
async function elapse(etcd: FakeEtcd, clock: ManualClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += HEARTBEAT_MS / 5) {
    clock.advance(HEARTBEAT_MS / 5);
    etcd.advance(HEARTBEAT_MS / 5);
    await settle();
  }
}

async function cluster(
  n: number,
): Promise<{ etcd: FakeEtcd; clock: ManualClock; nodes: ClusterNode[]; kvs: PausableKv[] }> {
  const etcd = new FakeEtcd();
  const clock = new ManualClock();
  const kvs = Array.from({ length: n }, () => new PausableKv(etcd.client()));
  const nodes = kvs.map((k, i) => new ClusterNode(i + 1, k.kv, clock));
  for (const node of nodes) await node.start();
  await settle();
  return { etcd, clock, nodes, kvs };
}

const controllers = (nodes: ClusterNode[]) => nodes.filter((n) => n.election.active).map((n) => n.id);

describe('broker sessions, controller election and fencing (in-memory etcd, manual clock)', () => {
  it('elects one controller, which registers every live broker; all brokers see the same image', async () => {
    const { nodes } = await cluster(3);
    assert.deepEqual(controllers(nodes), [1]);
    for (const n of nodes) assert.equal(n.election.controllerId, 1);
    for (const n of nodes) await n.metadata.catchUp();
    const brokers = nodes[2]!.metadata.image.brokers;
    assert.deepEqual([...brokers.keys()].sort(), [1, 2, 3]);
    assert.ok([...brokers.values()].every((b) => !b.fenced && b.endPoints[0]!.port === 9090 + b.brokerId));
    assert.equal(await createTopic(nodes[0]!.metadata, 'spread', 6), 0);
    const leaders = [...nodes[0]!.metadata.image.topic('spread')!.partitions.values()].map((p) => p.leader);
    assert.deepEqual([...new Set(leaders)].sort(), [1, 2, 3], 'leaders spread over the three brokers');
    // Only the controller may write: another broker's append is refused by etcd.
    await assert.rejects(createTopic(nodes[1]!.metadata, 'not-here'), MetadataWriterFencedError);
    for (const n of nodes) await n.metadata.catchUp();
    assert.deepEqual(imageOf(nodes[1]!.metadata), imageOf(nodes[0]!.metadata));
    assert.deepEqual(imageOf(nodes[2]!.metadata), imageOf(nodes[0]!.metadata));
    for (const n of nodes) await n.close();
  });

  it('fences a broker whose session expired and takes its partitions offline; unfences it when it registers again', async () => {
    const { etcd, clock, nodes, kvs } = await cluster(3);
    assert.equal(await createTopic(nodes[0]!.metadata, 't', 6), 0);
    const image = nodes[0]!.metadata.image;
    const onBroker3 = [...image.topic('t')!.partitions.values()].filter((p) => p.leader === 3);
    assert.ok(onBroker3.length > 0);
    const epochs = onBroker3.map((p) => p.leaderEpoch);
    let lost = 0;
    nodes[2]!.session.onLost(() => lost++);
    kvs[2]!.paused = true; // SIGSTOP: no heartbeats
    await elapse(etcd, clock, SESSION_TIMEOUT_MS + HEARTBEAT_MS);
    assert.equal(image.brokers.get(3)!.fenced, true, 'fenced after its session timeout');
    for (const p of onBroker3)
      assert.equal(p.leader, -1, 'offline: replication factor 1 has no other leader');
    assert.deepEqual(
      onBroker3.map((p) => p.leaderEpoch),
      epochs.map((e) => e + 1),
    );
    const oldEpoch = image.brokers.get(3)!.brokerEpoch;
    kvs[2]!.resume(); // SIGCONT: it finds its lease gone and registers again
    await elapse(etcd, clock, HEARTBEAT_MS * 2);
    assert.equal(lost, 1);
    assert.equal(image.brokers.get(3)!.fenced, false);
    assert.ok(image.brokers.get(3)!.brokerEpoch > oldEpoch, 'a new broker epoch');
    for (const p of onBroker3) assert.equal(p.leader, 3);
    assert.deepEqual(
      onBroker3.map((p) => p.leaderEpoch),
      epochs.map((e) => e + 2),
    );
    await nodes[2]!.metadata.catchUp();
    assert.deepEqual(imageOf(nodes[2]!.metadata), imageOf(nodes[0]!.metadata));
    for (const n of nodes) await n.close();
  });

  it('a controller paused past its session is replaced, cannot write when it wakes, and follows the new one', async () => {
    const { etcd, clock, nodes, kvs } = await cluster(3);
    assert.deepEqual(controllers(nodes), [1]);
    kvs[0]!.paused = true;
    await elapse(etcd, clock, SESSION_TIMEOUT_MS + HEARTBEAT_MS);
    const next = controllers(nodes.slice(1));
    assert.equal(next.length, 1, 'one of the others took over within the session timeout');
    const successor = nodes.find((n) => n.id === next[0])!;
    assert.equal(
      successor.metadata.image.brokers.get(1)!.fenced,
      true,
      'the new controller fenced the old one',
    );
    assert.equal(await createTopic(successor.metadata, 'after', 2), 0, 'the new controller creates topics');
    // The old controller still believes it is active; etcd refuses its write all the same.
    assert.equal(nodes[0]!.election.active, true);
    const stale = createTopic(nodes[0]!.metadata, 'stale');
    kvs[0]!.resume();
    await assert.rejects(stale, MetadataWriterFencedError);
    await elapse(etcd, clock, HEARTBEAT_MS * 2);
    assert.deepEqual(controllers(nodes), [successor.id], 'exactly one controller');
    assert.equal(
      successor.metadata.image.brokers.get(1)!.fenced,
      false,
      'the old controller is a broker again',
    );
    assert.equal(successor.metadata.image.topic('stale'), undefined);
    for (const n of nodes) await n.metadata.catchUp();
    for (const n of nodes) assert.deepEqual(imageOf(n.metadata), imageOf(successor.metadata));
    for (const n of nodes) await n.close();
  });

  it('refuses a second broker with a live broker id, after waiting out a stale session', async () => {
    const { etcd, clock, nodes } = await cluster(1);
    const twin = new ClusterNode(1, etcd.client(), clock);
    await twin.metadata.load();
    const started = twin.session.start();
    let outcome: unknown = 'pending';
    started.then(
      () => (outcome = 'started'),
      (err: unknown) => (outcome = err),
    );
    await elapse(etcd, clock, 2 * SESSION_TIMEOUT_MS + HEARTBEAT_MS);
    assert.ok(outcome instanceof BrokerIdInUseError, `refused: ${String(outcome)}`);
    assert.match((outcome as Error).message, /node.id 1 is registered by a live broker/);
    for (const n of nodes) await n.close();
    await twin.metadata.close();
  });

  it('a broker restarted at once after a crash waits for its old session to expire, then registers', async () => {
    const { etcd, clock, nodes, kvs } = await cluster(2);
    kvs[1]!.paused = true; // crashed: its lease is no longer renewed
    const restarted = new ClusterNode(2, etcd.client(), clock);
    await restarted.metadata.load();
    let epoch = -1n;
    void restarted.session.start().then((e) => (epoch = e));
    await elapse(etcd, clock, SESSION_TIMEOUT_MS + 2 * HEARTBEAT_MS);
    assert.ok(epoch > 0n, 'registered once the old session expired');
    await elapse(etcd, clock, HEARTBEAT_MS);
    const b2 = nodes[0]!.metadata.image.brokers.get(2)!;
    assert.equal(b2.fenced, false);
    assert.equal(b2.brokerEpoch, epoch);
    await nodes[0]!.close();
    await restarted.close();
  });
});
