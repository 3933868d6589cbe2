import { ErrorCode } from '../../protocol/error-codes.js';
import type { PartitionLog } from '../../storage/partition-log.js';

/** A partition this broker holds a replica of: its log and what the metadata says about it. */
export class HostedPartition {
  leaderId = -1;
  leaderEpoch = -1;
  replicas: number[] = [];
  isr: number[] = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
    public topicId: string,
    readonly log: PartitionLog,
  ) {}

  get key(): string {
    return `${this.topic}-${this.partition}`;
  }

  /**
   * Checks a client's view of the leader epoch (KIP-320): newer than ours means our metadata is
   * stale (UNKNOWN_LEADER_EPOCH), older means the client's is (FENCED_LEADER_EPOCH); -1 skips the check.
   */
  checkLeaderEpoch(currentLeaderEpoch: number): number {
    if (currentLeaderEpoch < 0 || currentLeaderEpoch === this.leaderEpoch) return ErrorCode.NONE;
    return currentLeaderEpoch > this.leaderEpoch
      ? ErrorCode.UNKNOWN_LEADER_EPOCH
      : ErrorCode.FENCED_LEADER_EPOCH;
  }

  /**
   * Moves the high watermark to the smallest log end offset in the ISR. With this broker the only
   * replica in the ISR that is its own log end offset; followers report theirs when replication lands.
   */
  maybeIncrementHighWatermark(followerEndOffsets: ReadonlyMap<number, number> = new Map()): boolean {
    let hw = this.log.logEndOffset;
    for (const r of this.isr) {
      const leo = followerEndOffsets.get(r);
      if (leo !== undefined) hw = Math.min(hw, leo);
    }
    if (hw <= this.log.highWatermark) return false;
    this.log.setHighWatermark(hw);
    return true;
  }
}
