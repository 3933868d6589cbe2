import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coordinatorPartitionFor } from '../../../../src/broker/group-coordinator/core/find-coordinator.js';
import { ErrorCode, errorInfo } from '../../../../src/protocol/error-codes.js';
import { PARTITIONS, TxnKit } from './txn-test-kit.js';

const E = ErrorCode;

/** Puts `id` in a state by the client's path; returns the producer id and epoch to use next. */
function reach(k: TxnKit, id: string, state: string): { producerId: bigint; producerEpoch: number } {
  if (state === 'Empty') {
    const r = k.init(id);
    return { producerId: r.producerId, producerEpoch: r.producerEpoch };
  }
  const p = k.ongoing(id);
  if (state === 'Ongoing') return p;
  const commit = state.endsWith('Commit');
  assert.equal(k.end(id, p.producerId, p.producerEpoch, commit), E.NONE);
  if (state.startsWith('Complete')) k.writeMarkers();
  assert.equal(k.state(id), state);
  return p;
}

describe('transaction coordinator core: InitProducerId', () => {
  it('gives a new transactional id a fresh producer id at epoch 0, recorded in its partition', () => {
    const k = new TxnKit();
    const r = k.init('a');
    assert.deepEqual(r, { errorCode: E.NONE, producerId: 1000n, producerEpoch: 0 });
    const last = k.log.at(-1)!;
    assert.equal(last.partition, coordinatorPartitionFor('a', PARTITIONS));
    assert.equal(last.record.value?.transactionStatus, 0);
    assert.equal(last.record.value?.transactionPartitions, null);
    assert.equal(k.state('a'), 'Empty');
  });

  const table: { from: string; error: number; epoch: number }[] = [
    { from: 'Empty', error: E.NONE, epoch: 1 },
    { from: 'CompleteCommit', error: E.NONE, epoch: 1 },
    { from: 'CompleteAbort', error: E.NONE, epoch: 1 },
    { from: 'PrepareCommit', error: E.CONCURRENT_TRANSACTIONS, epoch: 0 },
    { from: 'PrepareAbort', error: E.CONCURRENT_TRANSACTIONS, epoch: 0 },
    // Fencing: the ongoing transaction is aborted under epoch 1, the caller retries.
    { from: 'Ongoing', error: E.CONCURRENT_TRANSACTIONS, epoch: 1 },
  ];
  for (const row of table) {
    it(`from ${row.from}: ${errorInfo(row.error).name}`, () => {
      const k = new TxnKit();
      reach(k, 'a', row.from);
      const r = k.init('a');
      assert.equal(r.errorCode, row.error);
      assert.equal(k.coordinator.transaction('a')!.producerEpoch, row.epoch);
      if (row.error === E.NONE) {
        assert.deepEqual([r.producerId, r.producerEpoch], [1000n, row.epoch]);
        assert.equal(k.state('a'), 'Empty');
      }
    });
  }

  it('fencing an ongoing transaction: abort markers at the bumped epoch, then the retry bumps again', () => {
    const k = new TxnKit();
    const p = k.ongoing('a', { t: [0, 1], u: [2] });
    assert.equal(k.init('a').errorCode, E.CONCURRENT_TRANSACTIONS);
    assert.equal(k.state('a'), 'PrepareAbort');
    assert.deepEqual(
      k.markers.map((m) => [m.result, m.producerId, m.producerEpoch, m.partitions]),
      [
        [
          'abort',
          p.producerId,
          1,
          [
            { topic: 't', partitions: [0, 1] },
            { topic: 'u', partitions: [2] },
          ],
        ],
      ],
    );
    assert.equal(k.init('a').errorCode, E.CONCURRENT_TRANSACTIONS, 'markers not written yet');
    k.writeMarkers();
    assert.equal(k.state('a'), 'CompleteAbort');
    assert.deepEqual(k.init('a'), { errorCode: E.NONE, producerId: p.producerId, producerEpoch: 2 });
    assert.equal(k.add('a', p.producerId, 0, { t: [0] }), E.PRODUCER_FENCED);
    assert.equal(k.end('a', p.producerId, 0, true), E.PRODUCER_FENCED);
  });

  it('refuses an empty id and timeouts outside 1..transaction.max.timeout.ms', () => {
    const k = new TxnKit({ transactionMaxTimeoutMs: 1000 });
    assert.equal(k.init('').errorCode, E.INVALID_REQUEST);
    assert.equal(k.init('a', { timeoutMs: 0 }).errorCode, E.INVALID_TRANSACTION_TIMEOUT);
    assert.equal(k.init('a', { timeoutMs: 1001 }).errorCode, E.INVALID_TRANSACTION_TIMEOUT);
    assert.equal(k.init('a', { timeoutMs: 1000 }).errorCode, E.NONE);
  });

  it('KIP-360: bumps from the expected epoch, answers a retried bump, fences any other epoch or producer id', () => {
    const k = new TxnKit();
    const first = k.init('a');
    const bumped = k.init('a', { producerId: first.producerId, producerEpoch: 0 });
    assert.deepEqual([bumped.errorCode, bumped.producerEpoch], [E.NONE, 1]);
    // The same request again (its answer was lost): the current epoch, no second bump.
    const retried = k.init('a', { producerId: first.producerId, producerEpoch: 0 });
    assert.deepEqual([retried.errorCode, retried.producerEpoch], [E.NONE, 1]);
    assert.equal(
      k.init('a', { producerId: first.producerId, producerEpoch: 5 }).errorCode,
      E.PRODUCER_FENCED,
    );
    assert.equal(k.init('a', { producerId: 77n, producerEpoch: 1 }).errorCode, E.PRODUCER_FENCED);
    // A producer recovering from UNKNOWN_PRODUCER_ID with a new transactional id gets the fresh id.
    const recovered = k.init('b', { producerId: 55n, producerEpoch: 3 });
    assert.deepEqual([recovered.errorCode, recovered.producerEpoch], [E.NONE, 0]);
  });

  it('rotates to a new producer id when the epoch runs out, and accepts the previous id after it', () => {
    const k = new TxnKit();
    const first = k.init('a');
    const m = k.coordinator.transaction('a')! as { producerEpoch: number };
    m.producerEpoch = 32766; // Short.MaxValue - 1: exhausted
    const rotated = k.init('a', { producerId: first.producerId, producerEpoch: 32766 });
    assert.deepEqual(rotated, { errorCode: E.NONE, producerId: 1001n, producerEpoch: 0 });
    assert.equal(k.coordinator.transaction('a')!.lastProducerId, first.producerId);
    // The same request retried: it names the previous producer id with an exhausted epoch.
    const retried = k.init('a', { producerId: first.producerId, producerEpoch: 32766 });
    assert.equal(retried.errorCode, E.NONE);
    assert.equal(retried.producerId, 1001n);
  });

  it('answers NOT_COORDINATOR for partitions not owned and COORDINATOR_LOAD_IN_PROGRESS while loading', () => {
    const k = new TxnKit();
    const p = k.coordinator.partitionFor('a');
    k.absorb(k.coordinator.unload(p));
    assert.equal(k.init('a').errorCode, E.NOT_COORDINATOR);
    k.coordinator.beginLoad(p, 1);
    assert.equal(k.init('a').errorCode, E.COORDINATOR_LOAD_IN_PROGRESS);
    assert.equal(k.end('a', 1n, 0, true), E.COORDINATOR_LOAD_IN_PROGRESS);
    assert.equal(k.coordinator.describeTransaction('a').errorCode, E.COORDINATOR_LOAD_IN_PROGRESS);
    assert.equal(
      k.coordinator.listTransactions({ stateFilters: [], producerIdFilters: [], durationFilterMs: -1 })
        .errorCode,
      E.COORDINATOR_LOAD_IN_PROGRESS,
    );
    k.absorb(k.coordinator.loadFrom(p, []));
    assert.equal(k.init('a').errorCode, E.NONE);
  });
});

