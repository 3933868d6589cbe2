import { UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET } from './replication-types.js';

/** What the follower's own log knows, read through the shell. */
export interface FollowerLogView {
  readonly logEndOffset: number;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  /** The latest epoch in the leader-epoch cache, -1 if none. */
  latestEpoch(): number;
  /** The leader-epoch cache's endOffsetFor (storage's LeaderEpochCache, Kafka's LeaderEpochFileCache). */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number };
}

/** Where to truncate, and whether that is the end of truncation or another round is needed. */
export interface TruncationDecision {
  readonly offset: number;
  readonly complete: boolean;
}

/**
 * Kafka's AbstractFetcherThread.getOffsetTruncationState (KIP-101, KIP-279): given the leader's
 * answer to OffsetsForLeaderEpoch for the follower's latest epoch, where the follower truncates.
 *
 * - The leader knows no end offset: truncate to the offset fetching started from (the high watermark).
 * - The leader has no epochs (an old format): truncate to its end offset.
 * - Otherwise look the leader's epoch up in the follower's own cache: if the follower has that
 *   epoch, truncate to the smaller of the two end offsets, done; if it has only older epochs,
 *   truncate to the end of the largest one and ask again (the leader's answer for that epoch may
 *   be lower still); if it has none at or below it, truncate to the leader's end offset.
 *
 * Never past the follower's log end offset.
 */
export function offsetTruncationState(
  leader: { epoch: number; endOffset: number },
  log: FollowerLogView,
  initialFetchOffset: number,
): TruncationDecision {
  const replicaEndOffset = log.logEndOffset;
  if (leader.endOffset === UNDEFINED_EPOCH_OFFSET)
    return { offset: Math.min(initialFetchOffset, replicaEndOffset), complete: true };
  if (leader.epoch === UNDEFINED_EPOCH)
    return { offset: Math.min(leader.endOffset, replicaEndOffset), complete: true };
  const follower = log.endOffsetForEpoch(leader.epoch);
  if (follower.endOffset === UNDEFINED_EPOCH_OFFSET)
    return { offset: Math.min(leader.endOffset, replicaEndOffset), complete: true };
  if (follower.epoch !== leader.epoch)
    return { offset: Math.min(follower.endOffset, replicaEndOffset), complete: false };
  return { offset: Math.min(follower.endOffset, leader.endOffset, replicaEndOffset), complete: true };
}
