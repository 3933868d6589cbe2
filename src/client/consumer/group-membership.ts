import type { Logger } from '../../common/logger.js';
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  type TopicPartitions,
} from '../../protocol/consumer-protocol.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { backoffMs, sleep } from '../backoff.js';
import { ClientError, KafkaError, throwIfAborted } from '../client-error.js';
import { Apis } from '../network/apis.js';
import type { Cluster } from '../network/cluster.js';
import { findCoordinator } from '../network/coordinator.js';
import type { Assignor, MemberSubscription } from './assignors/assignor.js';

export interface MembershipOptions {
  groupId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxPollIntervalMs: number;
  assignors: readonly Assignor[];
  rackId: string | null;
  logger: Logger;
}

/** What the membership needs from the consumer around a rebalance. */
export interface MembershipHooks {
  topics(): string[];
  owned(): TopicPartitions;
  /** Before joining: eager members revoke everything (committing first). */
  onJoinPrepare(protocol: 'eager' | 'cooperative'): Promise<void>;
  /** After SyncGroup: the new assignment; cooperative members revoke what they lost, then take the rest. */
  onAssignment(
    assignment: TopicPartitions,
    protocol: 'eager' | 'cooperative',
  ): Promise<{ revokedAny: boolean }>;
  /** The member was fenced or expelled: its partitions are gone without a chance to commit. */
  onLost(): Promise<void>;
  /** Partition counts for topics (the leader assigns from them). */
  partitionCounts(topics: string[]): Promise<Map<string, number>>;
  /** Wakes a waiting poll so it runs the rebalance. */
  wake(): void;
  lastPollMs(): number;
}

const RESET_MEMBER: ReadonlySet<number> = new Set([
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.FENCED_INSTANCE_ID,
]);
const COORDINATOR_MOVED: ReadonlySet<number> = new Set([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
]);

/**
 * The classic group protocol for one consumer: JoinGroup, SyncGroup (the leader runs the
 * assignor), Heartbeat on its own timer so slow application code does not expire the session,
 * LeaveGroup on close or when max.poll.interval.ms passes without a poll.
 */
export class GroupMembership {
  generationId = -1;
  memberId = '';
  private coordinator = -1;
  private rejoinNeeded = true;
  private lostPending = false;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeatToken = 0;
  private closed = false;
  private joining: Promise<void> | null = null;
  readonly protocol: 'eager' | 'cooperative';
  private readonly log: Logger;

  constructor(
    private readonly cluster: Cluster,
    private readonly options: MembershipOptions,
    private readonly hooks: MembershipHooks,
  ) {
    this.protocol = options.assignors.every((a) => a.protocol === 'cooperative') ? 'cooperative' : 'eager';
    this.log = options.logger.child({ groupId: options.groupId });
  }

  get needsRejoin(): boolean {
    return this.rejoinNeeded;
  }

  get isJoining(): boolean {
    return this.joining !== null;
  }

  requestRejoin(): void {
    this.rejoinNeeded = true;
    this.hooks.wake();
  }

  /** Joins (or rejoins) the group if needed; concurrent callers share one attempt. */
  ensureActive(signal?: AbortSignal): Promise<void> {
    if (!this.rejoinNeeded && !this.lostPending) return Promise.resolve();
    this.joining ??= this.rejoin(signal).finally(() => {
      this.joining = null;
    });
    return this.joining;
  }

