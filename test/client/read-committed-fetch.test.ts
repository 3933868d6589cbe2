import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FakeBroker, startFakeBroker } from '../../bench/fake-broker.js';
import { Kafka } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import { encodeEndTxnMarkerBatch } from '../../src/protocol/records/control-record.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';

const P1 = 1000n;
const P2 = 2000n;

/** A transactional batch of one record per value, from `offset`. */
function txnBatch(producerId: bigint, offset: bigint, values: string[], transactional = true): Buffer {
  return encodeRecordBatch({
    baseOffset: offset,
    transactional,
    producerId,
    producerEpoch: 0,
    baseSequence: Number(offset),
    records: values.map((v, i) => ({
      offsetDelta: i,
      timestampDelta: 0,
      key: null,
      value: Buffer.from(v),
      headers: [],
    })),
  });
}

function marker(producerId: bigint, offset: bigint, commit: boolean): Buffer {
  return encodeEndTxnMarkerBatch({
    baseOffset: offset,
    producerId,
    producerEpoch: 0,
    coordinatorEpoch: 0,
    commit,
    timestamp: 0n,
  });
}

/**
 * Offsets 0-12 of one partition: P1 aborts a transaction, commits one, aborts another, all in
 * one fetch response, with P2's committed transaction and a plain idempotent batch of P2 in
 * between. The broker lists P1's two aborted transactions, out of order.
 */
const LOG = Buffer.concat([
  txnBatch(P1, 0n, ['p1-aborted-a', 'p1-aborted-b']),
  txnBatch(P2, 2n, ['p2-committed']),
  marker(P1, 3n, false),
  txnBatch(P1, 4n, ['p1-committed']),
  marker(P1, 5n, true),
  marker(P2, 6n, true),
  txnBatch(P1, 7n, ['p1-aborted-c', 'p1-aborted-d']),
  txnBatch(P2, 9n, ['p2-idempotent'], false),
  marker(P1, 10n, false),
]);
const END = 11n;
const ABORTED = [
  { producerId: P1, firstOffset: 7n },
  { producerId: P1, firstOffset: 0n },
];

function transactionalBroker(): Promise<FakeBroker> {
  return startFakeBroker({
    clusterId: 'read-committed',
    metadataMaxVersion: 8,
    apis: {
      [ApiKey.Fetch]: {
        maxVersion: 11,
        answer: (body) => {
          const req = body as {
            isolationLevel: number;
            topics: { topic: string; partitions: { fetchOffset: bigint }[] }[];
          };
          const committed = req.isolationLevel === 1;
          return {
            throttleTimeMs: 0,
            errorCode: 0,
            sessionId: 0,
            responses: req.topics.map((t) => ({
              topic: t.topic,
              partitions: t.partitions.map((p) => ({
                partitionIndex: 0,
                errorCode: 0,
                highWatermark: END,
                lastStableOffset: END,
                logStartOffset: 0n,
                abortedTransactions: committed ? ABORTED : null,
                preferredReadReplica: -1,
                records: p.fetchOffset < END ? LOG : Buffer.alloc(0),
              })),
            })),
          };
        },
      },
    },
  });
}

async function readAll(broker: FakeBroker, isolationLevel: 'read_committed' | 'read_uncommitted') {
  const kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'read-committed-test' });
  const consumer = kafka.consumer({ fetchMaxWaitMs: 10, isolationLevel });
  const tp = { topic: 't', partition: 0 };
  try {
    consumer.assign([tp]);
    consumer.seek(tp, 0n);
    const got: string[] = [];
    while (consumer.position(tp)! < END) {
      for (const r of await consumer.poll({ timeoutMs: 5000 })) got.push(r.value!.toString());
    }
    return { got, position: consumer.position(tp), lag: consumer.currentLag(tp) };
  } finally {
    await consumer.close();
  }
}

describe('read_committed fetch', () => {
  let broker: FakeBroker;
  before(async () => {
    broker = await transactionalBroker();
  });
  after(async () => {
    await broker.close();
  });

  it('drops each aborted transaction from its first offset to its ABORT marker, per producer, as Kafka CompletedFetch does', async () => {
    const { got, position, lag } = await readAll(broker, 'read_committed');
    assert.deepEqual(got, ['p2-committed', 'p1-committed', 'p2-idempotent']);
    assert.equal(position, END, 'the position moves past the trailing marker');
    assert.equal(lag, 0n);
  });

  it('hands out every data record under read_uncommitted, never a marker', async () => {
    const { got } = await readAll(broker, 'read_uncommitted');
    assert.deepEqual(got, [
      'p1-aborted-a',
      'p1-aborted-b',
      'p2-committed',
      'p1-committed',
      'p1-aborted-c',
      'p1-aborted-d',
      'p2-idempotent',
    ]);
  });
});

