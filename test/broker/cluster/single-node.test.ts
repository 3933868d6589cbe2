import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startBroker } from '../../../src/broker/start-broker.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import type { MetadataResponse } from '../../../src/protocol/generated/messages/metadata-response.js';
import { request } from '../../helpers/request.js';

describe('a broker without metadata.etcd.endpoints', () => {
  it('a single node without metadata.etcd.endpoints keeps its local metadata log and is its own controller', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strom-single-'));
    try {
      const b = await startBroker({ logDir: dir });
      try {
        assert.equal(b.broker.services.cluster, null);
        assert.equal(b.broker.services.forwarding.mustForward(), false);
        const md = await request<MetadataResponse>(b.bootstrap, ApiKey.Metadata, 12, {
          topics: null,
          allowAutoTopicCreation: false,
          includeTopicAuthorizedOperations: false,
        });
        assert.equal(md.controllerId, 1);
        assert.deepEqual(
          md.brokers.map((x) => x.nodeId),
          [1],
        );
        assert.ok(readdirSync(dir).includes('__cluster_metadata-0'), 'the local metadata log');
      } finally {
        await b.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