  private async rejoin(signal?: AbortSignal): Promise<void> {
    if (this.lostPending) {
      this.lostPending = false;
      await this.hooks.onLost();
    }
    let prepared = false;
    for (let attempt = 0; this.rejoinNeeded; attempt++) {
      throwIfAborted(signal);
      if (this.closed) throw new ClientError('CLIENT_CLOSED', 'the consumer is closed');
      try {
        if (this.coordinator < 0)
          this.coordinator = await findCoordinator(this.cluster, this.options.groupId, 0, signal);
        if (!prepared) {
          this.stopHeartbeat();
          await this.hooks.onJoinPrepare(this.protocol);
          prepared = true;
        }
        const assignment = await this.joinAndSync(signal);
        this.rejoinNeeded = false;
        this.startHeartbeat();
        const { revokedAny } = await this.hooks.onAssignment(assignment, this.protocol);
        // KIP-429: revoked partitions are free only after another round.
        if (revokedAny && this.protocol === 'cooperative') {
          this.rejoinNeeded = true;
          prepared = false;
        }
        attempt = -1;
      } catch (err) {
        if (!(err instanceof ClientError)) throw err;
        if (err.code === 'ABORTED' || err.code === 'CLIENT_CLOSED' || this.closed) throw err;
        if (err.kafkaCode !== null && RESET_MEMBER.has(err.kafkaCode)) this.resetMember();
        else if (err.kafkaCode !== null && COORDINATOR_MOVED.has(err.kafkaCode)) this.coordinator = -1;
        else if (err.kafkaCode === null) this.coordinator = -1;
        else if (!err.retriable && err.kafkaCode !== ErrorCode.REBALANCE_IN_PROGRESS) throw err;
        this.log.debug({ err: err.message, attempt }, 'join failed, retrying');
        if (err.kafkaCode !== ErrorCode.REBALANCE_IN_PROGRESS) {
          await sleep(backoffMs(attempt, this.cluster.options.backoff), signal);
        }
      }
    }
  }

  private resetMember(): void {
    this.memberId = '';
    this.generationId = -1;
  }

