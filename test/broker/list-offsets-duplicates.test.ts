import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../src/protocol/generated/messages/create-topics-response.js';
import type { ListOffsetsResponse } from '../../src/protocol/generated/messages/list-offsets-response.js';
import type { ProduceResponse } from '../../src/protocol/generated/messages/produce-response.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { request } from '../helpers/request.js';

/**
 * A partition listed twice in one ListOffsets request. Kafka answers v0 without checking
 * (KafkaApis.handleListOffsetRequestV0 answers every entry as listed), and v1+ with
 * INVALID_REQUEST for every occurrence of the partition, in a response with one entry per
 * partition (ReplicaManager.fetchOffset keys its answers by partition). kafka-php sends v0 with its
 * topic repeated, `[T:[p0]], [T:[p0,p1]]`, and reads the offsets of every partition from it.
 */
describe('ListOffsets with a partition listed twice', () => {
  let broker: StartedBroker;
  const TOPIC = 'dup-offsets';
  before(async () => {
    broker = await startBroker();
    const res = await request<CreateTopicsResponse>(broker.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [{ name: TOPIC, numPartitions: 2, replicationFactor: 1 }],
      timeoutMs: 5000,
    });
    assert.equal(res.topics[0]!.errorCode, ErrorCode.NONE);
    // Partition 0 holds 3 records, partition 1 holds 5: each answer names its own partition's end.
    for (const [index, count] of [
      [0, 3],
      [1, 5],
    ] as const) {
      const records = encodeRecordBatch({
        baseTimestamp: BigInt(Date.now()),
        records: Array.from({ length: count }, (_, i) => ({
          offsetDelta: i,
          timestampDelta: 0,
          key: null,
          value: Buffer.from(`v${i}`),
          headers: [],
        })),
      });
      const r = await request<ProduceResponse>(broker.bootstrap, ApiKey.Produce, 9, {
        acks: -1,
        timeoutMs: 5000,
        topicData: [{ name: TOPIC, partitionData: [{ index, records }] }],
      });
      assert.equal(r.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
    }
  });
  after(async () => {
    await broker.close();
  });

  // kafka-php asks v0 for up to 100,000 offsets; v1+ cannot carry the field.
  const latest = (partitionIndex: number, maxNumOffsets = 1) => ({
    partitionIndex,
    currentLeaderEpoch: -1,
    timestamp: -1n,
    maxNumOffsets,
  });

  it('v0 (kafka-php): every entry is answered, the repeated partition each time', async () => {
    const r = await request<ListOffsetsResponse>(broker.bootstrap, ApiKey.ListOffsets, 0, {
      replicaId: -1,
      topics: [
        { name: TOPIC, partitions: [latest(0, 100_000)] },
        { name: TOPIC, partitions: [latest(0, 100_000), latest(1, 100_000)] },
      ],
    });
    assert.deepEqual(
      r.topics.map((t) => [
        t.name,
        t.partitions.map((p) => [p.partitionIndex, p.errorCode, p.oldStyleOffsets]),
      ]),
      [
        [TOPIC, [[0, ErrorCode.NONE, [3n, 0n]]]],
        [
          TOPIC,
          [
            [0, ErrorCode.NONE, [3n, 0n]],
            [1, ErrorCode.NONE, [5n, 0n]],
          ],
        ],
      ],
    );
  });

  for (const version of [1, 7, 9]) {
    it(`v${version}: INVALID_REQUEST for the repeated partition, one entry per partition`, async () => {
      const r = await request<ListOffsetsResponse>(broker.bootstrap, ApiKey.ListOffsets, version, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [
          { name: TOPIC, partitions: [latest(0)] },
          { name: TOPIC, partitions: [latest(0), latest(1)] },
        ],
      });
      assert.deepEqual(
        r.topics.map((t) => [
          t.name,
          t.partitions.map((p) => [p.partitionIndex, p.errorCode, p.offset, p.timestamp]),
        ]),
        [
          [
            TOPIC,
            [
              [0, ErrorCode.INVALID_REQUEST, -1n, -1n],
              [1, ErrorCode.NONE, 5n, -1n],
            ],
          ],
        ],
      );
    });
  }

  it('v1+: a topic listed twice with different partitions is answered in one entry', async () => {
    const r = await request<ListOffsetsResponse>(broker.bootstrap, ApiKey.ListOffsets, 5, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [
        { name: TOPIC, partitions: [latest(1)] },
        { name: TOPIC, partitions: [latest(0)] },
      ],
    });
    assert.deepEqual(
      r.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode, p.offset])]),
      [
        [
          TOPIC,
          [
            [1, ErrorCode.NONE, 5n],
            [0, ErrorCode.NONE, 3n],
          ],
        ],
      ],
    );
  });
});
