import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../../src/broker/start-broker.js';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import type { FindCoordinatorResponse } from '../../../src/protocol/generated/messages/find-coordinator-response.js';
import type { OffsetFetchResponse } from '../../../src/protocol/generated/messages/offset-fetch-response.js';
import type { TxnOffsetCommitResponse } from '../../../src/protocol/generated/messages/txn-offset-commit-response.js';
import { request } from '../../helpers/request.js';
import {
  addOffsets,
  awaitTxnState,
  createTopic,
  endTxn,
  findTxnCoordinator,
  initProducerId,
} from './txn-requests.js';

async function txnCommit(
  bootstrap: string,
  transactionalId: string,
  producerId: bigint,
  groupId: string,
  offset: bigint,
): Promise<number[]> {
  const r = await request<TxnOffsetCommitResponse>(bootstrap, ApiKey.TxnOffsetCommit, 3, {
    transactionalId,
    groupId,
    producerId,
    producerEpoch: 0,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [
      {
        name: 'in',
        partitions: [
          { partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: 'm' },
        ],
      },
      {
        name: 'gone',
        partitions: [
          { partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null },
        ],
      },
    ],
  });
  return r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));
}

async function fetchOffset(bootstrap: string, groupId: string, requireStable: boolean) {
  const r = await request<OffsetFetchResponse>(bootstrap, ApiKey.OffsetFetch, 7, {
    groupId,
    topics: [{ name: 'in', partitionIndexes: [0] }],
    requireStable,
  });
  const p = r.topics[0]!.partitions[0]!;
  return { offset: p.committedOffset, errorCode: p.errorCode };
}

describe('transactional offset commits (TxnOffsetCommit)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strom-txn-offsets-'));
  let b: StartedBroker;
  before(async () => {
    b = await startBroker({ logDir: dir });
    await createTopic(b.bootstrap, 'in');
    await request<FindCoordinatorResponse>(b.bootstrap, ApiKey.FindCoordinator, 3, { key: 'g', keyType: 0 });
    await findTxnCoordinator(b.bootstrap, 'tx-offsets');
  });
  after(async () => {
    await b?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are invisible until the transaction commits, UNSTABLE_OFFSET_COMMIT with require_stable, dropped on abort', async () => {
    const { producerId } = await initProducerId(b.bootstrap, 'tx-offsets');
    // The group's partition must be added to the transaction first (KIP-890).
    assert.deepEqual(await txnCommit(b.bootstrap, 'tx-offsets', producerId, 'g', 42n), [
      ErrorCode.INVALID_TXN_STATE,
      ErrorCode.INVALID_TXN_STATE,
    ]);
    assert.equal(await addOffsets(b.bootstrap, 'tx-offsets', producerId, 0, 'g'), ErrorCode.NONE);
    assert.deepEqual(await txnCommit(b.bootstrap, 'tx-offsets', producerId, 'g', 42n), [
      ErrorCode.NONE,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    assert.deepEqual(await fetchOffset(b.bootstrap, 'g', true), {
      offset: -1n,
      errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
    });
    assert.deepEqual(await fetchOffset(b.bootstrap, 'g', false), { offset: -1n, errorCode: ErrorCode.NONE });
    assert.equal(await endTxn(b.bootstrap, 'tx-offsets', producerId, 0, true), ErrorCode.NONE);
    await awaitTxnState(b.bootstrap, 'tx-offsets', 'CompleteCommit');
    assert.deepEqual(await fetchOffset(b.bootstrap, 'g', true), { offset: 42n, errorCode: ErrorCode.NONE });

    await addOffsets(b.bootstrap, 'tx-offsets', producerId, 0, 'g');
    await txnCommit(b.bootstrap, 'tx-offsets', producerId, 'g', 50n);
    assert.equal(await endTxn(b.bootstrap, 'tx-offsets', producerId, 0, false), ErrorCode.NONE);
    await awaitTxnState(b.bootstrap, 'tx-offsets', 'CompleteAbort');
    assert.deepEqual(await fetchOffset(b.bootstrap, 'g', true), { offset: 42n, errorCode: ErrorCode.NONE });
  });

  it('a pending commit survives a restart and completes with its transaction', async () => {
    const { producerId, producerEpoch: epoch } = await initProducerId(b.bootstrap, 'tx-offsets');
    assert.equal(epoch, 1);
    assert.equal(await addOffsets(b.bootstrap, 'tx-offsets', producerId, epoch, 'g'), ErrorCode.NONE);
    const r = await request<TxnOffsetCommitResponse>(b.bootstrap, ApiKey.TxnOffsetCommit, 3, {
      transactionalId: 'tx-offsets',
      groupId: 'g',
      producerId,
      producerEpoch: epoch,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: 'in',
          partitions: [
            { partitionIndex: 0, committedOffset: 77n, committedLeaderEpoch: -1, committedMetadata: '' },
          ],
        },
      ],
    });
    assert.equal(r.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
    await b.close();
    b = await startBroker({ logDir: dir });
    await request<FindCoordinatorResponse>(b.bootstrap, ApiKey.FindCoordinator, 3, { key: 'g', keyType: 0 });
    await findTxnCoordinator(b.bootstrap, 'tx-offsets');
    assert.deepEqual(await fetchOffset(b.bootstrap, 'g', true), {
      offset: -1n,
      errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
    });
    assert.deepEqual(await fetchOffset(b.bootstrap, 'g', false), { offset: 42n, errorCode: ErrorCode.NONE });
    assert.equal(await endTxn(b.bootstrap, 'tx-offsets', producerId, epoch, true), ErrorCode.NONE);
    await awaitTxnState(b.bootstrap, 'tx-offsets', 'CompleteCommit');
    assert.deepEqual(await fetchOffset(b.bootstrap, 'g', true), { offset: 77n, errorCode: ErrorCode.NONE });
    // And after another restart, the marker replayed from the log gives the same answer.
    await b.close();
    b = await startBroker({ logDir: dir });
    await request<FindCoordinatorResponse>(b.bootstrap, ApiKey.FindCoordinator, 3, { key: 'g', keyType: 0 });
    assert.deepEqual(await fetchOffset(b.bootstrap, 'g', true), { offset: 77n, errorCode: ErrorCode.NONE });
  });
});
