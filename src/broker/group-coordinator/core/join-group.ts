import { ErrorCode } from '../../../protocol/error-codes.js';
import { type ClassicGroup, ClassicGroupMember, type PendingRequest } from './classic-group.js';
import { type CoordinatorState, heartbeatTimerKey } from './coordinator-state.js';
import {
  type GroupRequestContext,
  type JoinGroupRequest,
  type JoinGroupResponse,
  joinGroupError,
  UNKNOWN_MEMBER_ID,
} from './group-api.js';
import {
  groupMetadataRecord,
  joinedGeneration,
  maybeCompleteJoinPhase,
  maybePrepareRebalanceOrCompleteJoin,
  prepareRebalance,
  rescheduleHeartbeat,
  scheduleHeartbeatExpiry,
} from './rebalance.js';
import { validateMember } from './validate-member.js';

/** JoinGroup v4+ requires a member id from the coordinator before joining (KIP-394). */
const MEMBER_ID_REQUIRED_MIN_VERSION = 4;
/** JoinGroup v9+ tells a replaced static leader to skip the assignment (KIP-814). */
const SKIP_ASSIGNMENT_MIN_VERSION = 9;

/** JoinGroup: the first phase of a rebalance. The response may be parked until the join phase ends. */
export function joinGroup(s: CoordinatorState, ctx: GroupRequestContext, req: JoinGroupRequest) {
  const fail = (errorCode: number) =>
    s.respond(ctx.requestId, 'JoinGroup', joinGroupError(errorCode, req.memberId));
  // The order of these checks is Kafka's GroupCoordinatorService.joinGroup.
  if (req.groupId === '') return fail(ErrorCode.INVALID_GROUP_ID);
  if (
    req.sessionTimeoutMs < s.config.groupMinSessionTimeoutMs ||
    req.sessionTimeoutMs > s.config.groupMaxSessionTimeoutMs
  ) {
    return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
  }
  const ownership = s.ownershipError(req.groupId);
  if (ownership !== ErrorCode.NONE) return fail(ownership);
  // Before v1 there is no rebalance timeout: the session timeout stands in for it.
  const request = req.rebalanceTimeoutMs < 0 ? { ...req, rebalanceTimeoutMs: req.sessionTimeoutMs } : req;
  const isUnknownMember = request.memberId === UNKNOWN_MEMBER_ID;
  const existing = s.groups.get(request.groupId);
  if (!existing && !isUnknownMember) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
  const group = existing ?? s.getOrCreateGroup(request.groupId);
  const effectsBefore = s.pendingEffects();

  if (!acceptJoiningMember(s, group, request.memberId)) {
    group.remove(request.memberId);
    s.respond(
      ctx.requestId,
      'JoinGroup',
      joinGroupError(ErrorCode.GROUP_MAX_SIZE_REACHED, UNKNOWN_MEMBER_ID),
    );
  } else if (isUnknownMember) {
    joinNewMember(s, ctx, request, group);
  } else {
    joinExistingMember(s, ctx, request, group);
  }

  // Like Kafka, a group created by this join is written right away (as an empty group) when the
  // join itself wrote nothing, so that it survives a restart.
  if (!existing && !s.appendedSince(effectsBefore)) {
    s.appendBefore(effectsBefore, group.partition, [emptyGroupRecord(group)]);
  }
}

/** Kafka's newEmptyGroupMetadataRecord: no protocol, generation 0, the state timestamp if any (-1). */
function emptyGroupRecord(group: ClassicGroup): ReturnType<typeof groupMetadataRecord> {
  return {
    type: 'GroupMetadata',
    key: { group: group.groupId },
    value: {
      protocolType: '',
      generation: 0,
      protocol: null,
      leader: null,
      currentStateTimestamp: BigInt(group.currentStateTimestampMs ?? -1),
      members: [],
    },
  };
}

function acceptJoiningMember(s: CoordinatorState, group: ClassicGroup, memberId: string): boolean {
  const max = s.config.groupMaxSize;
  switch (group.state) {
    case 'Empty':
    case 'Dead':
      return true;
    case 'PreparingRebalance':
      // Counting the members that rejoined (not the group size) lets a shrunk group.max.size
      // push out the last members to rejoin.
      return (
        (group.members.get(memberId)?.awaitingJoin ?? null) !== null || group.numMembersAwaitingJoin < max
      );
    case 'CompletingRebalance':
    case 'Stable':
      return group.hasMember(memberId) || group.members.size < max;
  }
}

