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
import { request } from '../helpers/request.js';
import { freePort, startServerProcess } from '../helpers/server-process.js';

describe('restart right after SIGKILL', () => {
  it('waits for the killed broker to exit instead of refusing its lock (LOG_DIR_LOCKED)', async () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'strom-relock-'));
    try {
      const port = await freePort();
      const server = await startServerProcess(
        ['--override', `listeners=PLAINTEXT://127.0.0.1:${port}`, '--override', `log.dirs=${dir}`],
        port,
      );
      const created = await request<CreateTopicsResponse>(server.bootstrap, ApiKey.CreateTopics, 5, {
        topics: [{ name: 'kept', numPartitions: 1, replicationFactor: 1 }],
        timeoutMs: 5000,
      });
      assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE);
      // Start again in the same turn as the kill: the killed process still exists (exiting, or a
      // zombie this process has not reaped yet), and its pid is in the log dir's .lock.
      server.child.kill('SIGKILL');
      const restarted = startBroker({ logDir: dir });
      try {
        const broker = await restarted;
        try {
          const md = await request<MetadataResponse>(broker.bootstrap, ApiKey.Metadata, 9, {
            topics: null,
            allowAutoTopicCreation: false,
            includeTopicAuthorizedOperations: false,
          });
          assert.deepEqual(
            md.topics.map((t) => t.name),
            ['kept'],
          );
        } finally {
          await broker.close();
        }
      } finally {
        await server.exited;
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
