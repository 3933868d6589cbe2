import { ErrorCode } from '../../../protocol/error-codes.js';
import type { CoordinatorContext } from './coordinator-context.js';
import type { InitProducerIdResult } from './transaction-effects.js';
import {
  isEpochExhausted,
  MAX_PRODUCER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  type TransactionMetadata,
} from './transaction-metadata.js';
import { TransactionState } from './transaction-state.js';

export interface InitProducerIdInput {
  readonly transactionalId: string;
  readonly transactionTimeoutMs: number;
  /** v3+ (KIP-360): the producer's current id and epoch when it bumps its own epoch, else -1 and -1. */
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

const failed = (errorCode: number) => ({
  errorCode,
  producerId: NO_PRODUCER_ID,
  producerEpoch: NO_PRODUCER_EPOCH,
});

/**
 * InitProducerId with a transactional id, as Kafka's TransactionCoordinator.handleInitProducerId
 * (transaction version 0/1): a new id gets a fresh producer id at epoch 0; an existing one gets its
 * epoch bumped, which fences the previous producer; an ongoing transaction is aborted first under
 * the bumped epoch and the caller told CONCURRENT_TRANSACTIONS, so its retry bumps again once the
 * abort is complete. `freshProducerId` is a producer id allocated for this request when an earlier
 * call asked for one (`needProducerId`).
 */
export function initProducerId(
  c: CoordinatorContext,
  requestId: number,
  req: InitProducerIdInput,
  freshProducerId: bigint | undefined,
): void {
  const r = decide(c, req, freshProducerId);
  if (r === NEED_PRODUCER_ID) c.effects.push({ type: 'needProducerId', requestId });
  else c.respond(requestId, r);
}

const NEED_PRODUCER_ID = Symbol('need a producer id');

function decide(
  c: CoordinatorContext,
  req: InitProducerIdInput,
  freshProducerId: bigint | undefined,
): InitProducerIdResult | typeof NEED_PRODUCER_ID {
  if (req.transactionalId === '') return failed(ErrorCode.INVALID_REQUEST);
  if (req.transactionTimeoutMs <= 0 || req.transactionTimeoutMs > c.config.transactionMaxTimeoutMs)
    return failed(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  const notHere = c.ownershipError(req.transactionalId);
  if (notHere !== null) return failed(notHere);
  const expected =
    req.producerId === NO_PRODUCER_ID ? null : { producerId: req.producerId, epoch: req.producerEpoch };
  const now = c.nowMs();

  let m = c.txns.get(req.transactionalId);
  if (!m) {
    if (freshProducerId === undefined) return NEED_PRODUCER_ID;
    m = {
      transactionalId: req.transactionalId,
      producerId: freshProducerId,
      lastProducerId: NO_PRODUCER_ID,
      producerEpoch: NO_PRODUCER_EPOCH,
      lastProducerEpoch: NO_PRODUCER_EPOCH,
      txnTimeoutMs: req.transactionTimeoutMs,
      state: TransactionState.Empty,
      partitions: new Map(),
      txnStartTimestamp: -1,
      txnLastUpdateTimestamp: now,
    };
    freshProducerId = undefined;
    c.txns.set(m.transactionalId, m);
  }

  // Fence the caller unless the id is new, the expected producer id is the current one, or it is
  // the previous one with an exhausted epoch (a retry after a rotation it never heard about).
  if (
    expected &&
    !(
      m.producerEpoch === NO_PRODUCER_EPOCH ||
      expected.producerId === m.producerId ||
      (expected.producerId === m.lastProducerId && isEpochExhausted(expected.epoch))
    )
  )
    return failed(ErrorCode.PRODUCER_FENCED);

  switch (m.state) {
    case TransactionState.PrepareCommit:
    case TransactionState.PrepareAbort:
      return failed(ErrorCode.CONCURRENT_TRANSACTIONS);
    case TransactionState.Ongoing:
      // Abort the ongoing transaction under a bumped epoch (PrepareEpochFence then PrepareAbort in
      // Kafka, the first never written); the producer retries and is bumped again.
      fenceAndAbort(c, m, now);
      return failed(ErrorCode.CONCURRENT_TRANSACTIONS);
    case TransactionState.Empty:
    case TransactionState.CompleteCommit:
    case TransactionState.CompleteAbort:
      break;
    default:
      throw new Error(`transactional id ${m.transactionalId} in state ${m.state} cannot be initialized`);
  }

  if (isEpochExhausted(m.producerEpoch) && (!expected || expected.epoch === m.producerEpoch)) {
    // The epoch ran out: rotate to a new producer id at epoch 0 (prepareProducerIdRotation).
    if (freshProducerId === undefined) return NEED_PRODUCER_ID;
    m.lastProducerId = m.producerId;
    m.lastProducerEpoch = expected ? m.producerEpoch : NO_PRODUCER_EPOCH;
    m.producerId = freshProducerId;
    m.producerEpoch = 0;
  } else {
    // prepareIncrementProducerEpoch.
    const bumped = m.producerEpoch + 1;
    if (!expected) {
      m.lastProducerEpoch = NO_PRODUCER_EPOCH;
      m.producerEpoch = bumped;
    } else if (m.producerEpoch === NO_PRODUCER_EPOCH || expected.epoch === m.producerEpoch) {
      m.lastProducerEpoch = m.producerEpoch;
      m.producerEpoch = bumped;
    } else if (expected.epoch !== m.lastProducerEpoch) {
      // A retry of a bump that succeeded returns the current epoch; anything else is a zombie.
      return failed(ErrorCode.PRODUCER_FENCED);
    }
  }
  m.txnTimeoutMs = req.transactionTimeoutMs;
  m.state = TransactionState.Empty;
  m.partitions = new Map();
  m.txnStartTimestamp = -1;
  m.txnLastUpdateTimestamp = now;
  c.persist(m);
  return { errorCode: ErrorCode.NONE, producerId: m.producerId, producerEpoch: m.producerEpoch };
}

/**
 * Bumps the epoch of an Ongoing transaction and aborts it under the new epoch, so that the old
 * producer's writes and EndTxn are refused (prepareFenceProducerEpoch then endTransaction(ABORT)):
 * used when a new producer initializes the id and when the transaction times out.
 */
export function fenceAndAbort(c: CoordinatorContext, m: TransactionMetadata, now: number): void {
  if (m.producerEpoch < MAX_PRODUCER_EPOCH) m.producerEpoch += 1;
  m.lastProducerEpoch = NO_PRODUCER_EPOCH;
  m.state = TransactionState.PrepareAbort;
  m.txnLastUpdateTimestamp = now;
  c.persist(m);
  c.writeMarkers(m, 'abort');
}
