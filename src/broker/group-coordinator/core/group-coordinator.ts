import type { Clock } from '../../../common/clock.js';
import { type Logger, noopLogger } from '../../../common/logger.js';
import type { Random } from '../../../common/random.js';
import { ErrorCode } from '../../../protocol/error-codes.js';
import type { ClassicGroup } from './classic-group.js';
import { CoordinatorState, heartbeatTimerKey, joinTimerKey, syncTimerKey } from './coordinator-state.js';
import { deleteGroups } from './delete-groups.js';
import { describeGroups } from './describe-groups.js';
import { joinGroupError, syncGroupError } from './group-api.js';
import { DEFAULT_GROUP_COORDINATOR_CONFIG, type GroupCoordinatorConfig } from './group-coordinator-config.js';
import { GroupCoordinatorError } from './group-coordinator-error.js';
import type { GroupEffect, GroupLogEntry, GroupRequest } from './group-effects.js';
import type { OffsetCommitValue } from './group-record-codec.js';
import { heartbeat } from './heartbeat.js';
import { joinGroup } from './join-group.js';
import { leaveGroup } from './leave-group.js';
import { listGroups } from './list-groups.js';
import { offsetCommit } from './offset-commit.js';
import { offsetDelete } from './offset-delete.js';
import { expireOffsets } from './offset-expiration.js';
import { offsetFetch } from './offset-fetch.js';
import { prepareRebalance, rescheduleHeartbeat } from './rebalance.js';
import { syncGroup } from './sync-group.js';
import { txnOffsetCommit } from './txn-offset-commit.js';

// Group timer keys all contain a NUL after the group id; this one has none, so no group's keys can match it.
const EXPIRATION_TIMER_KEY = 'offsets-expiration';

export interface GroupCoordinatorOptions {
  readonly config?: Partial<GroupCoordinatorConfig>;
  readonly clock: Clock;
  readonly random: Random;
  readonly log?: Logger;
}

/**
 * The classic group coordinator as a pure state machine. Inputs: `handle(request)`, `tick(now)`,
 * and the partition lifecycle (`beginLoad`, `loadFrom`, `unload`). Each returns the effects to run
 * in order: records to append to __consumer_offsets and responses to send once those records are
 * durable. It owns no sockets, files or timers; time comes from the injected clock, randomness
 * (member ids) from the injected source.
 *
 * The core applies its own records as it emits them, assuming they become durable. If an append
 * fails, the shell must unload the partition and load it again from the log, which restores the
 * last durable state (Kafka reverts to its last committed snapshot instead).
 */
export class GroupCoordinator {
  private readonly s: CoordinatorState;

  constructor(options: GroupCoordinatorOptions) {
    const config = { ...DEFAULT_GROUP_COORDINATOR_CONFIG, ...options.config };
    this.s = new CoordinatorState(config, options.clock, options.random, options.log ?? noopLogger);
  }

  get config(): GroupCoordinatorConfig {
    return this.s.config;
  }

  handle(input: GroupRequest): GroupEffect[] {
    return this.run(input.api, () => this.dispatch(input));
  }

  private dispatch(input: GroupRequest): void {
    const s = this.s;
    switch (input.api) {
      case 'JoinGroup':
        joinGroup(s, input.context, input.request);
        break;
      case 'SyncGroup':
        syncGroup(s, input.context, input.request);
        break;
      case 'Heartbeat':
        heartbeat(s, input.context, input.request);
        break;
      case 'LeaveGroup':
        leaveGroup(s, input.context, input.request);
        break;
      case 'OffsetCommit':
        offsetCommit(s, input.context, input.request);
        break;
      case 'OffsetFetch':
        offsetFetch(s, input.context, input.request);
        break;
      case 'OffsetDelete':
        offsetDelete(s, input.context, input.request);
        break;
      case 'ListGroups':
        listGroups(s, input.context, input.request);
        break;
      case 'DescribeGroups':
        describeGroups(s, input.context, input.request);
        break;
      case 'DeleteGroups':
        deleteGroups(s, input.context, input.request);
        break;
      case 'TxnOffsetCommit':
        txnOffsetCommit(s, input.context, input.request);
        break;
    }
  }

  /** Runs one input; a failure drops its effects and asks the shell to reload (see GroupCoordinatorError). */
  private run(what: string, fn: () => void): GroupEffect[] {
    try {
      fn();
    } catch (cause) {
      this.s.drainEffects();
      this.s.log.error({ input: what, err: String(cause) }, 'group coordinator state inconsistent');
      throw new GroupCoordinatorError('COORDINATOR_STATE_INCONSISTENT', `${what} failed: ${String(cause)}`, {
        cause,
      });
    }
    return this.s.drainEffects();
  }

  /** Fires the timers due at `nowMs` (monotonic): session, join, sync and retention deadlines. */
  tick(nowMs: number = this.s.monotonicMs()): GroupEffect[] {
    return this.run('tick', () => this.s.runTimers(nowMs));
  }

  /** When `tick` next has something to do; null when no timer is pending. */
  nextDeadlineMs(): number | null {
    return this.s.timers.nextDeadlineMs();
  }

  /** The partition became ours and its records are being read: its groups answer COORDINATOR_LOAD_IN_PROGRESS. */
  beginLoad(partition: number): void {
    this.s.partitions.set(partition, 'loading');
  }

