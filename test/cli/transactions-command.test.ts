import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FakeBroker, startFakeBroker } from '../../bench/fake-broker.js';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { Kafka, type Producer } from '../../src/client/index.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import { strom } from './cli-helpers.js';

describe('strom transactions', () => {
  let broker: StartedBroker;
  let producer: Producer;
  let bs: string[];
  before(async () => {
    broker = await startBroker({ config: { 'num.partitions': '1' } });
    bs = ['--bootstrap-server', broker.bootstrap];
    producer = new Kafka({ bootstrapServers: broker.bootstrap }).producer({
      transactionalId: 'cli-app',
      lingerMs: 0,
      transactionTimeoutMs: 45000,
    });
    await producer.initTransactions();
    producer.beginTransaction();
    await producer.send('cli-orders', { value: 'open' });
  });
  after(async () => {
    await producer.abortTransaction();
    await producer.close();
    await broker.close();
  });

  it('lists transactions with their coordinator, producer id and state', async () => {
    const r = await strom(['transactions', 'list', ...bs]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^TransactionalId +Coordinator +ProducerId +TransactionState$/);
    assert.match(r.stdout, /\ncli-app +1 +\d+ +Ongoing\n/);
    // --bootstrap-server before the subcommand, as kafka-transactions.sh takes it.
    const before = await strom(['transactions', ...bs, 'list']);
    assert.equal(before.stdout, r.stdout);
  });

  it('describes a transactional id as kafka-transactions.sh does', async () => {
    const r = await strom(['transactions', ...bs, 'describe', '--transactional-id', 'cli-app']);
    assert.equal(r.code, 0, r.stderr);
    const [header, row] = r.stdout.trimEnd().split('\n');
    assert.deepEqual(header!.split(/ +/), [
      'CoordinatorId',
      'TransactionalId',
      'ProducerId',
      'ProducerEpoch',
      'TransactionState',
      'TransactionTimeoutMs',
      'CurrentTransactionStartTimeMs',
      'TransactionDurationMs',
      'TopicPartitions',
    ]);
    const cells = row!.split(/ +/);
    assert.deepEqual(
      [cells[0], cells[1], cells[3], cells[4], cells[5], cells[8]],
      ['1', 'cli-app', '0', 'Ongoing', '45000', 'cli-orders-0'],
    );
    assert.ok(Number(cells[7]) >= 0, row);
  });

  it("shows a partition's open transaction and aborts it by its start offset (DescribeProducers, WriteTxnMarkers)", async () => {
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap });
    const hanging = kafka.producer({ transactionalId: 'cli-hanging', lingerMs: 0 });
    const admin = kafka.admin();
    try {
      await hanging.initTransactions();
      hanging.beginTransaction();
      await hanging.send('cli-hang', { value: 'never committed', partition: 0 });
      const described = await strom([
        'transactions',
        ...bs,
        'describe-producers',
        '--topic',
        'cli-hang',
        '--partition',
        '0',
      ]);
      assert.equal(described.code, 0, described.stderr);
      const row = described.stdout.trimEnd().split('\n')[1]!.split(/ +/);
      assert.deepEqual([row[1], row[2], row[5]], ['0', '-1', '0'], described.stdout);
      const lso = async () =>
        (
          await admin.listOffsets([{ topic: 'cli-hang', partition: 0, timestamp: 'latest' }], {
            isolationLevel: 'read_committed',
          })
        )[0]!.offset;
      assert.equal(await lso(), 0n, 'the open transaction holds the last stable offset');
      const aborted = await strom([
        'transactions',
        ...bs,
        'abort',
        '--topic',
        'cli-hang',
        '--partition',
        '0',
        '--start-offset',
        '0',
      ]);
      assert.equal(aborted.code, 0, aborted.stderr);
      assert.equal(await lso(), 2n, 'past the record and its abort marker');
      const after = await strom([
        'transactions',
        ...bs,
        'describe-producers',
        '--topic',
        'cli-hang',
        '--partition',
        '0',
      ]);
      assert.match(after.stdout, / None\n$/);
    } finally {
      await hanging.close();
      await admin.close();
    }
  });

  it('says what is wrong with a command line it cannot run', async () => {
    const abort = await strom(['transactions', ...bs, 'abort', '--topic', 'cli-orders', '--partition', '0']);
    assert.equal(abort.code, 2);
    assert.match(
      abort.stderr,
      /either with --start-offset .* or with --producer-id, --producer-epoch, and --coordinator-epoch/,
    );
    const epochless = await strom([
      'transactions',
      ...bs,
      'abort',
      '--topic',
      'cli-orders',
      '--partition',
      '0',
      '--producer-id',
      '5',
    ]);
    assert.match(epochless.stderr, /Missing required argument --producer-epoch/);
    const hanging = await strom(['transactions', ...bs, 'find-hanging']);
    assert.equal(hanging.code, 2);
    assert.match(hanging.stderr, /requires either --topic or --broker-id/);
    const missing = await strom(['transactions', ...bs, 'describe', '--transactional-id', 'no-such-id']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Failed to describe transaction state of transactional-id `no-such-id`/);
  });
});

