import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HostedPartition } from '../../../src/broker/replica/hosted-partition.js';
import { type StartedBroker, startBroker } from '../../../src/broker/start-broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../../src/protocol/generated/messages/create-topics-response.js';
import type { FetchResponse } from '../../../src/protocol/generated/messages/fetch-response.js';
import type { ListOffsetsResponse } from '../../../src/protocol/generated/messages/list-offsets-response.js';
import { encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { splitBatches } from '../../../src/protocol/records/record-batch-header.js';
import { request } from '../../helpers/request.js';

const TOPIC = 'rc';
const READ_UNCOMMITTED = 0;
const READ_COMMITTED = 1;

const sequences = new Map<bigint, number>();
const T0 = Date.now();
/** A batch of `count` records at `T0 + firstOffset` ms, transactional when a producer id is given. */
const batch = (firstOffset: number, count: number, producerId = -1n) => {
  const baseSequence = producerId < 0n ? -1 : (sequences.get(producerId) ?? 0);
  if (producerId >= 0n) sequences.set(producerId, baseSequence + count);
  return encodeRecordBatch({
    baseTimestamp: BigInt(T0 + firstOffset),
    producerId,
    producerEpoch: producerId < 0n ? -1 : 0,
    baseSequence,
    transactional: producerId >= 0n,
    records: Array.from({ length: count }, (_, i) => ({
      offsetDelta: i,
      timestampDelta: 0,
      key: null,
      value: Buffer.from(`r${i}`),
      headers: [],
    })),
  });
};

let topicId = '';
const fetch = (
  bootstrap: string,
  version: number,
  isolationLevel: number,
  fetchOffset: bigint,
  maxWaitMs = 0,
) =>
  request<FetchResponse>(bootstrap, ApiKey.Fetch, version, {
    replicaId: -1,
    maxWaitMs,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel,
    sessionEpoch: -1,
    topics: [
      { topic: TOPIC, topicId, partitions: [{ partition: 0, fetchOffset, partitionMaxBytes: 1 << 20 }] },
    ],
  }).then((r) => r.responses[0]!.partitions[0]!);

const baseOffsets = (records: Buffer | null | undefined) =>
  splitBatches(records ?? Buffer.alloc(0)).batches.map((b) => Number(b.readBigInt64BE(0)));

const latest = async (bootstrap: string, isolationLevel: number, version = 2, timestamp = -1n) => {
  const r = await request<ListOffsetsResponse>(bootstrap, ApiKey.ListOffsets, version, {
    replicaId: -1,
    isolationLevel,
    topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }] }],
  });
  return r.topics[0]!.partitions[0]!.offset;
};

/** Fetch and ListOffsets with isolation_level READ_COMMITTED (KIP-98): up to the last stable offset. */
describe('read_committed Fetch and ListOffsets', () => {
  let broker: StartedBroker;
  let p: HostedPartition;
  before(async () => {
    broker = await startBroker();
    const created = await request<CreateTopicsResponse>(broker.bootstrap, ApiKey.CreateTopics, 5, {
      topics: [{ name: TOPIC, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE);
    p = broker.broker.services.replicas.get(TOPIC, 0)!;
    topicId = p.topicId; // Fetch v13+ names topics by id
    const replicas = broker.broker.services.replicas;
    const append = async (records: Buffer) =>
      assert.equal((await replicas.appendToLeader(p, records)).errorCode, ErrorCode.NONE);
    const marker = async (producerId: bigint, result: 'COMMIT' | 'ABORT') =>
      assert.equal(
        (await replicas.appendTxnMarker(p, { producerId, producerEpoch: 0, coordinatorEpoch: 0, result }))
          .errorCode,
        ErrorCode.NONE,
      );
    await append(batch(0, 1)); // 0
    await append(batch(1, 2, 1n)); // 1-2: producer 1's transaction
    await append(batch(3, 1, 2n)); // 3: producer 2's transaction, left open
    await marker(1n, 'ABORT'); // 4
    await append(batch(5, 1)); // 5
  });
  after(() => broker.close());

  for (const version of [4, 12, 17]) {
    it(`v${version}: stops at the last stable offset and lists the aborted transactions it overlaps`, async () => {
      const committed = await fetch(broker.bootstrap, version, READ_COMMITTED, 0n);
      assert.equal(committed.errorCode, ErrorCode.NONE);
      assert.deepEqual(baseOffsets(committed.records), [0, 1]);
      assert.equal(committed.highWatermark, 6n);
      assert.equal(committed.lastStableOffset, 3n);
      assert.deepEqual(committed.abortedTransactions, [{ producerId: 1n, firstOffset: 1n }]);
      // read_uncommitted reads to the high watermark; the last stable offset is set all the same.
      const uncommitted = await fetch(broker.bootstrap, version, READ_UNCOMMITTED, 0n);
      assert.deepEqual(baseOffsets(uncommitted.records), [0, 1, 3, 4, 5]);
      assert.equal(uncommitted.lastStableOffset, 3n);
      assert.equal(uncommitted.abortedTransactions, null);
      // At the last stable offset a read_committed fetch gets nothing (and no list).
      const atLso = await fetch(broker.bootstrap, version, READ_COMMITTED, 3n);
      assert.deepEqual([atLso.errorCode, baseOffsets(atLso.records), atLso.abortedTransactions], [0, [], []]);
    });
  }

  it('ListOffsets latest is the last stable offset under READ_COMMITTED (v2+), the high watermark otherwise', async () => {
    assert.equal(await latest(broker.bootstrap, READ_COMMITTED), 3n);
    assert.equal(await latest(broker.bootstrap, READ_UNCOMMITTED), 6n);
    assert.equal(await latest(broker.bootstrap, READ_COMMITTED, 9), 3n);
    assert.equal(await latest(broker.bootstrap, READ_UNCOMMITTED, 1), 6n);
    // A timestamp lookup does not answer an offset the consumer may not fetch yet.
    const at3 = BigInt(T0 + 3);
    assert.equal(await latest(broker.bootstrap, READ_COMMITTED, 2, at3), -1n);
    assert.equal(await latest(broker.bootstrap, READ_UNCOMMITTED, 2, at3), 3n);
    assert.equal(await latest(broker.bootstrap, READ_COMMITTED, 2, BigInt(T0 + 1)), 1n);
  });

  it('a read_committed fetch waiting in the purgatory completes when a marker moves the last stable offset', async () => {
    const purgatory = broker.broker.services.replicas.fetchPurgatory;
    // Far longer than the request helper waits for an answer (10 s): only the marker can complete it.
    const waiting = fetch(broker.bootstrap, 12, READ_COMMITTED, 3n, 60_000);
    for (let i = 0; i < 500 && purgatory.size === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(purgatory.size, 1);
    const r = await broker.broker.services.replicas.appendTxnMarker(p, {
      producerId: 2n,
      producerEpoch: 0,
      coordinatorEpoch: 0,
      result: 'COMMIT',
    });
    assert.equal(r.offset, 6);
    const done = await waiting;
    assert.equal(done.lastStableOffset, 7n);
    assert.deepEqual(baseOffsets(done.records), [3, 4, 5, 6]);
    // Producer 1's abort (marker at 4) overlaps the range read.
    assert.deepEqual(done.abortedTransactions, [{ producerId: 1n, firstOffset: 1n }]);
  });
});