  /**
   * Rebuilds a partition's groups and offsets by replaying its records in log order, then starts
   * serving it: members of loaded groups get a fresh session, and a group over group.max.size
   * rebalances. Whatever the partition held before is dropped (its parked requests answered
   * NOT_COORDINATOR), which is also how the shell recovers after a failed append.
   */
  loadFrom(partition: number, records: Iterable<GroupLogEntry>): GroupEffect[] {
    return this.run('loadFrom', () => {
      const s = this.s;
      this.answerParked(partition);
      this.dropPartition(partition);
      for (const r of records) {
        if (r.type === 'TxnOffsetCommit') s.replayTxnOffsetCommit(r.producerId, r.record);
        else if (r.type === 'TxnMarker') s.completeTxn(partition, r.producerId, r.commit);
        else s.replay(r);
      }
      s.partitions.set(partition, 'active');
      for (const group of s.groups.values()) {
        if (group.partition !== partition) continue;
        for (const member of group.members.values()) rescheduleHeartbeat(s, group, member);
        if (group.members.size > s.config.groupMaxSize) prepareRebalance(s, group);
      }
      if (!s.timers.has(EXPIRATION_TIMER_KEY)) this.scheduleExpiration();
      s.log.info({ partition, groups: this.groupsIn(partition) }, 'coordinator partition loaded');
    });
  }

  /**
   * A transaction marker of `producerId` is durable in __consumer_offsets partition `partition`
   * (WriteTxnMarkers): its pending transactional offsets there are committed or dropped. Nothing
   * is appended; the marker is the record.
   */
  completeTransaction(partition: number, producerId: bigint, commit: boolean): GroupEffect[] {
    return this.run('completeTransaction', () => {
      if (this.s.partitions.get(partition) !== 'active') return;
      this.s.completeTxn(partition, producerId, commit);
    });
  }

  /** True when a transaction still holds an offset of the group (tests). */
  hasPendingTxnOffsets(groupId: string): boolean {
    return this.s.pendingTxnOffsets.hasGroup(groupId);
  }

  /** The partition moved away: parked joins and syncs are answered NOT_COORDINATOR and its groups dropped. */
  unload(partition: number): GroupEffect[] {
    return this.run('unload', () => {
      this.answerParked(partition);
      this.dropPartition(partition);
      this.s.partitions.delete(partition);
      this.s.log.info({ partition }, 'coordinator partition unloaded');
    });
  }

  private answerParked(partition: number): void {
    const s = this.s;
    for (const group of s.groups.values()) {
      if (group.partition !== partition) continue;
      for (const member of group.members.values()) {
        const join = group.takeJoin(member);
        if (join)
          s.respond(join.requestId, 'JoinGroup', joinGroupError(ErrorCode.NOT_COORDINATOR, member.memberId));
        const sync = group.takeSync(member);
        if (sync) s.respond(sync.requestId, 'SyncGroup', syncGroupError(ErrorCode.NOT_COORDINATOR));
      }
    }
  }

  // Read-only views for the shell, tests and simulations.

  group(groupId: string): ClassicGroup | undefined {
    return this.s.groups.get(groupId);
  }

  groupIds(): string[] {
    return [...this.s.groups.keys()];
  }

  committedOffset(groupId: string, topic: string, partition: number): OffsetCommitValue | undefined {
    return this.s.offsets.get(groupId, topic, partition);
  }

  /** Every group's committed offsets, as topic → partition → value (consumer lag is computed from them). */
  committedOffsets(): IterableIterator<
    [string, ReadonlyMap<string, ReadonlyMap<number, OffsetCommitValue>>]
  > {
    return this.s.offsets.groups();
  }

  /** How many committed offsets the coordinator holds, over all groups. */
  committedOffsetCount(): number {
    return this.s.offsets.size;
  }

  /** The __consumer_offsets partition of a group. */
  partitionFor(groupId: string): number {
    return this.s.partitionFor(groupId);
  }

  private groupsIn(partition: number): number {
    let n = 0;
    for (const g of this.s.groups.values()) if (g.partition === partition) n++;
    return n;
  }

  private scheduleExpiration(): void {
    const s = this.s;
    s.timers.schedule(
      EXPIRATION_TIMER_KEY,
      s.monotonicMs() + s.config.offsetsRetentionCheckIntervalMs,
      () => {
        expireOffsets(s);
        this.scheduleExpiration();
      },
    );
  }

  private dropPartition(partition: number): void {
    const s = this.s;
    for (const [groupId, group] of [...s.groups]) {
      if (group.partition !== partition) continue;
      for (const memberId of group.members.keys()) s.timers.cancel(heartbeatTimerKey(groupId, memberId));
      for (const memberId of group.pendingJoinMembers) s.timers.cancel(heartbeatTimerKey(groupId, memberId));
      s.timers.cancel(joinTimerKey(groupId));
      s.timers.cancel(syncTimerKey(groupId));
      group.state = 'Dead';
      s.groups.delete(groupId);
      for (const [topic, partitions] of s.offsets.ofGroup(groupId)) {
        for (const p of [...partitions.keys()]) s.offsets.remove(groupId, topic, p);
      }
    }
    s.pendingTxnOffsets.drop((g) => s.partitionFor(g) === partition);
  }
}
