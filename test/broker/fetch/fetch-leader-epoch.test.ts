import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../../src/broker/start-broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { decodeResponse, encodeRequest } from '../../../src/protocol/frame.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import type { FetchResponse } from '../../../src/protocol/generated/messages/fetch-response.js';
import type { ProduceResponse } from '../../../src/protocol/generated/messages/produce-response.js';
import { encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { RawClient } from '../../helpers/raw-client.js';
import { request } from '../../helpers/request.js';

const TOPIC = 'epochs';
/** The partition's leader epoch once the test has moved it on twice. */
const EPOCH = 2;

/**
 * Fetch v9+ carries the fetcher's current leader epoch (KIP-320). Kafka's Partition.fetchRecords
 * answers a stale one with FENCED_LEADER_EPOCH and a newer one with UNKNOWN_LEADER_EPOCH in that
 * partition, and the connection goes on serving.
 */
describe('Fetch with a current leader epoch that differs from the partition', () => {
  let broker: StartedBroker;
  let topicId: string;
  before(async () => {
    broker = await startBroker();
    await request(broker.bootstrap, ApiKey.CreateTopics, 5, {
      topics: [{ name: TOPIC, numPartitions: 1, replicationFactor: 1 }],
      timeoutMs: 10_000,
    });
    const batch = encodeRecordBatch({
      baseTimestamp: 1n,
      records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('v'), headers: [] }],
    });
    const produced = await request<ProduceResponse>(broker.bootstrap, ApiKey.Produce, 9, {
      acks: -1,
      timeoutMs: 10_000,
      topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: batch }] }],
    });
    assert.equal(produced.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
    const s = broker.broker.services;
    topicId = s.metadata.image.topicsByName.get(TOPIC)!.topicId;
    // A leader election (here: the same leader elected again) bumps the leader epoch, as in KRaft.
    for (let i = 0; i < EPOCH; i++) {
      await s.metadata.submit(() => ({
        records: [
          {
            type: 'PartitionChangeRecord',
            data: {
              partitionId: 0,
              topicId,
              isr: null,
              leader: s.nodeId,
              replicas: null,
              removingReplicas: null,
              addingReplicas: null,
              leaderRecoveryState: -1,
              directories: null,
            },
          },
        ],
        response: undefined,
      }));
    }
  });
  after(async () => {
    await broker.close();
  });

  function fetchFrame(version: number, correlationId: number, currentLeaderEpoch: number): Buffer[] {
    return encodeRequest(ApiKey.Fetch, version, correlationId, 'strom-test', {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      sessionEpoch: -1,
      topics: [
        {
          topic: TOPIC,
          topicId,
          partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch }],
        },
      ],
    });
  }

  for (let version = 9; version <= 17; version++) {
    it(`answers v${version} in the partition and keeps the connection open`, async () => {
      const c = await RawClient.open(broker.bootstrap);
      try {
        const cases = [
          { epoch: EPOCH - 1, errorCode: ErrorCode.FENCED_LEADER_EPOCH },
          { epoch: EPOCH + 1, errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH },
          { epoch: EPOCH, errorCode: ErrorCode.NONE },
          { epoch: -1, errorCode: ErrorCode.NONE },
        ];
        // All pipelined on one connection: a closed connection would lose the later answers.
        c.write(cases.flatMap((k, i) => fetchFrame(version, 100 + i, k.epoch)));
        for (const [i, k] of cases.entries()) {
          const frame = await c.readFrame();
          assert.ok(frame, `a response to the fetch with epoch ${k.epoch}`);
          const res = decodeResponse(ApiKey.Fetch, version, frame);
          assert.equal(res.correlationId, 100 + i);
          const body = res.body as FetchResponse;
          const p = body.responses[0]!.partitions[0]!;
          assert.equal(p.errorCode, k.errorCode, `epoch ${k.epoch}`);
          if (k.errorCode === ErrorCode.NONE)
            assert.ok(p.records!.length > 0, 'records at the current epoch');
          else assert.equal(p.records!.length, 0);
          if (version >= 16 && k.errorCode === ErrorCode.FENCED_LEADER_EPOCH) {
            // KIP-951: the fenced fetcher learns the leader and how to reach it.
            assert.deepEqual(p.currentLeader, {
              leaderId: broker.broker.services.nodeId,
              leaderEpoch: EPOCH,
            });
            assert.deepEqual(
              body.nodeEndpoints.map((n) => n.nodeId),
              [broker.broker.services.nodeId],
            );
          }
        }
      } finally {
        c.close();
      }
    });
  }
});
