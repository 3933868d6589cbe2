import { ErrorCode } from '../../../protocol/error-codes.js';
import type { ClassicGroup } from './classic-group.js';
import { type CoordinatorState, heartbeatTimerKey } from './coordinator-state.js';
import {
  type GroupRequestContext,
  type LeaveGroupMemberResponse,
  type LeaveGroupRequest,
  type LeaveGroupResponse,
  UNKNOWN_MEMBER_ID,
} from './group-api.js';
import {
  completeJoinWithError,
  maybeCompleteJoinPhase,
  maybePrepareRebalanceOrCompleteJoin,
} from './rebalance.js';
import { validateMember } from './validate-member.js';

/** Versions 3+ remove a batch of members, by member id or (admin) by group.instance.id alone (KIP-345). */
const BATCH_MIN_VERSION = 3;

export function leaveGroup(s: CoordinatorState, ctx: GroupRequestContext, req: LeaveGroupRequest) {
  const respond = (response: LeaveGroupResponse) => {
    // Versions before 3 have no per-member results: the single member's error is the request's.
    const single = ctx.apiVersion < BATCH_MIN_VERSION ? response.members[0] : undefined;
    const errorCode = response.errorCode !== ErrorCode.NONE ? response.errorCode : (single?.errorCode ?? 0);
    s.respond(ctx.requestId, 'LeaveGroup', { ...response, errorCode });
  };
  const fail = (errorCode: number) => respond({ errorCode, members: [] });
  if (req.groupId === '') return fail(ErrorCode.INVALID_GROUP_ID);
  const ownership = s.ownershipError(req.groupId);
  if (ownership !== ErrorCode.NONE) return fail(ownership);
  const group = s.groups.get(req.groupId);
  if (!group) {
    return respond({
      errorCode: ErrorCode.NONE,
      members: req.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        errorCode: ErrorCode.UNKNOWN_MEMBER_ID,
      })),
    });
  }
  if (group.is('Dead')) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);

  const results: LeaveGroupMemberResponse[] = [];
  let removedAny = false;
  for (const m of req.members) {
    const result = (errorCode: number) => {
      results.push({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode });
      if (errorCode === ErrorCode.NONE) removedAny = true;
    };
    if (m.memberId === UNKNOWN_MEMBER_ID) {
      // An admin removing a static member by its instance id alone.
      const staticId = m.groupInstanceId === null ? undefined : group.staticMemberId(m.groupInstanceId);
      if (staticId === undefined) {
        result(ErrorCode.UNKNOWN_MEMBER_ID);
      } else {
        removeCurrentMember(s, group, staticId);
        result(ErrorCode.NONE);
      }
    } else if (group.pendingJoinMembers.has(m.memberId)) {
      group.remove(m.memberId);
      s.timers.cancel(heartbeatTimerKey(group.groupId, m.memberId));
      result(ErrorCode.NONE);
    } else {
      const error = validateMember(group, m.memberId, m.groupInstanceId);
      if (error === ErrorCode.NONE) removeCurrentMember(s, group, m.memberId);
      result(error);
    }
  }
  if (removedAny) {
    if (group.is('Stable') || group.is('CompletingRebalance')) maybePrepareRebalanceOrCompleteJoin(s, group);
    else if (group.is('PreparingRebalance')) maybeCompleteJoinPhase(s, group);
  }
  respond({ errorCode: ErrorCode.NONE, members: results });
}

function removeCurrentMember(s: CoordinatorState, group: ClassicGroup, memberId: string) {
  const member = group.member(memberId);
  s.timers.cancel(heartbeatTimerKey(group.groupId, memberId));
  completeJoinWithError(s, group, member, ErrorCode.UNKNOWN_MEMBER_ID);
  group.remove(memberId);
}
