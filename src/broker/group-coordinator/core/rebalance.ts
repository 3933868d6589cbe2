import { EMPTY_BYTES } from '../../../protocol/codec-support.js';
import { ErrorCode } from '../../../protocol/error-codes.js';
import type { ClassicGroup, ClassicGroupMember } from './classic-group.js';
import { type CoordinatorState, heartbeatTimerKey, joinTimerKey, syncTimerKey } from './coordinator-state.js';
import { type JoinGroupResponse, joinGroupError, UNKNOWN_MEMBER_ID } from './group-api.js';
import type { GroupRecord } from './group-record-codec.js';

// The rebalance protocol of classic groups, after Kafka's GroupMetadataManager: the join phase
// (PreparingRebalance, bounded by the rebalance timeout, delayed for new groups), the sync phase
// (CompletingRebalance, bounded by the rebalance timeout too) and session expiry. Timer callbacks
// look the group up again, because it may have been deleted or unloaded meanwhile.

/** The GroupMetadata record of the group's current generation; `assignment` defaults to the members' own. */
export function groupMetadataRecord(
  group: ClassicGroup,
  assignment?: ReadonlyMap<string, Buffer>,
): GroupRecord {
  const protocol = group.protocolName;
  return {
    type: 'GroupMetadata',
    key: { group: group.groupId },
    value: {
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol,
      leader: group.leaderId,
      currentStateTimestamp: BigInt(group.currentStateTimestampMs ?? -1),
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: protocol === null ? EMPTY_BYTES : m.metadata(protocol),
        assignment: assignment ? (assignment.get(m.memberId) ?? EMPTY_BYTES) : m.assignment,
      })),
    },
  };
}

function live(s: CoordinatorState, group: ClassicGroup): boolean {
  return s.groups.get(group.groupId) === group && s.partitions.get(group.partition) === 'active';
}

export function maybePrepareRebalanceOrCompleteJoin(s: CoordinatorState, group: ClassicGroup): void {
  if (group.canRebalance()) prepareRebalance(s, group);
  else maybeCompleteJoinPhase(s, group);
}

export function maybeCompleteJoinPhase(s: CoordinatorState, group: ClassicGroup): void {
  // The initial rebalance of a new group completes only on its delay timer.
  if (!group.is('PreparingRebalance') || group.previousState === 'Empty') return;
  if (group.hasAllMembersJoined()) completeJoin(s, group);
}

export function prepareRebalance(s: CoordinatorState, group: ClassicGroup): void {
  // Members waiting for their assignment must rejoin instead.
  if (group.is('CompletingRebalance'))
    resetAndPropagateAssignmentWithError(s, group, ErrorCode.REBALANCE_IN_PROGRESS);
  removeSyncExpiration(s, group);
  const isInitialRebalance = group.is('Empty');
  if (isInitialRebalance) {
    // group.initial.rebalance.delay.ms: give the first members of a new group time to arrive.
    const delayMs = s.config.groupInitialRebalanceDelayMs;
    const remainingMs = Math.max(group.rebalanceTimeoutMs() - delayMs, 0);
    scheduleInitialRebalance(s, group, delayMs, delayMs, remainingMs);
  }
  group.transitionTo('PreparingRebalance', s.nowMs());
  if (!isInitialRebalance) maybeCompleteJoinElseSchedule(s, group);
}

function scheduleInitialRebalance(
  s: CoordinatorState,
  group: ClassicGroup,
  timerMs: number,
  delayMs: number,
  remainingMs: number,
): void {
  s.timers.schedule(joinTimerKey(group.groupId), s.monotonicMs() + timerMs, () => {
    if (!live(s, group)) return;
    if (group.newMemberAdded && remainingMs !== 0) {
      // A member arrived during the delay: wait again, but never past the rebalance timeout.
      group.newMemberAdded = false;
      const nextDelayMs = Math.min(s.config.groupInitialRebalanceDelayMs, remainingMs);
      scheduleInitialRebalance(s, group, nextDelayMs, nextDelayMs, Math.max(remainingMs - delayMs, 0));
    } else {
      completeJoin(s, group);
    }
  });
}

function maybeCompleteJoinElseSchedule(s: CoordinatorState, group: ClassicGroup): void {
  if (group.hasAllMembersJoined()) {
    completeJoin(s, group);
    return;
  }
  scheduleJoinTimeout(s, group);
}

function scheduleJoinTimeout(s: CoordinatorState, group: ClassicGroup): void {
  s.timers.schedule(joinTimerKey(group.groupId), s.monotonicMs() + group.rebalanceTimeoutMs(), () => {
    if (live(s, group)) completeJoin(s, group);
  });
}

/** Ends the join phase: drops dynamic members that did not rejoin, starts the next generation, answers the joins. */
export function completeJoin(s: CoordinatorState, group: ClassicGroup): void {
  s.timers.cancel(joinTimerKey(group.groupId));
  for (const failed of group.notYetRejoinedMembers()) {
    if (failed.isStatic) continue;
    group.remove(failed.memberId);
    s.timers.cancel(heartbeatTimerKey(group.groupId, failed.memberId));
  }
  if (group.is('Dead')) return;
  if (!group.maybeElectNewJoinedLeader() && group.members.size > 0) {
    // Only static members that did not rejoin are left: wait another rebalance timeout for them
    // (their sessions expire meanwhile if they are gone).
    scheduleJoinTimeout(s, group);
    return;
  }
  group.initNextGeneration(s.nowMs());
  s.log.info(
    {
      group: group.groupId,
      generationId: group.generationId,
      members: group.members.size,
      protocol: group.protocolName,
    },
    'join phase completed',
  );
  if (group.is('Empty')) {
    s.append(group.partition, [groupMetadataRecord(group, new Map())]);
    return;
  }
  for (const member of group.members.values()) {
    const pending = group.takeJoin(member);
    if (pending) {
      s.respond(pending.requestId, 'JoinGroup', joinedGeneration(group, member.memberId, true));
    }
    rescheduleHeartbeat(s, group, member);
    member.isNew = false;
    group.pendingSyncMembers.add(member.memberId);
  }
  schedulePendingSync(s, group);
}