/**
 * A broker that remembers two producers on partition 0 of every topic: producer 77 with a
 * transaction open since offset 12 whose last write was an hour ago (its coordinator no longer
 * knows it: a hanging transaction), and producer 78 without one. It records WriteTxnMarkers.
 */
async function producerStateBroker() {
  const markers: unknown[] = [];
  const hourAgo = BigInt(Date.now() - 3_600_000);
  const broker: FakeBroker = await startFakeBroker({
    clusterId: 'producers',
    metadataMaxVersion: 8,
    apis: {
      [ApiKey.DescribeProducers]: {
        maxVersion: 0,
        answer: (body) => {
          const req = body as { topics: { name: string; partitionIndexes: number[] }[] };
          return {
            topics: req.topics.map((t) => ({
              name: t.name,
              partitions: t.partitionIndexes.map((partitionIndex) => ({
                partitionIndex,
                errorCode: 0,
                errorMessage: null,
                activeProducers: [
                  {
                    producerId: 77n,
                    producerEpoch: 3,
                    lastSequence: 41,
                    lastTimestamp: hourAgo,
                    coordinatorEpoch: -1,
                    currentTxnStartOffset: 12n,
                  },
                  {
                    producerId: 78n,
                    producerEpoch: 0,
                    lastSequence: 9,
                    lastTimestamp: hourAgo,
                    coordinatorEpoch: 2,
                    currentTxnStartOffset: -1n,
                  },
                ],
              })),
            })),
          };
        },
      },
      [ApiKey.ListTransactions]: {
        maxVersion: 1,
        answer: () => ({ errorCode: 0, unknownStateFilters: [], transactionStates: [] }),
      },
      [ApiKey.WriteTxnMarkers]: {
        maxVersion: 1,
        answer: (body) => {
          const req = body as {
            markers: { producerId: bigint; topics: { name: string; partitionIndexes: number[] }[] }[];
          };
          markers.push(...req.markers);
          return {
            markers: req.markers.map((m) => ({
              producerId: m.producerId,
              topics: m.topics.map((t) => ({
                name: t.name,
                partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode: 0 })),
              })),
            })),
          };
        },
      },
    },
  });
  return { broker, markers };
}

describe('strom transactions on producer state', () => {
  let fake: Awaited<ReturnType<typeof producerStateBroker>>;
  let bs: string[];
  before(async () => {
    fake = await producerStateBroker();
    bs = ['--bootstrap-server', fake.broker.bootstrap];
  });
  after(async () => {
    await fake.broker.close();
  });

  it("describes a partition's producers with Kafka's columns", async () => {
    const r = await strom([
      'transactions',
      ...bs,
      'describe-producers',
      '--topic',
      'orders',
      '--partition',
      '0',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/ +/));
    assert.deepEqual(lines[0], [
      'ProducerId',
      'ProducerEpoch',
      'LatestCoordinatorEpoch',
      'LastSequence',
      'LastTimestamp',
      'CurrentTransactionStartOffset',
    ]);
    assert.deepEqual(
      [lines[1]![0], lines[1]![1], lines[1]![2], lines[1]![3], lines[1]![5]],
      ['77', '3', '-1', '41', '12'],
    );
    assert.deepEqual([lines[2]![0], lines[2]![2], lines[2]![5]], ['78', '2', 'None']);
  });

  it("aborts the transaction starting at an offset with the producer's id and epoch, coordinator epoch 0 for none", async () => {
    const r = await strom([
      'transactions',
      ...bs,
      'abort',
      '--topic',
      'orders',
      '--partition',
      '0',
      '--start-offset',
      '12',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const m = fake.markers.pop() as {
      producerId: bigint;
      producerEpoch: number;
      transactionResult: boolean;
      coordinatorEpoch: number;
      topics: { name: string; partitionIndexes: number[] }[];
    };
    assert.deepEqual(
      [m.producerId, m.producerEpoch, m.transactionResult, m.coordinatorEpoch],
      [77n, 3, false, 0],
    );
    assert.deepEqual(
      m.topics.map((t) => [t.name, t.partitionIndexes]),
      [['orders', [0]]],
    );
    const none = await strom([
      'transactions',
      ...bs,
      'abort',
      '--topic',
      'orders',
      '--partition',
      '0',
      '--start-offset',
      '13',
    ]);
    assert.equal(none.code, 1);
    assert.match(
      none.stderr,
      /Could not find any open transactions starting at offset 13 on partition orders-0/,
    );
  });

  it('finds the hanging transaction: open for longer than the largest timeout and unknown to every coordinator', async () => {
    const r = await strom(['transactions', ...bs, 'find-hanging', '--topic', 'orders']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/ +/));
    assert.equal(lines.length, 2, r.stdout);
    assert.deepEqual(lines[1]!.slice(0, 6), ['orders', '0', '77', '3', '-1', '12']);
    assert.ok(Number(lines[1]![7]) >= 59, lines[1]!.join(' '));
    // Within a larger timeout it is not hanging yet.
    const longer = await strom([
      'transactions',
      ...bs,
      'find-hanging',
      '--topic',
      'orders',
      '--max-transaction-timeout',
      '120',
    ]);
    assert.equal(longer.stdout.trimEnd().split('\n').length, 1);
  });
});
