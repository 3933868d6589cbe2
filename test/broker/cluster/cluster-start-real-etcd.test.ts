import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../../src/broker/start-broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import type { CreatePartitionsResponse } from '../../../src/protocol/generated/messages/create-partitions-response.js';
import type { CreateTopicsResponse } from '../../../src/protocol/generated/messages/create-topics-response.js';
import type { DeleteTopicsResponse } from '../../../src/protocol/generated/messages/delete-topics-response.js';
import type { DescribeClusterResponse } from '../../../src/protocol/generated/messages/describe-cluster-response.js';
import type { FindCoordinatorResponse } from '../../../src/protocol/generated/messages/find-coordinator-response.js';
import type { IncrementalAlterConfigsResponse } from '../../../src/protocol/generated/messages/incremental-alter-configs-response.js';
import type { InitProducerIdResponse } from '../../../src/protocol/generated/messages/init-producer-id-response.js';
import type { MetadataResponse } from '../../../src/protocol/generated/messages/metadata-response.js';
import type { ProduceResponse } from '../../../src/protocol/generated/messages/produce-response.js';
import { ZERO_UUID } from '../../../src/protocol/primitives/uuid.js';
import { encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { type EtcdProcess, startEtcd } from '../../helpers/etcd-process.js';
import { request } from '../../helpers/request.js';

const SESSION_MS = 2000;

const batch = (value: string) =>
  encodeRecordBatch({
    baseTimestamp: 1_700_000_000_000n,
    records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from(value), headers: [] }],
  });

