import { ErrorCode } from '../../protocol/error-codes.js';
import {
  ACKS_ALL,
  type AlterPartitionAnswer,
  type AlterPartitionProposal,
  type IsrMember,
  type ReplicationConfig,
} from './replication-types.js';

/** A follower as its leader sees it, from its fetches (Kafka's Replica and ReplicaState). */
interface FollowerState {
  readonly brokerId: number;
  logEndOffset: number;
  /** The last time the follower had fetched up to the leader's log end (Kafka's lastCaughtUpTimeMs). */
  lastCaughtUpTimeMs: number;
  /** The leader's log end offset at this follower's previous fetch. */
  lastFetchLeaderLogEndOffset: number;
  lastFetchTimeMs: number;
}

/** What the shell must do, in order. */
export type LeaderEffect =
  /** The high watermark moved up: set it on the log (storage's setHighWatermark) and wake fetches waiting for it. */
  | { readonly type: 'highWatermark'; readonly highWatermark: number }
  /** Send this AlterPartition to the controller; answer with `onAlterPartitionAnswer`. */
  | { readonly type: 'alterPartition'; readonly proposal: AlterPartitionProposal }
  /** Answer a waiting acks=all produce with this error code (NONE: acknowledged). */
  | { readonly type: 'complete'; readonly requestId: number; readonly errorCode: number };

/** The ISR change in flight with the controller (Kafka's PendingExpandIsr / PendingShrinkIsr). */
interface PendingIsrChange {
  readonly proposal: AlterPartitionProposal;
  /** The ISR counted for the high watermark meanwhile: the larger of the two (Kafka's maximalIsr). */
  readonly maximalIsr: readonly number[];
}

export interface PartitionLeaderOptions {
  readonly topicId: string;
  readonly partitionId: number;
  readonly localBrokerId: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** The leader's log end offset now. */
  readonly logEndOffset: number;
  /** The log's high watermark now (from the checkpoint, or the previous leader's as replicated). */
  readonly highWatermark: number;
  readonly nowMs: number;
  readonly config: ReplicationConfig;
  /**
   * Whether a broker may join the ISR now and the epoch of its registration (KIP-841: a fenced or
   * shutting-down broker may not); null for one that may not.
   */
  readonly isrEligibility: (brokerId: number) => bigint | null;
}

/**
 * The leader side of one partition's replication, as Kafka's Partition (3.x, KRaft) runs it, with
 * no I/O: it learns each follower's log end offset from the offset it fetches at, moves the high
 * watermark to the smallest log end offset of the ISR (never backwards), proposes ISR shrinks and
 * expansions to the controller with its partition epoch, one at a time, and completes acks=all
 * produce requests once the high watermark passes them.
 */
export class PartitionLeader {
  readonly topicId: string;
  readonly partitionId: number;
  readonly localBrokerId: number;
  readonly leaderEpoch: number;
  /** The offset this leader epoch starts at: a follower must reach it to join the ISR (Kafka's leaderEpochStartOffsetOpt). */
  readonly leaderEpochStartOffset: number;
  private partitionEpochValue: number;
  private isrValue: readonly number[];
  private readonly replicas: readonly number[];
  private readonly followers = new Map<number, FollowerState>();
  private logEndOffset: number;
  private highWatermarkValue: number;
  private pending: PendingIsrChange | null = null;
  /** The pending change was refused on a stale state: wait for the metadata, propose nothing meanwhile. */
  private awaitingMetadata = false;
  private readonly waiting = new Map<number, number>();
  private readonly config: ReplicationConfig;
  private readonly isrEligibility: (brokerId: number) => bigint | null;
  private readonly elrEnabled: boolean;

  constructor(o: PartitionLeaderOptions) {
    this.topicId = o.topicId;
    this.partitionId = o.partitionId;
    this.localBrokerId = o.localBrokerId;
    this.leaderEpoch = o.leaderEpoch;
    this.partitionEpochValue = o.partitionEpoch;
    this.replicas = [...o.replicas];
    this.isrValue = [...o.isr];
    this.logEndOffset = o.logEndOffset;
    this.leaderEpochStartOffset = o.logEndOffset;
    this.highWatermarkValue = Math.min(o.highWatermark, o.logEndOffset);
    this.config = o.config;
    this.elrEnabled = o.config.eligibleLeaderReplicasEnabled ?? true;
    this.isrEligibility = o.isrEligibility;
    // Kafka's Partition.makeLeader resets every follower: unknown log end offset, and ISR members
    // count as caught up now, so they are not dropped before they had a chance to fetch.
    for (const id of this.replicas) {
      if (id === this.localBrokerId) continue;
      this.followers.set(id, {
        brokerId: id,
        logEndOffset: -1,
        lastCaughtUpTimeMs: this.isrValue.includes(id) ? o.nowMs : 0,
        lastFetchLeaderLogEndOffset: -1,
        lastFetchTimeMs: 0,
      });
    }
  }

