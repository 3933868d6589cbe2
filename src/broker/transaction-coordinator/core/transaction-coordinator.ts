import type { Clock } from '../../../common/clock.js';
import { type Logger, noopLogger } from '../../../common/logger.js';
import {
  type AddOffsetsInput,
  type AddPartitionsInput,
  addOffsets,
  addPartitions,
  verifyPartitions,
} from './add-partitions.js';
import { CoordinatorContext } from './coordinator-context.js';
import {
  type DescribedTransaction,
  describeTransaction,
  type ListedTransactions,
  type ListTransactionsInput,
  listTransactions,
} from './describe-transactions.js';
import { type EndTxnInput, endTxn, markersWritten, pendingResult } from './end-txn.js';
import { fenceAndAbort, type InitProducerIdInput, initProducerId } from './init-producer-id.js';
import {
  DEFAULT_TRANSACTION_COORDINATOR_CONFIG,
  type TransactionCoordinatorConfig,
} from './transaction-coordinator-config.js';
import type { TxnEffect, TxnMarker } from './transaction-effects.js';
import { sortedPartitions, type TransactionMetadata } from './transaction-metadata.js';
import { metadataOfRecord, type TransactionRecord } from './transaction-record-codec.js';
import { isExpirationAllowed, TransactionState } from './transaction-state.js';

export interface TransactionCoordinatorOptions {
  readonly config?: Partial<TransactionCoordinatorConfig>;
  readonly clock: Clock;
  readonly log?: Logger;
}

/**
 * The transaction coordinator as a pure state machine (Kafka's TransactionCoordinator and
 * TransactionStateManager). Inputs: one method per API, the timer sweeps
 * (`abortTimedOutTransactions`, `removeExpiredTransactionalIds`), `markersWritten`, and the
 * partition lifecycle (`beginLoad`, `loadFrom`, `unload`). Each returns the effects to run in
 * order: records to append to __transaction_state, responses and markers to send once those are
 * durable, producer ids to allocate. Time comes from the injected clock.
 *
 * The core applies its records as it emits them, assuming they become durable; if an append fails
 * the shell unloads the partition and loads it again from the log, as for the group coordinator.
 * Because a request finds the state its predecessors left at once, requests that Kafka would
 * answer CONCURRENT_TRANSACTIONS while an append is pending are instead ordered after it.
 */
export class TransactionCoordinator {
  private readonly c: CoordinatorContext;

  constructor(options: TransactionCoordinatorOptions) {
    const config = { ...DEFAULT_TRANSACTION_COORDINATOR_CONFIG, ...options.config };
    this.c = new CoordinatorContext(config, options.clock, options.log ?? noopLogger);
  }

  get config(): TransactionCoordinatorConfig {
    return this.c.config;
  }

  /** The __transaction_state partition of a transactional id. */
  partitionFor(transactionalId: string): number {
    return this.c.partitionFor(transactionalId);
  }

  initProducerId(requestId: number, req: InitProducerIdInput, freshProducerId?: bigint): TxnEffect[] {
    initProducerId(this.c, requestId, req, freshProducerId);
    return this.c.takeEffects();
  }

  addPartitionsToTxn(requestId: number, req: AddPartitionsInput): TxnEffect[] {
    addPartitions(this.c, requestId, req);
    return this.c.takeEffects();
  }

  addOffsetsToTxn(requestId: number, req: AddOffsetsInput): TxnEffect[] {
    addOffsets(this.c, requestId, req);
    return this.c.takeEffects();
  }

  endTxn(requestId: number, req: EndTxnInput): TxnEffect[] {
    endTxn(this.c, requestId, req);
    return this.c.takeEffects();
  }

  /** The verify-only AddPartitionsToTxn of v4+: read only, answered at once. */
  verifyPartitionsInTxn(req: AddPartitionsInput): ReturnType<typeof verifyPartitions> {
    return verifyPartitions(this.c, req);
  }

  describeTransaction(transactionalId: string): DescribedTransaction {
    return describeTransaction(this.c, transactionalId);
  }

  listTransactions(req: ListTransactionsInput): ListedTransactions {
    return listTransactions(this.c, req);
  }

  /** Every marker of `marker` is written (or its partition is gone): complete the transaction. */
  markersWritten(marker: TxnMarker): TxnEffect[] {
    markersWritten(this.c, marker);
    return this.c.takeEffects();
  }

