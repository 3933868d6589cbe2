import type { LogSegment } from './log-segment.js';
import { MAX_TIMESTAMP } from './partition-log-types.js';

/**
 * ListOffsets by timestamp over a log's segments (Kafka's UnifiedLog.fetchOffsetByTimestamp):
 * the first segment whose largest timestamp reaches the target, then its time index, offset index
 * and a scan. MAX_TIMESTAMP (KIP-734) returns the offset of the largest timestamp.
 */
export function findOffsetForTimestamp(
  segments: readonly LogSegment[],
  timestamp: number,
  logStartOffset: number,
  indexIntervalBytes: number,
): { offset: number; timestamp: number } | null {
  if (timestamp === MAX_TIMESTAMP) {
    let best = { timestamp: -1, offset: -1 };
    for (const s of segments) {
      s.ensureIndexes(indexIntervalBytes);
      const m = s.maxTimestampSoFar();
      if (m.timestamp > best.timestamp) best = m;
    }
    return best.offset < 0 ? null : best;
  }
  for (const s of segments) {
    if (s.size === 0) continue;
    s.ensureIndexes(indexIntervalBytes);
    if (s.largestTimestamp() < timestamp) continue;
    const found = s.findOffsetByTimestamp(timestamp, logStartOffset);
    if (found !== null) return found;
  }
  return null;
}
