import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { Kafka } from '../../src/client/index.js';
import { brokerNodeName, startCluster, type TestCluster, waitUntil } from '../helpers/cluster-processes.js';
import { NETNS_PREFIX, NetnsNetwork, netnsUnavailable } from '../helpers/netns-network.js';

const skip = netnsUnavailable();
const TOPIC = 'isolated';

function namespacesOfThisProcess(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`${NETNS_PREFIX}${process.pid}-`));
}

/**
 * The network-namespace harness: etcd and three brokers each in a namespace of its own, reached
 * through a bridge. Isolating a broker (its veth down) fences it once its session expires, and the
 * others go on; healing it lets it register again; a cut between two brokers leaves both reachable
 * from outside. Closing removes every namespace this process made.
 */
describe('a cluster in network namespaces', { skip: skip ?? false }, () => {
  let net: NetnsNetwork;
  let cluster: TestCluster;

  before(async () => {
    net = NetnsNetwork.create(['etcd', brokerNodeName(1), brokerNodeName(2), brokerNodeName(3)]);
    cluster = await startCluster({ network: net });
  });

  after(async () => {
    await cluster?.close();
    net?.closeSync();
    assert.deepEqual(namespacesOfThisProcess(), [], 'every namespace removed');
  });

  it('listens and advertises namespace addresses', async () => {
    const md = await cluster.broker(1).metadata();
    const hosts = md.brokers.map((b) => b.host).sort();
    assert.deepEqual(hosts, [1, 2, 3].map((id) => net.address(brokerNodeName(id))).sort());
    assert.ok(hosts.every((h) => h.startsWith(`${net.subnet}.`)));
  });

  it('an isolated broker is fenced, the others serve, and it returns when healed', async () => {
    const kafka = new Kafka({ bootstrapServers: cluster.bootstrapServers, retries: 20 });
    const admin = kafka.admin();
    const producer = kafka.producer({ lingerMs: 0 });
    try {
      await admin.createTopics([{ topic: TOPIC, numPartitions: 3, replicationFactor: 1 }]);
      net.isolate(brokerNodeName(3));
      // The other two lose broker 3 once its session (2 s) expires without heartbeats.
      const rest = [cluster.broker(1), cluster.broker(2)];
      await waitUntil(
        'brokers 1 and 2 to fence broker 3',
        async () => {
          for (const b of rest) {
            const md = await b.metadata().catch(() => null);
            if (!md || md.brokers.some((x) => x.nodeId === 3)) return false;
          }
          return true;
        },
        20_000,
      );
      const md = await cluster.broker(1).metadata();
      const partitions = md.topics.find((t) => t.name === TOPIC)!.partitions;
      const onTwo = partitions.find((p) => p.leaderId === 1 || p.leaderId === 2)!;
      const meta = await producer.send(TOPIC, { partition: onTwo.partitionIndex, value: 'while-isolated' });
      assert.equal(meta.partition, onTwo.partitionIndex);
      net.heal(brokerNodeName(3));
      await cluster.waitForBrokers([1, 2, 3]);
    } finally {
      await producer.close();
      await admin.close();
    }
  });

  it('a cut between two brokers leaves both reachable from outside', async () => {
    net.cut(brokerNodeName(1), brokerNodeName(2));
    try {
      for (const id of [1, 2]) assert.ok((await cluster.broker(id).metadata()).brokers.length > 0);
    } finally {
      net.heal(brokerNodeName(1));
    }
    await cluster.waitForBrokers([1, 2, 3]);
  });
});
