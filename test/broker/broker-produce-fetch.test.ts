import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../src/protocol/generated/messages/create-topics-response.js';
import type { FetchResponse } from '../../src/protocol/generated/messages/fetch-response.js';
import type { ListOffsetsResponse } from '../../src/protocol/generated/messages/list-offsets-response.js';
import type { ProduceResponse } from '../../src/protocol/generated/messages/produce-response.js';
import { decodeRecordBatch, encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import {
  BatchOffsets,
  computeBatchCrc,
  splitBatches,
} from '../../src/protocol/records/record-batch-header.js';
import { request } from '../helpers/request.js';

const batch = (values: string[], baseTimestamp = 1_700_000_000_000n) =>
  encodeRecordBatch({
    baseTimestamp,
    records: values.map((v, i) => ({
      offsetDelta: i,
      timestampDelta: i,
      key: Buffer.from(`k${i}`),
      value: Buffer.from(v),
      headers: [{ key: 'h', value: Buffer.from('x') }],
    })),
  });

describe('broker: produce, fetch and list offsets through the wire protocol', () => {
  let broker: StartedBroker;
  before(async () => {
    broker = await startBroker({ config: { 'auto.create.topics.enable': 'false' } });
    const res = await request<CreateTopicsResponse>(broker.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [{ name: 'events', numPartitions: 2, replicationFactor: 1 }],
      timeoutMs: 5000,
    });
    assert.equal(res.topics[0]!.errorCode, ErrorCode.NONE);
  });
  after(async () => {
    await broker.close();
  });

  const produce = (partition: number, records: Buffer, acks = -1, version = 9) =>
    request<ProduceResponse>(broker.bootstrap, ApiKey.Produce, version, {
      acks,
      timeoutMs: 5000,
      topicData: [{ name: 'events', partitionData: [{ index: partition, records }] }],
    });

  it('assigns offsets to produced batches and serves them back byte for byte', async () => {
    const r1 = await produce(0, batch(['a', 'b', 'c']));
    const r2 = await produce(0, batch(['d']));
    assert.equal(r1.responses[0]!.partitionResponses[0]!.errorCode, 0);
    assert.equal(r1.responses[0]!.partitionResponses[0]!.baseOffset, 0n);
    assert.equal(r2.responses[0]!.partitionResponses[0]!.baseOffset, 3n);
    const f = await request<FetchResponse>(broker.bootstrap, ApiKey.Fetch, 12, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      sessionEpoch: -1,
      topics: [
        { topic: 'events', partitions: [{ partition: 0, fetchOffset: 1n, partitionMaxBytes: 1 << 20 }] },
      ],
    });
    const p = f.responses[0]!.partitions[0]!;
    assert.equal(p.errorCode, 0);
    assert.equal(p.highWatermark, 4n);
    const values = splitBatches(p.records!).batches.flatMap((b) => {
      const d = decodeRecordBatch(b);
      return d.records.map((r) => [Number(d.baseOffset) + r.offsetDelta, r.value!.toString()]);
    });
    assert.deepEqual(values, [
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
      [3, 'd'],
    ]);
  });

  it('rejects a corrupt batch with CORRUPT_MESSAGE and leaves the log unchanged', async () => {
    const bad = batch(['x']);
    bad[bad.length - 1]! ^= 0xff;
    const r = await produce(1, bad);
    assert.equal(r.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.CORRUPT_MESSAGE);
    const ok = await produce(1, batch(['y']));
    assert.equal(ok.responses[0]!.partitionResponses[0]!.baseOffset, 0n);
  });

  it('answers codec ids 5-7 with UNSUPPORTED_COMPRESSION_TYPE (CORRUPT_MESSAGE when the CRC fails too)', async () => {
    for (const codec of [5, 6, 7]) {
      const b = batch(['x']);
      b.writeInt16BE(b.readInt16BE(BatchOffsets.attributes) | codec, BatchOffsets.attributes);
      b.writeUInt32BE(computeBatchCrc(b), BatchOffsets.crc);
      const r = await produce(1, b);
      assert.equal(r.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
      b.writeUInt32BE((b.readUInt32BE(BatchOffsets.crc) + 1) >>> 0, BatchOffsets.crc);
      const corrupt = await produce(1, b);
      assert.equal(corrupt.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.CORRUPT_MESSAGE);
      const legacy = await produce(1, b, -1, 3);
      assert.equal(legacy.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.CORRUPT_MESSAGE);
    }
  });

  it('reports unknown topics and partitions, and invalid acks', async () => {
    const unknown = await request<ProduceResponse>(broker.bootstrap, ApiKey.Produce, 9, {
      acks: 1,
      timeoutMs: 1000,
      topicData: [
        { name: 'nope', partitionData: [{ index: 0, records: batch(['x']) }] },
        { name: 'events', partitionData: [{ index: 9, records: batch(['x']) }] },
      ],
    });
    assert.deepEqual(
      unknown.responses.map((t) => t.partitionResponses[0]!.errorCode),
      [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    );
    const badAcks = await produce(0, batch(['x']), 2);
    assert.equal(badAcks.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.INVALID_REQUIRED_ACKS);
  });

  it('long-polls a fetch until records arrive', async () => {
    const start = await request<ListOffsetsResponse>(broker.bootstrap, ApiKey.ListOffsets, 7, {
      replicaId: -1,
      topics: [{ name: 'events', partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
    });
    const end = start.topics[0]!.partitions[0]!.offset;
    const fetching = request<FetchResponse>(broker.bootstrap, ApiKey.Fetch, 12, {
      replicaId: -1,
      maxWaitMs: 5000,
      minBytes: 1,
      maxBytes: 1 << 20,
      sessionEpoch: -1,
      topics: [
        { topic: 'events', partitions: [{ partition: 0, fetchOffset: end, partitionMaxBytes: 1 << 20 }] },
      ],
    });
    await new Promise((r) => setTimeout(r, 100));
    await produce(0, batch(['late']), 1);
    const f = await fetching;
    const rec = decodeRecordBatch(splitBatches(f.responses[0]!.partitions[0]!.records!).batches[0]!);
    assert.equal(rec.records[0]!.value!.toString(), 'late');
  });

  it('lists earliest, latest and by-timestamp offsets', async () => {
    const list = (timestamp: bigint) =>
      request<ListOffsetsResponse>(broker.bootstrap, ApiKey.ListOffsets, 7, {
        replicaId: -1,
        topics: [{ name: 'events', partitions: [{ partitionIndex: 0, timestamp }] }],
      }).then((r) => r.topics[0]!.partitions[0]!);
    assert.equal((await list(-2n)).offset, 0n);
    assert.equal((await list(-1n)).offset, 5n);
    assert.equal((await list(1_700_000_000_001n)).offset, 1n);
    assert.equal((await list(-3n)).timestamp >= 1_700_000_000_000n, true);
  });
});
