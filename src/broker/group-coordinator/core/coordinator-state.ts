import type { Clock } from '../../../common/clock.js';
import type { Logger } from '../../../common/logger.js';
import type { Random } from '../../../common/random.js';
import { ErrorCode } from '../../../protocol/error-codes.js';
import { ClassicGroup, ClassicGroupMember } from './classic-group.js';
import { coordinatorPartitionFor } from './find-coordinator.js';
import type { GroupCoordinatorConfig } from './group-coordinator-config.js';
import type { GroupApi, GroupApis, GroupEffect, TxnProducer } from './group-effects.js';
import type { GroupMetadataValue, GroupRecord, OffsetCommitValue } from './group-record-codec.js';
import { OffsetStore } from './offset-store.js';
import { PendingTxnOffsets } from './pending-txn-offsets.js';
import { TimerQueue } from './timer-queue.js';

export type PartitionStatus = 'loading' | 'active';

/**
 * Everything the coordinator knows, shared by the per-API handlers: groups, committed offsets,
 * timers, owned partitions, and the effects produced by the current input.
 */
export class CoordinatorState {
  readonly groups = new Map<string, ClassicGroup>();
  readonly offsets = new OffsetStore();
  readonly timers = new TimerQueue();
  readonly partitions = new Map<number, PartitionStatus>();
  /** Transactional offset commits waiting for their transaction's marker. */
  readonly pendingTxnOffsets = new PendingTxnOffsets();
  /**
   * The log order of each committed offset's record, and the counter that numbers offset commits
   * as they are applied (live or replayed, both in log order): a transaction's offset becomes the
   * committed one at its COMMIT marker only if no later plain commit replaced it meanwhile
   * (Kafka compares the records' log offsets).
   */
  private readonly commitOrder = new Map<string, number>();
  private orderSeq = 0;
  private effects: GroupEffect[] = [];
  /** While timers fire, the deadline of the one running: it acts at its deadline, however late the tick. */
  private firingAtMs: number | null = null;

  constructor(
    readonly config: GroupCoordinatorConfig,
    readonly clock: Clock,
    readonly random: Random,
    readonly log: Logger,
  ) {}

  /** Wall-clock time for timestamps kept in records (moved back to a firing timer's deadline). */
  nowMs(): number {
    if (this.firingAtMs === null) return this.clock.nowMs();
    // Wall time is whole milliseconds (record timestamps are int64); the monotonic clock need not be.
    return Math.floor(this.clock.nowMs() - Math.max(0, this.clock.monotonicMs() - this.firingAtMs));
  }

  /** Monotonic time for deadlines. */
  monotonicMs(): number {
    return this.firingAtMs ?? this.clock.monotonicMs();
  }

  /**
   * Runs the timers due at `nowMs`, each as if at its own deadline, so that what a timer schedules
   * (the next retention sweep, an extended initial delay) does not depend on how often the shell ticks.
   */
  runTimers(nowMs: number): void {
    try {
      this.timers.runDue(nowMs, (deadlineMs) => {
        this.firingAtMs = deadlineMs;
      });
    } finally {
      this.firingAtMs = null;
    }
  }

  partitionFor(groupId: string): number {
    return coordinatorPartitionFor(groupId, this.config.offsetsTopicNumPartitions);
  }

  /** NONE when this coordinator serves the group's partition, else NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
  ownershipError(groupId: string): number {
    const status = this.partitions.get(this.partitionFor(groupId));
    if (status === 'active') return ErrorCode.NONE;
    return status === 'loading' ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NOT_COORDINATOR;
  }

  getOrCreateGroup(groupId: string): ClassicGroup {
    let group = this.groups.get(groupId);
    if (!group) {
      group = new ClassicGroup(groupId, this.partitionFor(groupId));
      this.groups.set(groupId, group);
    }
    return group;
  }

  respond<A extends GroupApi>(requestId: number, api: A, response: GroupApis[A]['response']): void {
    this.effects.push({ type: 'respond', requestId, api, response } as GroupEffect);
  }

  /**
   * Appends records. Offset commits and tombstones are applied through `replay`, the same path as
   * loading, so live state and reloaded state cannot drift apart; group metadata values describe
   * membership the handlers already changed, and are replayed only when loading.
   */
  append(partition: number, records: readonly GroupRecord[]): void {
    if (records.length === 0) return;
    this.effects.push({ type: 'append', partition, records });
    for (const r of records) if (r.type === 'OffsetCommit' || r.value === null) this.replay(r);
  }

  /**
   * Appends a TxnOffsetCommit's records as one transactional batch of its producer; they stay
   * pending until the transaction's marker (`completeTxn`).
   */
  appendTxn(partition: number, records: readonly GroupRecord[], producer: TxnProducer): void {
    if (records.length === 0) return;
    this.effects.push({ type: 'append', partition, records, producer });
    for (const r of records) this.replayTxnOffsetCommit(producer.producerId, r);
  }

