import {
  ATTR_CONTROL,
  ATTR_TRANSACTIONAL,
  BatchOffsets,
} from '../../protocol/records/record-batch-header.js';
import type { AppendOrigin } from '../append-validator.js';
import type { BatchInfo } from '../batch-cursor.js';
import { StorageError } from '../storage-error.js';
import { readEndTxnMarker } from './end-txn-marker.js';
import {
  type BatchMetadata,
  incrementSequence,
  inSequence,
  NO_PRODUCER_EPOCH,
  ProducerStateEntry,
} from './producer-state-entry.js';

/** What a batch's header says about its producer. */
export interface ProducerBatch {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
  readonly isTransactional: boolean;
  readonly isControl: boolean;
  /**
   * For a control batch, its end-transaction marker (read from its one record), or null for an
   * empty control batch (the cleaner removed a whole transaction and kept the marker's batch).
   */
  readonly marker: { readonly commit: boolean; readonly coordinatorEpoch: number } | null;
}

/** A transaction a marker ended (Kafka's CompletedTxn). */
export interface CompletedTxn {
  readonly producerId: bigint;
  readonly firstOffset: number;
  /** The marker's offset. */
  readonly lastOffset: number;
  readonly isAborted: boolean;
}

/** A transaction the append opens: its producer's first transactional batch since the last marker. */
export interface StartedTxn {
  readonly producerId: bigint;
  readonly firstOffset: number;
}

/** The outcome of checking an append against the producer state. */
export type ProducerAppendPlan =
  /** A retry of a batch already in the log: answer with its offsets and append nothing. */
  | { readonly kind: 'duplicate'; readonly batch: BatchMetadata }
  /** The entries to install, and the transactions begun and ended, once the batches are appended. */
  | {
      readonly kind: 'update';
      readonly updates: ReadonlyMap<bigint, ProducerStateEntry>;
      readonly startedTxns: readonly StartedTxn[];
      readonly completedTxns: readonly CompletedTxn[];
    };

/** Reads the producer fields of the batches of an append; empty when none has a producer id (the common case). */
export function producerBatches(records: Buffer, batches: readonly BatchInfo[]): ProducerBatch[] {
  let out: ProducerBatch[] | null = null;
  for (const b of batches) {
    const at = b.position;
    // NO_PRODUCER_ID (-1) is all ones: two int32 reads, no BigInt, for plain producers.
    if (
      records.readInt32BE(at + BatchOffsets.producerId) === -1 &&
      records.readInt32BE(at + BatchOffsets.producerId + 4) === -1
    )
      continue;
    const firstSeq = records.readInt32BE(at + BatchOffsets.baseSequence);
    const isControl = (b.attributes & ATTR_CONTROL) !== 0;
    out ??= [];
    out.push({
      producerId: records.readBigInt64BE(at + BatchOffsets.producerId),
      producerEpoch: records.readInt16BE(at + BatchOffsets.producerEpoch),
      firstSeq,
      lastSeq: firstSeq < 0 ? firstSeq : incrementSequence(firstSeq, b.lastOffset - b.baseOffset),
      firstOffset: b.baseOffset,
      lastOffset: b.lastOffset,
      maxTimestamp: b.maxTimestamp,
      isTransactional: (b.attributes & ATTR_TRANSACTIONAL) !== 0,
      isControl,
      marker: isControl ? readEndTxnMarker(records.subarray(at, at + b.sizeBytes)) : null,
    });
  }
  return out ?? [];
}

/**
 * Checks the producer batches of one append against the current entries, as Kafka's
 * UnifiedLog.analyzeAndValidateProducerState and ProducerAppendInfo do (Kafka 3.x rules):
 * - from a client, a batch whose epoch and sequence range match one of the producer's last five
 *   batches is a retry: the whole append is answered with that batch's offsets;
 * - an epoch older than the producer's is INVALID_PRODUCER_EPOCH (KIP-588), for markers too;
 * - in a new epoch the first sequence must be 0, unless the producer is unknown;
 * - in the same epoch the sequence must follow the last one (wrapping at 2^31-1), else
 *   OUT_OF_ORDER_SEQUENCE_NUMBER;
 * - an unknown producer id (never seen, expired, or its records deleted) is accepted with any
 *   sequence: since KIP-360 (Kafka 2.5) the broker no longer answers UNKNOWN_PRODUCER_ID here;
 * - a transactional batch opens a transaction if none is open (its first offset is what the last
 *   stable offset waits on); a non-transactional batch while one is open is INVALID_TXN_STATE;
 * - an end-transaction marker whose coordinator epoch is older than the last marker's is
 *   TRANSACTION_COORDINATOR_FENCED (a zombie coordinator); it closes the open transaction, if any.
 * Replicated batches (a follower copying its leader) skip the checks and only update the state.
 * Throws StorageError; the current entries are never changed here.
 */