  /**
   * Aborts every Ongoing transaction older than its timeout under a bumped epoch, which fences its
   * producer (TransactionCoordinator.abortTimedOutTransactions, run every
   * `transaction.abort.timed.out.transaction.cleanup.interval.ms`).
   */
  abortTimedOutTransactions(): TxnEffect[] {
    const now = this.c.nowMs();
    for (const m of this.servedTransactions()) {
      if (m.state === TransactionState.Ongoing && m.txnStartTimestamp + m.txnTimeoutMs < now) {
        this.c.log.info(
          { transactionalId: m.transactionalId, producerId: m.producerId, timeoutMs: m.txnTimeoutMs },
          'aborting a transaction that timed out',
        );
        fenceAndAbort(this.c, m, now);
      }
    }
    return this.c.takeEffects();
  }

  /**
   * Removes transactional ids idle for `transactional.id.expiration.ms` in a state that allows it
   * (Empty, CompleteCommit, CompleteAbort), writing their tombstones
   * (TransactionStateManager.removeExpiredTransactionalIds).
   */
  removeExpiredTransactionalIds(): TxnEffect[] {
    const now = this.c.nowMs();
    for (const m of this.servedTransactions()) {
      if (!isExpirationAllowed(m.state)) continue;
      if (m.txnLastUpdateTimestamp > now - this.c.config.transactionalIdExpirationMs) continue;
      this.c.txns.delete(m.transactionalId);
      this.c.effects.push({
        type: 'append',
        partition: this.c.partitionFor(m.transactionalId),
        records: [{ transactionalId: m.transactionalId, value: null }],
      });
      this.c.log.info({ transactionalId: m.transactionalId }, 'transactional id expired');
    }
    return this.c.takeEffects();
  }

  /** Partition `partition` of __transaction_state is becoming ours: its ids answer COORDINATOR_LOAD_IN_PROGRESS until `loadFrom`. */
  beginLoad(partition: number, coordinatorEpoch: number): void {
    this.dropPartition(partition);
    this.c.owned.set(partition, coordinatorEpoch);
    this.c.loading.add(partition);
  }

  /**
   * Replays the partition's records in log order (the last record of an id wins, a tombstone
   * removes it), then serves the partition; transactions found in PrepareCommit or PrepareAbort
   * get their markers written again (TransactionStateManager.loadTransactionsForTxnTopicPartition).
   * A record that does not decode throws, leaving the partition loading.
   */
  loadFrom(partition: number, records: Iterable<TransactionRecord>): TxnEffect[] {
    const loaded = new Map<string, TransactionMetadata>();
    for (const r of records) {
      if (r.value === null) loaded.delete(r.transactionalId);
      else loaded.set(r.transactionalId, metadataOfRecord(r.transactionalId, r.value));
    }
    for (const m of loaded.values()) {
      if (m.state === TransactionState.Dead) continue;
      this.c.txns.set(m.transactionalId, m);
    }
    this.c.loading.delete(partition);
    for (const m of loaded.values()) {
      const result = pendingResult(m.state);
      if (result) this.c.writeMarkers(m, result);
    }
    return this.c.takeEffects();
  }

  /** This broker no longer leads `partition`: forget its ids (their requests answer NOT_COORDINATOR). */
  unload(partition: number): TxnEffect[] {
    this.dropPartition(partition);
    return this.c.takeEffects();
  }

  /** The ids of partitions served now (owned and loaded). */
  private *servedTransactions(): Generator<TransactionMetadata> {
    for (const m of [...this.c.txns.values()]) {
      if (this.c.ownershipError(m.transactionalId) === null) yield m;
    }
  }

  private dropPartition(partition: number): void {
    this.c.owned.delete(partition);
    this.c.loading.delete(partition);
    for (const id of [...this.c.txns.keys()]) {
      if (this.c.partitionFor(id) === partition) this.c.txns.delete(id);
    }
  }

  /** Read-only view for tests and the shell's logs. */
  transaction(transactionalId: string): Readonly<TransactionMetadata> | undefined {
    return this.c.txns.get(transactionalId);
  }

  /** The partitions of a transaction, sorted (tests). */
  partitionsOf(transactionalId: string): { topic: string; partitions: number[] }[] {
    const m = this.c.txns.get(transactionalId);
    return m ? sortedPartitions(m.partitions) : [];
  }
}
