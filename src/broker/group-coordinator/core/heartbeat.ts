import { ErrorCode } from '../../../protocol/error-codes.js';
import type { CoordinatorState } from './coordinator-state.js';
import type { GroupRequestContext, HeartbeatRequest } from './group-api.js';
import { rescheduleHeartbeat } from './rebalance.js';
import { validateMember } from './validate-member.js';

/** Heartbeat: keeps the member's session alive and tells it when a rebalance has begun. */
export function heartbeat(s: CoordinatorState, ctx: GroupRequestContext, req: HeartbeatRequest) {
  const respond = (errorCode: number) => s.respond(ctx.requestId, 'Heartbeat', { errorCode });
  if (req.groupId === '') return respond(ErrorCode.INVALID_GROUP_ID);
  const ownership = s.ownershipError(req.groupId);
  // Kafka answers heartbeats blindly while the group loads, so members do not rejoin needlessly.
  if (ownership === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return respond(ErrorCode.NONE);
  if (ownership !== ErrorCode.NONE) return respond(ownership);
  const group = s.groups.get(req.groupId);
  if (!group) return respond(ErrorCode.UNKNOWN_MEMBER_ID);
  if (group.is('Dead')) return respond(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  const memberError = validateMember(group, req.memberId, req.groupInstanceId);
  if (memberError !== ErrorCode.NONE) return respond(memberError);
  if (req.generationId !== group.generationId) return respond(ErrorCode.ILLEGAL_GENERATION);
  switch (group.state) {
    case 'Empty':
      return respond(ErrorCode.UNKNOWN_MEMBER_ID);
    case 'PreparingRebalance':
      rescheduleHeartbeat(s, group, group.member(req.memberId));
      return respond(ErrorCode.REBALANCE_IN_PROGRESS);
    default:
      // Members may heartbeat between their JoinGroup and SyncGroup responses.
      rescheduleHeartbeat(s, group, group.member(req.memberId));
      return respond(ErrorCode.NONE);
  }
}
