/** RecordBatch.NO_PRODUCER_EPOCH and NO_SEQUENCE. */
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;

/** ProducerStateEntry.NUM_BATCHES_TO_RETAIN: how many batches of a producer a retry can match. */
export const NUM_BATCHES_TO_RETAIN = 5;

/** One appended batch of a producer (Kafka's BatchMetadata). */
export interface BatchMetadata {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly lastOffset: number;
  /** lastOffset - firstOffset: the batch's last offset delta. */
  readonly offsetDelta: number;
  /** The batch's max timestamp. */
  readonly timestamp: number;
}

/**
 * What a partition remembers of one producer id (Kafka's ProducerStateEntry): its epoch, its last
 * batches (newest last), the epoch of the transaction coordinator that wrote its last marker, and
 * the first offset of its open transaction (-1 when none is open).
 */
export class ProducerStateEntry {
  /** The timestamp of the producer's last batch or transaction marker (expiration measures from it). */
  lastTimestamp: number;

  constructor(
    readonly producerId: bigint,
    public producerEpoch: number,
    readonly batches: BatchMetadata[] = [],
    public coordinatorEpoch = -1,
    public currentTxnFirstOffset = -1,
    /** Defaults to the last batch's timestamp; a snapshot gives its own. */
    lastTimestamp?: number,
  ) {
    this.lastTimestamp = lastTimestamp ?? batches[batches.length - 1]?.timestamp ?? -1;
  }

  get lastSeq(): number {
    return this.batches.length === 0 ? NO_SEQUENCE : this.batches[this.batches.length - 1]!.lastSeq;
  }
  get lastDataOffset(): number {
    return this.batches.length === 0 ? -1 : this.batches[this.batches.length - 1]!.lastOffset;
  }

  /** The retained batch with exactly this sequence range in this epoch, if any: a retry. */
  findDuplicate(epoch: number, firstSeq: number, lastSeq: number): BatchMetadata | undefined {
    if (epoch !== this.producerEpoch) return undefined;
    return this.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
  }

  /** Records a batch; a new epoch forgets the old epoch's batches (Kafka's maybeUpdateProducerEpoch). */
  addBatch(epoch: number, batch: BatchMetadata): void {
    this.maybeUpdateProducerEpoch(epoch);
    this.batches.push(batch);
    if (this.batches.length > NUM_BATCHES_TO_RETAIN) this.batches.shift();
    this.lastTimestamp = batch.timestamp;
  }

  /**
   * Records a transaction marker (Kafka's ProducerStateEntry.update from appendEndTxnMarker): the
   * transaction is over, the marker's coordinator epoch is the one later markers are checked against.
   */
  endTransaction(epoch: number, coordinatorEpoch: number, timestamp: number): void {
    this.maybeUpdateProducerEpoch(epoch);
    this.coordinatorEpoch = coordinatorEpoch;
    this.currentTxnFirstOffset = -1;
    this.lastTimestamp = timestamp;
  }

  private maybeUpdateProducerEpoch(epoch: number): void {
    if (epoch === this.producerEpoch) return;
    this.batches.length = 0;
    this.producerEpoch = epoch;
  }

  /**
   * Puts batches older than every retained one (found in the log when rebuilding, oldest first)
   * in front of the retained ones, keeping the newest NUM_BATCHES_TO_RETAIN.
   */
  prependBatches(older: readonly BatchMetadata[]): void {
    const room = NUM_BATCHES_TO_RETAIN - this.batches.length;
    if (room > 0 && older.length > 0) this.batches.unshift(...older.slice(-room));
  }

  clone(): ProducerStateEntry {
    return new ProducerStateEntry(
      this.producerId,
      this.producerEpoch,
      [...this.batches],
      this.coordinatorEpoch,
      this.currentTxnFirstOffset,
      this.lastTimestamp,
    );
  }
}

/** DefaultRecordBatch.incrementSequence: sequences wrap from Integer.MAX_VALUE to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > 0x7fffffff - increment) return increment - (0x7fffffff - sequence) - 1;
  return sequence + increment;
}

/** DefaultRecordBatch.decrementSequence: the inverse of incrementSequence. */
export function decrementSequence(sequence: number, decrement: number): number {
  if (sequence < decrement) return 0x7fffffff - (decrement - sequence) + 1;
  return sequence - decrement;
}

/** ProducerAppendInfo.inSequence: `next` follows `last`, wrapping at Integer.MAX_VALUE. */
export function inSequence(last: number, next: number): boolean {
  return next === last + 1 || (next === 0 && last === 0x7fffffff);
}
