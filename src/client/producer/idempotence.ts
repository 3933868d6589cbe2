import { ErrorCode } from '../../protocol/error-codes.js';
import type { ProducerBatch } from './producer-batch.js';

/** ProducerConfig's bound for idempotence: the broker remembers a producer's last 5 batches. */
export const MAX_IN_FLIGHT_FOR_IDEMPOTENCE = 5;

/** Epochs are int16: past this one the producer needs a new producer id (Kafka's epoch overflow). */
const MAX_EPOCH = 0x7fff;

/** Sequences are int32 and wrap to 0 (DefaultRecordBatch.incrementSequence). */
function incrementSequence(sequence: number, increment: number): number {
  return sequence > 0x7fffffff - increment ? increment - (0x7fffffff - sequence) - 1 : sequence + increment;
}

/** One partition's sequences (the Java client's TxnPartitionEntry). */
interface PartitionSequences {
  /** The producer id and epoch these sequences belong to. */
  producerId: bigint;
  epoch: number;
  nextSequence: number;
  /** The last sequence the broker acknowledged in this epoch, -1 for none. */
  lastAckedSequence: number;
  /** Batches given a sequence and not yet completed, in sequence order (sent, or waiting to be resent). */
  readonly unacked: ProducerBatch[];
  /** Batches of `unacked` in a request now, awaiting its response. */
  inRequest: number;
  /** The epoch was bumped because of this partition: its unacked batches take new sequences from 0. */
  rewrite: boolean;
}

/** What the sender does with a failed batch of an idempotent producer. */
export type IdempotentFailure = 'retry' | 'fail';

/**
 * The idempotent producer's bookkeeping, as the Java client's TransactionManager keeps it for a
 * producer without a transactional id (KIP-98, KIP-360):
 * - each partition numbers its batches from 0 in the current producer id and epoch; a batch keeps
 *   its sequence through retries, so a retry the broker already appended is answered with its
 *   original offset instead of being written twice;
 * - at most 5 batches per partition are unacknowledged (the broker remembers 5), and a retried
 *   batch is sent only when it is the partition's first unacknowledged one, so retries cannot
 *   reorder;
 * - when a partition's sequences cannot go on (a real gap: OUT_OF_ORDER_SEQUENCE_NUMBER for the
 *   next expected batch, UNKNOWN_PRODUCER_ID, a batch that failed for good or expired after being
 *   sent) the producer bumps its epoch locally and that partition's unacknowledged batches are
 *   renumbered from 0 in the new epoch; other partitions move to the new epoch, from sequence 0,
 *   once their batches of the old one are acknowledged. At epoch 32767 a new producer id is asked
 *   for instead.
 * Pure state: the sender calls it and does the I/O (InitProducerId, Produce).
 */
export class IdempotentState {
  producerId = -1n;
  epoch = -1;
  private readonly partitions = new Map<string, PartitionSequences>();

  /**
   * `transactional`: a transactional producer does not bump its epoch by itself. A batch lost for
   * good fails the transaction, whose abort bumps the epoch through the coordinator
   * (TransactionManager, KIP-360); until then no sequence is renumbered.
   */
  constructor(private readonly transactional = false) {}

  /** A producer id is known; until then nothing is sent. */
  get hasProducerId(): boolean {
    return this.producerId >= 0n;
  }

  /** The answer to InitProducerId. */
  setProducerId(producerId: bigint, epoch: number): void {
    this.producerId = producerId;
    this.epoch = epoch;
  }

  private partition(b: ProducerBatch): PartitionSequences {
    const key = `${b.topic}\u0000${b.partition}`;
    let p = this.partitions.get(key);
    if (!p) {
      p = {
        producerId: this.producerId,
        epoch: this.epoch,
        nextSequence: 0,
        lastAckedSequence: -1,
        unacked: [],
        inRequest: 0,
        rewrite: false,
      };
      this.partitions.set(key, p);
    }
    return p;
  }

