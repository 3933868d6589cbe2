import type {
  JoinGroupResponse,
  JoinGroupResponseMember,
} from '../../src/broker/group-coordinator/core/group-api.js';
import type { GroupApi, GroupApis } from '../../src/broker/group-coordinator/core/group-effects.js';
import type { Random } from '../../src/common/random.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import {
  decodeAssignment,
  encodeAssignment,
  encodeSubscription,
  subscribedTopicsOf,
} from '../helpers/consumer-protocol-v0.js';

/** What a simulated consumer asks of the world it lives in. */
export interface ConsumerHost {
  readonly random: Random;
  now(): number;
  /** Sends a request; `onResponse` runs when (if) the answer arrives, `onDisconnect` if the coordinator restarts first. */
  send<A extends GroupApi>(
    consumer: SimConsumer,
    api: A,
    apiVersion: number,
    request: GroupApis[A]['request'],
    onResponse: (response: GroupApis[A]['response']) => void,
  ): void;
  after(consumer: SimConsumer, delayMs: number, fn: () => void): void;
  partitionsOf(topic: string): number;
}

export type ConsumerState = 'joining' | 'syncing' | 'stable' | 'crashed' | 'left' | 'fenced';

/**
 * A consumer that follows the classic group protocol as Kafka's clients do: join (with the
 * MEMBER_ID_REQUIRED round trip from v4), sync (the leader runs a range assignor), heartbeat, commit;
 * rejoin on REBALANCE_IN_PROGRESS, UNKNOWN_MEMBER_ID and ILLEGAL_GENERATION. It sends one request
 * at a time.
 */
export class SimConsumer {
  state: ConsumerState = 'joining';
  memberId = '';
  generationId = -1;
  previousGenerationId = -1;
  assignment: { topic: string; partition: number }[] = [];
  busy = false;
  /** While set, heartbeats are held back past the session timeout (a long GC pause). */
  slowUntilMs = 0;
  /** Bumped on crash so the timers and responses of a dead process do nothing. */
  incarnation = 0;
  private nextOffset = 1n;

  constructor(
    private readonly host: ConsumerHost,
    readonly name: string,
    readonly groupId: string,
    readonly topics: readonly string[],
    readonly groupInstanceId: string | null,
    readonly joinVersion: number,
    readonly sessionTimeoutMs: number,
    readonly rebalanceTimeoutMs: number,
  ) {}

  get alive(): boolean {
    return this.state === 'joining' || this.state === 'syncing' || this.state === 'stable';
  }

  start(): void {
    this.incarnation++;
    this.state = 'joining';
    this.memberId = '';
    this.generationId = -1;
    this.busy = false;
    this.join();
    this.scheduleHeartbeat();
    this.scheduleCommit();
  }

  crash(): void {
    this.state = 'crashed';
    this.incarnation++;
    this.busy = false;
  }

  leave(): void {
    if (!this.alive) return;
    const memberId = this.memberId;
    this.state = 'left';
    this.incarnation++;
    this.busy = false;
    if (memberId === '') return;
    this.request(
      'LeaveGroup',
      5,
      {
        groupId: this.groupId,
        members: [{ memberId, groupInstanceId: this.groupInstanceId, reason: 'sim' }],
      },
      () => {},
      true,
    );
  }

  /** The coordinator restarted with our request parked in it: retry as a client would after a disconnect. */
  disconnected(): void {
    this.busy = false;
    if (this.state === 'joining' || this.state === 'syncing') this.join();
  }

  /** Commits with the previous generation: the coordinator must refuse it. */
  commitStale(): void {
    if (this.state !== 'stable' || this.previousGenerationId < 0 || this.busy) return;
    this.commitWith(this.previousGenerationId);
  }

  private request<A extends GroupApi>(
    api: A,
    version: number,
    request: GroupApis[A]['request'],
    onResponse: (r: GroupApis[A]['response']) => void,
    force = false,
  ): void {
    if (this.busy && !force) return;
    this.busy = true;
    const incarnation = this.incarnation;
    this.host.send(this, api, version, request, (r) => {
      if (incarnation !== this.incarnation) return;
      this.busy = false;
      onResponse(r);
    });
  }

