import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startBroker } from '../../src/broker/start-broker.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../src/protocol/generated/messages/create-topics-response.js';
import type { ListOffsetsResponse } from '../../src/protocol/generated/messages/list-offsets-response.js';
import type { ProduceResponse } from '../../src/protocol/generated/messages/produce-response.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { CompressionType } from '../../src/protocol/records/record-batch-header.js';
import { request } from '../helpers/request.js';

const batch = (n: number) =>
  encodeRecordBatch({
    baseTimestamp: BigInt(Date.now()),
    compression: CompressionType.None,
    records: Array.from({ length: n }, (_, i) => ({
      offsetDelta: i,
      timestampDelta: 0,
      key: null,
      value: Buffer.from(`v${i}`),
      headers: [],
    })),
  });

describe('a log dir that went offline', () => {
  it('serves its partitions again once it takes writes, without a restart', async () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'strom-offline-'));
    const broker = await startBroker({ logDir: dir });
    try {
      const produce = async (n: number) => {
        const r = await request<ProduceResponse>(broker.bootstrap, ApiKey.Produce, 9, {
          acks: -1,
          timeoutMs: 5000,
          topicData: [{ name: 't', partitionData: [{ index: 0, records: batch(n) }] }],
        });
        return r.responses[0]!.partitionResponses[0]!;
      };
      const created = await request<CreateTopicsResponse>(broker.bootstrap, ApiKey.CreateTopics, 7, {
        topics: [{ name: 't', numPartitions: 1, replicationFactor: 1 }],
        timeoutMs: 5000,
      });
      assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE);
      assert.equal((await produce(2)).errorCode, ErrorCode.NONE);

      // The disk fills up under the partition's active segment.
      const segment = broker.broker.services.replicas.get('t', 0)!.log.activeSegment.log;
      const kept = fs.readFileSync(segment.path);
      segment.close();
      fs.rmSync(segment.path);
      fs.symlinkSync('/dev/full', segment.path);
      const failed = await produce(1);
      assert.equal(failed.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);

      // Space is freed; the periodic retry (called here instead of waiting for its timer) finds it.
      fs.rmSync(segment.path);
      fs.writeFileSync(segment.path, kept);
      assert.deepEqual(await broker.broker.services.replicas.logs.retryOfflineDirs(), [dir]);
      const after = await produce(3);
      assert.equal(after.errorCode, ErrorCode.NONE);
      assert.equal(after.baseOffset, 2n);
      const latest = await request<ListOffsetsResponse>(broker.bootstrap, ApiKey.ListOffsets, 7, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] }],
      });
      assert.equal(latest.topics[0]!.partitions[0]!.offset, 5n);
    } finally {
      await broker.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not reopen, or recreate the directory of, a partition deleted while a request held it', async () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'strom-offline-'));
    const broker = await startBroker({ logDir: dir });
    try {
      const created = await request<CreateTopicsResponse>(broker.bootstrap, ApiKey.CreateTopics, 7, {
        topics: [{ name: 'gone', numPartitions: 1, replicationFactor: 1 }],
        timeoutMs: 5000,
      });
      assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE);
      const held = broker.broker.services.replicas.get('gone', 0)!;
      assert.ok(held.log.logEndOffset === 0);
      await request(broker.bootstrap, ApiKey.DeleteTopics, 4, { topicNames: ['gone'], timeoutMs: 5000 });
      assert.throws(() => held.log, { code: 'LOG_CLOSED' });
      assert.ok(!fs.existsSync(join(dir, 'gone-0')));
    } finally {
      await broker.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