  /**
   * Whether `b`, the head of its partition's queue, may go out now; when it may, it is given its
   * producer id, epoch and sequence (kept on retries, renumbered after an epoch bump).
   */
  prepareSend(b: ProducerBatch): boolean {
    if (!this.hasProducerId) return false;
    const p = this.partition(b);
    const current = p.producerId === this.producerId && p.epoch === this.epoch;
    if (!current) {
      // Old-epoch batches still in a request must be answered before the partition moves on.
      if (p.inRequest > 0) return false;
      if (p.rewrite || p.unacked.length === 0) this.startEpoch(p);
      // Otherwise the old epoch's unacknowledged batches are resent as they are (the broker has
      // not seen the new epoch on this partition) and the partition moves once they are acknowledged.
    }
    if (b.baseSequence >= 0) {
      // A retry: only as the first unacknowledged batch, so it cannot overtake or be overtaken.
      if (p.unacked[0] !== b || p.inRequest > 0) return false;
    } else {
      if (p.unacked.length >= MAX_IN_FLIGHT_FOR_IDEMPOTENCE) return false;
      // A batch waiting to be resent goes first: a new one now would only be refused as out of order.
      if (p.unacked.length > p.inRequest) return false;
      if (p.producerId !== this.producerId || p.epoch !== this.epoch) return false;
      b.producerId = this.producerId;
      b.producerEpoch = this.epoch;
      b.baseSequence = p.nextSequence;
      p.nextSequence = incrementSequence(p.nextSequence, b.recordCount);
      p.unacked.push(b);
    }
    p.inRequest++;
    return true;
  }

  /** Moves a partition to the current epoch, renumbering its unacknowledged batches from 0. */
  private startEpoch(p: PartitionSequences): void {
    p.producerId = this.producerId;
    p.epoch = this.epoch;
    p.lastAckedSequence = -1;
    p.rewrite = false;
    let seq = 0;
    for (const b of p.unacked) {
      b.producerId = this.producerId;
      b.producerEpoch = this.epoch;
      b.baseSequence = seq;
      seq = incrementSequence(seq, b.recordCount);
    }
    p.nextSequence = seq;
  }

  /** The broker appended `b` (or already had it). */
  acknowledged(b: ProducerBatch): void {
    const p = this.partition(b);
    p.inRequest--;
    this.remove(p, b);
    if (b.producerId === p.producerId && b.producerEpoch === p.epoch) {
      p.lastAckedSequence = incrementSequence(b.baseSequence, Math.max(0, b.recordCount - 1));
    }
  }

  /** The response for `b` did not come (connection lost, timeout): it may or may not be in the log. */
  requestFailed(b: ProducerBatch): void {
    this.partition(b).inRequest--;
  }

  /**
   * The broker refused `b` with `errorCode`. Sequence errors are retried (after an epoch bump
   * when they show a real gap, as TransactionManager.canRetry decides); other errors are retried
   * when `retriable`, else the batch fails and its partition's later batches are renumbered.
   */
  refused(b: ProducerBatch, errorCode: number, retriable: boolean): IdempotentFailure {
    const p = this.partition(b);
    p.inRequest--;
    switch (errorCode) {
      case ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER: {
        // The next expected batch refused: a real gap, the partition starts over in a new epoch.
        // Any later batch: an earlier one failed and is resent first; retried as it is.
        if (b.baseSequence === incrementSequence(p.lastAckedSequence, 1)) {
          if (this.transactional) {
            this.remove(p, b);
            return 'fail';
          }
          this.bumpEpochFor(p, b);
        }
        return 'retry';
      }
      case ErrorCode.UNKNOWN_PRODUCER_ID:
      case ErrorCode.INVALID_PRODUCER_EPOCH:
        if (this.transactional) {
          this.remove(p, b);
          return 'fail';
        }
        this.bumpEpochFor(p, b);
        return 'retry';
      default:
        if (retriable) return 'retry';
        this.failed(b);
        return 'fail';
    }
  }

  /**
   * `b` will not be sent again (a final error, delivery.timeout.ms, close): its sequence is lost,
   * so its partition's later batches cannot follow it and move to a new epoch.
   */
  failed(b: ProducerBatch): void {
    if (b.baseSequence < 0) return;
    const p = this.partition(b);
    if (this.remove(p, b) && !this.transactional) this.bumpEpochFor(p, b);
  }

  private remove(p: PartitionSequences, b: ProducerBatch): boolean {
    const i = p.unacked.indexOf(b);
    if (i < 0) return false;
    p.unacked.splice(i, 1);
    return true;
  }

  /**
   * Bumps the epoch once for a failure in the current epoch (a stale batch's failure is already
   * covered by the bump it caused) and marks the partition for renumbering.
   */
  private bumpEpochFor(p: PartitionSequences, b: ProducerBatch): void {
    p.rewrite = true;
    if (b.producerId !== this.producerId || b.producerEpoch !== this.epoch) return;
    if (this.epoch >= MAX_EPOCH) {
      // Kafka's epoch overflow: a new producer id, asked for before anything is sent.
      this.producerId = -1n;
      this.epoch = -1;
    } else {
      this.epoch++;
    }
  }
}
