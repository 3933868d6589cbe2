import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../../src/common/clock.js';
import { noopLogger } from '../../../src/common/logger.js';
import { EtcdHttpClient } from '../../../src/metadata/etcd/etcd-http-client.js';
import { type EtcdProcess, startEtcd } from '../../helpers/etcd-process.js';
import { createTopic, imageOf } from './cluster-metadata.js';
import { ClusterNode, PausableKv, SESSION_TIMEOUT_MS } from './cluster-node.js';

/** Polls `check` until it holds; fails after `limitMs` (a bound, not a timing assertion). */
async function eventually(
  what: string,
  check: () => boolean,
  limitMs = 4 * SESSION_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`not within ${limitMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('three brokers on a real etcd: sessions, election, fencing', () => {
  let etcd: EtcdProcess;
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });

  it('spreads leaders, fences a paused broker, and replaces a paused controller', async () => {
    const kvs = [1, 2, 3].map(() => new PausableKv(new EtcdHttpClient([etcd.endpoint], noopLogger)));
    const nodes = kvs.map((k, i) => new ClusterNode(i + 1, k.kv, systemClock));
    try {
      for (const n of nodes) await n.start();
      await eventually('one controller and three registered brokers', () => {
        const c = nodes.filter((n) => n.election.active);
        return c.length === 1 && c[0]!.metadata.image.brokers.size === 3;
      });
      const controller = nodes.find((n) => n.election.active)!;
      assert.equal(await createTopic(controller.metadata, 'six', 6), 0);
      const partitions = () => [...controller.metadata.image.topic('six')!.partitions.values()];
      assert.deepEqual([...new Set(partitions().map((p) => p.leader))].sort(), [1, 2, 3]);

      // A broker stops (SIGSTOP-like: no heartbeat, nothing else): fenced, its partitions offline.
      const victim = nodes.find((n) => n !== controller)!;
      const led = partitions()
        .filter((p) => p.leader === victim.id)
        .map((p) => p.partitionId);
      kvs[victim.id - 1]!.paused = true;
      await eventually(
        'the stopped broker fenced',
        () => controller.metadata.image.brokers.get(victim.id)!.fenced,
      );
      for (const id of led)
        assert.equal(controller.metadata.image.topic('six')!.partitions.get(id)!.leader, -1);

      // The controller stops: another broker takes over and creates topics.
      kvs[controller.id - 1]!.paused = true;
      const rest = nodes.filter((n) => n !== controller && n !== victim);
      await eventually('a new controller', () => rest[0]!.election.active);
      await eventually(
        'the old controller fenced',
        () => rest[0]!.metadata.image.brokers.get(controller.id)!.fenced,
      );
      assert.equal(await createTopic(rest[0]!.metadata, 'later', 1), 0);
      assert.equal(
        rest[0]!.metadata.image.topic('later')!.partitions.get(0)!.leader,
        rest[0]!.id,
        'the only live broker',
      );

      // Both come back: registered again, unfenced, leaders restored; every image equal.
      kvs[victim.id - 1]!.resume();
      kvs[controller.id - 1]!.resume();
      await eventually('everyone unfenced', () =>
        [...rest[0]!.metadata.image.brokers.values()].every((b) => !b.fenced),
      );
      await eventually('leaders back', () =>
        [...rest[0]!.metadata.image.topic('six')!.partitions.values()].every((p) => p.leader > 0),
      );
      assert.deepEqual(
        nodes.filter((n) => n.election.active).map((n) => n.id),
        [rest[0]!.id],
      );
      for (const n of nodes) await n.metadata.catchUp();
      for (const n of nodes) assert.deepEqual(imageOf(n.metadata), imageOf(rest[0]!.metadata));
    } finally {
      for (const k of kvs) k.resume();
      for (const n of nodes) await n.close();
    }
  });
});

describe('three brokers while etcd restarts', () => {
  let etcd: EtcdProcess;
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });

  it('refuses metadata changes while etcd is down, fences nobody, and resumes without a restart', async () => {
    const nodes = [1, 2, 3].map(
      (id) => new ClusterNode(id, new EtcdHttpClient([etcd.endpoint], noopLogger, 1000), systemClock),
    );
    try {
      for (const n of nodes) await n.start();
      await eventually('one controller and three registered brokers', () => {
        const c = nodes.filter((n) => n.election.active);
        return c.length === 1 && c[0]!.metadata.image.brokers.size === 3;
      });
      const controller = nodes.find((n) => n.election.active)!;
      assert.equal(await createTopic(controller.metadata, 'before', 3), 0);
      const epochs = nodes.map((n) => n.session.brokerEpoch);

      await etcd.kill();
      await assert.rejects(createTopic(controller.metadata, 'during'), { code: 'ETCD_UNAVAILABLE' });
      // Longer than the session timeout: leases must survive it, since etcd itself was away.
      await new Promise((r) => setTimeout(r, SESSION_TIMEOUT_MS + 1000));
      await etcd.start();

      await eventually('the controller writes again', () => controller.election.active);
      let code = -1;
      await eventually('a topic created after etcd came back', () => {
        void createTopic(controller.metadata, 'after', 3).then(
          (c) => (code = c),
          () => undefined,
        );
        return code === 0 || code === 36;
      });
      for (const n of nodes)
        await eventually(
          `broker ${n.id} sees the new topic`,
          () => n.metadata.image.topic('after') !== undefined,
        );
      assert.deepEqual(
        nodes.map((n) => n.session.brokerEpoch),
        epochs,
        'no broker lost its session',
      );
      assert.ok(
        [...controller.metadata.image.brokers.values()].every((b) => !b.fenced),
        'nobody fenced',
      );
      for (const n of nodes) await n.metadata.catchUp();
      for (const n of nodes) assert.deepEqual(imageOf(n.metadata), imageOf(controller.metadata));
    } finally {
      for (const n of nodes) await n.close();
    }
  });
});