  get isr(): readonly number[] {
    return this.isrValue;
  }
  get partitionEpoch(): number {
    return this.partitionEpochValue;
  }
  get highWatermark(): number {
    return this.highWatermarkValue;
  }
  /** The ISR the high watermark and acks=all count: the committed one, or the larger one while a change is in flight. */
  get maximalIsr(): readonly number[] {
    return this.pending?.maximalIsr ?? this.isrValue;
  }
  get pendingProposal(): AlterPartitionProposal | null {
    return this.pending?.proposal ?? null;
  }
  followerLogEndOffset(brokerId: number): number | undefined {
    return this.followers.get(brokerId)?.logEndOffset;
  }

  /**
   * Whether a produce may be appended (Kafka's appendRecordsToLeader): acks=all needs at least
   * min.insync.replicas in the ISR, else NOT_ENOUGH_REPLICAS and nothing is appended.
   */
  checkProduce(requiredAcks: number): number {
    if (requiredAcks === ACKS_ALL && this.isrValue.length < this.config.minInsyncReplicas)
      return ErrorCode.NOT_ENOUGH_REPLICAS;
    return ErrorCode.NONE;
  }

  /** The leader's own log grew (an append); with a single-replica ISR that alone moves the high watermark. */
  onLocalAppend(logEndOffset: number, nowMs: number): LeaderEffect[] {
    this.logEndOffset = logEndOffset;
    return this.maybeIncrementHighWatermark(nowMs);
  }

  /**
   * An acks=all produce whose last offset is `lastOffset` waits until the high watermark passes it
   * (Kafka's DelayedProduce and checkEnoughReplicasReachOffset). It may complete at once.
   */
  awaitReplication(requestId: number, lastOffset: number): LeaderEffect[] {
    this.waiting.set(requestId, lastOffset + 1);
    return this.completeWaiting();
  }

  /** A waiting produce timed out (the shell's timer): REQUEST_TIMED_OUT, as Kafka's DelayedProduce.onExpiration. */
  expire(requestId: number): LeaderEffect[] {
    if (!this.waiting.delete(requestId)) return [];
    return [{ type: 'complete', requestId, errorCode: ErrorCode.REQUEST_TIMED_OUT }];
  }

  /**
   * Checks a follower's Fetch before it is served (Kafka's ReplicaManager.readFromLog with a replica
   * id): the fetcher must be a replica, and its current leader epoch this one (older: it is
   * FENCED_LEADER_EPOCH; newer: this broker has not heard of it yet, UNKNOWN_LEADER_EPOCH).
   */
  checkFollowerFetch(replicaId: number, currentLeaderEpoch: number): number {
    if (!this.replicas.includes(replicaId) || replicaId === this.localBrokerId)
      return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    if (currentLeaderEpoch >= 0 && currentLeaderEpoch < this.leaderEpoch)
      return ErrorCode.FENCED_LEADER_EPOCH;
    if (currentLeaderEpoch > this.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
    return ErrorCode.NONE;
  }

  /**
   * A follower fetched at `fetchOffset` (so its log ends there) and was served (Kafka's
   * Partition.updateFollowerFetchState): its caught-up time moves, it may join the ISR, and the
   * high watermark may move up.
   */
  onFollowerFetch(replicaId: number, fetchOffset: number, nowMs: number): LeaderEffect[] {
    const f = this.followers.get(replicaId);
    if (f === undefined) return [];
    // Kafka's ReplicaState.updateFetchStateOrThrow.
    if (fetchOffset >= this.logEndOffset) f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, nowMs);
    else if (fetchOffset >= f.lastFetchLeaderLogEndOffset)
      f.lastCaughtUpTimeMs = Math.max(f.lastCaughtUpTimeMs, f.lastFetchTimeMs);
    f.logEndOffset = fetchOffset;
    f.lastFetchLeaderLogEndOffset = this.logEndOffset;
    f.lastFetchTimeMs = nowMs;
    const effects = this.maybeExpandIsr(f);
    effects.push(...this.maybeIncrementHighWatermark(nowMs));
    return effects;
  }

