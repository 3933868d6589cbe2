import { ErrorCode } from '../../../protocol/error-codes.js';
import type { CoordinatorState } from './coordinator-state.js';
import type { DeletableGroupResult, DeleteGroupsRequest, GroupRequestContext } from './group-api.js';
import type { GroupRecord } from './group-record-codec.js';

/** DeleteGroups: tombstones for every offset of each empty group, then for the group itself. */
export function deleteGroups(s: CoordinatorState, ctx: GroupRequestContext, req: DeleteGroupsRequest): void {
  const results: DeletableGroupResult[] = [];
  for (const groupId of req.groupsNames) {
    const result = (errorCode: number): number => results.push({ groupId, errorCode });
    const ownership = s.ownershipError(groupId);
    if (ownership !== ErrorCode.NONE) {
      result(ownership);
      continue;
    }
    const group = s.groups.get(groupId);
    if (!group || group.is('Dead')) {
      result(ErrorCode.GROUP_ID_NOT_FOUND);
      continue;
    }
    if (!group.is('Empty')) {
      result(ErrorCode.NON_EMPTY_GROUP);
      continue;
    }
    s.append(group.partition, groupTombstones(s, groupId));
    result(ErrorCode.NONE);
  }
  s.respond(ctx.requestId, 'DeleteGroups', { results });
}

/** Offset tombstones for the whole group followed by the group's own tombstone. */
export function groupTombstones(s: CoordinatorState, groupId: string): GroupRecord[] {
  const records: GroupRecord[] = [];
  for (const [topic, partitions] of s.offsets.ofGroup(groupId)) {
    for (const partition of partitions.keys()) {
      records.push({ type: 'OffsetCommit', key: { group: groupId, topic, partition }, value: null });
    }
  }
  records.push({ type: 'GroupMetadata', key: { group: groupId }, value: null });
  return records;
}