function joinNewMember(
  s: CoordinatorState,
  ctx: GroupRequestContext,
  req: JoinGroupRequest,
  group: ClassicGroup,
) {
  if (group.is('Dead')) {
    s.respond(
      ctx.requestId,
      'JoinGroup',
      joinGroupError(ErrorCode.COORDINATOR_NOT_AVAILABLE, UNKNOWN_MEMBER_ID),
    );
    return;
  }
  if (!group.supportsProtocols(req.protocolType, req.protocols)) {
    s.respond(
      ctx.requestId,
      'JoinGroup',
      joinGroupError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, UNKNOWN_MEMBER_ID),
    );
    return;
  }
  const newMemberId = `${req.groupInstanceId ?? ctx.clientId}-${javaRandomUuid(s)}`;
  if (req.groupInstanceId !== null) {
    const existingMemberId = group.staticMemberId(req.groupInstanceId);
    if (existingMemberId !== undefined) {
      updateStaticMember(s, ctx, req, group, existingMemberId, newMemberId);
    } else {
      addMember(s, ctx, req, group, newMemberId);
    }
  } else if (ctx.apiVersion >= MEMBER_ID_REQUIRED_MIN_VERSION) {
    // Hand out the id and wait for the member to come back with it; a member that never does
    // is dropped after the session timeout.
    group.pendingJoinMembers.add(newMemberId);
    scheduleHeartbeatExpiry(s, group, newMemberId, req.sessionTimeoutMs);
    s.respond(ctx.requestId, 'JoinGroup', joinGroupError(ErrorCode.MEMBER_ID_REQUIRED, newMemberId));
  } else {
    addMember(s, ctx, req, group, newMemberId);
  }
}

function joinExistingMember(
  s: CoordinatorState,
  ctx: GroupRequestContext,
  req: JoinGroupRequest,
  group: ClassicGroup,
) {
  const memberId = req.memberId;
  const fail = (errorCode: number) =>
    s.respond(ctx.requestId, 'JoinGroup', joinGroupError(errorCode, memberId));
  if (group.is('Dead')) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  if (!group.supportsProtocols(req.protocolType, req.protocols))
    return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  if (group.pendingJoinMembers.has(memberId)) {
    // A pending member is never static: its id came from MEMBER_ID_REQUIRED.
    if (req.groupInstanceId !== null) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    addMember(s, ctx, req, group, memberId);
    return;
  }
  const error = validateMember(group, memberId, req.groupInstanceId);
  if (error !== ErrorCode.NONE) return fail(error);
  const member = group.member(memberId);
  const pending: PendingRequest = { requestId: ctx.requestId, apiVersion: ctx.apiVersion };
  switch (group.state) {
    case 'PreparingRebalance':
      return updateMemberAndRebalance(s, req, group, member, pending);
    case 'CompletingRebalance':
      // The same metadata means the member lost the join response: answer with the current generation.
      if (member.matches(req.protocols)) return respondCurrentGeneration(s, ctx, group, memberId, true);
      return updateMemberAndRebalance(s, req, group, member, pending);
    case 'Stable':
      // The leader rejoining forces a rebalance: it may have seen a change (new partitions) that
      // no member's metadata shows.
      if (group.isLeader(memberId) || !member.matches(req.protocols)) {
        return updateMemberAndRebalance(s, req, group, member, pending);
      }
      return respondCurrentGeneration(s, ctx, group, memberId, false);
    default:
      // Empty with a known member cannot happen; let the member reset and rejoin.
      return fail(ErrorCode.UNKNOWN_MEMBER_ID);
  }
}

function respondCurrentGeneration(
  s: CoordinatorState,
  ctx: GroupRequestContext,
  group: ClassicGroup,
  memberId: string,
  includeMembersForLeader: boolean,
) {
  s.respond(ctx.requestId, 'JoinGroup', joinedGeneration(group, memberId, includeMembersForLeader));
}

