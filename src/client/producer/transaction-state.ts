import { ErrorCode } from '../../protocol/error-codes.js';
import { ClientError, KafkaError } from '../client-error.js';

/** The states of Kafka's TransactionManager, with its names. */
export type TransactionStateName =
  | 'UNINITIALIZED'
  | 'INITIALIZING'
  | 'READY'
  | 'IN_TRANSACTION'
  | 'COMMITTING_TRANSACTION'
  | 'ABORTING_TRANSACTION'
  | 'ABORTABLE_ERROR'
  | 'FATAL_ERROR';

/** Which states each state may be entered from (TransactionManager.State.isTransitionValid). */
const VALID_SOURCES: Readonly<Record<TransactionStateName, readonly TransactionStateName[] | 'any'>> = {
  UNINITIALIZED: ['READY', 'ABORTABLE_ERROR'],
  INITIALIZING: ['UNINITIALIZED', 'ABORTING_TRANSACTION'],
  READY: ['INITIALIZING', 'COMMITTING_TRANSACTION', 'ABORTING_TRANSACTION'],
  IN_TRANSACTION: ['READY'],
  COMMITTING_TRANSACTION: ['IN_TRANSACTION'],
  ABORTING_TRANSACTION: ['IN_TRANSACTION', 'ABORTABLE_ERROR'],
  ABORTABLE_ERROR: ['IN_TRANSACTION', 'COMMITTING_TRANSACTION', 'ABORTABLE_ERROR', 'INITIALIZING'],
  // FATAL_ERROR can be entered from anywhere and is never left: only close() remains.
  FATAL_ERROR: 'any',
};

/** Kafka errors that end the producer for good, whatever the request (Sender/TransactionManager). */
const FATAL_CODES: ReadonlySet<number> = new Set([
  ErrorCode.PRODUCER_FENCED,
  ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  ErrorCode.UNSUPPORTED_VERSION,
  ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
]);

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * The transactional producer's state, as Kafka's TransactionManager keeps it (KIP-98): the state
 * machine, the last error, and which partitions the current transaction holds. An error is
 * abortable (the application calls abortTransaction and goes on) or fatal (PRODUCER_FENCED and
 * authorization: the producer can only be closed). Pure: the TransactionManager does the I/O.
 */
export class TransactionState {
  state: TransactionStateName = 'UNINITIALIZED';
  lastError: Error | null = null;
  /** A batch failed mid-transaction: the abort bumps the epoch with InitProducerId (KIP-360). */
  epochBumpRequired = false;
  /** Partitions the coordinator has added to the transaction: batches for them may be sent. */
  private readonly added = new Set<string>();
  /** Partitions written to and not yet sent in an AddPartitionsToTxn. */
  private readonly newPartitions = new Map<string, { topic: string; partition: number }>();
  /** Partitions in an AddPartitionsToTxn awaiting its answer. */
  private readonly pending = new Set<string>();

  constructor(readonly transactionalId: string) {}

  transitionTo(target: TransactionStateName, error: Error | null = null): void {
    const sources = VALID_SOURCES[target];
    if (sources !== 'any' && !sources.includes(this.state)) {
      throw new ClientError(
        'ILLEGAL_STATE',
        `TransactionalId ${this.transactionalId}: Invalid transition attempted from state ${this.state} to state ${target}`,
      );
    }
    if (target === 'ABORTABLE_ERROR' || target === 'FATAL_ERROR') this.lastError = error;
    else this.lastError = null;
    this.state = target;
  }

  get hasFatalError(): boolean {
    return this.state === 'FATAL_ERROR';
  }

  get hasAbortableError(): boolean {
    return this.state === 'ABORTABLE_ERROR';
  }

  get isCompleting(): boolean {
    return this.state === 'COMMITTING_TRANSACTION' || this.state === 'ABORTING_TRANSACTION';
  }

  /**
   * TransactionManager.maybeFailWithError: a call made in an error state fails. A fenced producer
   * gets PRODUCER_FENCED again; any other error is wrapped, the state's error as its cause.
   */
  failIfInError(): void {
    if (this.state !== 'ABORTABLE_ERROR' && this.state !== 'FATAL_ERROR') return;
    const cause = this.lastError;
    if (cause instanceof KafkaError && cause.kafkaCode === ErrorCode.PRODUCER_FENCED)
      throw fencedError(this.transactionalId);
    const kind = this.state === 'FATAL_ERROR' ? 'fatal' : 'abortable';
    throw new ClientError(
      'TRANSACTION_FAILED',
      `Cannot execute transactional method because we are in an error state (${kind}): ${cause?.message ?? 'unknown'}`,
      { cause, retriable: false },
    );
  }