describe('transaction coordinator core: AddPartitionsToTxn, AddOffsetsToTxn, verification', () => {
  it('starts the transaction at the first add and keeps its start time after', () => {
    const k = new TxnKit();
    const r = k.init('a');
    k.clock.advance(10);
    assert.equal(k.add('a', r.producerId, 0, { t: [1] }), E.NONE);
    const start = k.coordinator.transaction('a')!.txnStartTimestamp;
    assert.equal(start, k.clock.nowMs());
    const records = k.log.length;
    k.clock.advance(10);
    assert.equal(k.add('a', r.producerId, 0, { t: [1] }), E.NONE);
    assert.equal(k.log.length, records, 'partitions already in an Ongoing transaction need no record');
    assert.equal(k.add('a', r.producerId, 0, { t: [0], u: [3] }), E.NONE);
    assert.equal(k.coordinator.transaction('a')!.txnStartTimestamp, start);
    assert.deepEqual(k.coordinator.partitionsOf('a'), [
      { topic: 't', partitions: [0, 1] },
      { topic: 'u', partitions: [3] },
    ]);
    assert.equal(k.log.at(-1)!.record.value?.transactionStatus, 1);
  });

  const errors: {
    name: string;
    setup: (k: TxnKit) => { pid: bigint; epoch: number; id: string };
    error: number;
  }[] = [
    {
      name: 'unknown transactional id',
      setup: () => ({ pid: 1000n, epoch: 0, id: 'nobody' }),
      error: E.INVALID_PRODUCER_ID_MAPPING,
    },
    {
      name: 'other producer id',
      setup: (k) => ({ pid: k.init('a').producerId + 1n, epoch: 0, id: 'a' }),
      error: E.INVALID_PRODUCER_ID_MAPPING,
    },
    {
      name: 'old epoch',
      setup: (k) => {
        k.init('a');
        return { pid: k.init('a').producerId, epoch: 0, id: 'a' };
      },
      error: E.PRODUCER_FENCED,
    },
    {
      name: 'empty transactional id',
      setup: () => ({ pid: 1n, epoch: 0, id: '' }),
      error: E.INVALID_REQUEST,
    },
    {
      name: 'commit in progress',
      setup: (k) => {
        const p = reach(k, 'a', 'PrepareCommit');
        return { pid: p.producerId, epoch: p.producerEpoch, id: 'a' };
      },
      error: E.CONCURRENT_TRANSACTIONS,
    },
  ];
  for (const row of errors) {
    it(`${row.name}: ${errorInfo(row.error).name}`, () => {
      const k = new TxnKit();
      const { pid, epoch, id } = row.setup(k);
      assert.equal(k.add(id, pid, epoch, { t: [0] }), row.error);
      assert.equal(k.addOffsets(id, pid, epoch, 'g'), row.error);
    });
  }

  it("AddOffsetsToTxn adds the group's __consumer_offsets partition", () => {
    const k = new TxnKit();
    const r = k.init('a');
    assert.equal(k.addOffsets('a', r.producerId, 0, 'group-1'), E.NONE);
    assert.deepEqual(k.coordinator.partitionsOf('a'), [
      { topic: '__consumer_offsets', partitions: [coordinatorPartitionFor('group-1', 7)] },
    ]);
  });

  it('verify-only (KIP-890): NONE for partitions in the transaction, TRANSACTION_ABORTABLE for others, nothing written', () => {
    const k = new TxnKit();
    const p = k.ongoing('a', { t: [0] });
    const records = k.log.length;
    const partitions = new Map([['t', new Set([0, 1])]]);
    const ok = k.coordinator.verifyPartitionsInTxn({ transactionalId: 'a', ...p, partitions });
    assert.deepEqual(
      [...ok.partitionErrors.get('t')!],
      [
        [0, E.NONE],
        [1, E.TRANSACTION_ABORTABLE],
      ],
    );
    const fenced = k.coordinator.verifyPartitionsInTxn({
      transactionalId: 'a',
      producerId: p.producerId,
      producerEpoch: 5,
      partitions,
    });
    assert.deepEqual([...fenced.partitionErrors.get('t')!.values()], [E.PRODUCER_FENCED, E.PRODUCER_FENCED]);
    assert.equal(k.log.length, records);
  });
});