  /**
   * The periodic ISR check (Kafka's maybeShrinkIsr, every replica.lag.time.max.ms / 2): followers
   * that have not caught up within replica.lag.time.max.ms are proposed out of the ISR.
   */
  tick(nowMs: number): LeaderEffect[] {
    if (this.pending !== null) return [];
    const outOfSync = this.isrValue.filter((id) => {
      const f = this.followers.get(id);
      return f !== undefined && !this.isCaughtUp(f, nowMs);
    });
    if (outOfSync.length === 0) return [];
    const newIsr = this.isrValue.filter((id) => !outOfSync.includes(id));
    // A shrink keeps counting the old ISR until the controller has it (PendingShrinkIsr).
    return this.propose(newIsr, this.isrValue);
  }

  /**
   * The controller answered the AlterPartition in flight (Kafka's Partition.handleAlterPartitionError).
   * A success installs the ISR and partition epoch it answers with. INELIGIBLE_REPLICA and
   * OPERATION_NOT_ATTEMPTED say the change was not applied on the current state: the committed ISR
   * stands. A stale epoch (INVALID_UPDATE_VERSION, FENCED_LEADER_EPOCH) or an unknown partition
   * says the state moved on, perhaps through this very change retried: the proposal is given up
   * but its maximal ISR keeps counting until the metadata brings the newer partition state. Any
   * other error is retried with the same proposal.
   */
  onAlterPartitionAnswer(answer: AlterPartitionAnswer, nowMs: number): LeaderEffect[] {
    const p = this.pending;
    if (p === null || this.awaitingMetadata) return [];
    switch (answer.errorCode) {
      case ErrorCode.NONE:
        break;
      case ErrorCode.INELIGIBLE_REPLICA:
      case ErrorCode.OPERATION_NOT_ATTEMPTED:
        this.pending = null;
        return this.afterIsrChange(nowMs);
      case ErrorCode.INVALID_UPDATE_VERSION:
      case ErrorCode.FENCED_LEADER_EPOCH:
      case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      case ErrorCode.UNKNOWN_TOPIC_ID:
      case ErrorCode.INVALID_REQUEST:
        this.awaitingMetadata = true;
        return [];
      default:
        return [{ type: 'alterPartition', proposal: p.proposal }];
    }
    this.pending = null;
    if (answer.leaderEpoch !== undefined && answer.leaderEpoch !== this.leaderEpoch) return [];
    if (answer.partitionEpoch !== undefined && answer.partitionEpoch < this.partitionEpochValue) return [];
    if (answer.isr !== undefined) this.isrValue = [...answer.isr];
    if (answer.partitionEpoch !== undefined) this.partitionEpochValue = answer.partitionEpoch;
    return this.afterIsrChange(nowMs);
  }

  /** The AlterPartition in flight got no answer (timeout, no controller): the same proposal is sent again. */
  onAlterPartitionFailed(): LeaderEffect[] {
    const p = this.pending;
    if (p === null || this.awaitingMetadata) return [];
    return [{ type: 'alterPartition', proposal: p.proposal }];
  }

  /**
   * The metadata changed this partition in the same leader epoch (the controller took a fenced
   * broker out of the ISR, or committed our proposal before its answer arrived). An older
   * partition epoch is ignored.
   */
  onPartitionChange(isr: readonly number[], partitionEpoch: number, nowMs: number): LeaderEffect[] {
    if (partitionEpoch <= this.partitionEpochValue) return [];
    this.isrValue = [...isr];
    this.partitionEpochValue = partitionEpoch;
    // Any newer partition state settles the change in flight: applied, or overtaken (Kafka replaces
    // its pending state with the committed one on every metadata update).
    this.pending = null;
    this.awaitingMetadata = false;
    return this.afterIsrChange(nowMs);
  }

  /** Leadership ended: every waiting produce is answered NOT_LEADER_OR_FOLLOWER (the client retries on the new leader). */
  resign(): LeaderEffect[] {
    const out: LeaderEffect[] = [];
    for (const requestId of this.waiting.keys())
      out.push({ type: 'complete', requestId, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER });
    this.waiting.clear();
    this.pending = null;
    this.awaitingMetadata = false;
    return out;
  }

  private afterIsrChange(nowMs: number): LeaderEffect[] {
    const out = this.maybeIncrementHighWatermark(nowMs);
    // A smaller ISR may complete requests at once, with NOT_ENOUGH_REPLICAS_AFTER_APPEND.
    if (out.length === 0) out.push(...this.completeWaiting());
    return out;
  }

