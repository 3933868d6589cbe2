import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FakeBroker, startFakeBroker } from '../../bench/fake-broker.js';
import { Kafka } from '../../src/client/index.js';
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
