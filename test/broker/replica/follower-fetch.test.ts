import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../../src/broker/start-broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../../src/protocol/generated/messages/create-topics-response.js';
import type { FetchResponse } from '../../../src/protocol/generated/messages/fetch-response.js';
import type { MetadataResponse } from '../../../src/protocol/generated/messages/metadata-response.js';
import { request } from '../../helpers/request.js';

/**
 * A leader serves Fetch with a replica id only to the partition's other replicas (Kafka's
 * Partition.fetchRecords for a follower): on a single node the partition's only replica is the
 * leader, so any broker id fetching as a follower, by the v15+ ReplicaState or by the older
 * replica_id field, is NOT_LEADER_OR_FOLLOWER, while a consumer (-1) is served.
 */
describe('Fetch with a replica id from a broker that is not a follower', () => {
  let broker: StartedBroker;
  let topicId = '';
  before(async () => {
    broker = await startBroker({ config: { 'auto.create.topics.enable': 'false' } });
    const res = await request<CreateTopicsResponse>(broker.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [{ name: 'followed', numPartitions: 1, replicationFactor: 1 }],
      timeoutMs: 5000,
    });
    assert.equal(res.topics[0]!.errorCode, ErrorCode.NONE);
    const md = await request<MetadataResponse>(broker.bootstrap, ApiKey.Metadata, 12, {
      topics: [{ name: 'followed' }],
      allowAutoTopicCreation: false,
    });
    topicId = md.topics[0]!.topicId;
  });
  after(async () => {
    await broker.close();
  });

  const fetchAs = async (version: number, replicaId: number) => {
    const res = await request<FetchResponse>(broker.bootstrap, ApiKey.Fetch, version, {
      // Each version carries the id in its own field only.
      ...(version >= 15 ? { replicaState: { replicaId, replicaEpoch: -1n } } : { replicaId }),
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      sessionEpoch: -1,
      topics: [
        {
          topic: 'followed',
          topicId,
          partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1 }],
        },
      ],
    });
    return res.responses[0]!.partitions[0]!.errorCode;
  };

  it('refuses a broker id that is not a replica, in ReplicaState (v15) and in replica_id (v12)', async () => {
    assert.equal(await fetchAs(15, 7), ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assert.equal(await fetchAs(12, 7), ErrorCode.NOT_LEADER_OR_FOLLOWER);
    // The leader's own id is no follower either.
    assert.equal(await fetchAs(15, broker.broker.services.nodeId), ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('serves a consumer', async () => {
    assert.equal(await fetchAs(15, -1), ErrorCode.NONE);
    assert.equal(await fetchAs(12, -1), ErrorCode.NONE);
  });
});