/**
 * A broker whose group has a transactional offset commit pending for `unstableAnswers` OffsetFetch
 * requests (UNSTABLE_OFFSET_COMMIT, KIP-447), then offset 9 committed; it counts the requests and
 * checks that each asks for stable offsets.
 */
async function unstableOffsetsBroker(unstableAnswers: number) {
  const seen = { offsetFetches: 0, requireStable: true };
  let port = 0;
  const broker: FakeBroker = await startFakeBroker({
    clusterId: 'unstable',
    metadataMaxVersion: 8,
    apis: {
      [ApiKey.FindCoordinator]: {
        maxVersion: 4,
        answer: (body) => {
          port ||= Number(broker.bootstrap.split(':')[1]);
          const req = body as { coordinatorKeys: string[] };
          return {
            coordinators: req.coordinatorKeys.map((key) => ({
              key,
              nodeId: 0,
              host: '127.0.0.1',
              port,
              errorCode: 0,
              errorMessage: null,
            })),
          };
        },
      },
      [ApiKey.OffsetFetch]: {
        maxVersion: 7,
        answer: (body) => {
          const req = body as {
            requireStable: boolean;
            topics: { name: string; partitionIndexes: number[] }[];
          };
          seen.requireStable &&= req.requireStable;
          const unstable = seen.offsetFetches++ < unstableAnswers;
          return {
            errorCode: 0,
            topics: req.topics.map((t) => ({
              name: t.name,
              partitions: t.partitionIndexes.map((partitionIndex) => ({
                partitionIndex,
                committedOffset: unstable ? -1n : 9n,
                committedLeaderEpoch: -1,
                metadata: null,
                errorCode: unstable ? ErrorCode.UNSTABLE_OFFSET_COMMIT : 0,
              })),
            })),
          };
        },
      },
      [ApiKey.Fetch]: {
        maxVersion: 11,
        answer: (body) => {
          const req = body as { topics: { topic: string; partitions: { fetchOffset: bigint }[] }[] };
          return {
            throttleTimeMs: 0,
            errorCode: 0,
            sessionId: 0,
            responses: req.topics.map((t) => ({
              topic: t.topic,
              partitions: t.partitions.map(() => ({
                partitionIndex: 0,
                errorCode: 0,
                highWatermark: END,
                lastStableOffset: END,
                logStartOffset: 0n,
                abortedTransactions: [],
                preferredReadReplica: -1,
                records: Buffer.alloc(0),
              })),
            })),
          };
        },
      },
    },
  });
  return { broker, seen };
}

describe('committed offsets under a pending transaction', () => {
  it('asks for stable offsets and, while UNSTABLE_OFFSET_COMMIT, polls return nothing until the commit is stable', async () => {
    // More unstable answers than one call's retries: the first polls cannot resolve the position.
    const { broker, seen } = await unstableOffsetsBroker(15);
    const kafka = new Kafka({
      bootstrapServers: broker.bootstrap,
      clientId: 'unstable-test',
      retries: 3,
      retryBackoffMs: 1,
      retryBackoffMaxMs: 2,
    });
    const consumer = kafka.consumer({ groupId: 'g', isolationLevel: 'read_committed', fetchMaxWaitMs: 10 });
    const tp = { topic: 't', partition: 0 };
    try {
      consumer.assign([tp]);
      let polls = 0;
      while (consumer.position(tp) === null) {
        assert.deepEqual(await consumer.poll({ timeoutMs: 10 }), []);
        polls++;
        assert.ok(polls < 100, 'the position is resolved once the commit is stable');
      }
      assert.ok(polls > 1, `several polls waited for the pending commit (${polls})`);
      assert.equal(consumer.position(tp), 9n);
      assert.equal(seen.offsetFetches, 16);
      assert.equal(seen.requireStable, true);
    } finally {
      await consumer.close();
      await broker.close();
    }
  });
});