  private join(): void {
    this.state = 'joining';
    this.request(
      'JoinGroup',
      this.joinVersion,
      {
        groupId: this.groupId,
        sessionTimeoutMs: this.sessionTimeoutMs,
        rebalanceTimeoutMs: this.rebalanceTimeoutMs,
        memberId: this.memberId,
        groupInstanceId: this.groupInstanceId,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: encodeSubscription(this.topics) }],
        reason: null,
      },
      (r) => this.onJoin(r),
      true,
    );
  }

  private onJoin(r: JoinGroupResponse): void {
    switch (r.errorCode) {
      case ErrorCode.NONE:
        this.memberId = r.memberId;
        if (this.generationId !== r.generationId) this.previousGenerationId = this.generationId;
        this.generationId = r.generationId;
        this.sync(r.leader === r.memberId && !r.skipAssignment ? rangeAssign(r.members, this.host) : []);
        return;
      case ErrorCode.MEMBER_ID_REQUIRED:
        this.memberId = r.memberId;
        this.join();
        return;
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.memberId = '';
        this.generationId = -1;
        this.join();
        return;
      case ErrorCode.FENCED_INSTANCE_ID:
      case ErrorCode.GROUP_MAX_SIZE_REACHED:
        this.state = 'fenced';
        this.incarnation++;
        return;
      default:
        // REBALANCE_IN_PROGRESS, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS...: back off and retry.
        this.host.after(this, 50, () => this.join());
    }
  }

  private sync(assignments: { memberId: string; assignment: Buffer }[]): void {
    this.state = 'syncing';
    this.request(
      'SyncGroup',
      5,
      {
        groupId: this.groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        groupInstanceId: this.groupInstanceId,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments,
      },
      (r) => {
        if (r.errorCode === ErrorCode.NONE) {
          this.state = 'stable';
          this.assignment = decodeAssignment(r.assignment).flatMap((tp) =>
            tp.partitions.map((partition) => ({ topic: tp.topic, partition })),
          );
        } else {
          this.onMembershipError(r.errorCode);
        }
      },
      true,
    );
  }

  private onMembershipError(errorCode: number): void {
    if (errorCode === ErrorCode.FENCED_INSTANCE_ID) {
      this.state = 'fenced';
      this.incarnation++;
      return;
    }
    if (errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
      this.memberId = '';
      this.generationId = -1;
    }
    this.assignment = [];
    this.join();
  }

  private scheduleHeartbeat(): void {
    const incarnation = this.incarnation;
    const interval = Math.floor(this.sessionTimeoutMs / 3);
    this.host.after(this, interval, () => {
      if (incarnation !== this.incarnation) return;
      this.scheduleHeartbeat();
      if (this.state !== 'stable' || this.busy || this.host.now() < this.slowUntilMs) return;
      this.request(
        'Heartbeat',
        4,
        {
          groupId: this.groupId,
          generationId: this.generationId,
          memberId: this.memberId,
          groupInstanceId: this.groupInstanceId,
        },
        (r) => {
          if (r.errorCode !== ErrorCode.NONE && this.state === 'stable') this.onMembershipError(r.errorCode);
        },
      );
    });
  }

  private scheduleCommit(): void {
    const incarnation = this.incarnation;
    this.host.after(this, 500 + this.host.random.int(1500), () => {
      if (incarnation !== this.incarnation) return;
      this.scheduleCommit();
      if (this.state === 'stable' && !this.busy && this.assignment.length > 0)
        this.commitWith(this.generationId);
    });
  }

  private commitWith(generationId: number): void {
    const byTopic = new Map<string, number[]>();
    for (const a of this.assignment) byTopic.set(a.topic, [...(byTopic.get(a.topic) ?? []), a.partition]);
    const offset = this.nextOffset++;
    this.request(
      'OffsetCommit',
      8,
      {
        groupId: this.groupId,
        generationIdOrMemberEpoch: generationId,
        memberId: this.memberId,
        groupInstanceId: this.groupInstanceId,
        retentionTimeMs: -1n,
        topics: [...byTopic].map(([name, partitions]) => ({
          name,
          partitions: partitions.map((partitionIndex) => ({
            partitionIndex,
            committedOffset: offset,
            committedLeaderEpoch: -1,
            commitTimestamp: -1n,
            committedMetadata: this.name,
          })),
        })),
      },
      (r) => {
        const error = r.topics[0]?.partitions[0]?.errorCode ?? ErrorCode.NONE;
        if (
          error === ErrorCode.REBALANCE_IN_PROGRESS ||
          error === ErrorCode.ILLEGAL_GENERATION ||
          error === ErrorCode.UNKNOWN_MEMBER_ID
        ) {
          if (this.state === 'stable') this.onMembershipError(error);
        }
      },
    );
  }
}

/** Kafka's RangeAssignor: per topic, members sorted by id take contiguous ranges, the first ones one more. */
export function rangeAssign(
  members: readonly JoinGroupResponseMember[],
  host: Pick<ConsumerHost, 'partitionsOf'>,
): { memberId: string; assignment: Buffer }[] {
  const byMember = new Map<string, Map<string, number[]>>();
  const subscribers = new Map<string, string[]>();
  for (const m of members) {
    byMember.set(m.memberId, new Map());
    for (const t of subscribedTopicsOf(m.metadata) ?? [])
      subscribers.set(t, [...(subscribers.get(t) ?? []), m.memberId]);
  }
  for (const [topic, ids] of subscribers) {
    ids.sort();
    const n = host.partitionsOf(topic);
    const per = Math.floor(n / ids.length);
    const extra = n % ids.length;
    let next = 0;
    ids.forEach((id, i) => {
      const count = per + (i < extra ? 1 : 0);
      const parts: number[] = [];
      for (let k = 0; k < count; k++) parts.push(next++);
      byMember.get(id)!.set(topic, parts);
    });
  }
  return [...byMember].map(([memberId, topics]) => ({
    memberId,
    assignment: encodeAssignment([...topics].map(([topic, partitions]) => ({ topic, partitions }))),
  }));
}