/** Polls `check` until it holds; fails after `limitMs` (a bound, not a timing assertion). */
async function eventually(what: string, check: () => boolean | Promise<boolean>, limitMs = 10_000) {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`not within ${limitMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('three brokers and a real etcd form one cluster', () => {
  let etcd: EtcdProcess;
  const brokers: StartedBroker[] = [];
  const clusterConfig = (nodeId: number, extra: Record<string, string> = {}) => ({
    'metadata.etcd.endpoints': etcd.endpoint,
    'node.id': String(nodeId),
    'broker.session.timeout.ms': String(SESSION_MS),
    'broker.heartbeat.interval.ms': '500',
    'offsets.topic.num.partitions': '6',
    ...extra,
  });
  const metadata = (b: StartedBroker, topics: string[] | null = null) =>
    request<MetadataResponse>(b.bootstrap, ApiKey.Metadata, 12, {
      topics: topics?.map((name) => ({ name, topicId: ZERO_UUID })) ?? null,
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
  const controller = async () => {
    const m = await metadata(brokers[0]!);
    return brokers.find((b) => b.broker.services.nodeId === m.controllerId)!;
  };
  const nonController = async () => {
    const c = await controller();
    return brokers.find((b) => b !== c)!;
  };

  before(async () => {
    etcd = await startEtcd();
    for (const id of [1, 2, 3]) brokers.push(await startBroker({ config: clusterConfig(id) }));
  });
  after(async () => {
    for (const b of brokers) await b.close().catch(() => undefined);
    await etcd?.stop();
  });

  it('lists every broker, one controller and one cluster id from each broker', async () => {
    await eventually('each broker sees three live brokers', async () => {
      for (const b of brokers) if ((await metadata(b)).brokers.length !== 3) return false;
      return true;
    });
    const answers = await Promise.all(brokers.map((b) => metadata(b)));
    const ids = new Set(answers.map((a) => a.clusterId));
    assert.equal(ids.size, 1, 'one cluster id');
    const controllers = new Set(answers.map((a) => a.controllerId));
    assert.equal(controllers.size, 1);
    assert.ok([1, 2, 3].includes([...controllers][0]!));
    for (const [i, a] of answers.entries()) {
      assert.deepEqual(
        a.brokers.map((b) => [b.nodeId, b.port]),
        brokers.map((b) => [b.broker.services.nodeId, Number(b.bootstrap.split(':')[1])]),
        `broker ${i + 1} lists each broker with its own bound port`,
      );
    }
    const dc = await request<DescribeClusterResponse>(brokers[1]!.bootstrap, ApiKey.DescribeCluster, 0, {
      includeClusterAuthorizedOperations: false,
    });
    assert.equal(dc.controllerId, answers[0]!.controllerId);
    assert.deepEqual(
      dc.brokers.map((b) => b.brokerId),
      [1, 2, 3],
    );
  });

  it('spreads a topic over the brokers, hosts each partition on its replica only, and routes produce to leaders', async () => {
    const c = await controller();
    const created = await request<CreateTopicsResponse>(c.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [{ name: 'spread', numPartitions: 6, replicationFactor: 1 }],
      timeoutMs: 5000,
    });
    assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE);
    await eventually('every broker sees the topic', async () => {
      for (const b of brokers) if ((await metadata(b, ['spread'])).topics[0]!.errorCode !== 0) return false;
      return true;
    });
    const partitions = (await metadata(brokers[2]!, ['spread'])).topics[0]!.partitions;
    assert.deepEqual(
      [...new Set(partitions.map((p) => p.leaderId))].sort(),
      [1, 2, 3],
      'leaders on every broker',
    );
    for (const b of brokers) {
      const id = b.broker.services.nodeId;
      const hosted = [...b.broker.services.replicas.all()].filter((p) => p.topic === 'spread');
      assert.deepEqual(
        hosted.map((p) => p.partition).sort(),
        partitions
          .filter((p) => p.replicaNodes.includes(id))
          .map((p) => p.partitionIndex)
          .sort(),
        `broker ${id} hosts only its partitions`,
      );
    }
    for (const p of partitions) {
      const leader = brokers.find((b) => b.broker.services.nodeId === p.leaderId)!;
      const other = brokers.find((b) => b !== leader)!;
      const produce = (to: StartedBroker) =>
        request<ProduceResponse>(to.bootstrap, ApiKey.Produce, 9, {
          acks: -1,
          timeoutMs: 5000,
          topicData: [{ name: 'spread', partitionData: [{ index: p.partitionIndex, records: batch('x') }] }],
        });
      const wrong = await produce(other);
      assert.equal(
        wrong.responses[0]!.partitionResponses[0]!.errorCode,
        ErrorCode.NOT_LEADER_OR_FOLLOWER,
        `partition ${p.partitionIndex} on a broker that does not lead it`,
      );
      const right = await produce(leader);
      assert.equal(right.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
    }

    const deleted = await request<DeleteTopicsResponse>(c.bootstrap, ApiKey.DeleteTopics, 6, {
      topics: [{ name: 'spread', topicId: ZERO_UUID }],
      timeoutMs: 5000,
    });
    assert.equal(deleted.responses[0]!.errorCode, ErrorCode.NONE);
    await eventually('every broker dropped the deleted partitions', () =>
      brokers.every((b) => ![...b.broker.services.replicas.all()].some((p) => p.topic === 'spread')),
    );
  });

  it('forwards admin requests sent to a broker that is not the controller', async () => {
    const b = await nonController();
    assert.equal(b.broker.services.cluster!.isActiveController, false);
    const created = await request<CreateTopicsResponse>(b.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [
        {
          name: 'forwarded',
          numPartitions: 3,
          replicationFactor: 1,
          configs: [{ name: 'retention.ms', value: '123456' }],
        },
      ],
      timeoutMs: 5000,
    });
    assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE, created.topics[0]!.errorMessage ?? '');
    assert.equal(created.topics[0]!.numPartitions, 3);
    const again = await request<CreateTopicsResponse>(b.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [{ name: 'forwarded', numPartitions: 3, replicationFactor: 1 }],
      timeoutMs: 5000,
    });
    assert.equal(again.topics[0]!.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS, 'the controller answered');

    const altered = await request<IncrementalAlterConfigsResponse>(
      b.bootstrap,
      ApiKey.IncrementalAlterConfigs,
      1,
      {
        resources: [
          {
            resourceType: 2,
            resourceName: 'forwarded',
            configs: [{ name: 'retention.ms', configOperation: 0, value: '654321' }],
          },
        ],
        validateOnly: false,
      },
    );
    assert.equal(altered.responses[0]!.errorCode, ErrorCode.NONE);
    const grown = await request<CreatePartitionsResponse>(b.bootstrap, ApiKey.CreatePartitions, 3, {
      topics: [{ name: 'forwarded', count: 4, assignments: null }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    assert.equal(grown.results[0]!.errorCode, ErrorCode.NONE);
    await eventually('every broker sees the new config and partition count', () =>
      brokers.every((x) => {
        const image = x.broker.services.metadata.image;
        return (
          image.topic('forwarded')?.partitions.size === 4 &&
          x.broker.services.replicas.topicConfig('forwarded')['retention.ms'] === 654321
        );
      }),
    );
    const deleted = await request<DeleteTopicsResponse>(b.bootstrap, ApiKey.DeleteTopics, 6, {
      topics: [{ name: 'forwarded', topicId: ZERO_UUID }],
      timeoutMs: 5000,
    });
    assert.equal(deleted.responses[0]!.errorCode, ErrorCode.NONE);
    await eventually('every broker forgot the topic', () =>
      brokers.every((x) => x.broker.services.metadata.image.topic('forwarded') === undefined),
    );
  });

  it('has the controller create auto-created and internal topics and hand out producer ids', async () => {
    const b = await nonController();
    const auto = await request<MetadataResponse>(b.bootstrap, ApiKey.Metadata, 12, {
      topics: [{ name: 'auto-made', topicId: ZERO_UUID }],
      allowAutoTopicCreation: true,
      includeTopicAuthorizedOperations: false,
    });
    assert.equal(auto.topics[0]!.errorCode, ErrorCode.NONE);
    assert.equal(auto.topics[0]!.partitions.length, 1);

    const found = await request<FindCoordinatorResponse>(b.bootstrap, ApiKey.FindCoordinator, 4, {
      keyType: 0,
      coordinatorKeys: ['g1', 'g2', 'g3', 'g4'],
    });
    const offsets = b.broker.services.metadata.image.topic('__consumer_offsets')!;
    assert.equal(offsets.partitions.size, 6);
    for (const c of found.coordinators) {
      assert.equal(c.errorCode, ErrorCode.NONE, c.key);
      const partition = b.broker.services.groups.core.partitionFor(c.key);
      assert.equal(
        c.nodeId,
        offsets.partitions.get(partition)!.leader,
        `coordinator of ${c.key} leads its partition`,
      );
    }

    const first = await request<InitProducerIdResponse>(b.bootstrap, ApiKey.InitProducerId, 4, {
      transactionalId: null,
      transactionTimeoutMs: 60000,
      producerId: -1n,
      producerEpoch: -1,
    });
    const c = await controller();
    const second = await request<InitProducerIdResponse>(c.bootstrap, ApiKey.InitProducerId, 4, {
      transactionalId: null,
      transactionTimeoutMs: 60000,
      producerId: -1n,
      producerEpoch: -1,
    });
    assert.equal(first.errorCode, ErrorCode.NONE);
    assert.equal(second.errorCode, ErrorCode.NONE);
    assert.notEqual(first.producerId, second.producerId, 'blocks of different brokers never overlap');
  });

  it('keeps produce working while etcd is away, answers metadata changes REQUEST_TIMED_OUT, and resumes without a restart', async () => {
    const c = await controller();
    const created = await request<CreateTopicsResponse>(c.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [{ name: 'steady', numPartitions: 3, replicationFactor: 1 }],
      timeoutMs: 5000,
    });
    assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE);
    await eventually('every broker sees the topic', () =>
      brokers.every((b) => b.broker.services.metadata.image.topic('steady') !== undefined),
    );
    const epochs = brokers.map((b) => b.broker.services.cluster!.brokerEpoch);
    const leaders = (await metadata(c, ['steady'])).topics[0]!.partitions;
    const createOn = (b: StartedBroker, name: string) =>
      request<CreateTopicsResponse>(b.bootstrap, ApiKey.CreateTopics, 7, {
        topics: [{ name, numPartitions: 1, replicationFactor: 1 }],
        timeoutMs: 5000,
      });
    await etcd.kill();
    try {
      for (const p of leaders) {
        const leader = brokers.find((b) => b.broker.services.nodeId === p.leaderId)!;
        const r = await request<ProduceResponse>(leader.bootstrap, ApiKey.Produce, 9, {
          acks: -1,
          timeoutMs: 5000,
          topicData: [
            { name: 'steady', partitionData: [{ index: p.partitionIndex, records: batch('during') }] },
          ],
        });
        assert.equal(
          r.responses[0]!.partitionResponses[0]!.errorCode,
          ErrorCode.NONE,
          'leaders keep leading',
        );
      }
      assert.equal((await createOn(c, 'while-away')).topics[0]!.errorCode, ErrorCode.REQUEST_TIMED_OUT);
      const other = brokers.find((b) => b !== c)!;
      assert.equal((await createOn(other, 'while-away')).topics[0]!.errorCode, ErrorCode.REQUEST_TIMED_OUT);
    } finally {
      await etcd.start();
    }
    await eventually('metadata changes work again', async () => {
      const code = (await createOn(brokers[0]!, 'after-etcd')).topics[0]!.errorCode;
      return code === ErrorCode.NONE || code === ErrorCode.TOPIC_ALREADY_EXISTS;
    });
    await eventually('every broker sees the new topic', () =>
      brokers.every((b) => b.broker.services.metadata.image.topic('after-etcd') !== undefined),
    );
    assert.deepEqual(
      brokers.map((b) => b.broker.services.cluster!.brokerEpoch),
      epochs,
      "no broker lost its session for etcd's outage",
    );
  });

  it('refuses a broker whose node.id is held by a live broker, and one whose data belongs to another cluster', async () => {
    await assert.rejects(startBroker({ config: clusterConfig(2) }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'BROKER_ID_IN_USE');
      assert.match(err.message, /node\.id 2 is registered by a live broker/);
      return true;
    });
    const dir = mkdtempSync(join(tmpdir(), 'strom-other-cluster-'));
    try {
      // A single node formats the directory with a cluster id of its own.
      await (await startBroker({ logDir: dir })).close();
      await assert.rejects(
        startBroker({ logDir: dir, config: clusterConfig(7) }),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, 'INCONSISTENT_CLUSTER_ID');
          assert.match(err.message, /trying to join the wrong cluster/);
          return true;
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The refused brokers left nothing behind: still three live brokers.
    assert.equal((await metadata(brokers[0]!)).brokers.length, 3);
  });
});
