import type { Logger } from '../../common/logger.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { backoffMs, sleep } from '../backoff.js';
import { ClientError, KafkaError, throwIfAborted } from '../client-error.js';
import { Apis } from '../network/apis.js';
import type { Cluster } from '../network/cluster.js';
import { findCoordinator } from '../network/coordinator.js';

/** One protocol a member supports, with its metadata (the bytes the group's leader receives). */
export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

/** A member as the leader sees it in the JoinGroup answer. */
export interface JoinedMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

/** What a joined generation gives a member. */
export interface GroupJoin {
  generationId: number;
  memberId: string;
  leaderId: string;
  protocolName: string;
  assignment: Buffer;
}

export interface GroupMemberOptions {
  groupId: string;
  /** JoinGroup's protocol type: 'connect' for Connect workers, any name a custom group uses. */
  protocolType: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  groupInstanceId?: string | null;
}

/**
 * What the owner of a custom group decides (Kafka's AbstractCoordinator hooks: metadata,
 * onJoinPrepare, onLeaderElected, onJoinComplete).
 */
export interface GroupMemberHooks {
  /** The protocols to offer, most preferred first, with this member's current metadata. */
  protocols(): GroupProtocol[];
  /** Before a (re)join. */
  onJoinPrepare(generationId: number, memberId: string): Promise<void>;
  /** On the leader only: each member's assignment bytes. */
  assign(
    leaderId: string,
    protocolName: string,
    members: readonly JoinedMember[],
  ): Promise<Map<string, Buffer>>;
  /** After SyncGroup with this member's assignment. */
  onJoinComplete(join: GroupJoin): Promise<void>;
  /** The member lost its place in the group (expired or fenced) before it could rejoin. */
  onLost?(): Promise<void>;
  /** A rebalance is needed: the owner should call ensureActive soon. */
  onRebalanceNeeded?(): void;
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
 * A member of a classic group with a protocol type and assignment of the owner's choosing (Kafka's
 * AbstractCoordinator): JoinGroup with the owner's protocols, the leader's assignment through
 * SyncGroup, heartbeats on their own timer, LeaveGroup on close. Consumers use their own
 * GroupMembership; this is for other kinds of members, such as Connect workers.
 */
export class GroupMember {
  generationId = -1;
  memberId = '';
  private coordinator = -1;
  private rejoinNeeded = true;
  private lostPending = false;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeatToken = 0;
  private closed = false;
  private joining: Promise<void> | null = null;
  private readonly log: Logger;

  constructor(
    private readonly cluster: Cluster,
    private readonly options: GroupMemberOptions,
    private readonly hooks: GroupMemberHooks,
  ) {
    this.log = cluster.log.child({ groupId: options.groupId });
  }

  get needsRejoin(): boolean {
    return this.rejoinNeeded || this.lostPending;
  }

  requestRejoin(): void {
    this.rejoinNeeded = true;
    this.hooks.onRebalanceNeeded?.();
  }

  /** Joins (or rejoins) the group if needed; concurrent callers share one attempt. */
  ensureActive(signal?: AbortSignal): Promise<void> {
    if (!this.needsRejoin) return Promise.resolve();
    this.joining ??= this.rejoin(signal).finally(() => {
      this.joining = null;
    });
    return this.joining;
  }

  private async rejoin(signal?: AbortSignal): Promise<void> {
    if (this.lostPending) {
      this.lostPending = false;
      await this.hooks.onLost?.();
    }
    let prepared = false;
    for (let attempt = 0; this.rejoinNeeded; attempt++) {
      throwIfAborted(signal);
      if (this.closed) throw new ClientError('CLIENT_CLOSED', 'the group member is closed');
      try {
        if (this.coordinator < 0)
          this.coordinator = await findCoordinator(this.cluster, this.options.groupId, 0, signal);
        // A heartbeat of the old generation answered during the join would reset the member id
        // the join is about to get; heartbeats start again once the new generation is synced.
        this.stopHeartbeat();
        if (!prepared) {
          await this.hooks.onJoinPrepare(this.generationId, this.memberId);
          prepared = true;
        }
        // Cleared before the join so a request for another round during it is kept.
        this.rejoinNeeded = false;
        const join = await this.joinAndSync(signal);
        this.startHeartbeat();
        await this.hooks.onJoinComplete(join);
        attempt = -1;
        prepared = false;
      } catch (err) {
        this.rejoinNeeded = true;
        if (!(err instanceof ClientError)) throw err;
        if (err.code === 'ABORTED' || err.code === 'CLIENT_CLOSED' || this.closed) throw err;
        if (err.kafkaCode !== null && RESET_MEMBER.has(err.kafkaCode)) this.resetMember();
        else if (err.kafkaCode !== null && COORDINATOR_MOVED.has(err.kafkaCode)) this.coordinator = -1;
        else if (err.kafkaCode === null) this.coordinator = -1;
        else if (!err.retriable && err.kafkaCode !== ErrorCode.REBALANCE_IN_PROGRESS) throw err;
        this.log.debug({ err: err.message, attempt }, 'join failed, retrying');
        if (err.kafkaCode !== ErrorCode.REBALANCE_IN_PROGRESS)
          await sleep(backoffMs(attempt, this.cluster.options.backoff), signal);
      }
    }
  }

