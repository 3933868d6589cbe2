import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startBroker } from '../../src/broker/start-broker.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../src/protocol/generated/messages/create-topics-response.js';
import type { MetadataResponse } from '../../src/protocol/generated/messages/metadata-response.js';
import type { PartitionLog } from '../../src/storage/partition-log.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { request } from '../helpers/request.js';

const createTopic = (bootstrap: string, name: string) =>
  request<CreateTopicsResponse>(bootstrap, ApiKey.CreateTopics, 7, {
    topics: [{ name, numPartitions: 1, replicationFactor: 1 }],
    timeoutMs: 5000,
  });

describe('metadata log on a full disk', () => {
  it('answers CreateTopics with KAFKA_STORAGE_ERROR, leaves no torn batch, and works once there is room', async () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'strom-full-'));
    try {
      const broker = await startBroker({ logDir: dir });
      try {
        assert.equal((await createTopic(broker.bootstrap, 'before')).topics[0]!.errorCode, ErrorCode.NONE);
        // The metadata log's active segment becomes /dev/full, where every write fails with ENOSPC
        // as on a full disk; its descriptor is closed so the next write opens the path.
        const metadataLog = (broker.broker.services.metadata as unknown as { log: { log: PartitionLog } }).log
          .log;
        const segment = metadataLog.activeSegment.log;
        const kept = fs.readFileSync(segment.path);
        segment.close();
        fs.rmSync(segment.path);
        fs.symlinkSync('/dev/full', segment.path);

        const failed = await createTopic(broker.bootstrap, 'during');
        assert.equal(failed.topics[0]!.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
        const md = await request<MetadataResponse>(broker.bootstrap, ApiKey.Metadata, 9, {
          topics: [{ name: 'during' }],
          allowAutoTopicCreation: false,
          includeTopicAuthorizedOperations: false,
        });
        assert.equal(md.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

        // Space is freed: the segment is a regular file again, with what it held.
        fs.rmSync(segment.path);
        fs.writeFileSync(segment.path, kept);
        const afterRes = await createTopic(broker.bootstrap, 'after');
        assert.equal(afterRes.topics[0]!.errorCode, ErrorCode.NONE, String(afterRes.topics[0]!.errorMessage));
      } finally {
        await broker.close();
      }

      const logger = captureLogger();
      const restarted = await startBroker({ logDir: dir, logger });
      try {
        const all = await request<MetadataResponse>(restarted.bootstrap, ApiKey.Metadata, 9, {
          topics: null,
          allowAutoTopicCreation: false,
          includeTopicAuthorizedOperations: false,
        });
        assert.deepEqual(all.topics.map((t) => t.name).sort(), ['after', 'before']);
        assert.deepEqual(
          logger.lines.filter((l) => l.level === 'warn' && /truncat/.test(l.msg)),
          [],
          'no torn metadata batch to truncate',
        );
      } finally {
        await restarted.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
