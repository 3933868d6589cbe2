import { ErrorCode } from '../../protocol/error-codes.js';
import type { PartitionLog } from '../../storage/partition-log.js';
import type { PartitionFollower } from '../replication/partition-follower.js';
import type { PartitionLeader } from '../replication/partition-leader.js';

/**
 * A partition this broker holds a replica of: its log and what the metadata says about it. The log
 * opens on first use, so a broker with thousands of partitions starts listening without loading
 * them all; leadership taken before then is applied when it opens.
 */
export class HostedPartition {
  leaderId = -1;
  leaderEpoch = -1;
  partitionEpoch = -1;
  replicas: number[] = [];
  isr: number[] = [];
  /** The leader side of replication while this broker leads (created when the log opens). */
  leaderState: PartitionLeader | null = null;
  /** The follower side while this broker follows another leader (run by the replica fetcher). */
  follower: PartitionFollower<Buffer> | null = null;
  private opened: PartitionLog | null = null;
  private leadershipPending = false;
  /** Became leader here: a log reopened later (see `log`) records the epoch and high watermark again. */
  private leads = false;
  /** Builds the leader state on the open log (the replica manager's, which runs its effects). */
  private makeLeader: ((log: PartitionLog) => void) | null = null;

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

  /**
   * This broker became leader at `leaderEpoch`: once the log is open, record where the epoch starts
   * and build the leader state with `makeLeader` (which also moves the high watermark).
   */
  becomeLeader(makeLeader: (log: PartitionLog) => void): void {
    this.leads = true;
    this.makeLeader = makeLeader;
    if (this.opened === null) this.leadershipPending = true;
    else this.applyLeadership();
  }

  /** Leadership moved away (or the partition is no longer hosted): no leader state any more. */
  stopLeading(): PartitionLeader | null {
    const l = this.leaderState;
    this.leads = false;
    this.leadershipPending = false;
    this.makeLeader = null;
    this.leaderState = null;
    return l;
  }

  private applyLeadership(): void {
    this.leadershipPending = false;
    const log = this.opened!;
    if (log.epochs.latestEpoch() < this.leaderEpoch) log.assignEpochStartOffset(this.leaderEpoch);
    this.makeLeader?.(log);
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
}
