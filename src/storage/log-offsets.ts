/**
 * The four offsets of a partition log and the order they keep (Kafka's LogOffsetMetadata holders
 * in UnifiedLog): logStartOffset <= highWatermark <= logEndOffset, and recoveryPoint <= what was
 * written. Every move goes through a method that keeps that order, so appends, retention,
 * DeleteRecords, truncation and flushing cannot leave them crossed.
 */
export class LogOffsets {
  #logEndOffset: number;
  #logStartOffset: number;
  #highWatermark: number;
  #recoveryPoint: number;

  /** Offsets read from checkpoints are clamped to what the segments on disk hold. */
  constructor(o: {
    logEndOffset: number;
    /** The first segment's base offset: the log cannot start before its first batch. */
    firstSegmentBaseOffset: number;
    logStartOffset: number;
    highWatermark: number;
    recoveryPoint: number;
  }) {
    this.#logEndOffset = o.logEndOffset;
    this.#logStartOffset = Math.min(Math.max(o.logStartOffset, o.firstSegmentBaseOffset), this.#logEndOffset);
    this.#recoveryPoint = Math.min(o.recoveryPoint, this.#logEndOffset);
    this.#highWatermark = Math.min(Math.max(o.highWatermark, this.#logStartOffset), this.#logEndOffset);
  }

  /** The offset the next appended record gets. */
  get logEndOffset(): number {
    return this.#logEndOffset;
  }
  /** The first offset a reader may fetch (retention and DeleteRecords move it up). */
  get logStartOffset(): number {
    return this.#logStartOffset;
  }
  /** The offset below which records are committed; the broker sets it. */
  get highWatermark(): number {
    return this.#highWatermark;
  }
  /** Every offset below this is known to be on disk (fsynced). */
  get recoveryPoint(): number {
    return this.#recoveryPoint;
  }

  /** Records up to `nextOffset` (exclusive) were appended. */
  appendedUpTo(nextOffset: number): void {
    this.#logEndOffset = nextOffset;
  }

  /** Clamped to [logStartOffset, logEndOffset]. */
  setHighWatermark(offset: number): void {
    this.#highWatermark = Math.min(Math.max(offset, this.#logStartOffset), this.#logEndOffset);
  }

  /** Retention or DeleteRecords moved the start up; the high watermark follows if it was below. */
  advanceLogStartOffset(offset: number): void {
    this.#logStartOffset = offset;
    if (this.#highWatermark < offset) this.#highWatermark = offset;
  }

  /** Truncation: the log now ends at `offset`, and no other offset may stay past it. */
  truncateEndTo(offset: number): void {
    this.#logEndOffset = offset;
    this.#highWatermark = Math.min(this.#highWatermark, offset);
    this.#recoveryPoint = Math.min(this.#recoveryPoint, offset);
    this.#logStartOffset = Math.min(this.#logStartOffset, offset);
  }

  /** Full truncation: an empty log that starts (and ends) at `offset`. */
  resetTo(offset: number): void {
    this.#logEndOffset = offset;
    this.#logStartOffset = offset;
    this.#highWatermark = offset;
    this.#recoveryPoint = offset;
  }

  /**
   * Everything below `offset` was fsynced. The recovery point never moves back: a flush that
   * started before a truncation may finish after it.
   */
  markFlushedUpTo(offset: number): void {
    if (offset > this.#recoveryPoint) this.#recoveryPoint = offset;
  }
}
