import { ErrorCode } from '../../../protocol/error-codes.js';
import type { ClassicGroup } from './classic-group.js';
import type { CoordinatorState } from './coordinator-state.js';
import { type GroupRequestContext, type SyncGroupRequest, syncGroupError } from './group-api.js';
import { groupMetadataRecord, removePendingSyncMember, setAndPropagateAssignment } from './rebalance.js';
import { validateMember } from './validate-member.js';

/**
 * SyncGroup: the second phase. Followers park until the leader sends the assignment; the leader's
 * sync writes the generation's GroupMetadata record, and every parked sync is answered after it.
 */
export function syncGroup(s: CoordinatorState, ctx: GroupRequestContext, req: SyncGroupRequest) {
  const fail = (errorCode: number) => s.respond(ctx.requestId, 'SyncGroup', syncGroupError(errorCode));
  if (req.groupId === '') return fail(ErrorCode.INVALID_GROUP_ID);
  const ownership = s.ownershipError(req.groupId);
  if (ownership !== ErrorCode.NONE) return fail(ownership);
  const group = s.groups.get(req.groupId);
  if (!group || group.is('Empty')) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
  const error = validateSync(group, req);
  if (error !== ErrorCode.NONE) return fail(error);

  switch (group.state) {
    case 'PreparingRebalance':
      return fail(ErrorCode.REBALANCE_IN_PROGRESS);
    case 'CompletingRebalance': {
      group.member(req.memberId).awaitingSync = { requestId: ctx.requestId, apiVersion: ctx.apiVersion };
      removePendingSyncMember(s, group, req.memberId);
      if (!group.isLeader(req.memberId)) return;
      // Members the leader left out get an empty assignment.
      const assignment = new Map<string, Buffer>();
      for (const a of req.assignments) assignment.set(a.memberId, a.assignment);
      for (const id of group.members.keys()) if (!assignment.has(id)) assignment.set(id, Buffer.alloc(0));
      s.append(group.partition, [groupMetadataRecord(group, assignment)]);
      setAndPropagateAssignment(s, group, assignment);
      group.transitionTo('Stable', s.nowMs());
      return;
    }
    case 'Stable': {
      removePendingSyncMember(s, group, req.memberId);
      const member = group.member(req.memberId);
      s.respond(ctx.requestId, 'SyncGroup', {
        errorCode: ErrorCode.NONE,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        assignment: member.assignment,
      });
      return;
    }
    default:
      return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  }
}

function validateSync(group: ClassicGroup, req: SyncGroupRequest): number {
  if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  const memberError = validateMember(group, req.memberId, req.groupInstanceId);
  if (memberError !== ErrorCode.NONE) return memberError;
  if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  // v5+ send the protocol type and name back (KIP-559); a mismatch means a confused client.
  if (
    inconsistent(req.protocolType, group.protocolType) ||
    inconsistent(req.protocolName, group.protocolName)
  ) {
    return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
  }
  return ErrorCode.NONE;
}

function inconsistent(fromRequest: string | null, ofGroup: string | null): boolean {
  return fromRequest !== null && ofGroup !== null && fromRequest !== ofGroup;
}