  /** Kafka's isCaughtUp: at the leader's log end, or caught up within replica.lag.time.max.ms. */
  private isCaughtUp(f: FollowerState, nowMs: number): boolean {
    return (
      f.logEndOffset === this.logEndOffset || nowMs - f.lastCaughtUpTimeMs <= this.config.replicaLagTimeMaxMs
    );
  }

  /**
   * Kafka's maybeExpandIsr and isFollowerInSync: a follower outside the ISR joins once it has the
   * high watermark and the start of this leader epoch (so it truncated to this leader's log) and
   * the metadata says it may (not fenced, not shutting down).
   */
  private maybeExpandIsr(f: FollowerState): LeaderEffect[] {
    if (this.pending !== null || this.isrValue.includes(f.brokerId)) return [];
    if (f.logEndOffset < this.highWatermarkValue || f.logEndOffset < this.leaderEpochStartOffset) return [];
    if (this.isrEligibility(f.brokerId) === null) return [];
    const newIsr = [...this.isrValue, f.brokerId];
    // An expansion counts the new member at once (PendingExpandIsr): the high watermark waits for it.
    return this.propose(newIsr, newIsr);
  }

  private propose(newIsr: readonly number[], maximalIsr: readonly number[]): LeaderEffect[] {
    const members: IsrMember[] = [];
    for (const id of newIsr) {
      const epoch = id === this.localBrokerId ? (this.isrEligibility(id) ?? -1n) : this.isrEligibility(id);
      members.push({ brokerId: id, brokerEpoch: epoch ?? -1n });
    }
    const proposal: AlterPartitionProposal = {
      topicId: this.topicId,
      partitionId: this.partitionId,
      leaderId: this.localBrokerId,
      leaderEpoch: this.leaderEpoch,
      partitionEpoch: this.partitionEpochValue,
      newIsr: members,
    };
    this.pending = { proposal, maximalIsr: [...maximalIsr] };
    return [{ type: 'alterPartition', proposal }];
  }

  /**
   * Kafka's maybeIncrementLeaderHW: the smallest log end offset of the leader, the maximal ISR and
   * any follower caught up within replica.lag.time.max.ms (one about to join must not see the high
   * watermark go past it). It only ever moves up, and not at all while the ISR is below
   * min.insync.replicas (KIP-966).
   */
  private maybeIncrementHighWatermark(nowMs: number): LeaderEffect[] {
    let candidate = this.logEndOffset;
    const maximal = this.maximalIsr;
    if (this.elrEnabled && maximal.length < this.config.minInsyncReplicas) return [];
    for (const f of this.followers.values()) {
      // Kafka's shouldWaitForReplicaToJoinIsr: a follower outside the ISR holds the high watermark
      // back only while it is caught up AND may join the ISR; a fenced or shutting-down broker
      // (its session expired, the controller took it out of the ISR) must not, or acks=all waits
      // for a dead replica until replica.lag.time.max.ms passes.
      if (
        !maximal.includes(f.brokerId) &&
        !(f.logEndOffset >= 0 && this.isCaughtUp(f, nowMs) && this.isrEligibility(f.brokerId) !== null)
      )
        continue;
      if (f.logEndOffset < candidate) candidate = f.logEndOffset;
    }
    if (candidate <= this.highWatermarkValue) return [];
    this.highWatermarkValue = candidate;
    return [{ type: 'highWatermark', highWatermark: candidate }, ...this.completeWaiting()];
  }

  /**
   * Kafka's checkEnoughReplicasReachOffset for each waiting produce: done once the high watermark
   * passes it, NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR is below min.insync.replicas by then.
   * With KIP-966 the high watermark stands still below it, so such a produce fails at once.
   */
  private completeWaiting(): LeaderEffect[] {
    const out: LeaderEffect[] = [];
    for (const [requestId, requiredOffset] of this.waiting) {
      const errorCode = this.replicationOutcome(requiredOffset);
      if (errorCode === null) continue;
      this.waiting.delete(requestId);
      out.push({ type: 'complete', requestId, errorCode });
    }
    return out;
  }

  /**
   * Kafka's checkEnoughReplicasReachOffset for one acks=all produce that needs the high watermark
   * at `requiredOffset`: null while it must wait, else its answer (NONE, or
   * NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR is below min.insync.replicas). A shell that parks
   * produces in its own purgatory asks this instead of `awaitReplication`.
   */
  replicationOutcome(requiredOffset: number): number | null {
    const enough = this.maximalIsr.length >= this.config.minInsyncReplicas;
    if (this.highWatermarkValue < requiredOffset && (enough || !this.elrEnabled)) return null;
    return enough ? ErrorCode.NONE : ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND;
  }
}
