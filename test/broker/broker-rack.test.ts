import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startBroker } from '../../src/broker/start-broker.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { DescribeClusterResponse } from '../../src/protocol/generated/messages/describe-cluster-response.js';
import type { MetadataResponse } from '../../src/protocol/generated/messages/metadata-response.js';
import { request } from '../helpers/request.js';

describe('broker.rack', () => {
  it('is registered and reported by Metadata and DescribeCluster', async () => {
    const broker = await startBroker({ config: { 'broker.rack': 'eu-west-1a' } });
    try {
      const md = await request<MetadataResponse>(broker.bootstrap, ApiKey.Metadata, 12, {
        topics: [],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      });
      assert.deepEqual(
        md.brokers.map((b) => b.rack),
        ['eu-west-1a'],
      );
      const dc = await request<DescribeClusterResponse>(broker.bootstrap, ApiKey.DescribeCluster, 0, {
        includeClusterAuthorizedOperations: false,
      });
      assert.deepEqual(
        dc.brokers.map((b) => b.rack),
        ['eu-west-1a'],
      );
    } finally {
      await broker.close();
    }
  });
});
