import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HostedPartition } from '../../../src/broker/replica/hosted-partition.js';
import { type StartedBroker, startBroker } from '../../../src/broker/start-broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import type { CreateTopicsResponse } from '../../../src/protocol/generated/messages/create-topics-response.js';
import { encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { request } from '../../helpers/request.js';

/** A transactional batch of `count` records (what a transactional producer sends). */
const txnBatch = (producerId: bigint, producerEpoch: number, baseSequence: number, count: number) =>
  encodeRecordBatch({
    baseTimestamp: BigInt(Date.now()),
    producerId,
    producerEpoch,
    baseSequence,
    transactional: true,
    records: Array.from({ length: count }, (_, i) => ({
      offsetDelta: i,
      timestampDelta: 0,
      key: null,
      value: Buffer.from(`t${baseSequence + i}`),
      headers: [],
    })),
  });

describe('transaction markers on a partition leader (ReplicaManager.appendTxnMarker)', () => {
  let broker: StartedBroker;
  let p: HostedPartition;
  before(async () => {
    broker = await startBroker();
    const created = await request<CreateTopicsResponse>(broker.bootstrap, ApiKey.CreateTopics, 5, {
      topics: [{ name: 'txn', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE);
    p = broker.broker.services.replicas.get('txn', 0)!;
  });
  after(() => broker.close());

  it('appends COMMIT and ABORT markers, moves the high watermark and maps fencing to Kafka error codes', async () => {
    const replicas = broker.broker.services.replicas;
    const data = await replicas.appendToLeader(p, txnBatch(1000n, 3, 0, 2));
    assert.equal(data.errorCode, ErrorCode.NONE);
    // Same producer, non-transactional batch while its transaction is open.
    const plain = encodeRecordBatch({
      baseTimestamp: BigInt(Date.now()),
      producerId: 1000n,
      producerEpoch: 3,
      baseSequence: 2,
      records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('x'), headers: [] }],
    });
    assert.equal((await replicas.appendToLeader(p, plain)).errorCode, ErrorCode.INVALID_TXN_STATE);
    assert.equal(p.log.lastStableOffset, 0);
    const marker = { producerId: 1000n, producerEpoch: 3, coordinatorEpoch: 4, result: 'COMMIT' as const };
    assert.deepEqual(await replicas.appendTxnMarker(p, { ...marker, producerEpoch: 2 }), {
      errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
      errorMessage: 'epoch 2 of producer 1000 at offset 2 is older than the current epoch 3',
      offset: -1,
    });
    const ok = await replicas.appendTxnMarker(p, marker);
    assert.deepEqual(ok, { errorCode: ErrorCode.NONE, errorMessage: null, offset: 2 });
    assert.equal(p.log.highWatermark, 3);
    assert.equal(p.log.lastStableOffset, 3);
    const fenced = await replicas.appendTxnMarker(p, { ...marker, coordinatorEpoch: 3, result: 'ABORT' });
    assert.equal(fenced.errorCode, ErrorCode.TRANSACTION_COORDINATOR_FENCED);
    assert.equal(p.log.logEndOffset, 3);
    // The marker carries the partition's leader epoch, as produced batches do.
    const stored = p.log.read({ fetchOffset: 2, maxBytes: 1000 }).slices[0]!.readSync();
    assert.equal(stored.readInt32BE(12), p.leaderEpoch);
  });
});