function schedulePendingSync(s: CoordinatorState, group: ClassicGroup): void {
  const generationId = group.generationId;
  s.timers.schedule(syncTimerKey(group.groupId), s.monotonicMs() + group.rebalanceTimeoutMs(), () => {
    if (!live(s, group) || group.generationId !== generationId) return;
    if (!(group.is('CompletingRebalance') || group.is('Stable')) || group.pendingSyncMembers.size === 0)
      return;
    // Members that joined but never synced are gone: remove them and rebalance without them.
    for (const memberId of [...group.pendingSyncMembers]) {
      group.remove(memberId);
      s.timers.cancel(heartbeatTimerKey(group.groupId, memberId));
    }
    prepareRebalance(s, group);
  });
}

export function removeSyncExpiration(s: CoordinatorState, group: ClassicGroup): void {
  group.pendingSyncMembers.clear();
  s.timers.cancel(syncTimerKey(group.groupId));
}

export function removePendingSyncMember(s: CoordinatorState, group: ClassicGroup, memberId: string): void {
  group.pendingSyncMembers.delete(memberId);
  if (group.pendingSyncMembers.size === 0 || !(group.is('CompletingRebalance') || group.is('Stable'))) {
    s.timers.cancel(syncTimerKey(group.groupId));
  }
}

export function rescheduleHeartbeat(
  s: CoordinatorState,
  group: ClassicGroup,
  member: ClassicGroupMember,
  timeoutMs = member.sessionTimeoutMs,
): void {
  scheduleHeartbeatExpiry(s, group, member.memberId, timeoutMs);
}

/** The session deadline of a member, or of a pending member (KIP-394) that has yet to join with its id. */
export function scheduleHeartbeatExpiry(
  s: CoordinatorState,
  group: ClassicGroup,
  memberId: string,
  timeoutMs: number,
) {
  s.timers.schedule(heartbeatTimerKey(group.groupId, memberId), s.monotonicMs() + timeoutMs, () =>
    expireHeartbeat(s, group, memberId),
  );
}

function expireHeartbeat(s: CoordinatorState, group: ClassicGroup, memberId: string): void {
  if (!live(s, group) || group.is('Dead')) return;
  if (group.pendingJoinMembers.has(memberId)) {
    group.remove(memberId);
    if (group.is('PreparingRebalance') && group.hasAllMembersJoined()) completeJoin(s, group);
    return;
  }
  const member = group.members.get(memberId);
  if (member && !member.hasSatisfiedHeartbeat()) {
    s.log.info({ group: group.groupId, memberId }, 'member session expired');
    removeMemberAndUpdateGroup(s, group, member);
  }
}

/** Removes an expired or departed member, answering its parked JoinGroup with UNKNOWN_MEMBER_ID. */
export function removeMemberAndUpdateGroup(
  s: CoordinatorState,
  group: ClassicGroup,
  member: ClassicGroupMember,
): void {
  completeJoinWithError(s, group, member, ErrorCode.UNKNOWN_MEMBER_ID);
  group.remove(member.memberId);
  if (group.is('Stable') || group.is('CompletingRebalance')) maybePrepareRebalanceOrCompleteJoin(s, group);
  else if (group.is('PreparingRebalance') && group.hasAllMembersJoined()) completeJoin(s, group);
}

export function completeJoinWithError(
  s: CoordinatorState,
  group: ClassicGroup,
  member: ClassicGroupMember,
  errorCode: number,
): void {
  const pending = group.takeJoin(member);
  if (pending) s.respond(pending.requestId, 'JoinGroup', joinGroupError(errorCode, UNKNOWN_MEMBER_ID));
}

export function resetAndPropagateAssignmentWithError(
  s: CoordinatorState,
  group: ClassicGroup,
  errorCode: number,
): void {
  for (const m of group.members.values()) m.assignment = EMPTY_BYTES;
  propagateAssignment(s, group, errorCode);
}

export function setAndPropagateAssignment(
  s: CoordinatorState,
  group: ClassicGroup,
  assignment: ReadonlyMap<string, Buffer>,
): void {
  for (const m of group.members.values()) m.assignment = assignment.get(m.memberId) ?? EMPTY_BYTES;
  propagateAssignment(s, group, ErrorCode.NONE);
}

function propagateAssignment(s: CoordinatorState, group: ClassicGroup, errorCode: number): void {
  const ok = errorCode === ErrorCode.NONE;
  for (const member of group.members.values()) {
    const pending = group.takeSync(member);
    if (!pending) continue;
    s.respond(pending.requestId, 'SyncGroup', {
      errorCode,
      protocolType: ok ? group.protocolType : null,
      protocolName: ok ? group.protocolName : null,
      assignment: member.assignment,
    });
    // The session restarts once the member has its assignment: an expiry that fired while it
    // waited was ignored and scheduled nothing.
    rescheduleHeartbeat(s, group, member);
  }
}

/** The JoinGroup answer of a member of the current generation; the leader also gets the members when `withMembers`. */
export function joinedGeneration(
  group: ClassicGroup,
  memberId: string,
  withMembers: boolean,
): JoinGroupResponse {
  return {
    errorCode: ErrorCode.NONE,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leader: group.leaderId ?? '',
    skipAssignment: false,
    memberId,
    members: withMembers && group.isLeader(memberId) ? group.currentMembers() : [],
  };
}
