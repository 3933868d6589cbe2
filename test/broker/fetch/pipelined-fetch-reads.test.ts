import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../../src/broker/start-broker.js';
import { decodeResponse, encodeRequest } from '../../../src/protocol/frame.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import type { FetchResponse } from '../../../src/protocol/generated/messages/fetch-response.js';
import type { ProduceResponse } from '../../../src/protocol/generated/messages/produce-response.js';
import { decodeRecordBatch, encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { RawClient } from '../../helpers/raw-client.js';
import { request } from '../../helpers/request.js';

const BATCHES = 48;
const RECORDS = 8;
const VALUE_BYTES = 16 * 1024;

/**
 * Fetch reads of the active segment go into pooled buffers that are reused once a response is on
 * the socket. Many large fetches pipelined on one connection must each get their own bytes.
 */
describe('pipelined fetches served from pooled read buffers', () => {
  let broker: StartedBroker;
  before(async () => {
    broker = await startBroker();
    await request(broker.bootstrap, ApiKey.CreateTopics, 5, {
      topics: [{ name: 'pooled', numPartitions: 1, replicationFactor: 1 }],
      timeoutMs: 10_000,
    });
    for (let b = 0; b < BATCHES; b++) {
      const batch = encodeRecordBatch({
        baseTimestamp: 1n,
        records: Array.from({ length: RECORDS }, (_, i) => ({
          offsetDelta: i,
          timestampDelta: 0,
          key: null,
          value: Buffer.alloc(VALUE_BYTES, (b * RECORDS + i) % 251),
          headers: [],
        })),
      });
      const res = await request<ProduceResponse>(broker.bootstrap, ApiKey.Produce, 9, {
        acks: -1,
        timeoutMs: 10_000,
        topicData: [{ name: 'pooled', partitionData: [{ index: 0, records: batch }] }],
      });
      assert.equal(res.responses[0]!.partitionResponses[0]!.errorCode, 0);
    }
  });
  after(async () => {
    await broker.close();
  });

  it('answers each of many pipelined fetches with the records at its offset', async () => {
    const c = await RawClient.open(broker.bootstrap);
    // Each fetch asks for two batches (about 260 KiB, pooled) starting at a different batch.
    const frames = Array.from({ length: BATCHES }, (_, b) =>
      encodeRequest(ApiKey.Fetch, 12, 1000 + b, 'strom-test', {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 4 << 20,
        sessionEpoch: -1,
        topics: [
          {
            topic: 'pooled',
            partitions: [
              {
                partition: 0,
                fetchOffset: BigInt(b * RECORDS),
                partitionMaxBytes: 2 * RECORDS * (VALUE_BYTES + 64),
              },
            ],
          },
        ],
      }),
    );
    c.write(frames.flat());
    for (let b = 0; b < BATCHES; b++) {
      const frame = await c.readFrame(10_000);
      assert.ok(frame, 'a response per fetch');
      const res = decodeResponse(ApiKey.Fetch, 12, frame);
      assert.equal(res.correlationId, 1000 + b);
      const records = (res.body as FetchResponse).responses[0]!.partitions[0]!.records!;
      // The first batch must be whole, intact (CRC checked by decoding) and the one asked for.
      const batch = decodeRecordBatch(records.subarray(0, 12 + records.readInt32BE(8)));
      assert.equal(batch.baseOffset, BigInt(b * RECORDS));
      for (const [i, r] of batch.records.entries())
        assert.ok(r.value!.equals(Buffer.alloc(VALUE_BYTES, (b * RECORDS + i) % 251)));
    }
    c.close();
  });
});