export function planProducerAppend(
  current: ReadonlyMap<bigint, ProducerStateEntry>,
  batches: readonly ProducerBatch[],
  origin: AppendOrigin,
): ProducerAppendPlan {
  const fromClient = origin === 'client';
  if (fromClient) {
    for (const b of batches) {
      const dup = current.get(b.producerId)?.findDuplicate(b.producerEpoch, b.firstSeq, b.lastSeq);
      if (dup) return { kind: 'duplicate', batch: dup };
    }
  }
  const updates = new Map<bigint, ProducerStateEntry>();
  const startedTxns: StartedTxn[] = [];
  const completedTxns: CompletedTxn[] = [];
  for (const b of batches) {
    let entry = updates.get(b.producerId);
    if (!entry) {
      entry = current.get(b.producerId)?.clone() ?? new ProducerStateEntry(b.producerId, NO_PRODUCER_EPOCH);
      updates.set(b.producerId, entry);
    }
    const checked = origin !== 'replication';
    if (checked) checkProducerEpoch(entry, b);
    if (b.isControl) {
      // An empty control batch: its transaction's records were all cleaned away, nothing to end.
      if (b.marker === null) continue;
      if (checked && b.marker.coordinatorEpoch < entry.coordinatorEpoch) {
        throw new StorageError(
          'TRANSACTION_COORDINATOR_FENCED',
          `invalid coordinator epoch for producer ${b.producerId}: ${b.marker.coordinatorEpoch} (zombie), ${entry.coordinatorEpoch} (current)`,
        );
      }
      // Only a transaction with data is completed: an empty one holds no offset back.
      if (entry.currentTxnFirstOffset >= 0) {
        completedTxns.push({
          producerId: b.producerId,
          firstOffset: entry.currentTxnFirstOffset,
          lastOffset: b.firstOffset,
          isAborted: !b.marker.commit,
        });
      }
      entry.endTransaction(b.producerEpoch, b.marker.coordinatorEpoch, b.maxTimestamp);
      continue;
    }
    if (fromClient) checkSequence(entry, b);
    entry.addBatch(b.producerEpoch, {
      firstSeq: b.firstSeq,
      lastSeq: b.lastSeq,
      lastOffset: b.lastOffset,
      offsetDelta: b.lastOffset - b.firstOffset,
      timestamp: b.maxTimestamp,
    });
    if (entry.currentTxnFirstOffset >= 0 && !b.isTransactional) {
      // Replicated batches are the leader's, already checked: only a leader refuses them.
      if (checked) {
        throw new StorageError(
          'INVALID_TXN_STATE',
          `expected a transactional write from producer ${b.producerId} at offset ${b.firstOffset}: its transaction from offset ${entry.currentTxnFirstOffset} is open`,
        );
      }
    } else if (entry.currentTxnFirstOffset < 0 && b.isTransactional) {
      entry.currentTxnFirstOffset = b.firstOffset;
      startedTxns.push({ producerId: b.producerId, firstOffset: b.firstOffset });
    }
  }
  return { kind: 'update', updates, startedTxns, completedTxns };
}

function checkProducerEpoch(entry: ProducerStateEntry, b: ProducerBatch): void {
  if (b.producerEpoch < entry.producerEpoch) {
    throw new StorageError(
      'INVALID_PRODUCER_EPOCH',
      `epoch ${b.producerEpoch} of producer ${b.producerId} at offset ${b.firstOffset} is older than the current epoch ${entry.producerEpoch}`,
    );
  }
}

function checkSequence(entry: ProducerStateEntry, b: ProducerBatch): void {
  const where = `producer ${b.producerId} at offset ${b.firstOffset}`;
  if (b.firstSeq < 0) {
    throw new StorageError('INVALID_RECORD', `invalid sequence number ${b.firstSeq} for ${where}`);
  }
  if (b.producerEpoch !== entry.producerEpoch) {
    if (b.firstSeq !== 0 && entry.producerEpoch !== NO_PRODUCER_EPOCH) {
      throw new StorageError(
        'OUT_OF_ORDER_SEQUENCE_NUMBER',
        `invalid sequence number ${b.firstSeq} for the new epoch ${b.producerEpoch} of ${where} (current epoch ${entry.producerEpoch})`,
      );
    }
    return;
  }
  if (!inSequence(entry.lastSeq, b.firstSeq)) {
    throw new StorageError(
      'OUT_OF_ORDER_SEQUENCE_NUMBER',
      `out of order sequence number for ${where}: ${b.firstSeq} (incoming), ${entry.lastSeq} (current end)`,
    );
  }
}
