import { isUnlimited } from './log-config.js';

/** What retention needs to know about one segment, oldest first; the last is the active one. */
export interface SegmentSummary {
  baseOffset: number;
  sizeBytes: number;
  largestTimestamp: number;
}

export interface RetentionInput {
  segments: readonly SegmentSummary[];
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
  retentionMs: number;
  retentionBytes: number;
  /** False for cleanup.policy=compact: only the log start offset deletes then. */
  deleteEnabled: boolean;
  nowMs: number;
}

export type RetentionReason = 'retention.ms' | 'retention.bytes' | 'log start offset';

export interface RetentionPlan {
  /** How many of the oldest segments to delete. */
  deleteCount: number;
  reason: RetentionReason | null;
  /** Every segment goes, the active one too: roll an empty segment first (Kafka does the same). */
  rollFirst: boolean;
}

/**
 * Kafka's UnifiedLog.deleteOldSegments: three predicates applied in turn (time, size, log start
 * offset), each taking the longest prefix of segments it matches. A segment is deletable only if
 * all its offsets are below the high watermark, and an empty active segment is never deleted.
 */
export function planRetention(input: RetentionInput): RetentionPlan {
  const { segments } = input;
  const nextBase = (i: number): number =>
    i + 1 < segments.length ? segments[i + 1]!.baseOffset : input.logEndOffset;

  const prefix = (pred: (i: number, remainingBytes: number) => boolean): number => {
    let total = 0;
    for (const s of segments) total += s.sizeBytes;
    let n = 0;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      const isLastAndEmpty = i === segments.length - 1 && seg.sizeBytes === 0;
      if (isLastAndEmpty || nextBase(i) > input.highWatermark || !pred(i, total)) break;
      total -= seg.sizeBytes;
      n++;
    }
    return n;
  };

  const finish = (n: number, reason: RetentionReason): RetentionPlan => ({
    deleteCount: n,
    reason,
    rollFirst: n === segments.length,
  });

  if (input.deleteEnabled && !isUnlimited(input.retentionMs)) {
    const n = prefix((i) => input.nowMs - segments[i]!.largestTimestamp > input.retentionMs);
    if (n > 0) return finish(n, 'retention.ms');
  }
  if (input.deleteEnabled && !isUnlimited(input.retentionBytes)) {
    // Delete oldest segments while what remains still exceeds retention.bytes by a whole segment.
    const n = prefix((i, total) => total - segments[i]!.sizeBytes >= input.retentionBytes);
    if (n > 0) return finish(n, 'retention.bytes');
  }
  const n = prefix((i) => nextBase(i) <= input.logStartOffset);
  if (n > 0) return finish(n, 'log start offset');
  return { deleteCount: 0, reason: null, rollFirst: false };
}
