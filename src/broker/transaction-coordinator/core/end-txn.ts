import { ErrorCode } from '../../../protocol/error-codes.js';
import type { CoordinatorContext } from './coordinator-context.js';
import type { TransactionResult, TxnMarker } from './transaction-effects.js';
import { TransactionState } from './transaction-state.js';

export interface EndTxnInput {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly committed: boolean;
}

/**
 * EndTxn, as TransactionCoordinator.endTransaction for clients of transaction version 0/1: an
 * Ongoing transaction moves to PrepareCommit or PrepareAbort, and once that record is durable the
 * client is answered and the markers are written. A retry of an EndTxn that already completed is
 * answered NONE, one still writing its markers CONCURRENT_TRANSACTIONS, and the opposite result
 * INVALID_TXN_STATE.
 */
export function endTxn(c: CoordinatorContext, requestId: number, req: EndTxnInput): void {
  c.respond(requestId, { errorCode: decide(c, req) });
}

function decide(c: CoordinatorContext, req: EndTxnInput): number {
  if (req.transactionalId === '') return ErrorCode.INVALID_REQUEST;
  const notHere = c.ownershipError(req.transactionalId);
  if (notHere !== null) return notHere;
  const m = c.txns.get(req.transactionalId);
  if (!m || m.producerId !== req.producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
  if (req.producerEpoch !== m.producerEpoch) return ErrorCode.PRODUCER_FENCED;
  const commit = req.committed;
  switch (m.state) {
    case TransactionState.Ongoing:
      m.state = commit ? TransactionState.PrepareCommit : TransactionState.PrepareAbort;
      m.txnLastUpdateTimestamp = c.nowMs();
      c.persist(m);
      c.writeMarkers(m, commit ? 'commit' : 'abort');
      return ErrorCode.NONE;
    case TransactionState.CompleteCommit:
      return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
    case TransactionState.CompleteAbort:
      return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE;
    case TransactionState.PrepareCommit:
      return commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE;
    case TransactionState.PrepareAbort:
      return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS;
    default:
      return ErrorCode.INVALID_TXN_STATE;
  }
}

/**
 * Every partition of a transaction has its marker: PrepareCommit becomes CompleteCommit,
 * PrepareAbort CompleteAbort, and the partitions are cleared (TransactionMetadata.prepareComplete).
 * Markers written for a coordinator epoch or producer epoch that is no longer current are ignored,
 * as Kafka's TransactionMarkerChannelManager does when the partition moved or was reloaded.
 */
export function markersWritten(c: CoordinatorContext, marker: TxnMarker): void {
  if (c.owned.get(marker.txnPartition) !== marker.coordinatorEpoch || c.loading.has(marker.txnPartition))
    return;
  const m = c.txns.get(marker.transactionalId);
  const expected: TransactionState =
    marker.result === 'commit' ? TransactionState.PrepareCommit : TransactionState.PrepareAbort;
  if (
    !m ||
    m.state !== expected ||
    m.producerId !== marker.producerId ||
    m.producerEpoch !== marker.producerEpoch
  ) {
    c.log.debug(
      { transactionalId: marker.transactionalId, result: marker.result },
      'markers written for a transaction that has moved on; ignored',
    );
    return;
  }
  m.state = marker.result === 'commit' ? TransactionState.CompleteCommit : TransactionState.CompleteAbort;
  m.partitions = new Map();
  m.txnLastUpdateTimestamp = c.nowMs();
  c.persist(m);
}

/** The result markers of a Prepare state record, for a coordinator that loads one. */
export function pendingResult(state: TransactionState): TransactionResult | null {
  if (state === TransactionState.PrepareCommit) return 'commit';
  if (state === TransactionState.PrepareAbort) return 'abort';
  return null;
}
