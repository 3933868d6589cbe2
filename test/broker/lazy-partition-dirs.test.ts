import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startBroker } from '../../src/broker/start-broker.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../src/protocol/generated/messages/create-topics-response.js';
import type { DescribeLogDirsResponse } from '../../src/protocol/generated/messages/describe-log-dirs-response.js';
import type { ProduceResponse } from '../../src/protocol/generated/messages/produce-response.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { CompressionType } from '../../src/protocol/records/record-batch-header.js';
import { request } from '../helpers/request.js';

const PARTITIONS = 64;
const topicDirs = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((n) => n.startsWith('wide-'))
    .sort();

describe('partitions never written', () => {
  it('get no directory at restart; DescribeLogDirs lists them empty and makes none', async () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'strom-lazy-'));
    try {
      const first = await startBroker({ logDir: dir });
      try {
        const created = await request<CreateTopicsResponse>(first.bootstrap, ApiKey.CreateTopics, 7, {
          topics: [{ name: 'wide', numPartitions: PARTITIONS, replicationFactor: 1 }],
          timeoutMs: 5000,
        });
        assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE);
        const records = encodeRecordBatch({
          baseTimestamp: BigInt(Date.now()),
          compression: CompressionType.None,
          records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('v'), headers: [] }],
        });
        const produced = await request<ProduceResponse>(first.bootstrap, ApiKey.Produce, 9, {
          acks: -1,
          timeoutMs: 5000,
          topicData: [{ name: 'wide', partitionData: [{ index: 3, records }] }],
        });
        assert.equal(produced.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
      } finally {
        await first.close();
      }
      assert.deepEqual(topicDirs(dir), ['wide-3']);

      const broker = await startBroker({ logDir: dir });
      try {
        await broker.broker.services.replicas.backgroundLoad;
        const described = await request<DescribeLogDirsResponse>(
          broker.bootstrap,
          ApiKey.DescribeLogDirs,
          4,
          {
            topics: null,
          },
        );
        // Every partition is listed (an unwritten one empty, in the dir that would hold it).
        const listed = described.results.flatMap((r) =>
          r.topics.flatMap((t) => t.partitions.map((p) => [p.partitionIndex, p.partitionSize > 0n] as const)),
        );
        assert.equal(listed.length, PARTITIONS);
        assert.deepEqual(
          listed.filter(([, nonEmpty]) => nonEmpty).map(([i]) => i),
          [3],
        );
        assert.deepEqual(topicDirs(dir), ['wide-3']);
      } finally {
        await broker.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
