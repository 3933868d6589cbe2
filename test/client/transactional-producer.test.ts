import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type FakeBroker, startFakeBroker } from '../../bench/fake-broker.js';
import { ClientError, Kafka, type Producer } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import { ATTR_TRANSACTIONAL, readBatchHeader } from '../../src/protocol/records/record-batch-header.js';

/** One request the fake transaction coordinator received, in arrival order. */
interface Seen {
  api: string;
  body: Record<string, unknown>;
}

/** Errors to answer instead of success, by API name, first in first out. */
type Script = Record<string, number[]>;

/**
 * A one-broker cluster that is its own transaction and group coordinator, scripted per test:
 * it records every transactional request and answers success unless the script says otherwise.
 * Produce appends per topic and remembers each batch's header.
 */
async function fakeCoordinator(script: Script = {}) {
  const seen: Seen[] = [];
  const batches: {
    topic: string;
    producerId: bigint;
    epoch: number;
    sequence: number;
    transactional: boolean;
  }[] = [];
  const producerId = 4000n;
  let epoch = -1;
  const nextOffset = new Map<string, bigint>();
  const errorFor = (api: string): number => script[api]?.shift() ?? ErrorCode.NONE;
  const record = (api: string, body: unknown): void => {
    seen.push({ api, body: body as Record<string, unknown> });
  };
  let port = 0;
  const broker: FakeBroker = await startFakeBroker({
    clusterId: 'txn',
    metadataMaxVersion: 8,
    apis: {
      [ApiKey.FindCoordinator]: {
        maxVersion: 4,
        answer: (body) => {
          record('FindCoordinator', body);
          const req = body as { keyType: number; coordinatorKeys: string[] };
          port ||= Number(broker.bootstrap.split(':')[1]);
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
      [ApiKey.InitProducerId]: {
        maxVersion: 4,
        answer: (body) => {
          record('InitProducerId', body);
          const errorCode = errorFor('InitProducerId');
          if (errorCode === ErrorCode.NONE) epoch++;
          return { errorCode, producerId, producerEpoch: epoch };
        },
      },
      [ApiKey.AddPartitionsToTxn]: {
        maxVersion: 5,
        answer: (body) => {
          record('AddPartitionsToTxn', body);
          const req = body as { v3AndBelowTopics: { name: string; partitions: number[] }[] };
          const errorCode = errorFor('AddPartitionsToTxn');
          return {
            resultsByTopicV3AndBelow: req.v3AndBelowTopics.map((t) => ({
              name: t.name,
              resultsByPartition: t.partitions.map((p) => ({
                partitionIndex: p,
                partitionErrorCode: errorCode,
              })),
            })),
          };
        },
      },
      [ApiKey.AddOffsetsToTxn]: {
        maxVersion: 3,
        answer: (body) => {
          record('AddOffsetsToTxn', body);
          return { errorCode: errorFor('AddOffsetsToTxn') };
        },
      },
      [ApiKey.TxnOffsetCommit]: {
        maxVersion: 3,
        answer: (body) => {
          record('TxnOffsetCommit', body);
          const req = body as { topics: { name: string; partitions: { partitionIndex: number }[] }[] };
          const errorCode = errorFor('TxnOffsetCommit');
          return {
            topics: req.topics.map((t) => ({
              name: t.name,
              partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
            })),
          };
        },
      },
      [ApiKey.EndTxn]: {
        maxVersion: 3,
        answer: (body) => {
          record('EndTxn', body);
          return { errorCode: errorFor('EndTxn') };
        },
      },
      [ApiKey.Produce]: {
        maxVersion: 9,
        answer: (body) => {
          const req = body as {
            transactionalId: string | null;
            topicData: { name: string; partitionData: { index: number; records: Buffer }[] }[];
          };
          record('Produce', body);
          const errorCode = errorFor('Produce');
          return {
            responses: req.topicData.map((t) => ({
              name: t.name,
              partitionResponses: t.partitionData.map((p) => {
                const h = readBatchHeader(p.records);
                const base = nextOffset.get(t.name) ?? 0n;
                if (errorCode === ErrorCode.NONE) {
                  nextOffset.set(t.name, base + BigInt(h.recordCount));
                  batches.push({
                    topic: t.name,
                    producerId: h.producerId,
                    epoch: h.producerEpoch,
                    sequence: h.baseSequence,
                    transactional: (h.attributes & ATTR_TRANSACTIONAL) !== 0,
                  });
                }
                return {
                  index: p.index,
                  errorCode,
                  baseOffset: errorCode === ErrorCode.NONE ? base : -1n,
                  logAppendTimeMs: -1n,
                  logStartOffset: 0n,
                  recordErrors: [],
                  errorMessage: null,
                };
              }),
            })),
          };
        },
      },
    },
  });
  return {
    broker,
    seen,
    batches,
    /** The transactional requests' names in order (Produce and lookups left out unless asked). */
    apis: (keep: (api: string) => boolean = (a) => a !== 'Produce' && a !== 'FindCoordinator') =>
      seen.map((s) => s.api).filter(keep),
  };
}

type Fake = Awaited<ReturnType<typeof fakeCoordinator>>;

describe('transactional producer', () => {
  let fake: Fake | null = null;
  let producer: Producer | null = null;
  const kafkaFor = (f: Fake) =>
    new Kafka({ bootstrapServers: f.broker.bootstrap, retryBackoffMs: 5, retryBackoffMaxMs: 20 });
  afterEach(async () => {
    await producer?.close().catch(() => {});
    producer = null;
    await fake?.broker.close();
    fake = null;
  });

  it('checks its settings as the Java client does', () => {
    const kafka = new Kafka({ bootstrapServers: '127.0.0.1:1' });
    assert.throws(
      () => kafka.producer({ transactionalId: 'x', idempotent: false }),
      /Cannot set a transactional.id without also enabling idempotence/,
    );
    assert.throws(() => kafka.producer({ transactionalId: 'x', acks: 1 }), /Must set acks to all/);
    assert.throws(() => kafka.producer({ transactionalId: '' }), /must not be empty/);
    assert.throws(
      () => kafka.producer().beginTransaction(),
      (e: unknown) => e instanceof ClientError && e.code === 'ILLEGAL_STATE',
    );
  });

  it('refuses sends outside a transaction and before initTransactions', async () => {
    fake = await fakeCoordinator();
    producer = kafkaFor(fake).producer({ transactionalId: 'app-1' });
    assert.throws(
      () => producer!.beginTransaction(),
      /Invalid transition attempted from state UNINITIALIZED to state IN_TRANSACTION/,
    );
    await assert.rejects(
      producer.send('out', { value: 'x' }),
      /before completing a call to initTransactions/,
    );
    await producer.initTransactions();
    assert.equal(producer.transactionState, 'READY');
    await assert.rejects(producer.send('out', { value: 'x' }), /while in state READY/);
    await assert.rejects(producer.commitTransaction(), /from state READY to state COMMITTING_TRANSACTION/);
  });

  it('adds partitions in one AddPartitionsToTxn before their first batch, commits offsets with the group generation, and ends with EndTxn', async () => {
    fake = await fakeCoordinator({ AddPartitionsToTxn: [ErrorCode.CONCURRENT_TRANSACTIONS] });
    producer = kafkaFor(fake).producer({
      transactionalId: 'app-2',
      lingerMs: 20,
      transactionTimeoutMs: 12345,
    });
    await producer.initTransactions();
    const init = fake.seen.find((s) => s.api === 'InitProducerId')!.body;
    assert.equal(init.transactionalId, 'app-2');
    assert.equal(init.transactionTimeoutMs, 12345);
    producer.beginTransaction();
    await Promise.all([producer.send('out-a', { value: 'a' }), producer.send('out-b', { value: 'b' })]);
    await producer.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 42n }], {
      groupId: 'g',
      generationId: 7,
      memberId: 'm-1',
      groupInstanceId: null,
    });
    await producer.commitTransaction();
    assert.equal(producer.transactionState, 'READY');
    // CONCURRENT_TRANSACTIONS made the first AddPartitionsToTxn go again.
    assert.deepEqual(fake.apis(), [
      'InitProducerId',
      'AddPartitionsToTxn',
      'AddPartitionsToTxn',
      'AddOffsetsToTxn',
      'TxnOffsetCommit',
      'EndTxn',
    ]);
    const add = fake.seen.find((s) => s.api === 'AddPartitionsToTxn')!.body as {
      v3AndBelowTopics: { name: string; partitions: number[] }[];
    };
    assert.deepEqual(
      add.v3AndBelowTopics.map((t) => t.name).sort(),
      ['out-a', 'out-b'],
      'both partitions in one request',
    );
    const firstAdded = fake.seen.findIndex((s) => s.api === 'AddPartitionsToTxn');
    const firstProduce = fake.seen.findIndex((s) => s.api === 'Produce');
    assert.ok(firstProduce > firstAdded + 1, 'no batch before its partition is in the transaction');
    const produce = fake.seen[firstProduce]!.body;
    assert.equal(produce.transactionalId, 'app-2');
    assert.ok(fake.batches.every((b) => b.transactional && b.producerId === 4000n && b.epoch === 0));
    const commit = fake.seen.find((s) => s.api === 'TxnOffsetCommit')!.body;
    assert.equal(commit.generationId, 7);
    assert.equal(commit.memberId, 'm-1');
    assert.equal(commit.producerId, 4000n);
    const endTxn = fake.seen.find((s) => s.api === 'EndTxn')!.body;
    assert.equal(endTxn.committed, true);

    // The next transaction goes on with the same epoch and the next sequences.
    producer.beginTransaction();
    await producer.send('out-a', { value: 'a2' });
    await producer.commitTransaction();
    const last = fake.batches[fake.batches.length - 1]!;
    assert.deepEqual([last.topic, last.epoch, last.sequence], ['out-a', 0, 1]);
  });

  it('looks the coordinator up again after NOT_COORDINATOR and retries COORDINATOR_LOAD_IN_PROGRESS', async () => {
    fake = await fakeCoordinator({
      InitProducerId: [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS],
      EndTxn: [ErrorCode.NOT_COORDINATOR],
    });
    producer = kafkaFor(fake).producer({ transactionalId: 'app-3', lingerMs: 0 });
    await producer.initTransactions();
    producer.beginTransaction();
    await producer.send('out', { value: 'x' });
    await producer.commitTransaction();
    assert.deepEqual(
      fake.apis((a) => a !== 'Produce'),
      [
        'FindCoordinator',
        'InitProducerId',
        'InitProducerId',
        'AddPartitionsToTxn',
        'EndTxn',
        'FindCoordinator',
        'EndTxn',
      ],
    );
    const lookup = fake.seen.find((s) => s.api === 'FindCoordinator')!.body;
    assert.equal(lookup.keyType, 1, 'FindCoordinator(TRANSACTION)');
    assert.deepEqual(lookup.coordinatorKeys, ['app-3']);
  });

  it('is fenced for good by PRODUCER_FENCED', async () => {
    fake = await fakeCoordinator({ EndTxn: [ErrorCode.PRODUCER_FENCED] });
    producer = kafkaFor(fake).producer({ transactionalId: 'app-4', lingerMs: 0 });
    await producer.initTransactions();
    producer.beginTransaction();
    await producer.send('out', { value: 'x' });
    await assert.rejects(
      producer.commitTransaction(),
      (e: unknown) => e instanceof ClientError && e.kafkaName === 'PRODUCER_FENCED',
    );
    assert.equal(producer.transactionState, 'FATAL_ERROR');
    assert.throws(
      () => producer!.beginTransaction(),
      (e: unknown) => e instanceof ClientError && e.kafkaName === 'PRODUCER_FENCED',
    );
    await assert.rejects(
      producer.abortTransaction(),
      (e: unknown) => e instanceof ClientError && e.kafkaName === 'PRODUCER_FENCED',
    );
  });

  it('turns a failed batch into an abortable error; the abort bumps the epoch and the next transaction starts at sequence 0', async () => {
    fake = await fakeCoordinator({ Produce: [ErrorCode.INVALID_RECORD] });
    producer = kafkaFor(fake).producer({ transactionalId: 'app-5', lingerMs: 0 });
    await producer.initTransactions();
    producer.beginTransaction();
    await assert.rejects(producer.send('out', { value: 'bad' }), /INVALID_RECORD/);
    assert.equal(producer.transactionState, 'ABORTABLE_ERROR');
    await assert.rejects(
      producer.commitTransaction(),
      (e: unknown) => e instanceof ClientError && e.code === 'TRANSACTION_FAILED',
    );
    await producer.abortTransaction();
    assert.equal(producer.transactionState, 'READY');
    const ends = fake.seen.filter((s) => s.api === 'EndTxn' || s.api === 'InitProducerId').map((s) => s.body);
    assert.equal(ends.length, 3);
    assert.equal(ends[1]!.committed, false);
    // KIP-360: the epoch bump names the current producer id and epoch.
    assert.deepEqual([ends[2]!.producerId, ends[2]!.producerEpoch], [4000n, 0]);
    producer.beginTransaction();
    await producer.send('out', { value: 'good' });
    await producer.commitTransaction();
    assert.deepEqual(
      fake.batches.map((b) => [b.epoch, b.sequence]),
      [[1, 0]],
    );
  });

  it('fails records not yet sent when the transaction is aborted', async () => {
    fake = await fakeCoordinator();
    producer = kafkaFor(fake).producer({ transactionalId: 'app-6', lingerMs: 60000 });
    await producer.initTransactions();
    producer.beginTransaction();
    const pending = producer.send('out', { value: 'never' }).then(
      () => null,
      (e: unknown) => e,
    );
    // Once the topic's metadata is in, the record waits in its batch for the long linger.
    while (producer.bufferedBytes === 0) await sleep(1);
    await producer.abortTransaction();
    const err = await pending;
    assert.ok(err instanceof ClientError && err.code === 'TRANSACTION_ABORTED', String(err));
    assert.equal(fake.batches.length, 0);
    assert.equal(producer.transactionState, 'READY');
  });

  it('sendOffsetsToTransaction needs a transaction', async () => {
    fake = await fakeCoordinator();
    producer = kafkaFor(fake).producer({ transactionalId: 'app-7' });
    await producer.initTransactions();
    await assert.rejects(
      producer.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 1n }], { groupId: 'g' }),
      /Cannot send offsets if a transaction is not in progress/,
    );
  });
});