  /** An offset commit record of a transactional batch: pending for its producer. */
  replayTxnOffsetCommit(producerId: bigint, record: GroupRecord): void {
    if (record.type !== 'OffsetCommit' || record.value === null) return;
    const { group, topic, partition } = record.key;
    this.getOrCreateGroup(group);
    this.pendingTxnOffsets.put(producerId, {
      group,
      topic,
      partition,
      value: record.value,
      order: ++this.orderSeq,
    });
  }

  /**
   * The marker of `producerId`'s transaction reached __consumer_offsets partition `partition`: on
   * COMMIT its pending offsets there become committed (unless a later plain commit replaced one),
   * on ABORT they are dropped (GroupMetadata.completePendingTxnOffsetCommit).
   */
  completeTxn(partition: number, producerId: bigint, commit: boolean): void {
    const done = this.pendingTxnOffsets.take(producerId, (g) => this.partitionFor(g) === partition);
    if (!commit) return;
    for (const o of done) {
      const k = orderKey(o.group, o.topic, o.partition);
      if ((this.commitOrder.get(k) ?? -1) > o.order) continue;
      this.getOrCreateGroup(o.group);
      this.offsets.put(o.group, o.topic, o.partition, o.value);
      this.commitOrder.set(k, o.order);
    }
  }

  /** A position in the effects produced so far, for `appendedSince` and `appendBefore`. */
  pendingEffects(): number {
    return this.effects.length;
  }

  appendedSince(position: number): boolean {
    for (let i = position; i < this.effects.length; i++) if (this.effects[i]!.type === 'append') return true;
    return false;
  }

  /** Inserts group metadata records ahead of effects produced since `position`, so responses wait for them. */
  appendBefore(position: number, partition: number, records: readonly GroupRecord[]): void {
    this.effects.splice(position, 0, { type: 'append', partition, records });
  }

  drainEffects(): GroupEffect[] {
    const out = this.effects;
    this.effects = [];
    return out;
  }

  replay(record: GroupRecord): void {
    if (record.type === 'OffsetCommit') this.replayOffsetCommit(record.key, record.value);
    else this.replayGroupMetadata(record.key.group, record.value);
  }

  private replayOffsetCommit(
    key: { group: string; topic: string; partition: number },
    value: OffsetCommitValue | null,
  ): void {
    const k = orderKey(key.group, key.topic, key.partition);
    if (value === null) {
      this.offsets.remove(key.group, key.topic, key.partition);
      this.commitOrder.delete(k);
      return;
    }
    // Offsets committed without group membership create a "simple" group: Empty, no protocol type.
    this.getOrCreateGroup(key.group);
    this.offsets.put(key.group, key.topic, key.partition, value);
    this.commitOrder.set(k, ++this.orderSeq);
  }

  private replayGroupMetadata(groupId: string, value: GroupMetadataValue | null): void {
    if (value === null) {
      const group = this.groups.get(groupId);
      if (group) {
        group.state = 'Dead';
        this.groups.delete(groupId);
        this.timers.cancelPrefix(timerPrefix(groupId));
      }
      return;
    }
    const group = new ClassicGroup(groupId, this.partitionFor(groupId));
    group.generationId = value.generation;
    group.protocolType = value.protocolType === '' ? null : value.protocolType;
    group.protocolName = value.protocol;
    group.currentStateTimestampMs =
      value.currentStateTimestamp === -1n ? null : Number(value.currentStateTimestamp);
    group.state = value.members.length === 0 ? 'Empty' : 'Stable';
    for (const m of value.members) {
      group.add(loadedMember(m, value), null);
    }
    group.leaderId = value.leader;
    group.subscribedTopics = group.computeSubscribedTopics();
    this.groups.set(groupId, group);
  }
}

function loadedMember(
  m: GroupMetadataValue['members'][number],
  value: GroupMetadataValue,
): ClassicGroupMember {
  return new ClassicGroupMember(
    m.memberId,
    m.groupInstanceId,
    m.clientId,
    m.clientHost,
    m.rebalanceTimeout === -1 ? m.sessionTimeout : m.rebalanceTimeout,
    m.sessionTimeout,
    value.protocolType,
    [{ name: value.protocol ?? '', metadata: m.subscription }],
    m.assignment,
  );
}

function orderKey(group: string, topic: string, partition: number): string {
  return `${group}\u0000${topic}\u0000${partition}`;
}

/** Timer keys: one join, one sync and one heartbeat timer per member, per group. */
export function timerPrefix(groupId: string): string {
  return `${groupId}\u0000`;
}
export function joinTimerKey(groupId: string): string {
  return `${groupId}\u0000join`;
}
export function syncTimerKey(groupId: string): string {
  return `${groupId}\u0000sync`;
}
export function heartbeatTimerKey(groupId: string, memberId: string): string {
  return `${groupId}\u0000hb\u0000${memberId}`;
}
