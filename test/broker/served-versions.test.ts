import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defineHandler, HandlerVersionsError } from '../../src/broker/api-handler.js';
import { servedApis } from '../../src/broker/served-apis.js';
import { startBroker } from '../../src/broker/start-broker.js';
import { API_REGISTRY, ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { ApiVersionsResponse } from '../../src/protocol/generated/messages/api-versions-response.js';
import { ProduceRequest } from '../../src/protocol/generated/messages/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/messages/produce-response.js';
import { request } from '../helpers/request.js';

// The versions each handler pins, as ApiVersions advertises them. Raising one is a deliberate
// change (the new version's behaviour and tests come with it); regenerating the codecs from newer
// specs must leave this table as it is.
const SERVED: Record<string, readonly [number, number]> = {
  Produce: [0, 11],
  Fetch: [0, 17],
  ListOffsets: [0, 9],
  Metadata: [0, 12],
  OffsetCommit: [0, 9],
  OffsetFetch: [0, 9],
  FindCoordinator: [0, 6],
  JoinGroup: [0, 9],
  Heartbeat: [0, 4],
  LeaveGroup: [0, 5],
  SyncGroup: [0, 5],
  DescribeGroups: [0, 5],
  ListGroups: [0, 5],
  ApiVersions: [0, 4],
  CreateTopics: [0, 7],
  DeleteTopics: [0, 6],
  DeleteRecords: [0, 2],
  InitProducerId: [0, 5],
  AddPartitionsToTxn: [0, 5],
  AddOffsetsToTxn: [0, 4],
  EndTxn: [0, 4],
  WriteTxnMarkers: [0, 1],
  TxnOffsetCommit: [0, 4],
  OffsetForLeaderEpoch: [0, 4],
  DescribeConfigs: [0, 4],
  AlterConfigs: [0, 2],
  DescribeLogDirs: [0, 4],
  CreatePartitions: [0, 3],
  DeleteGroups: [0, 2],
  IncrementalAlterConfigs: [0, 1],
  OffsetDelete: [0, 0],
  DescribeCluster: [0, 1],
  DescribeProducers: [0, 0],
  DescribeTransactions: [0, 0],
  ListTransactions: [0, 1],
  SaslHandshake: [0, 1],
  SaslAuthenticate: [0, 2],
  DescribeUserScramCredentials: [0, 0],
  AlterUserScramCredentials: [0, 0],
  // Inter-broker APIs: requests forwarded to the active controller (KIP-590), producer id blocks from it (KIP-730)
  // leaders' ISR changes to it (KIP-497) and brokers' controlled shutdown.
  Envelope: [0, 0],
  AllocateProducerIds: [0, 0],
  AlterPartition: [0, 3],
  ControlledShutdown: [2, 3],
  ElectLeaders: [0, 2],
  DescribeAcls: [0, 3],
  CreateAcls: [0, 3],
  DeleteAcls: [0, 3],
  DescribeClientQuotas: [0, 1],
  AlterClientQuotas: [0, 1],
};

function byName(apis: readonly { apiKey: number; minVersion: number; maxVersion: number }[]) {
  return Object.fromEntries(
    apis.map((a) => [API_REGISTRY.get(a.apiKey)?.name ?? `key ${a.apiKey}`, [a.minVersion, a.maxVersion]]),
  );
}

describe('served API versions', () => {
  it('each handler serves exactly its pinned versions', () => {
    assert.deepEqual(byName(servedApis()), SERVED);
  });

  it('ApiVersions advertises exactly the pinned versions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strom-versions-'));
    const broker = await startBroker({ logDir: dir });
    try {
      for (const version of [0, 3]) {
        const av = await request<ApiVersionsResponse>(broker.bootstrap, ApiKey.ApiVersions, version, {
          clientSoftwareName: 'test',
          clientSoftwareVersion: '1',
        });
        assert.deepEqual(byName(av.apiKeys), SERVED, `ApiVersions v${version}`);
      }
    } finally {
      await broker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to pin a version the codecs cannot carry', () => {
    const handle = () => ({});
    const newest = Math.min(ProduceRequest.maxVersion, ProduceResponse.maxVersion);
    assert.throws(
      () => defineHandler(ProduceRequest, ProduceResponse, { min: 0, max: newest + 1 }, handle),
      HandlerVersionsError,
    );
    assert.throws(
      () => defineHandler(ProduceRequest, ProduceResponse, { min: 3, max: 2 }, handle),
      HandlerVersionsError,
    );
    const pinned = defineHandler(ProduceRequest, ProduceResponse, { min: 3, max: 5 }, handle);
    assert.deepEqual([pinned.minVersion, pinned.maxVersion], [3, 5]);
  });
});