function updateMemberAndRebalance(
  s: CoordinatorState,
  req: JoinGroupRequest,
  group: ClassicGroup,
  member: ClassicGroupMember,
  pending: PendingRequest,
) {
  group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, pending);
  maybePrepareRebalanceOrCompleteJoin(s, group);
}

function addMember(
  s: CoordinatorState,
  ctx: GroupRequestContext,
  req: JoinGroupRequest,
  group: ClassicGroup,
  memberId: string,
) {
  const member = new ClassicGroupMember(
    memberId,
    req.groupInstanceId,
    ctx.clientId,
    ctx.clientHost,
    req.rebalanceTimeoutMs,
    req.sessionTimeoutMs,
    req.protocolType,
    req.protocols,
  );
  member.isNew = true;
  // A member arriving during the initial delay extends it.
  if (group.is('PreparingRebalance') && group.previousState === 'Empty') group.newMemberAdded = true;
  group.add(member, { requestId: ctx.requestId, apiVersion: ctx.apiVersion });
  // New members cannot heartbeat while parked, and a client that gave up and retried would leave
  // a defunct member behind: bound how long a new member's join may wait.
  rescheduleHeartbeat(s, group, member, s.config.groupNewMemberJoinTimeoutMs);
  maybePrepareRebalanceOrCompleteJoin(s, group);
}

/** A known static member rejoining without its member id replaces its old identity (KIP-345). */
function updateStaticMember(
  s: CoordinatorState,
  ctx: GroupRequestContext,
  req: JoinGroupRequest,
  group: ClassicGroup,
  oldMemberId: string,
  newMemberId: string,
) {
  const currentLeader = group.leaderId ?? '';
  const old = group.member(oldMemberId);
  const oldJoin = old.awaitingJoin;
  const oldSync = old.awaitingSync;
  const replaced = group.replaceStaticMember(req.groupInstanceId!, oldMemberId, newMemberId);
  // Fence whoever still uses the old member id.
  if (oldJoin)
    s.respond(oldJoin.requestId, 'JoinGroup', joinGroupError(ErrorCode.FENCED_INSTANCE_ID, oldMemberId));
  if (oldSync) {
    s.respond(oldSync.requestId, 'SyncGroup', {
      errorCode: ErrorCode.FENCED_INSTANCE_ID,
      protocolType: null,
      protocolName: null,
      assignment: Buffer.alloc(0),
    });
  }
  s.timers.cancel(heartbeatTimerKey(group.groupId, oldMemberId));
  rescheduleHeartbeat(s, group, replaced);
  const pending: PendingRequest = { requestId: ctx.requestId, apiVersion: ctx.apiVersion };
  group.updateMember(replaced, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, pending);

  if (group.is('Stable')) {
    if ((group.protocolName ?? '') === group.selectProtocol()) {
      // Nothing changes for the others: persist the new member id and hand back the current
      // generation, without a rebalance.
      s.append(group.partition, [groupMetadataRecord(group)]);
      const taken = group.takeJoin(replaced)!;
      const isLeader = group.isLeader(newMemberId);
      const skip = ctx.apiVersion >= SKIP_ASSIGNMENT_MIN_VERSION;
      const response: JoinGroupResponse = {
        errorCode: ErrorCode.NONE,
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        // Before v9 a replaced leader is told the old leader id, so that it does not assign.
        leader: skip ? (group.leaderId ?? '') : currentLeader,
        skipAssignment: skip && isLeader,
        memberId: newMemberId,
        members: skip && isLeader ? group.currentMembers() : [],
      };
      s.respond(taken.requestId, 'JoinGroup', response);
      return;
    }
    maybePrepareRebalanceOrCompleteJoin(s, group);
    return;
  }
  if (group.is('CompletingRebalance')) {
    // The leader may already be assigning to the old member id: rebalance so the new id gets an assignment.
    prepareRebalance(s, group);
    return;
  }
  maybeCompleteJoinPhase(s, group);
}

/** A member id suffix in the form of Java's UUID.randomUUID().toString(), from the injected random source. */
function javaRandomUuid(s: CoordinatorState): string {
  const b = s.random.bytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
