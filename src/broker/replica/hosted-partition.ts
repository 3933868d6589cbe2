import { ErrorCode } from '../../protocol/error-codes.js';
import type { PartitionLog } from '../../storage/partition-log.js';

/**
 * A partition this broker holds a replica of: its log and what the metadata says about it. The log
 * opens on first use, so a broker with thousands of partitions starts listening without loading
 * them all; leadership taken before then is applied when it opens.
 */
export class HostedPartition {
  leaderId = -1;
  leaderEpoch = -1;
  replicas: number[] = [];
  isr: number[] = [];
  private opened: PartitionLog | null = null;
  private leadershipPending = false;
  /** Became leader here: a log reopened later (see `log`) records the epoch and high watermark again. */
  private leads = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
    public topicId: string,
    private readonly openLog: () => PartitionLog,
  ) {}

  /**
   * The partition's log, opened (and recovered if needed) on first access, and opened again after
   * the log manager closed it to recover its offline log dir.
   */
  get log(): PartitionLog {
    if (this.opened === null || this.opened.isClosed) {
      if (this.opened !== null && this.leads) this.leadershipPending = true;
      this.opened = this.openLog();
      if (this.leadershipPending) this.applyLeadership();
    }
    return this.opened;
  }

  /** The log if it is open, without opening it (monitoring must not load a log to look at it). */
  get openedLog(): PartitionLog | null {
    return this.opened !== null && !this.opened.isClosed ? this.opened : null;
  }

  get isLoaded(): boolean {
    return this.opened !== null;
  }

  /** This broker became leader at `leaderEpoch`: record where the epoch starts, move the high watermark. */
  becomeLeader(): void {
    this.leads = true;
    if (this.opened === null) this.leadershipPending = true;
    else this.applyLeadership();
  }

  private applyLeadership(): void {
    this.leadershipPending = false;
    const log = this.opened!;
    if (log.epochs.latestEpoch() < this.leaderEpoch) log.assignEpochStartOffset(this.leaderEpoch);
    this.maybeIncrementHighWatermark();
  }

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
    let highWatermark = this.log.logEndOffset;
    for (const r of this.isr) {
      const followerEnd = followerEndOffsets.get(r);
      if (followerEnd !== undefined) highWatermark = Math.min(highWatermark, followerEnd);
    }
    if (highWatermark <= this.log.highWatermark) return false;
    this.log.setHighWatermark(highWatermark);
    return true;
  }
}
