/** What the cleaner's planning needs to know about a segment, oldest first; the last is active. */
export interface CleanerSegment {
  baseOffset: number;
  sizeBytes: number;
  largestTimestamp: number;
}

export interface CleanableInput {
  segments: readonly CleanerSegment[];
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
  /** From cleaner-offset-checkpoint: where the last clean stopped. */
  checkpointedFirstDirty: number;
  /** First offset of a transaction still open (not yet committed or aborted), or null. */
  firstUnstableOffset: number | null;
  minCompactionLagMs: number;
  nowMs: number;
}

export interface CleanableRange {
  /** Offsets below were cleaned before (the "clean" part). */
  firstDirtyOffset: number;
  /** Segments wholly below this are cleaned; it is always a segment's base offset. */
  firstUncleanableOffset: number;
  /** How many leading segments are cleanable. */
  segmentCount: number;
  cleanBytes: number;
  dirtyBytes: number;
  /** dirty / (clean + dirty), Kafka's cleanable ratio. */
  dirtyRatio: number;
}

/**
 * Kafka's LogCleanerManager.cleanableOffsets: the cleaner never touches the active segment, data
 * at or above the high watermark or the first unstable (open transaction) offset, nor segments
 * younger than min.compaction.lag.ms. The bound is rounded down to a segment boundary because the
 * cleaner rewrites whole segments.
 */
export function planCleanableRange(input: CleanableInput): CleanableRange {
  const { segments } = input;
  let firstDirty = input.checkpointedFirstDirty;
  // A checkpoint outside the log (truncation, DeleteRecords) means start again from the beginning.
  if (firstDirty < input.logStartOffset || firstDirty > input.logEndOffset) firstDirty = input.logStartOffset;
  let bound = Math.min(input.highWatermark, input.firstUnstableOffset ?? Number.POSITIVE_INFINITY);
  let count = 0;
  for (let i = 0; i < segments.length - 1; i++) {
    const next = segments[i + 1]!.baseOffset;
    const seg = segments[i]!;
    if (next > bound) break;
    if (input.minCompactionLagMs > 0 && input.nowMs - seg.largestTimestamp < input.minCompactionLagMs) break;
    count = i + 1;
  }
  bound = count < segments.length ? segments[count]!.baseOffset : input.logEndOffset;
  if (firstDirty > bound) firstDirty = bound;
  let cleanBytes = 0;
  let dirtyBytes = 0;
  for (let i = 0; i < count; i++) {
    const seg = segments[i]!;
    const next = segments[i + 1]!.baseOffset;
    if (next <= firstDirty) cleanBytes += seg.sizeBytes;
    else dirtyBytes += seg.sizeBytes;
  }
  const total = cleanBytes + dirtyBytes;
  return {
    firstDirtyOffset: firstDirty,
    firstUncleanableOffset: bound,
    segmentCount: count,
    cleanBytes,
    dirtyBytes,
    dirtyRatio: total === 0 ? 0 : dirtyBytes / total,
  };
}

/** Kafka cleans a log when its ratio exceeds min.cleanable.dirty.ratio and there is something dirty. */
export function shouldClean(range: CleanableRange, minCleanableDirtyRatio: number): boolean {
  return range.dirtyBytes > 0 && range.dirtyRatio >= minCleanableDirtyRatio;
}

/**
 * Whether the cleaner keeps one record. A record survives when no later record has its key (the
 * offset map holds the latest offset per key in the dirty part). A surviving tombstone survives
 * only until its batch's delete horizon (KIP-534), which the first clean sets.
 */
export function keepRecord(r: {
  offset: number;
  latestOffsetForKey: number | undefined;
  isTombstone: boolean;
  deleteHorizonMs: number | null;
  nowMs: number;
}): boolean {
  if (r.latestOffsetForKey !== undefined && r.latestOffsetForKey > r.offset) return false;
  if (r.isTombstone && r.deleteHorizonMs !== null && r.deleteHorizonMs <= r.nowMs) return false;
  return true;
}
