import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  type ClusterBroker,
  startCluster,
  type TestCluster,
  waitUntil,
} from '../helpers/cluster-processes.js';

/** True while a process with this pid exists (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether the broker answers a Metadata request within a second. */
async function answers(b: ClusterBroker): Promise<boolean> {
  const timeout = new Promise<false>((r) => setTimeout(() => r(false), 1000).unref());
  return Promise.race([
    b.metadata().then(
      () => true as const,
      () => false as const,
    ),
    timeout,
  ]);
}

describe('the cluster test harness', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster({ brokers: 3, ready: 'listening' });
  });
  after(async () => {
    await cluster?.close();
  });

  it('starts etcd and three brokers on their own ports and log dirs', async () => {
    assert.equal(cluster.brokers.length, 3);
    assert.deepEqual(
      cluster.brokers.map((b) => b.nodeId),
      [1, 2, 3],
    );
    assert.equal(new Set(cluster.brokers.map((b) => b.bootstrap)).size, 3);
    assert.equal(new Set(cluster.brokers.map((b) => b.logDir)).size, 3);
    for (const b of cluster.brokers) assert.ok(await answers(b), `broker ${b.nodeId} answers`);
    const health = await fetch(`${cluster.etcdEndpoint}/health`);
    assert.equal(health.status, 200);
  });

  it('pauses and resumes a broker, and restarts one on the same ports', async () => {
    const [b1, b2] = cluster.brokers as [ClusterBroker, ClusterBroker];
    b1.pause();
    assert.equal(b1.paused, true);
    assert.equal(await answers(b1), false, 'a stopped process does not answer');
    assert.deepEqual(
      cluster.live.map((b) => b.nodeId),
      [2, 3],
    );
    b1.resume();
    assert.ok(await answers(b1), 'answers again after SIGCONT');

    const before = b2.pid!;
    await b2.kill('SIGKILL');
    assert.equal(b2.running, false);
    assert.equal(await b2.exited, 'SIGKILL');
    await b2.start();
    assert.notEqual(b2.pid, before);
    assert.ok(await answers(b2), 'the restarted broker answers on its old port');
  });

  it('stops and restarts etcd on the same ports', async () => {
    const etcd = cluster.etcd!;
    await etcd.kill();
    await assert.rejects(fetch(`${cluster.etcdEndpoint}/health`, { signal: AbortSignal.timeout(1000) }));
    await etcd.start();
    assert.equal((await fetch(`${cluster.etcdEndpoint}/health`)).status, 200);
  });

  it('leaves no process and no directory behind', async () => {
    const other = await startCluster({ brokers: 2, ready: 'listening' });
    const pids = [...other.brokers.map((b) => b.pid!), other.etcd!.child.pid!];
    const dirs = other.brokers.map((b) => b.logDir);
    other.broker(2).pause(); // a stopped process must be killed too
    await other.close();
    await waitUntil('every process gone', () => pids.every((p) => !alive(p)), 5000);
    for (const d of dirs) assert.equal(existsSync(d), false, d);
  });
});