  private resetMember(): void {
    this.memberId = '';
    this.generationId = -1;
  }

  private async joinAndSync(signal?: AbortSignal): Promise<GroupJoin> {
    const o = this.options;
    const join = await this.cluster.request(
      this.coordinator,
      Apis.JoinGroup,
      {
        groupId: o.groupId,
        sessionTimeoutMs: o.sessionTimeoutMs,
        rebalanceTimeoutMs: o.rebalanceTimeoutMs,
        memberId: this.memberId,
        groupInstanceId: o.groupInstanceId ?? null,
        protocolType: o.protocolType,
        protocols: this.hooks.protocols(),
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
    const protocolName = join.protocolName ?? '';
    let assignments: { memberId: string; assignment: Buffer }[] = [];
    if (join.leader === join.memberId && !join.skipAssignment) {
      const result = await this.hooks.assign(join.leader, protocolName, join.members);
      assignments = [...result].map(([memberId, assignment]) => ({ memberId, assignment }));
    }
    const sync = await this.cluster.request(
      this.coordinator,
      Apis.SyncGroup,
      {
        groupId: o.groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        groupInstanceId: o.groupInstanceId ?? null,
        protocolType: o.protocolType,
        protocolName: join.protocolName,
        assignments,
      },
      { signal, timeoutMs: o.rebalanceTimeoutMs + 5000 },
    );
    if (sync.errorCode !== 0) throw new KafkaError(sync.errorCode, `SyncGroup ${o.groupId}`);
    this.log.info({ generationId: this.generationId, memberId: this.memberId }, 'joined group');
    return {
      generationId: this.generationId,
      memberId: this.memberId,
      leaderId: join.leader,
      protocolName,
      assignment: sync.assignment,
    };
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const token = ++this.heartbeatToken;
    const beat = async (): Promise<void> => {
      this.heartbeatTimer = null;
      if (token !== this.heartbeatToken || this.memberId === '') return;
      try {
        const res = await this.cluster.request(this.coordinator, Apis.Heartbeat, {
          groupId: this.options.groupId,
          generationId: this.generationId,
          memberId: this.memberId,
          groupInstanceId: this.options.groupInstanceId ?? null,
        });
        // Stopped while waiting (a join began): the answer is about a generation that is over.
        if (token !== this.heartbeatToken) return;
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
        if (token !== this.heartbeatToken) return;
        this.log.debug({ err }, 'heartbeat failed');
        this.coordinator = -1;
        this.requestRejoin();
      }
      // Heartbeats go on while a rebalance waits for its owner, keeping the session alive.
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

  /** Leaves the group so the leader reassigns this member's work at once. */
  async leave(reason = 'the member is being closed'): Promise<void> {
    this.stopHeartbeat();
    if (this.memberId === '' || this.coordinator < 0) return;
    if (this.options.groupInstanceId) return;
    const memberId = this.memberId;
    this.resetMember();
    const res = await this.cluster.request(this.coordinator, Apis.LeaveGroup, (version) =>
      version < 3
        ? { groupId: this.options.groupId, memberId }
        : { groupId: this.options.groupId, members: [{ memberId, groupInstanceId: null, reason }] },
    );
    const errorCode = res.errorCode || (res.members[0]?.errorCode ?? 0);
    if (errorCode !== 0 && errorCode !== ErrorCode.UNKNOWN_MEMBER_ID)
      this.log.warn({ errorCode }, 'LeaveGroup failed');
  }

  /** Stops heartbeats and releases the member's connections. */
  close(): void {
    this.closed = true;
    this.stopHeartbeat();
    this.cluster.close();
  }
}
