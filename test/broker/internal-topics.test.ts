import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { noopLogger } from '../../src/common/logger.js';
import { newPartition } from '../../src/metadata/controller/create-topics.js';
import { LocalMetadataLog } from '../../src/metadata/local-metadata-log.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../src/protocol/generated/messages/create-topics-response.js';
import type { DeleteRecordsResponse } from '../../src/protocol/generated/messages/delete-records-response.js';
import type { DeleteTopicsResponse } from '../../src/protocol/generated/messages/delete-topics-response.js';
import type { FetchResponse } from '../../src/protocol/generated/messages/fetch-response.js';
import type { FindCoordinatorResponse } from '../../src/protocol/generated/messages/find-coordinator-response.js';
import type { IncrementalAlterConfigsResponse } from '../../src/protocol/generated/messages/incremental-alter-configs-response.js';
import type { MetadataResponse } from '../../src/protocol/generated/messages/metadata-response.js';
import type { ProduceResponse } from '../../src/protocol/generated/messages/produce-response.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { request } from '../helpers/request.js';

const METADATA = '__cluster_metadata';
const OFFSETS = '__consumer_offsets';

const oneRecord = () =>
  encodeRecordBatch({
    baseTimestamp: 1_700_000_000_000n,
    records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('x'), headers: [] }],
  });

const createTopic = (bootstrap: string, name: string) =>
  request<CreateTopicsResponse>(bootstrap, ApiKey.CreateTopics, 7, {
    topics: [{ name, numPartitions: 1, replicationFactor: 1 }],
    timeoutMs: 5000,
  });

const deleteTopic = (bootstrap: string, name: string) =>
  request<DeleteTopicsResponse>(bootstrap, ApiKey.DeleteTopics, 6, {
    topics: [{ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }],
    timeoutMs: 5000,
  });

const fetchFrom = (bootstrap: string, topic: string) =>
  request<FetchResponse>(bootstrap, ApiKey.Fetch, 4, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
  });

const topicNames = async (bootstrap: string) => {
  const md = await request<MetadataResponse>(bootstrap, ApiKey.Metadata, 9, {
    topics: null,
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  });
  return md.topics.map((t) => t.name).sort();
};

describe('internal topics: the metadata log is out of clients reach', () => {
  let dir: string;
  let broker: StartedBroker;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strom-internal-'));
    broker = await startBroker({ logDir: dir, config: { 'auto.create.topics.enable': 'false' } });
  });
  after(async () => {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to create __cluster_metadata with Kafka error and message', async () => {
    const res = await createTopic(broker.bootstrap, METADATA);
    assert.equal(res.topics[0]!.errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal(res.topics[0]!.errorMessage, `Creation of internal topic ${METADATA} is prohibited.`);
  });

  it('does not serve, alter or delete the metadata log, and topics survive a restart', async () => {
    assert.equal((await createTopic(broker.bootstrap, 'kept')).topics[0]!.errorCode, ErrorCode.NONE);
    await createTopic(broker.bootstrap, METADATA);
    const fetched = await fetchFrom(broker.bootstrap, METADATA);
    assert.equal(fetched.responses[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(fetched.responses[0]!.partitions[0]!.records?.length ?? 0, 0);
    const altered = await request<IncrementalAlterConfigsResponse>(
      broker.bootstrap,
      ApiKey.IncrementalAlterConfigs,
      1,
      {
        resources: [
          {
            resourceType: 2,
            resourceName: METADATA,
            configs: [{ name: 'retention.ms', configOperation: 0, value: '1' }],
          },
        ],
        validateOnly: false,
      },
    );
    assert.equal(altered.responses[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const deleted = await deleteTopic(broker.bootstrap, METADATA);
    assert.equal(deleted.responses[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.ok(existsSync(join(dir, `${METADATA}-0`)));

    await broker.close();
    broker = await startBroker({ logDir: dir, config: { 'auto.create.topics.enable': 'false' } });
    assert.deepEqual(await topicNames(broker.bootstrap), ['kept']);
  });

  it('refuses Produce and DeleteRecords on __consumer_offsets, as Kafka does', async () => {
    const coordinator = await request<FindCoordinatorResponse>(broker.bootstrap, ApiKey.FindCoordinator, 3, {
      key: 'g',
      keyType: 0,
    });
    assert.equal(coordinator.errorCode, ErrorCode.NONE);
    const produced = await request<ProduceResponse>(broker.bootstrap, ApiKey.Produce, 9, {
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: OFFSETS, partitionData: [{ index: 0, records: oneRecord() }] }],
    });
    assert.equal(produced.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
    const deleted = await request<DeleteRecordsResponse>(broker.bootstrap, ApiKey.DeleteRecords, 2, {
      topics: [{ name: OFFSETS, partitions: [{ partitionIndex: 0, offset: -1n }] }],
      timeoutMs: 5000,
    });
    assert.equal(deleted.topics[0]!.partitions[0]!.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
    // Fetching from it is allowed (consumers skip it with exclude.internal.topics, client side).
    const fetched = await fetchFrom(broker.bootstrap, OFFSETS);
    assert.equal(fetched.responses[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
  });
});

describe('internal topics: a metadata log that already holds a topic named __cluster_metadata', () => {
  it('never hosts it, and deleting it leaves the metadata log in place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strom-internal-'));
    try {
      let broker = await startBroker({ logDir: dir });
      assert.equal((await createTopic(broker.bootstrap, 'kept')).topics[0]!.errorCode, ErrorCode.NONE);
      await broker.close();
      // What an older broker accepted: the topic's records in the metadata log.
      const log = LocalMetadataLog.open(dir, noopLogger);
      const topicId = 'c3Ryb20tbWV0YWRhdGEtMQ';
      await log.append([
        { type: 'TopicRecord', data: { name: METADATA, topicId } },
        { type: 'PartitionRecord', data: newPartition(topicId, 0, [1]) },
      ]);
      await log.close();

      broker = await startBroker({ logDir: dir });
      try {
        const fetched = await fetchFrom(broker.bootstrap, METADATA);
        assert.notEqual(fetched.responses[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
        assert.equal(fetched.responses[0]!.partitions[0]!.records?.length ?? 0, 0);
        assert.equal((await deleteTopic(broker.bootstrap, METADATA)).responses[0]!.errorCode, ErrorCode.NONE);
        assert.ok(existsSync(join(dir, `${METADATA}-0`)));
      } finally {
        await broker.close();
      }
      broker = await startBroker({ logDir: dir });
      try {
        assert.deepEqual(await topicNames(broker.bootstrap), ['kept']);
      } finally {
        await broker.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
