import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../../src/broker/start-broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import type { FetchResponse } from '../../../src/protocol/generated/messages/fetch-response.js';
import type { ProduceResponse } from '../../../src/protocol/generated/messages/produce-response.js';
import { encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { request } from '../../helpers/request.js';

const TOPIC = 'limits';
const FETCH_MAX_BYTES = 64 * 1024;
const BATCHES = 16;
/** Each batch is a little over 16 KiB: the log holds about four times the broker's fetch.max.bytes. */
const VALUE_BYTES = 16 * 1024;

function recordBytes(res: FetchResponse): number {
  let n = 0;
  for (const t of res.responses) for (const p of t.partitions) n += p.records?.length ?? 0;
  return n;
}

/** The broker's own limits on a Fetch response, whatever the request asks for (KafkaApis.handleFetchRequest). */
describe('Fetch limits set by the broker', () => {
  let broker: StartedBroker;
  before(async () => {
    broker = await startBroker({ config: { 'fetch.max.bytes': String(FETCH_MAX_BYTES) } });
    await request(broker.bootstrap, ApiKey.CreateTopics, 5, {
      topics: [{ name: TOPIC, numPartitions: 1, replicationFactor: 1 }],
      timeoutMs: 10_000,
    });
    for (let b = 0; b < BATCHES; b++) {
      const batch = encodeRecordBatch({
        baseTimestamp: 1n,
        records: [
          { offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.alloc(VALUE_BYTES, b), headers: [] },
        ],
      });
      const res = await request<ProduceResponse>(broker.bootstrap, ApiKey.Produce, 3, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 10_000,
        topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: batch }] }],
      });
      assert.equal(res.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
    }
  });
  after(async () => {
    await broker.close();
  });

  for (const version of [4, 11, 12]) {
    it(`clamps a v${version} request's max_bytes to fetch.max.bytes`, async () => {
      const res = await request<FetchResponse>(broker.bootstrap, ApiKey.Fetch, version, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 50 << 20,
        isolationLevel: 0,
        sessionEpoch: -1,
        topics: [
          { topic: TOPIC, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 50 << 20 }] },
        ],
      });
      const bytes = recordBytes(res);
      assert.ok(bytes > 0, 'some records');
      assert.ok(bytes <= FETCH_MAX_BYTES, `${bytes} record bytes, at most fetch.max.bytes`);
    });
  }

  it('clamps a v2 request, which has no max_bytes of its own, to fetch.max.bytes', async () => {
    const res = await request<FetchResponse>(broker.bootstrap, ApiKey.Fetch, 2, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      topics: [
        { topic: TOPIC, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 50 << 20 }] },
      ],
    });
    const p = res.responses[0]!.partitions[0]!;
    assert.equal(p.errorCode, ErrorCode.NONE);
    // Down-converted to magic 1: the size grows a little, never to the 260 KiB the log holds.
    assert.ok(recordBytes(res) > 0);
    assert.ok(recordBytes(res) <= FETCH_MAX_BYTES * 1.1, `${recordBytes(res)} record bytes`);
  });

  for (const version of [0, 2, 4, 12]) {
    it(`answers a partition named several times in a v${version} request once, as the last naming asks`, async () => {
      const named = (fetchOffset: bigint) => ({ partition: 0, fetchOffset, partitionMaxBytes: 20 * 1024 });
      const res = await request<FetchResponse>(broker.bootstrap, ApiKey.Fetch, version, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 10 << 20,
        isolationLevel: 0,
        sessionEpoch: -1,
        // Kafka's LinkedHashMap keeps the first position and the last value of a repeated key.
        topics: [
          { topic: TOPIC, partitions: [named(0n), named(1n), { ...named(2n), partition: 7 }] },
          { topic: 'other', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1024 }] },
          { topic: TOPIC, partitions: [named(0n), named(0n), named(5n)] },
        ],
      });
      const answered = res.responses.flatMap((t) =>
        t.partitions.map((p) => `${t.topic}-${p.partitionIndex}`),
      );
      assert.deepEqual(answered, [`${TOPIC}-0`, `${TOPIC}-7`, 'other-0']);
      const p = res.responses[0]!.partitions[0]!;
      assert.equal(p.errorCode, ErrorCode.NONE);
      assert.ok(p.records!.length > 0 && p.records!.length < 40 * 1024, 'one partition read, not five');
      // The last naming (offset 5) is the one answered: offset 5's batch holds bytes of value 5.
      assert.ok(p.records!.includes(Buffer.alloc(64, 5)), 'records from offset 5');
      assert.ok(!p.records!.includes(Buffer.alloc(64, 0)), 'not from offset 0');
    });
  }
});
