import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../../src/broker/start-broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../../src/protocol/generated/messages/create-topics-response.js';
import type { DescribeClusterResponse } from '../../../src/protocol/generated/messages/describe-cluster-response.js';
import type { MetadataResponse } from '../../../src/protocol/generated/messages/metadata-response.js';
import { ZERO_UUID } from '../../../src/protocol/primitives/uuid.js';
import { type EtcdProcess, startEtcd } from '../../helpers/etcd-process.js';
import { request } from '../../helpers/request.js';

async function eventually(what: string, check: () => boolean | Promise<boolean>, limitMs = 10_000) {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`not within ${limitMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Two brokers of which only broker 1 has an EXTERNAL listener: a client of EXTERNAL is never told
 * of broker 2 (whose other listener is no address for it), as Kafka's KRaftMetadataCache answers.
 */
describe('Metadata for a listener some brokers lack', () => {
  let etcd: EtcdProcess;
  const brokers: StartedBroker[] = [];
  let external = '';
  /** The partition of `spread` led by each broker. */
  const ledBy = new Map<number, number>();

  before(async () => {
    etcd = await startEtcd();
    for (const id of [1, 2]) {
      const listeners =
        id === 1 ? 'PLAINTEXT://127.0.0.1:0,EXTERNAL://127.0.0.1:0' : 'PLAINTEXT://127.0.0.1:0';
      brokers.push(
        await startBroker({
          config: {
            'metadata.etcd.endpoints': etcd.endpoint,
            'node.id': String(id),
            listeners,
            'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT',
            'broker.session.timeout.ms': '2000',
            'broker.heartbeat.interval.ms': '500',
          },
        }),
      );
    }
    external = `127.0.0.1:${brokers[0]!.broker.listeners.find((l) => l.name === 'EXTERNAL')!.boundPort}`;
    await eventually('two registered brokers everywhere', () =>
      brokers.every((b) => b.broker.services.metadata.image.brokers.size === 2),
    );
    const created = await request<CreateTopicsResponse>(brokers[0]!.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [{ name: 'spread', numPartitions: 2, replicationFactor: 1 }],
      timeoutMs: 5000,
    });
    assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE);
    await eventually(
      'broker 1 sees the topic',
      () => brokers[0]!.broker.services.metadata.image.topic('spread') !== undefined,
    );
    for (const p of brokers[0]!.broker.services.metadata.image.topic('spread')!.partitions.values())
      ledBy.set(p.leader, p.partitionId);
    assert.equal(ledBy.size, 2, 'one partition led by each broker');
  });
  after(async () => {
    for (const b of brokers) await b.close().catch(() => undefined);
    await etcd?.stop();
  });

  const metadata = (address: string, version: number) =>
    request<MetadataResponse>(address, ApiKey.Metadata, version, {
      topics: [{ name: 'spread', topicId: ZERO_UUID }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });

  it('lists only the brokers with that listener, and no leader on a broker without it', async () => {
    const md = await metadata(external, 12);
    assert.deepEqual(
      md.brokers.map((b) => [b.nodeId, `${b.host}:${b.port}`]),
      [[1, external]],
    );
    const parts = new Map(md.topics[0]!.partitions.map((p) => [p.partitionIndex, p]));
    const own = parts.get(ledBy.get(1)!)!;
    assert.equal(own.errorCode, ErrorCode.NONE);
    assert.equal(own.leaderId, 1);
    const other = parts.get(ledBy.get(2)!)!;
    assert.equal(other.errorCode, ErrorCode.LISTENER_NOT_FOUND);
    assert.equal(other.leaderId, -1);
    assert.deepEqual(other.replicaNodes, [2]);
    assert.deepEqual(other.offlineReplicas, [2]);
  });

  it('answers LEADER_NOT_AVAILABLE before v6, and leaves unreachable replicas out of v0', async () => {
    const v5 = await metadata(external, 5);
    const other5 = v5.topics[0]!.partitions.find((p) => p.partitionIndex === ledBy.get(2))!;
    assert.equal(other5.errorCode, ErrorCode.LEADER_NOT_AVAILABLE);
    assert.equal(other5.leaderId, -1);
    const v0 = await request<MetadataResponse>(external, ApiKey.Metadata, 0, {
      topics: [{ name: 'spread', topicId: ZERO_UUID }],
    });
    const other0 = v0.topics[0]!.partitions.find((p) => p.partitionIndex === ledBy.get(2))!;
    assert.deepEqual(other0.replicaNodes, []);
  });

  it('DescribeCluster on that listener and every listener of the broker that has them all', async () => {
    const dc = await request<DescribeClusterResponse>(external, ApiKey.DescribeCluster, 1, {
      includeClusterAuthorizedOperations: false,
      endpointType: 1,
    });
    assert.deepEqual(
      dc.brokers.map((b) => b.brokerId),
      [1],
    );
    const plain = await metadata(brokers[0]!.bootstrap, 12);
    assert.deepEqual(
      plain.brokers.map((b) => b.nodeId),
      [1, 2],
    );
    assert.ok(plain.topics[0]!.partitions.every((p) => p.errorCode === ErrorCode.NONE && p.leaderId > 0));
  });
});