  /** A record for `topic`/`partition` is sent in the transaction (TransactionManager.maybeAddPartition). */
  maybeAddPartition(topic: string, partition: number): void {
    this.failIfInError();
    if (this.state !== 'IN_TRANSACTION') {
      throw new ClientError(
        'ILLEGAL_STATE',
        this.state === 'UNINITIALIZED' || this.state === 'INITIALIZING'
          ? `Cannot add partition ${topic}-${partition} to transaction before completing a call to initTransactions`
          : `Cannot add partition ${topic}-${partition} to transaction while in state ${this.state}`,
      );
    }
    const key = partitionKey(topic, partition);
    if (this.added.has(key) || this.pending.has(key) || this.newPartitions.has(key)) return;
    this.newPartitions.set(key, { topic, partition });
  }

  isSendToPartitionAllowed(topic: string, partition: number): boolean {
    return !this.hasFatalError && this.added.has(partitionKey(topic, partition));
  }

  get hasPartitionsToAdd(): boolean {
    return this.newPartitions.size > 0;
  }

  get hasPendingPartitions(): boolean {
    return this.pending.size > 0;
  }

  /** Moves the new partitions to pending, for one AddPartitionsToTxn; the list it is to carry. */
  takeNewPartitions(): { topic: string; partition: number }[] {
    const out = [...this.newPartitions.values()];
    for (const k of this.newPartitions.keys()) this.pending.add(k);
    this.newPartitions.clear();
    return out;
  }

  /**
   * AddPartitionsToTxn answered. Pending partitions leave the pending set whatever the outcome,
   * as in Kafka: after an error the transaction is aborted, and batches already retrying for
   * partitions that were added must still be able to go out.
   */
  partitionsAdded(partitions: readonly { topic: string; partition: number }[], ok: boolean): void {
    for (const p of partitions) {
      const key = partitionKey(p.topic, p.partition);
      this.pending.delete(key);
      if (ok) this.added.add(key);
    }
  }

  /** AddPartitionsToTxn is to be sent again (retriable error): the partitions go back to new. */
  partitionsToRetry(partitions: readonly { topic: string; partition: number }[]): void {
    for (const p of partitions) {
      const key = partitionKey(p.topic, p.partition);
      this.pending.delete(key);
      if (!this.added.has(key)) this.newPartitions.set(key, p);
    }
  }

  get partitionCount(): number {
    return this.added.size;
  }

  abortableError(error: Error, bumpEpoch = false): void {
    if (this.state === 'ABORTING_TRANSACTION') return;
    if (this.hasFatalError) return;
    if (bumpEpoch) this.epochBumpRequired = true;
    this.transitionTo('ABORTABLE_ERROR', error);
  }

  fatalError(error: Error): void {
    this.transitionTo('FATAL_ERROR', error);
  }

  /**
   * A produced batch failed for good (TransactionManager.maybeTransitionToErrorState): fencing and
   * authorization are fatal; anything else aborts the transaction, and since that batch's
   * sequence is lost, the abort bumps the epoch so that sequences restart from 0.
   */
  batchFailed(error: Error): void {
    if (this.hasFatalError) return;
    if (isFatal(error)) {
      this.fatalError(error);
      return;
    }
    if (this.state === 'ABORTING_TRANSACTION') {
      this.epochBumpRequired = true;
      return;
    }
    if (this.state === 'IN_TRANSACTION' || this.state === 'COMMITTING_TRANSACTION' || this.hasAbortableError)
      this.abortableError(error, true);
  }

  /** EndTxn answered: back to READY, or INITIALIZING when an epoch bump must come first. */
  completeTransaction(): void {
    this.transitionTo(this.epochBumpRequired ? 'INITIALIZING' : 'READY');
    this.added.clear();
    this.pending.clear();
    this.newPartitions.clear();
  }

  /** Aborting: partitions not yet added never will be (TransactionManager.beginAbort). */
  clearNewPartitions(): void {
    this.newPartitions.clear();
  }
}

/** PRODUCER_FENCED and the authorization errors end the producer; INVALID_PRODUCER_EPOCH from a coordinator is fencing too. */
export function isFatal(error: Error): boolean {
  return error instanceof KafkaError && FATAL_CODES.has(error.kafkaCode);
}

/** The error a coordinator's INVALID_PRODUCER_EPOCH or PRODUCER_FENCED becomes: the producer is fenced. */
export function fencedError(context: string): KafkaError {
  return new KafkaError(ErrorCode.PRODUCER_FENCED, context);
}
