import { AUTHORIZED_OPERATIONS_OMITTED } from '../../../protocol/authorized-operations.js';
import { EMPTY_BYTES } from '../../../protocol/codec-support.js';
import { ErrorCode } from '../../../protocol/error-codes.js';
import type { CoordinatorState } from './coordinator-state.js';
import type { DescribedGroup, DescribeGroupsRequest, GroupRequestContext } from './group-api.js';

/** DescribeGroups: members always; their metadata, assignment and the protocol only when Stable. */
export function describeGroups(
  s: CoordinatorState,
  ctx: GroupRequestContext,
  req: DescribeGroupsRequest,
): void {
  s.respond(ctx.requestId, 'DescribeGroups', { groups: req.groups.map((id) => describe(s, id)) });
}

function describe(s: CoordinatorState, groupId: string): DescribedGroup {
  const base = {
    groupId,
    protocolType: '',
    protocolData: '',
    members: [],
    authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
  const ownership = s.ownershipError(groupId);
  if (ownership !== ErrorCode.NONE) return { ...base, errorCode: ownership, groupState: '' };
  const group = s.groups.get(groupId);
  // An unknown group is described as Dead, without an error, as Kafka does.
  if (!group) return { ...base, errorCode: ErrorCode.NONE, groupState: 'Dead' };
  const stable = group.is('Stable');
  const protocol = group.protocolName ?? '';
  return {
    ...base,
    errorCode: ErrorCode.NONE,
    groupState: group.state,
    protocolType: group.protocolType ?? '',
    protocolData: stable ? protocol : '',
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberMetadata: stable ? m.metadata(protocol) : EMPTY_BYTES,
      memberAssignment: stable ? m.assignment : EMPTY_BYTES,
    })),
  };
}