describe('transaction coordinator core: EndTxn and markers', () => {
  const table: { from: string; commit: boolean; error: number; next: string }[] = [
    { from: 'Ongoing', commit: true, error: E.NONE, next: 'PrepareCommit' },
    { from: 'Ongoing', commit: false, error: E.NONE, next: 'PrepareAbort' },
    { from: 'PrepareCommit', commit: true, error: E.CONCURRENT_TRANSACTIONS, next: 'PrepareCommit' },
    { from: 'PrepareCommit', commit: false, error: E.INVALID_TXN_STATE, next: 'PrepareCommit' },
    { from: 'PrepareAbort', commit: false, error: E.CONCURRENT_TRANSACTIONS, next: 'PrepareAbort' },
    { from: 'PrepareAbort', commit: true, error: E.INVALID_TXN_STATE, next: 'PrepareAbort' },
    { from: 'CompleteCommit', commit: true, error: E.NONE, next: 'CompleteCommit' },
    { from: 'CompleteCommit', commit: false, error: E.INVALID_TXN_STATE, next: 'CompleteCommit' },
    { from: 'CompleteAbort', commit: false, error: E.NONE, next: 'CompleteAbort' },
    { from: 'CompleteAbort', commit: true, error: E.INVALID_TXN_STATE, next: 'CompleteAbort' },
    { from: 'Empty', commit: true, error: E.INVALID_TXN_STATE, next: 'Empty' },
    { from: 'Empty', commit: false, error: E.INVALID_TXN_STATE, next: 'Empty' },
  ];
  for (const row of table) {
    it(`${row.commit ? 'commit' : 'abort'} from ${row.from}: ${errorInfo(row.error).name}, ${row.next}`, () => {
      const k = new TxnKit();
      const p = reach(k, 'a', row.from);
      const markersBefore = k.markers.length;
      assert.equal(k.end('a', p.producerId, p.producerEpoch, row.commit), row.error);
      assert.equal(k.state('a'), row.next);
      const asked = row.from === 'Ongoing' ? 1 : 0;
      assert.equal(k.markers.length - markersBefore, asked);
    });
  }

  it('completes with a record of the final state and no partitions once every marker is written', () => {
    const k = new TxnKit();
    const p = k.ongoing('a', { t: [0, 1] });
    assert.equal(k.end('a', p.producerId, p.producerEpoch, true), E.NONE);
    assert.equal(k.log.at(-1)!.record.value?.transactionStatus, 2);
    assert.deepEqual(k.log.at(-1)!.record.value?.transactionPartitions, [
      { topic: 't', partitionIds: [0, 1] },
    ]);
    const [marker] = k.writeMarkers();
    assert.deepEqual([marker!.result, marker!.coordinatorEpoch], ['commit', 0]);
    assert.equal(k.log.at(-1)!.record.value?.transactionStatus, 4);
    assert.deepEqual(k.log.at(-1)!.record.value?.transactionPartitions, []);
    // Writing the same markers again changes nothing.
    const records = k.log.length;
    k.absorb(k.coordinator.markersWritten(marker!));
    assert.equal(k.log.length, records);
  });

  it('ignores markers written for an older coordinator epoch', () => {
    const k = new TxnKit();
    const p = k.ongoing('a');
    k.end('a', p.producerId, p.producerEpoch, true);
    const stale = k.markers[0]!;
    k.restart();
    const records = k.log.length;
    k.absorb(k.coordinator.markersWritten(stale));
    assert.equal(k.log.length, records);
    assert.equal(k.state('a'), 'PrepareCommit');
  });

  it('EndTxn with a wrong producer id or epoch, or for an empty id', () => {
    const k = new TxnKit();
    const p = k.ongoing('a');
    assert.equal(k.end('a', p.producerId + 1n, 0, true), E.INVALID_PRODUCER_ID_MAPPING);
    assert.equal(k.end('a', p.producerId, 1, true), E.PRODUCER_FENCED);
    assert.equal(k.end('', p.producerId, 0, true), E.INVALID_REQUEST);
    assert.equal(k.state('a'), 'Ongoing');
  });
});

