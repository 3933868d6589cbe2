import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startBroker } from '../../../src/broker/start-broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../../src/protocol/generated/messages/create-topics-response.js';
import type { InitProducerIdResponse } from '../../../src/protocol/generated/messages/init-producer-id-response.js';
import type { ListOffsetsResponse } from '../../../src/protocol/generated/messages/list-offsets-response.js';
import type { ProduceResponse } from '../../../src/protocol/generated/messages/produce-response.js';
import { encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { request } from '../../helpers/request.js';

const batch = (producerId: bigint, producerEpoch: number, baseSequence: number, count: number) =>
  encodeRecordBatch({
    baseTimestamp: BigInt(Date.now()),
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

describe('idempotent produce through the wire protocol', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strom-idem-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('answers a retry with its original offset, refuses gaps and old epochs, and remembers across a restart', async () => {
    let broker = await startBroker({ logDir: dir });
    let pid = -1n;
    const produce = async (records: Buffer) => {
      const r = await request<ProduceResponse>(broker.bootstrap, ApiKey.Produce, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 5000,
        topicData: [{ name: 'idem', partitionData: [{ index: 0, records }] }],
      });
      const p = r.responses[0]!.partitionResponses[0]!;
      return { errorCode: p.errorCode, baseOffset: p.baseOffset };
    };
    const logEnd = async () => {
      const r = await request<ListOffsetsResponse>(broker.bootstrap, ApiKey.ListOffsets, 5, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [
          { name: 'idem', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] },
        ],
      });
      return r.topics[0]!.partitions[0]!.offset;
    };
    try {
      const created = await request<CreateTopicsResponse>(broker.bootstrap, ApiKey.CreateTopics, 5, {
        topics: [{ name: 'idem', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
        timeoutMs: 5000,
        validateOnly: false,
      });
      assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE);
      const init = await request<InitProducerIdResponse>(broker.bootstrap, ApiKey.InitProducerId, 4, {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
        producerId: -1n,
        producerEpoch: -1,
      });
      pid = init.producerId;
      assert.deepEqual(await produce(batch(pid, 0, 0, 3)), { errorCode: ErrorCode.NONE, baseOffset: 0n });
      assert.deepEqual(await produce(batch(pid, 0, 3, 2)), { errorCode: ErrorCode.NONE, baseOffset: 3n });
      // A retry of either of the last batches: the original offsets, nothing appended.
      assert.deepEqual(await produce(batch(pid, 0, 0, 3)), { errorCode: ErrorCode.NONE, baseOffset: 0n });
      assert.deepEqual(await produce(batch(pid, 0, 3, 2)), { errorCode: ErrorCode.NONE, baseOffset: 3n });
      assert.equal(await logEnd(), 5n);
      // A gap, and a new epoch not starting at 0.
      assert.equal((await produce(batch(pid, 0, 6, 1))).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      assert.equal((await produce(batch(pid, 1, 5, 1))).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      // The epoch bump (KIP-360): sequences restart at 0; the old epoch is fenced.
      assert.deepEqual(await produce(batch(pid, 1, 0, 1)), { errorCode: ErrorCode.NONE, baseOffset: 5n });
      assert.equal((await produce(batch(pid, 0, 5, 1))).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
      assert.equal(await logEnd(), 6n);
    } finally {
      await broker.close();
    }
    // After a clean restart the state comes from the snapshot: the last batch is still a retry.
    broker = await startBroker({ logDir: dir });
    try {
      assert.deepEqual(await produce(batch(pid, 1, 0, 1)), { errorCode: ErrorCode.NONE, baseOffset: 5n });
      assert.equal(await logEnd(), 6n);
    } finally {
      await broker.close();
    }
  });
});
