import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { FetchResponse } from '../../src/protocol/generated/messages/fetch-response.js';
import type { IncrementalAlterConfigsResponse } from '../../src/protocol/generated/messages/incremental-alter-configs-response.js';
import type { ProduceResponse } from '../../src/protocol/generated/messages/produce-response.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { CompressionType, readBatchHeader } from '../../src/protocol/records/record-batch-header.js';
import { request } from '../helpers/request.js';

const batch = () =>
  encodeRecordBatch({
    baseTimestamp: BigInt(Date.now()),
    records: [
      { offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('x'.repeat(200)), headers: [] },
    ],
  });

/** The codec of the batch stored at offset 0 of `topic`-0, after producing one uncompressed batch. */
async function storedCodec(bs: string, topic: string): Promise<number> {
  await request(bs, ApiKey.CreateTopics, 5, {
    topics: [{ name: topic, numPartitions: 1, replicationFactor: 1 }],
    timeoutMs: 5000,
  });
  const p = await request<ProduceResponse>(bs, ApiKey.Produce, 9, {
    acks: 1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records: batch() }] }],
  });
  assert.equal(p.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
  const f = await request<FetchResponse>(bs, ApiKey.Fetch, 12, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
  });
  return readBatchHeader(f.responses[0]!.partitions[0]!.records!).attributes & 7;
}

const setCompression = (bs: string, resourceType: number, resourceName: string, value: string) =>
  request<IncrementalAlterConfigsResponse>(bs, ApiKey.IncrementalAlterConfigs, 1, {
    resources: [
      { resourceType, resourceName, configs: [{ name: 'compression.type', configOperation: 0, value }] },
    ],
  });

describe('broker: topic configs as produce sees them', () => {
  let broker: StartedBroker;
  before(async () => {
    broker = await startBroker();
  });
  after(async () => {
    await broker.close();
  });

  it('applies a dynamic cluster-wide default (brokers resource "") when the topic sets nothing', async () => {
    assert.equal(await storedCodec(broker.bootstrap, 'before-default'), CompressionType.None);
    const r = await setCompression(broker.bootstrap, 4, '', 'lz4');
    assert.equal(r.responses[0]!.errorCode, ErrorCode.NONE);
    assert.equal(await storedCodec(broker.bootstrap, 'after-default'), CompressionType.Lz4);
    await setCompression(broker.bootstrap, 4, '', 'producer');
  });

  it("forgets a deleted topic's configs when a topic of the same name is created again", async () => {
    await storedCodec(broker.bootstrap, 'again');
    await setCompression(broker.bootstrap, 2, 'again', 'gzip');
    await request(broker.bootstrap, ApiKey.DeleteTopics, 4, { topicNames: ['again'], timeoutMs: 5000 });
    assert.equal(await storedCodec(broker.bootstrap, 'again'), CompressionType.None);
  });
});
