import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../../src/broker/start-broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../../src/protocol/generated/messages/create-topics-response.js';
import type { FetchResponse } from '../../../src/protocol/generated/messages/fetch-response.js';
import type { ProduceResponse } from '../../../src/protocol/generated/messages/produce-response.js';
import { encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { CompressionType } from '../../../src/protocol/records/record-batch-header.js';
import { captureLogger } from '../../helpers/capture-logger.js';
import { request } from '../../helpers/request.js';

/**
 * An old consumer (Fetch v0–v3) on zstd data gets UNSUPPORTED_COMPRESSION_TYPE, as from Kafka
 * (KIP-110). Such a client retries at once, thousands of times a second (kafka-python does), so the
 * refusal is a per-request debug line, not an error for an operator.
 */
describe('fetch: down-conversion refusals', () => {
  const log = captureLogger();
  let broker: StartedBroker;
  before(async () => {
    broker = await startBroker({ logger: log });
  });
  after(async () => {
    await broker.close();
  });

  it('answers Fetch v2 on zstd batches with UNSUPPORTED_COMPRESSION_TYPE and logs no error', async () => {
    const zstd = encodeRecordBatch({
      baseTimestamp: 1_700_000_000_000n,
      compression: CompressionType.Zstd,
      records: [
        { offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('z'.repeat(500)), headers: [] },
      ],
    });
    const created = await request<CreateTopicsResponse>(broker.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [{ name: 'zstd-old-consumer', numPartitions: 1, replicationFactor: 1 }],
      timeoutMs: 5000,
    });
    assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE);
    const produced = await request<ProduceResponse>(broker.bootstrap, ApiKey.Produce, 9, {
      acks: 1,
      timeoutMs: 5000,
      topicData: [{ name: 'zstd-old-consumer', partitionData: [{ index: 0, records: zstd }] }],
    });
    assert.equal(produced.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
    for (let i = 0; i < 3; i++) {
      const f = await request<FetchResponse>(broker.bootstrap, ApiKey.Fetch, 2, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        topics: [
          {
            topic: 'zstd-old-consumer',
            partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }],
          },
        ],
      });
      assert.equal(f.responses[0]!.partitions[0]!.errorCode, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    }
    assert.deepEqual(
      log.lines.filter((l) => l.level === 'error').map((l) => l.msg),
      [],
    );
  });
});
