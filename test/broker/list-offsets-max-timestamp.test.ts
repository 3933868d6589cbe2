import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../src/protocol/generated/messages/create-topics-response.js';
import type { ListOffsetsResponse } from '../../src/protocol/generated/messages/list-offsets-response.js';
import type { ProduceResponse } from '../../src/protocol/generated/messages/produce-response.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { CompressionType } from '../../src/protocol/records/record-batch-header.js';
import { request } from '../helpers/request.js';

/**
 * ListOffsets with MAX_TIMESTAMP (-3, KIP-734) names the record that carries the largest
 * timestamp, not the last offset of its batch (KAFKA-16310, fixed in Kafka 3.7.1).
 */
describe('ListOffsets MAX_TIMESTAMP', () => {
  let broker: StartedBroker;
  // An hour ago: retention.ms keeps it.
  const base = BigInt(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
  before(async () => {
    broker = await startBroker();
    const res = await request<CreateTopicsResponse>(broker.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [{ name: 'max-ts', numPartitions: 1, replicationFactor: 1 }],
      timeoutMs: 5000,
    });
    assert.equal(res.topics[0]!.errorCode, ErrorCode.NONE);
  });
  after(async () => {
    await broker.close();
  });

  const produce = async (deltas: number[], compression: CompressionType) => {
    const records = encodeRecordBatch({
      baseTimestamp: base,
      compression,
      records: deltas.map((d, i) => ({
        offsetDelta: i,
        timestampDelta: d,
        key: null,
        value: Buffer.from(`v${i}`),
        headers: [],
      })),
    });
    const r = await request<ProduceResponse>(broker.bootstrap, ApiKey.Produce, 9, {
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: 'max-ts', partitionData: [{ index: 0, records }] }],
    });
    assert.equal(r.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
  };
  const maxTimestamp = async () => {
    const r = await request<ListOffsetsResponse>(broker.bootstrap, ApiKey.ListOffsets, 7, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [
        { name: 'max-ts', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -3n }] },
      ],
    });
    const p = r.topics[0]!.partitions[0]!;
    assert.equal(p.errorCode, ErrorCode.NONE);
    return [p.offset, p.timestamp];
  };

  it('answers the offset of the record with the largest timestamp inside a batch', async () => {
    await produce([0, 5000, 1000, 2000, 3000], CompressionType.None);
    assert.deepEqual(await maxTimestamp(), [1n, base + 5000n]);
  });

  it('keeps it when later batches carry smaller timestamps, compressed or not', async () => {
    await produce([100, 200, 300], CompressionType.Gzip);
    assert.deepEqual(await maxTimestamp(), [1n, base + 5000n]);
    await produce([0, 9000, 10], CompressionType.Lz4);
    assert.deepEqual(await maxTimestamp(), [9n, base + 9000n]);
  });
});