describe('transaction coordinator core: timeouts, expiration, loading', () => {
  it('aborts an Ongoing transaction past its timeout under a bumped epoch, not before', () => {
    const k = new TxnKit();
    const r = k.init('a', { timeoutMs: 1000 });
    k.add('a', r.producerId, 0, { t: [0] });
    k.clock.advance(1000);
    k.absorb(k.coordinator.abortTimedOutTransactions());
    assert.equal(k.state('a'), 'Ongoing', 'start + timeout < now, as Kafka');
    k.clock.advance(1);
    k.absorb(k.coordinator.abortTimedOutTransactions());
    assert.equal(k.state('a'), 'PrepareAbort');
    assert.deepEqual(
      k.markers.map((m) => [m.result, m.producerEpoch]),
      [['abort', 1]],
    );
    k.writeMarkers();
    assert.equal(k.state('a'), 'CompleteAbort');
    assert.equal(k.end('a', r.producerId, 0, true), E.PRODUCER_FENCED);
  });

  it('expires idle ids in Empty or Complete states with a tombstone; Ongoing ones stay', () => {
    const k = new TxnKit({ transactionalIdExpirationMs: 5000 });
    reach(k, 'empty', 'Empty');
    reach(k, 'done', 'CompleteCommit');
    reach(k, 'busy', 'Ongoing');
    k.clock.advance(4999);
    k.absorb(k.coordinator.removeExpiredTransactionalIds());
    assert.equal(k.coordinator.describeTransaction('empty').errorCode, E.NONE);
    k.clock.advance(1);
    k.absorb(k.coordinator.removeExpiredTransactionalIds());
    for (const id of ['empty', 'done']) {
      assert.equal(k.coordinator.describeTransaction(id).errorCode, E.TRANSACTIONAL_ID_NOT_FOUND);
      assert.ok(k.log.some((r) => r.record.transactionalId === id && r.record.value === null));
    }
    assert.equal(k.state('busy'), 'Ongoing');
    k.restart();
    assert.equal(k.coordinator.describeTransaction('done').errorCode, E.TRANSACTIONAL_ID_NOT_FOUND);
    assert.equal(k.state('busy'), 'Ongoing');
    // An expired id starts again with a fresh producer id.
    assert.equal(k.init('done').producerEpoch, 0);
  });

  it('a coordinator that loads a PrepareCommit writes the markers again and completes the commit', () => {
    const k = new TxnKit();
    const p = k.ongoing('a', { t: [0], u: [1] });
    k.end('a', p.producerId, p.producerEpoch, true);
    k.restart();
    assert.equal(k.state('a'), 'PrepareCommit');
    assert.deepEqual(
      k.markers.map((m) => [m.result, m.producerEpoch, m.coordinatorEpoch, m.partitions.length]),
      [['commit', 0, 1, 2]],
    );
    k.writeMarkers();
    assert.equal(k.state('a'), 'CompleteCommit');
    k.restart();
    assert.equal(k.state('a'), 'CompleteCommit');
    assert.deepEqual(k.markers, []);
  });

  it('rebuilds every id from the log: producer id, epoch, timeout, partitions, start time', () => {
    const k = new TxnKit();
    const p = k.ongoing('a', { t: [2, 0] });
    const before = { ...k.coordinator.transaction('a')! };
    k.restart();
    const after = k.coordinator.transaction('a')!;
    assert.deepEqual(
      [after.producerId, after.producerEpoch, after.txnTimeoutMs, after.state, after.txnStartTimestamp],
      [before.producerId, before.producerEpoch, before.txnTimeoutMs, before.state, before.txnStartTimestamp],
    );
    assert.deepEqual(k.coordinator.partitionsOf('a'), [{ topic: 't', partitions: [0, 2] }]);
    assert.equal(k.add('a', p.producerId, p.producerEpoch, { t: [3] }), E.NONE);
  });

  it('lists by state, producer id and duration; Describe reports what Kafka does', () => {
    const k = new TxnKit();
    const a = reach(k, 'a', 'Ongoing');
    reach(k, 'b', 'CompleteCommit');
    k.clock.advance(500);
    const all = k.coordinator.listTransactions({
      stateFilters: [],
      producerIdFilters: [],
      durationFilterMs: -1,
    });
    assert.deepEqual(
      all.transactionStates.map((t) => [t.transactionalId, t.transactionState]),
      [
        ['a', 'Ongoing'],
        ['b', 'CompleteCommit'],
      ],
    );
    const byState = k.coordinator.listTransactions({
      stateFilters: ['CompleteCommit', 'X'],
      producerIdFilters: [],
      durationFilterMs: -1,
    });
    assert.deepEqual(
      [byState.transactionStates.map((t) => t.transactionalId), byState.unknownStateFilters],
      [['b'], ['X']],
    );
    const byPid = k.coordinator.listTransactions({
      stateFilters: [],
      producerIdFilters: [a.producerId],
      durationFilterMs: -1,
    });
    assert.deepEqual(
      byPid.transactionStates.map((t) => t.transactionalId),
      ['a'],
    );
    const longer = k.coordinator.listTransactions({
      stateFilters: ['Ongoing'],
      producerIdFilters: [],
      durationFilterMs: 499,
    });
    assert.deepEqual(
      longer.transactionStates.map((t) => t.transactionalId),
      ['a'],
    );
    const tooLong = k.coordinator.listTransactions({
      stateFilters: ['Ongoing'],
      producerIdFilters: [],
      durationFilterMs: 500,
    });
    assert.deepEqual(tooLong.transactionStates, []);
    const d = k.coordinator.describeTransaction('a');
    assert.deepEqual(
      [d.errorCode, d.transactionState, d.producerId, d.producerEpoch, d.transactionTimeoutMs, d.topics],
      [E.NONE, 'Ongoing', a.producerId, 0, 60_000, [{ topic: 't', partitions: [0] }]],
    );
  });
});
