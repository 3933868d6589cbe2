import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../../src/broker/start-broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import type { WriteTxnMarkersResponse } from '../../../src/protocol/generated/messages/write-txn-markers-response.js';
import { request } from '../../helpers/request.js';
import {
  addPartitions,
  awaitTxnState,
  createTopic,
  describeTxn,
  endTxn,
  findTxnCoordinator,
  initProducerId,
  initProducerIdRetrying,
  listTxns,
  markersIn,
  produceTxn,
} from './txn-requests.js';

describe('transaction coordinator through the wire protocol', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strom-txn-'));
  let b: StartedBroker;
  before(async () => {
    b = await startBroker({
      logDir: dir,
      config: { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '50' },
    });
    await createTopic(b.bootstrap, 'orders', 2);
  });
  after(async () => {
    await b?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds this broker as the coordinator of a transactional id, creating __transaction_state', async () => {
    const r = await findTxnCoordinator(b.bootstrap, 'txn-find');
    assert.equal(r.coordinators[0]!.errorCode, ErrorCode.NONE);
    assert.equal(r.coordinators[0]!.nodeId, b.broker.services.nodeId);
    const v1 = await findTxnCoordinator(b.bootstrap, 'txn-find', 1);
    assert.equal(v1.errorCode, ErrorCode.NONE);
    assert.equal(v1.nodeId, b.broker.services.nodeId);
    assert.equal(b.broker.services.metadata.image.topic('__transaction_state')?.partitions.size, 50);
  });

  it('commits: markers on every partition of the transaction, then CompleteCommit', async () => {
    await findTxnCoordinator(b.bootstrap, 'txn-commit');
    const init = await initProducerId(b.bootstrap, 'txn-commit');
    assert.equal(init.errorCode, ErrorCode.NONE);
    assert.equal(init.producerEpoch, 0);
    const pid = init.producerId;
    const added = await addPartitions(b.bootstrap, 'txn-commit', pid, 0, [
      { name: 'orders', partitions: [0, 1] },
    ]);
    assert.deepEqual(added, [ErrorCode.NONE, ErrorCode.NONE]);
    const ongoing = await describeTxn(b.bootstrap, 'txn-commit');
    assert.equal(ongoing.transactionState, 'Ongoing');
    assert.deepEqual(ongoing.topics, [{ topic: 'orders', partitions: [0, 1] }]);
    assert.equal(await endTxn(b.bootstrap, 'txn-commit', pid, 0, true), ErrorCode.NONE);
    const done = await awaitTxnState(b.bootstrap, 'txn-commit', 'CompleteCommit');
    assert.deepEqual(done.topics, []);
    for (const p of [0, 1]) {
      const m = markersIn(b, 'orders', p).filter((x) => x.producerId === pid);
      assert.equal(m.length, 1);
      assert.deepEqual(
        { commit: m[0]!.commit, producerEpoch: m[0]!.producerEpoch },
        { commit: true, producerEpoch: 0 },
      );
    }
    // A retried EndTxn of the same result succeeds; the other result is INVALID_TXN_STATE.
    assert.equal(await endTxn(b.bootstrap, 'txn-commit', pid, 0, true), ErrorCode.NONE);
    assert.equal(await endTxn(b.bootstrap, 'txn-commit', pid, 0, false), ErrorCode.INVALID_TXN_STATE);
  });

  it('aborts: abort markers, then CompleteAbort; EndTxn on an Empty transaction is INVALID_TXN_STATE', async () => {
    await findTxnCoordinator(b.bootstrap, 'txn-abort');
    const { producerId: pid } = await initProducerId(b.bootstrap, 'txn-abort');
    assert.equal(await endTxn(b.bootstrap, 'txn-abort', pid, 0, false), ErrorCode.INVALID_TXN_STATE);
    assert.deepEqual(
      await addPartitions(b.bootstrap, 'txn-abort', pid, 0, [{ name: 'orders', partitions: [1] }]),
      [ErrorCode.NONE],
    );
    assert.equal(await endTxn(b.bootstrap, 'txn-abort', pid, 0, false), ErrorCode.NONE);
    await awaitTxnState(b.bootstrap, 'txn-abort', 'CompleteAbort');
    const m = markersIn(b, 'orders', 1).filter((x) => x.producerId === pid);
    assert.deepEqual(
      m.map((x) => x.commit),
      [false],
    );
  });

  it('takes transactional batches only on partitions added to the transaction (KIP-890), then commits them', async () => {
    await findTxnCoordinator(b.bootstrap, 'txn-produce');
    const { producerId, producerEpoch } = await initProducerId(b.bootstrap, 'txn-produce');
    const at = (baseSequence: number) => ({ producerId, producerEpoch, baseSequence });
    const notAdded = await produceTxn(b.bootstrap, 'txn-produce', 'orders', 0, at(0), ['x']);
    assert.equal(notAdded.errorCode, ErrorCode.INVALID_TXN_STATE);
    await addPartitions(b.bootstrap, 'txn-produce', producerId, producerEpoch, [
      { name: 'orders', partitions: [0] },
    ]);
    const first = await produceTxn(b.bootstrap, 'txn-produce', 'orders', 0, at(0), ['a', 'b']);
    assert.equal(first.errorCode, ErrorCode.NONE);
    assert.equal(
      (await produceTxn(b.bootstrap, 'txn-produce', 'orders', 0, at(2), ['c'])).errorCode,
      ErrorCode.NONE,
    );
    assert.equal(await endTxn(b.bootstrap, 'txn-produce', producerId, producerEpoch, true), ErrorCode.NONE);
    await awaitTxnState(b.bootstrap, 'txn-produce', 'CompleteCommit');
    const marker = markersIn(b, 'orders', 0).filter((m) => m.producerId === producerId);
    assert.deepEqual(
      marker.map((m) => [m.commit, m.offset > Number(first.baseOffset) + 2]),
      [[true, true]],
    );
    // The next transaction of the same producer continues its sequence; the partition must be added again.
    assert.equal(
      (await produceTxn(b.bootstrap, 'txn-produce', 'orders', 0, at(3), ['d'])).errorCode,
      ErrorCode.INVALID_TXN_STATE,
    );
    await addPartitions(b.bootstrap, 'txn-produce', producerId, producerEpoch, [
      { name: 'orders', partitions: [0] },
    ]);
    assert.equal(
      (await produceTxn(b.bootstrap, 'txn-produce', 'orders', 0, at(3), ['d'])).errorCode,
      ErrorCode.NONE,
    );
    assert.equal(await endTxn(b.bootstrap, 'txn-produce', producerId, producerEpoch, false), ErrorCode.NONE);
    await awaitTxnState(b.bootstrap, 'txn-produce', 'CompleteAbort');
    // A fenced producer's batch: INVALID_PRODUCER_EPOCH.
    await initProducerId(b.bootstrap, 'txn-produce');
    const zombie = await produceTxn(b.bootstrap, 'txn-produce', 'orders', 0, at(4), ['z']);
    assert.equal(zombie.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it('WriteTxnMarkers appends the markers another coordinator asks for, per partition', async () => {
    const producerId = 424242n;
    const r = await request<WriteTxnMarkersResponse>(b.bootstrap, ApiKey.WriteTxnMarkers, 1, {
      markers: [
        {
          producerId,
          producerEpoch: 3,
          transactionResult: true,
          coordinatorEpoch: 7,
          topics: [
            { name: 'orders', partitionIndexes: [1] },
            { name: 'no-such-topic', partitionIndexes: [0] },
          ],
        },
      ],
    });
    assert.deepEqual(
      r.markers[0]!.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
      [
        ['orders', [[1, ErrorCode.NONE]]],
        ['no-such-topic', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
      ],
    );
    const m = markersIn(b, 'orders', 1).filter((x) => x.producerId === producerId);
    assert.deepEqual(
      m.map((x) => [x.commit, x.producerEpoch, x.coordinatorEpoch]),
      [[true, 3, 7]],
    );
  });

  it('refuses unknown partitions, unknown producer ids and wrong epochs with Kafka error codes', async () => {
    await findTxnCoordinator(b.bootstrap, 'txn-bad');
    const { producerId: pid } = await initProducerId(b.bootstrap, 'txn-bad');
    assert.deepEqual(
      await addPartitions(b.bootstrap, 'txn-bad', pid, 0, [
        { name: 'orders', partitions: [0] },
        { name: 'missing', partitions: [0] },
      ]),
      [ErrorCode.OPERATION_NOT_ATTEMPTED, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    );
    assert.deepEqual(
      await addPartitions(b.bootstrap, 'txn-bad', pid + 1000n, 0, [{ name: 'orders', partitions: [0] }]),
      [ErrorCode.INVALID_PRODUCER_ID_MAPPING],
    );
    assert.equal(
      await endTxn(b.bootstrap, 'never-initialized', 1n, 0, true),
      ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    );
    assert.equal((await initProducerId(b.bootstrap, '')).errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal(
      (await initProducerId(b.bootstrap, 'txn-bad', { timeoutMs: 900_001 })).errorCode,
      ErrorCode.INVALID_TRANSACTION_TIMEOUT,
    );
    assert.equal(
      (await describeTxn(b.bootstrap, 'no-such-id')).errorCode,
      ErrorCode.TRANSACTIONAL_ID_NOT_FOUND,
    );
  });

  it('fences the producer of an ongoing transaction when a new one initializes the id', async () => {
    await findTxnCoordinator(b.bootstrap, 'txn-fence');
    const first = await initProducerId(b.bootstrap, 'txn-fence');
    const pid = first.producerId;
    await addPartitions(b.bootstrap, 'txn-fence', pid, 0, [{ name: 'orders', partitions: [0] }]);
    // The new producer's first attempt aborts the ongoing transaction under epoch 1.
    assert.equal(
      (await initProducerId(b.bootstrap, 'txn-fence')).errorCode,
      ErrorCode.CONCURRENT_TRANSACTIONS,
    );
    const second = await initProducerIdRetrying(b.bootstrap, 'txn-fence');
    assert.equal(second.errorCode, ErrorCode.NONE);
    assert.equal(second.producerId, pid);
    assert.equal(second.producerEpoch, 2);
    const aborts = markersIn(b, 'orders', 0).filter((x) => x.producerId === pid);
    assert.deepEqual(
      aborts.map((x) => ({ commit: x.commit, producerEpoch: x.producerEpoch })),
      [{ commit: false, producerEpoch: 1 }],
    );
    // The zombie: PRODUCER_FENCED, or INVALID_PRODUCER_EPOCH for clients before KIP-588.
    assert.deepEqual(
      await addPartitions(b.bootstrap, 'txn-fence', pid, 0, [{ name: 'orders', partitions: [1] }]),
      [ErrorCode.PRODUCER_FENCED],
    );
    assert.deepEqual(
      await addPartitions(b.bootstrap, 'txn-fence', pid, 0, [{ name: 'orders', partitions: [1] }], 1),
      [ErrorCode.INVALID_PRODUCER_EPOCH],
    );
    assert.equal(await endTxn(b.bootstrap, 'txn-fence', pid, 0, true), ErrorCode.PRODUCER_FENCED);
    // KIP-360: the producer of epoch 2 bumps its own epoch; a stale expected epoch is fenced.
    const bumped = await initProducerId(b.bootstrap, 'txn-fence', { producerId: pid, producerEpoch: 2 });
    assert.deepEqual([bumped.errorCode, bumped.producerEpoch], [ErrorCode.NONE, 3]);
    const stale = await initProducerId(b.bootstrap, 'txn-fence', { producerId: pid, producerEpoch: 0 });
    assert.equal(stale.errorCode, ErrorCode.PRODUCER_FENCED);
    assert.equal(
      (await initProducerId(b.bootstrap, 'txn-fence', { producerId: pid, producerEpoch: 0, version: 3 }))
        .errorCode,
      ErrorCode.INVALID_PRODUCER_EPOCH,
    );
  });

  it('aborts a transaction past its timeout under a bumped epoch', async () => {
    await findTxnCoordinator(b.bootstrap, 'txn-timeout');
    const { producerId: pid } = await initProducerId(b.bootstrap, 'txn-timeout', { timeoutMs: 100 });
    await addPartitions(b.bootstrap, 'txn-timeout', pid, 0, [{ name: 'orders', partitions: [1] }]);
    const aborted = await awaitTxnState(b.bootstrap, 'txn-timeout', 'CompleteAbort');
    assert.equal(aborted.producerEpoch, 1);
    assert.equal(await endTxn(b.bootstrap, 'txn-timeout', pid, 0, true), ErrorCode.PRODUCER_FENCED);
    const m = markersIn(b, 'orders', 1).filter((x) => x.producerId === pid);
    assert.deepEqual(
      m.map((x) => ({ commit: x.commit, producerEpoch: x.producerEpoch })),
      [{ commit: false, producerEpoch: 1 }],
    );
  });

  it('lists transactions by state and producer id', async () => {
    await findTxnCoordinator(b.bootstrap, 'txn-list');
    const { producerId: pid } = await initProducerId(b.bootstrap, 'txn-list');
    await addPartitions(b.bootstrap, 'txn-list', pid, 0, [{ name: 'orders', partitions: [0] }]);
    const ongoing = await listTxns(b.bootstrap, { states: ['Ongoing', 'Bogus'] });
    assert.equal(ongoing.errorCode, ErrorCode.NONE);
    assert.deepEqual(ongoing.unknownStateFilters, ['Bogus']);
    assert.deepEqual(
      ongoing.transactionStates.map((t) => [t.transactionalId, t.transactionState]),
      [['txn-list', 'Ongoing']],
    );
    const byPid = await listTxns(b.bootstrap, { producerIds: [pid] });
    assert.deepEqual(
      byPid.transactionStates.map((t) => t.transactionalId),
      ['txn-list'],
    );
    const longRunning = await listTxns(b.bootstrap, { states: ['Ongoing'], durationMs: 3_600_000n });
    assert.deepEqual(longRunning.transactionStates, []);
    await endTxn(b.bootstrap, 'txn-list', pid, 0, false);
  });

  it('keeps every transactional id across a restart', async () => {
    const before = await describeTxn(b.bootstrap, 'txn-fence');
    await b.close();
    b = await startBroker({ logDir: dir });
    await findTxnCoordinator(b.bootstrap, 'txn-fence');
    const after = await describeTxn(b.bootstrap, 'txn-fence');
    assert.deepEqual(
      [after.errorCode, after.producerId, after.producerEpoch, after.transactionState],
      [ErrorCode.NONE, before.producerId, before.producerEpoch, before.transactionState],
    );
    const next = await initProducerId(b.bootstrap, 'txn-fence');
    assert.deepEqual([next.producerId, next.producerEpoch], [before.producerId, before.producerEpoch + 1]);
  });
});
