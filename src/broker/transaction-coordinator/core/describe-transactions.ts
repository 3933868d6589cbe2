import { ErrorCode } from '../../../protocol/error-codes.js';
import type { CoordinatorContext } from './coordinator-context.js';
import { sortedPartitions } from './transaction-metadata.js';
import {
  TransactionState as State,
  type TransactionState,
  transactionStateFromName,
  transactionStateName,
} from './transaction-state.js';

export interface DescribedTransaction {
  readonly errorCode: number;
  readonly transactionalId: string;
  readonly transactionState: string;
  readonly transactionTimeoutMs: number;
  readonly transactionStartTimeMs: bigint;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly topics: { topic: string; partitions: number[] }[];
}

/** DescribeTransactions for one id (TransactionCoordinator.handleDescribeTransactions). */
export function describeTransaction(c: CoordinatorContext, transactionalId: string): DescribedTransaction {
  const fail = (errorCode: number): DescribedTransaction => ({
    errorCode,
    transactionalId,
    transactionState: '',
    transactionTimeoutMs: 0,
    transactionStartTimeMs: -1n,
    producerId: -1n,
    producerEpoch: -1,
    topics: [],
  });
  if (transactionalId === '') return fail(ErrorCode.INVALID_REQUEST);
  const notHere = c.ownershipError(transactionalId);
  if (notHere !== null) return fail(notHere);
  const m = c.txns.get(transactionalId);
  if (!m || m.state === State.Dead) return fail(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  return {
    errorCode: ErrorCode.NONE,
    transactionalId,
    transactionState: transactionStateName(m.state),
    transactionTimeoutMs: m.txnTimeoutMs,
    transactionStartTimeMs: BigInt(m.txnStartTimestamp),
    producerId: m.producerId,
    producerEpoch: m.producerEpoch,
    topics: sortedPartitions(m.partitions),
  };
}

export interface ListTransactionsInput {
  readonly stateFilters: readonly string[];
  readonly producerIdFilters: readonly bigint[];
  /** v1+: only transactions running longer than this; -1 for all. */
  readonly durationFilterMs: number;
}

export interface ListedTransactions {
  readonly errorCode: number;
  readonly unknownStateFilters: string[];
  readonly transactionStates: { transactionalId: string; producerId: bigint; transactionState: string }[];
}

/** ListTransactions (TransactionStateManager.listTransactionStates): every id of the owned partitions that passes the filters; Dead ones never. */
export function listTransactions(c: CoordinatorContext, req: ListTransactionsInput): ListedTransactions {
  if (c.loading.size > 0)
    return {
      errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
      unknownStateFilters: [],
      transactionStates: [],
    };
  const unknownStateFilters: string[] = [];
  const states = new Set<TransactionState>();
  for (const name of req.stateFilters) {
    const s = transactionStateFromName(name);
    if (s === undefined) unknownStateFilters.push(name);
    else states.add(s);
  }
  const producerIds = new Set(req.producerIdFilters);
  const now = c.nowMs();
  const transactionStates: ListedTransactions['transactionStates'] = [];
  for (const m of c.txns.values()) {
    if (m.state === State.Dead) continue;
    if (producerIds.size > 0 && !producerIds.has(m.producerId)) continue;
    if (req.stateFilters.length > 0 && !states.has(m.state)) continue;
    if (req.durationFilterMs >= 0 && now - m.txnStartTimestamp <= req.durationFilterMs) continue;
    transactionStates.push({
      transactionalId: m.transactionalId,
      producerId: m.producerId,
      transactionState: transactionStateName(m.state),
    });
  }
  transactionStates.sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : 1));
  return { errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates };
}