  private async joinAndSync(signal?: AbortSignal): Promise<TopicPartitions> {
    const o = this.options;
    const subscription = {
      topics: this.hooks.topics(),
      userData: null,
      ownedPartitions: this.hooks.owned(),
      generationId: this.generationId,
      rackId: o.rackId,
    };
    const join = await this.cluster.request(
      this.coordinator,
      Apis.JoinGroup,
      {
        groupId: o.groupId,
        sessionTimeoutMs: o.sessionTimeoutMs,
        rebalanceTimeoutMs: o.rebalanceTimeoutMs,
        memberId: this.memberId,
        groupInstanceId: o.groupInstanceId,
        protocolType: 'consumer',
        protocols: o.assignors.map((a) => ({ name: a.name, metadata: encodeSubscription(subscription) })),
        reason: null,
      },
      // The coordinator holds JoinGroup until every member joined, up to the rebalance timeout.
      { signal, timeoutMs: o.rebalanceTimeoutMs + 5000 },
    );
    if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      // KIP-394: the first join only hands out a member id.
      this.memberId = join.memberId;
      throw new KafkaError(ErrorCode.REBALANCE_IN_PROGRESS, 'member id assigned');
    }
    if (join.errorCode !== 0) throw new KafkaError(join.errorCode, `JoinGroup ${o.groupId}`);
    this.memberId = join.memberId;
    this.generationId = join.generationId;
    let assignments: { memberId: string; assignment: Buffer }[] = [];
    if (join.leader === join.memberId && !join.skipAssignment) {
      assignments = await this.assign(join.protocolName ?? '', join.members);
    }
    const sync = await this.cluster.request(
      this.coordinator,
      Apis.SyncGroup,
      {
        groupId: o.groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        groupInstanceId: o.groupInstanceId,
        protocolType: 'consumer',
        protocolName: join.protocolName,
        assignments,
      },
      { signal, timeoutMs: o.rebalanceTimeoutMs + 5000 },
    );
    if (sync.errorCode !== 0) throw new KafkaError(sync.errorCode, `SyncGroup ${o.groupId}`);
    this.log.info({ generationId: this.generationId, memberId: this.memberId }, 'joined group');
    return decodeAssignment(sync.assignment).partitions;
  }

  private async assign(
    protocolName: string,
    members: readonly { memberId: string; groupInstanceId: string | null; metadata: Buffer }[],
  ): Promise<{ memberId: string; assignment: Buffer }[]> {
    const assignor = this.options.assignors.find((a) => a.name === protocolName);
    if (!assignor)
      throw new ClientError('INVALID_ARGUMENT', `coordinator chose unknown assignor ${protocolName}`);
    const subs: MemberSubscription[] = members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      subscription: decodeSubscription(m.metadata),
    }));
    const topics = [...new Set(subs.flatMap((s) => s.subscription.topics))];
    const counts = await this.hooks.partitionCounts(topics);
    const result = assignor.assign(subs, counts);
    return [...result].map(([memberId, partitions]) => ({
      memberId,
      assignment: encodeAssignment({ partitions, userData: null }),
    }));
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const token = ++this.heartbeatToken;
    const beat = async (): Promise<void> => {
      this.heartbeatTimer = null;
      if (token !== this.heartbeatToken || this.memberId === '') return;
      if (performance.now() - this.hooks.lastPollMs() > this.options.maxPollIntervalMs) {
        this.log.warn(
          { maxPollIntervalMs: this.options.maxPollIntervalMs },
          'poll interval exceeded, leaving group',
        );
        // The coordinator removes the member after the session timeout anyway; a failed leave only delays that.
        await this.leave('consumer poll timeout has expired').catch((err) =>
          this.log.warn({ err }, 'leaving the group after the poll timeout failed'),
        );
        this.lostPending = true;
        this.requestRejoin();
        return;
      }
      try {
        const res = await this.cluster.request(this.coordinator, Apis.Heartbeat, {
          groupId: this.options.groupId,
          generationId: this.generationId,
          memberId: this.memberId,
          groupInstanceId: this.options.groupInstanceId,
        });
        if (res.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) this.requestRejoin();
        else if (RESET_MEMBER.has(res.errorCode)) {
          this.resetMember();
          this.lostPending = true;
          this.requestRejoin();
        } else if (COORDINATOR_MOVED.has(res.errorCode)) {
          this.coordinator = -1;
          this.requestRejoin();
        }
      } catch (err) {
        this.log.debug({ err }, 'heartbeat failed');
        this.coordinator = -1;
        this.requestRejoin();
      }
      // Heartbeats go on while a rebalance waits for the next poll, keeping the session alive.
      if (token === this.heartbeatToken && this.coordinator >= 0) this.scheduleHeartbeat(beat);
    };
    this.scheduleHeartbeat(beat);
  }

  private scheduleHeartbeat(beat: () => Promise<void>): void {
    this.heartbeatTimer = setTimeout(() => void beat(), this.options.heartbeatIntervalMs);
  }

  private stopHeartbeat(): void {
    this.heartbeatToken++;
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  /** Leaves the group so its partitions are reassigned at once rather than after the session timeout. */
  async leave(reason = 'the consumer is being closed'): Promise<void> {
    this.stopHeartbeat();
    this.log.debug({ memberId: this.memberId, coordinator: this.coordinator }, 'leaving group');
    if (this.memberId === '' || this.coordinator < 0) return;
    // Static members keep their place across restarts (KIP-345): they do not send LeaveGroup.
    if (this.options.groupInstanceId !== null) return;
    const memberId = this.memberId;
    this.resetMember();
    // v0-2 name the member directly; v3+ (KIP-345) list members and have no top-level member id.
    const res = await this.cluster.request(this.coordinator, Apis.LeaveGroup, (version) =>
      version < 3
        ? { groupId: this.options.groupId, memberId }
        : { groupId: this.options.groupId, members: [{ memberId, groupInstanceId: null, reason }] },
    );
    const errorCode = res.errorCode || (res.members[0]?.errorCode ?? 0);
    if (errorCode !== 0 && errorCode !== ErrorCode.UNKNOWN_MEMBER_ID) {
      this.log.warn({ errorCode }, 'LeaveGroup failed');
    }
  }

  /** Stops heartbeats and ends a join still running in the background. */
  close(): void {
    this.closed = true;
    this.stopHeartbeat();
  }
}
