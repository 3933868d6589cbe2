import { ErrorCode } from '../../../protocol/error-codes.js';
import { coordinatorPartitionFor } from '../../group-coordinator/core/find-coordinator.js';
import type { CoordinatorContext } from './coordinator-context.js';
import { addAll, containsAll, type TransactionPartitions } from './transaction-metadata.js';
import { TransactionState } from './transaction-state.js';

export interface AddPartitionsInput {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly partitions: TransactionPartitions;
}

export interface AddOffsetsInput {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly groupId: string;
}

/** The error of adding to `transactionalId`'s transaction, or null when it may go ahead (shared by AddPartitionsToTxn and AddOffsetsToTxn). */
function addError(
  c: CoordinatorContext,
  transactionalId: string,
  producerId: bigint,
  epoch: number,
): number | null {
  if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
  const notHere = c.ownershipError(transactionalId);
  if (notHere !== null) return notHere;
  const m = c.txns.get(transactionalId);
  if (!m || m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
  if (m.producerEpoch !== epoch) return ErrorCode.PRODUCER_FENCED;
  if (m.state === TransactionState.PrepareCommit || m.state === TransactionState.PrepareAbort)
    return ErrorCode.CONCURRENT_TRANSACTIONS;
  return null;
}

/**
 * AddPartitionsToTxn (TransactionCoordinator.handleAddPartitionsToTransaction): the partitions
 * join the transaction, which becomes Ongoing (its start time set when it was not); partitions
 * already in an Ongoing transaction are answered at once without a record.
 */
export function addPartitions(c: CoordinatorContext, requestId: number, req: AddPartitionsInput): void {
  const error = addError(c, req.transactionalId, req.producerId, req.producerEpoch);
  if (error !== null) {
    c.respond(requestId, { errorCode: error });
    return;
  }
  const m = c.txns.get(req.transactionalId)!;
  if (m.state === TransactionState.Ongoing && containsAll(m.partitions, req.partitions)) {
    c.respond(requestId, { errorCode: ErrorCode.NONE });
    return;
  }
  const now = c.nowMs();
  if (m.state !== TransactionState.Ongoing) m.txnStartTimestamp = now;
  addAll(m.partitions, req.partitions);
  m.state = TransactionState.Ongoing;
  m.txnLastUpdateTimestamp = now;
  c.persist(m);
  c.respond(requestId, { errorCode: ErrorCode.NONE });
}

/** AddOffsetsToTxn: the group's __consumer_offsets partition joins the transaction (KafkaApis.handleAddOffsetsToTxnRequest). */
export function addOffsets(c: CoordinatorContext, requestId: number, req: AddOffsetsInput): void {
  const partition = coordinatorPartitionFor(req.groupId, c.config.offsetsTopicNumPartitions);
  addPartitions(c, requestId, {
    transactionalId: req.transactionalId,
    producerId: req.producerId,
    producerEpoch: req.producerEpoch,
    partitions: new Map([['__consumer_offsets', new Set([partition])]]),
  });
}

/**
 * The verify-only form of AddPartitionsToTxn v4+ (KIP-890), which a partition leader sends
 * before appending a transactional batch (TransactionCoordinator.handleVerifyPartitionsInTransaction):
 * per partition NONE when it is in the transaction, TRANSACTION_ABORTABLE when not; one error for
 * all when the producer does not match. Changes nothing.
 */
export function verifyPartitions(
  c: CoordinatorContext,
  req: AddPartitionsInput,
): { errorCode: number; partitionErrors: Map<string, Map<number, number>> } {
  let error: number | null;
  if (req.transactionalId === '') error = ErrorCode.INVALID_REQUEST;
  else error = c.ownershipError(req.transactionalId);
  const m = error === null ? c.txns.get(req.transactionalId) : undefined;
  if (error === null) {
    if (!m || m.producerId !== req.producerId) error = ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    else if (m.producerEpoch !== req.producerEpoch) error = ErrorCode.PRODUCER_FENCED;
    else if (m.state === TransactionState.PrepareCommit || m.state === TransactionState.PrepareAbort)
      error = ErrorCode.CONCURRENT_TRANSACTIONS;
  }
  const partitionErrors = new Map<string, Map<number, number>>();
  for (const [topic, parts] of req.partitions) {
    const byPartition = new Map<number, number>();
    for (const p of parts) {
      byPartition.set(
        p,
        error ?? (m!.partitions.get(topic)?.has(p) ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE),
      );
    }
    partitionErrors.set(topic, byPartition);
  }
  return { errorCode: error ?? ErrorCode.NONE, partitionErrors };
}
