import { ErrorCode } from '../../../protocol/error-codes.js';
import type { ClassicGroup } from './classic-group.js';

/**
 * Checks a request's member id and group.instance.id against the group, as Kafka's
 * ClassicGroup.validateMember: an instance id mapped to another member id is fenced (KIP-345).
 */
export function validateMember(
  group: ClassicGroup,
  memberId: string,
  groupInstanceId: string | null,
): number {
  if (groupInstanceId !== null) {
    const existing = group.staticMemberId(groupInstanceId);
    if (existing === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (existing !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
  }
  return group.hasMember(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
}
