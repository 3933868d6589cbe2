/** What the roll decision needs to know about the active segment; no files involved. */
export interface ActiveSegmentState {
  baseOffset: number;
  sizeBytes: number;
  /** Max timestamp of the first batch (segment.ms counts from it, KIP-32), or null when empty. */
  rollingBasedTimestamp: number | null;
  createdMs: number;
  offsetIndexFull: boolean;
  timeIndexFull: boolean;
}

export interface IncomingBatches {
  sizeBytes: number;
  maxTimestamp: number;
  lastOffset: number;
}

export type RollReason = 'segment.bytes' | 'segment.ms' | 'index full' | 'offset overflow';

/**
 * Kafka's LogSegment.shouldRoll: roll before an append that would not fit, when the segment is
 * older than segment.ms (measured from its first batch's timestamp, else its creation time), when
 * an index is full, or when the new offsets do not fit a 32-bit delta from the base offset.
 * An empty segment never rolls for size or time.
 */
export function shouldRoll(
  seg: ActiveSegmentState,
  incoming: IncomingBatches,
  config: { segmentBytes: number; segmentMs: number },
  nowMs: number,
): RollReason | null {
  if (seg.sizeBytes > 0 && seg.sizeBytes > config.segmentBytes - incoming.sizeBytes) return 'segment.bytes';
  if (seg.sizeBytes > 0) {
    const since =
      seg.rollingBasedTimestamp !== null && seg.rollingBasedTimestamp >= 0
        ? seg.rollingBasedTimestamp
        : seg.createdMs;
    const waited =
      seg.rollingBasedTimestamp !== null && seg.rollingBasedTimestamp >= 0
        ? incoming.maxTimestamp - since
        : nowMs - since;
    if (waited > config.segmentMs) return 'segment.ms';
  }
  if (seg.offsetIndexFull || seg.timeIndexFull) return 'index full';
  if (incoming.lastOffset - seg.baseOffset > 0x7fffffff) return 'offset overflow';
  return null;
}
