import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../src/protocol/generated/messages/create-topics-response.js';
import type { DeleteRecordsResponse } from '../../src/protocol/generated/messages/delete-records-response.js';
import type { ListOffsetsResponse } from '../../src/protocol/generated/messages/list-offsets-response.js';
import type { ProduceResponse } from '../../src/protocol/generated/messages/produce-response.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { request } from '../helpers/request.js';

/**
 * ListOffsets v0 for the latest offset with MaxNumOffsets > 1 lists the log end, then each
 * segment's start offset, newest first (Kafka's UnifiedLog.legacyFetchOffsetsBefore); v0 clients
 * such as kafka-php take the last one as the earliest offset.
 */
describe('ListOffsets v0: the old-style list of offsets', () => {
  let broker: StartedBroker;
  const TOPIC = 'legacy-offsets';
  before(async () => {
    broker = await startBroker();
    const res = await request<CreateTopicsResponse>(broker.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [
        {
          name: TOPIC,
          numPartitions: 1,
          replicationFactor: 1,
          // Each batch below is about 110 bytes: one batch per segment.
          configs: [{ name: 'segment.bytes', value: '150' }],
        },
      ],
      timeoutMs: 5000,
    });
    assert.equal(res.topics[0]!.errorCode, ErrorCode.NONE);
    for (let b = 0; b < 4; b++) {
      const records = encodeRecordBatch({
        baseTimestamp: BigInt(Date.now()),
        records: [0, 1].map((i) => ({
          offsetDelta: i,
          timestampDelta: 0,
          key: null,
          value: Buffer.from(`batch ${b} record ${i}`),
          headers: [],
        })),
      });
      const r = await request<ProduceResponse>(broker.bootstrap, ApiKey.Produce, 9, {
        acks: -1,
        timeoutMs: 5000,
        topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }],
      });
      assert.equal(r.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
    }
  });
  after(async () => {
    await broker.close();
  });

  const listV0 = async (timestamp: bigint, maxNumOffsets: number) => {
    const r = await request<ListOffsetsResponse>(broker.bootstrap, ApiKey.ListOffsets, 0, {
      replicaId: -1,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, timestamp, maxNumOffsets }] }],
    });
    const p = r.topics[0]!.partitions[0]!;
    assert.equal(p.errorCode, ErrorCode.NONE);
    return p.oldStyleOffsets;
  };

  it('latest: the log end and every segment start, newest first, up to MaxNumOffsets', async () => {
    assert.deepEqual(await listV0(-1n, 100_000), [8n, 6n, 4n, 2n, 0n]);
    assert.deepEqual(await listV0(-1n, 3), [8n, 6n, 4n]);
    assert.deepEqual(await listV0(-1n, 1), [8n]);
    assert.deepEqual(await listV0(-2n, 100_000), [0n]);
  });

  it('segment starts below the log start offset are reported as the log start', async () => {
    const r = await request<DeleteRecordsResponse>(broker.bootstrap, ApiKey.DeleteRecords, 2, {
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, offset: 3n }] }],
      timeoutMs: 5000,
    });
    assert.equal(r.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    // The segment [0, 2) is deleted; the one starting at 2 now starts, for readers, at 3.
    assert.deepEqual(await listV0(-1n, 100_000), [8n, 6n, 4n, 3n]);
    assert.deepEqual(await listV0(-2n, 100_000), [3n]);
  });
});
