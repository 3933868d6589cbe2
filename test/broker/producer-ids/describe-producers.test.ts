import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { RequestContext } from '../../../src/broker/api-handler.js';
import type { BrokerServices } from '../../../src/broker/broker-services.js';
import { describeProducersHandler } from '../../../src/broker/handlers/describe-producers.js';
import { startBroker } from '../../../src/broker/start-broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../../src/protocol/generated/messages/create-topics-response.js';
import type { DescribeProducersResponse } from '../../../src/protocol/generated/messages/describe-producers-response.js';
import type { InitProducerIdResponse } from '../../../src/protocol/generated/messages/init-producer-id-response.js';
import type { ProduceResponse } from '../../../src/protocol/generated/messages/produce-response.js';
import { encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { request } from '../../helpers/request.js';

const batch = (producerId: bigint, producerEpoch: number, baseSequence: number, count: number, ts: number) =>
  encodeRecordBatch({
    baseTimestamp: BigInt(ts),
    producerId,
    producerEpoch,
    baseSequence,
    records: Array.from({ length: count }, (_, i) => ({
      offsetDelta: i,
      timestampDelta: 0,
      key: null,
      value: Buffer.from(`r${baseSequence + i}`),
      headers: [],
    })),
  });

describe('DescribeProducers (KIP-664)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strom-describe-producers-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("lists each partition's producers with their epoch, last sequence and timestamp, and Kafka's errors", async () => {
    const broker = await startBroker({ logDir: dir });
    try {
      const created = await request<CreateTopicsResponse>(broker.bootstrap, ApiKey.CreateTopics, 5, {
        topics: [{ name: 'dp', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }],
        timeoutMs: 5000,
        validateOnly: false,
      });
      assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE);
      const pids: bigint[] = [];
      for (let i = 0; i < 2; i++) {
        const init = await request<InitProducerIdResponse>(broker.bootstrap, ApiKey.InitProducerId, 4, {
          transactionalId: null,
          transactionTimeoutMs: 60_000,
          producerId: -1n,
          producerEpoch: -1,
        });
        pids.push(init.producerId);
      }
      const produce = async (records: Buffer) => {
        const r = await request<ProduceResponse>(broker.bootstrap, ApiKey.Produce, 9, {
          transactionalId: null,
          acks: -1,
          timeoutMs: 5000,
          topicData: [{ name: 'dp', partitionData: [{ index: 0, records }] }],
        });
        assert.equal(r.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
      };
      const t = Date.now();
      await produce(batch(pids[0]!, 0, 0, 3, t));
      await produce(batch(pids[0]!, 0, 3, 2, t + 1));
      await produce(batch(pids[1]!, 0, 0, 1, t + 2));

      const res = await request<DescribeProducersResponse>(broker.bootstrap, ApiKey.DescribeProducers, 0, {
        topics: [
          { name: 'dp', partitionIndexes: [0, 1, 7] },
          { name: 'no-such-topic', partitionIndexes: [0] },
        ],
      });
      const [dp, missing] = res.topics;
      const p0 = dp!.partitions[0]!;
      assert.equal(p0.errorCode, ErrorCode.NONE);
      assert.deepEqual(
        p0.activeProducers
          .map((p) => ({ ...p, unknownTaggedFields: undefined }))
          .sort((a, b) => Number(a.producerId - b.producerId)),
        [
          { producerId: pids[0], producerEpoch: 0, lastSequence: 4, lastTimestamp: BigInt(t + 1) },
          { producerId: pids[1], producerEpoch: 0, lastSequence: 0, lastTimestamp: BigInt(t + 2) },
        ]
          .sort((a, b) => Number(a.producerId! - b.producerId!))
          .map((p) => ({
            ...p,
            coordinatorEpoch: -1,
            currentTxnStartOffset: -1n,
            unknownTaggedFields: undefined,
          })),
      );
      assert.deepEqual(
        dp!.partitions.slice(1).map((p) => [p.partitionIndex, p.errorCode, p.activeProducers.length]),
        [
          [1, ErrorCode.NONE, 0],
          [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0],
        ],
      );
      assert.deepEqual(
        missing!.partitions.map((p) => [p.partitionIndex, p.errorCode]),
        [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]],
      );
    } finally {
      await broker.close();
    }
  });

  it('answers NOT_LEADER_OR_FOLLOWER for a partition the metadata knows and this broker does not host', async () => {
    const services = {
      metadata: { image: { partition: () => ({ leader: 2 }) } },
      replicas: { get: () => undefined },
      authorizer: { authorize: () => true },
    } as unknown as BrokerServices;
    const res = (await describeProducersHandler(services).handle(
      { topics: [{ name: 'elsewhere', partitionIndexes: [3] }] },
      {} as RequestContext,
    )) as DescribeProducersResponse;
    assert.deepEqual(
      res.topics[0]!.partitions.map((p) => [p.partitionIndex, p.errorCode]),
      [[3, ErrorCode.NOT_LEADER_OR_FOLLOWER]],
    );
  });
});
