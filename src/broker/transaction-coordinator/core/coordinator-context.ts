import type { Clock } from '../../../common/clock.js';
import type { Logger } from '../../../common/logger.js';
import { ErrorCode } from '../../../protocol/error-codes.js';
import { coordinatorPartitionFor } from '../../group-coordinator/core/find-coordinator.js';
import type { TransactionCoordinatorConfig } from './transaction-coordinator-config.js';
import type { TransactionResult, TxnEffect, TxnResponse } from './transaction-effects.js';
import { sortedPartitions, type TransactionMetadata } from './transaction-metadata.js';
import { transactionRecordOf } from './transaction-record-codec.js';

/**
 * The state the coordinator's handlers share: the metadata per transactional id, which
 * __transaction_state partitions this coordinator owns (and at which leader epoch), and the
 * effects of the input being handled.
 */
export class CoordinatorContext {
  readonly txns = new Map<string, TransactionMetadata>();
  /** Owned partitions and their coordinator epoch (the partition's leader epoch). */
  readonly owned = new Map<number, number>();
  /** Owned partitions still being loaded: COORDINATOR_LOAD_IN_PROGRESS. */
  readonly loading = new Set<number>();
  effects: TxnEffect[] = [];

  constructor(
    readonly config: TransactionCoordinatorConfig,
    readonly clock: Clock,
    readonly log: Logger,
  ) {}

  nowMs(): number {
    return this.clock.nowMs();
  }

  partitionFor(transactionalId: string): number {
    return coordinatorPartitionFor(transactionalId, this.config.transactionStateLogNumPartitions);
  }

  /** NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS when this coordinator cannot serve the id now, else null (TransactionStateManager.getTransactionState). */
  ownershipError(transactionalId: string): number | null {
    const p = this.partitionFor(transactionalId);
    if (!this.owned.has(p)) return ErrorCode.NOT_COORDINATOR;
    if (this.loading.has(p)) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return null;
  }

  respond(requestId: number, response: TxnResponse): void {
    this.effects.push({ type: 'respond', requestId, response });
  }

  /** Appends the metadata's record to its partition (TransactionStateManager.appendTransactionToLog). */
  persist(m: TransactionMetadata): void {
    this.effects.push({
      type: 'append',
      partition: this.partitionFor(m.transactionalId),
      records: [transactionRecordOf(m)],
    });
  }

  /** Asks for the markers of a transaction in PrepareCommit or PrepareAbort. */
  writeMarkers(m: TransactionMetadata, result: TransactionResult): void {
    const txnPartition = this.partitionFor(m.transactionalId);
    this.effects.push({
      type: 'writeMarkers',
      marker: {
        transactionalId: m.transactionalId,
        txnPartition,
        coordinatorEpoch: this.owned.get(txnPartition) ?? -1,
        producerId: m.producerId,
        producerEpoch: m.producerEpoch,
        result,
        partitions: sortedPartitions(m.partitions),
      },
    });
  }

  takeEffects(): TxnEffect[] {
    const e = this.effects;
    this.effects = [];
    return e;
  }
}
