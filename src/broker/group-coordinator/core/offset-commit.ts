import { ErrorCode } from '../../../protocol/error-codes.js';
import type { ClassicGroup } from './classic-group.js';
import type { CoordinatorState } from './coordinator-state.js';
import type {
  GroupRequestContext,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetCommitResponseTopic,
} from './group-api.js';
import type { GroupRecord } from './group-record-codec.js';
import { rescheduleHeartbeat } from './rebalance.js';
import { validateMember } from './validate-member.js';

/** From version 9 a commit to an unknown group gets GROUP_ID_NOT_FOUND rather than ILLEGAL_GENERATION. */
const GROUP_ID_NOT_FOUND_MIN_VERSION = 9;

/**
 * OffsetCommit: one OffsetCommit record per accepted partition. The response lists every
 * partition; it goes out once the records are durable.
 */
export function offsetCommit(s: CoordinatorState, ctx: GroupRequestContext, req: OffsetCommitRequest): void {
  const error = validate(s, ctx, req);
  if (error !== ErrorCode.NONE) {
    s.respond(ctx.requestId, 'OffsetCommit', errorResponse(req, error));
    return;
  }
  const group = s.groups.get(req.groupId)!;
  // Commits keep a classic member's session alive.
  if ((group.is('Stable') || group.is('PreparingRebalance')) && group.hasMember(req.memberId)) {
    rescheduleHeartbeat(s, group, group.member(req.memberId));
  }
  const nowMs = s.nowMs();
  // RetentionTimeMs (v2-4) gives the commit its own expiry; -1 leaves it to offsets.retention.minutes.
  const expireTimestamp = req.retentionTimeMs === -1n ? -1n : BigInt(nowMs) + req.retentionTimeMs;
  const records: GroupRecord[] = [];
  const topics: OffsetCommitResponseTopic[] = req.topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions.map((p) => {
      const metadata = p.committedMetadata ?? '';
      if (metadata.length > s.config.offsetMetadataMaxSize) {
        return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE };
      }
      records.push({
        type: 'OffsetCommit',
        key: { group: req.groupId, topic: topic.name, partition: p.partitionIndex },
        value: {
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata,
          commitTimestamp: p.commitTimestamp === -1n ? BigInt(nowMs) : p.commitTimestamp,
          expireTimestamp,
        },
      });
      return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
    }),
  }));
  s.append(group.partition, records);
  s.respond(ctx.requestId, 'OffsetCommit', { topics });
}

function validate(s: CoordinatorState, ctx: GroupRequestContext, req: OffsetCommitRequest): number {
  // The empty group id is allowed here, for old clients that commit without a group.
  const ownership = s.ownershipError(req.groupId);
  if (ownership !== ErrorCode.NONE) return ownership;
  let group = s.groups.get(req.groupId);
  if (!group) {
    // A commit from outside any generation (an admin reset, manual assignment) creates a
    // "simple" group; a commit that claims a generation of an unknown group is stale.
    if (req.generationIdOrMemberEpoch >= 0) {
      return ctx.apiVersion >= GROUP_ID_NOT_FOUND_MIN_VERSION
        ? ErrorCode.GROUP_ID_NOT_FOUND
        : ErrorCode.ILLEGAL_GENERATION;
    }
    group = s.getOrCreateGroup(req.groupId);
  }
  return validateGroupCommit(group, req.memberId, req.groupInstanceId, req.generationIdOrMemberEpoch, false);
}

/**
 * Kafka's ClassicGroup.validateOffsetCommit. Transactional commits (TxnOffsetCommit) skip the two
 * checks on the group's state: older versions carry no member id or generation, and the group
 * may rebalance while a transaction runs.
 */
export function validateGroupCommit(
  group: ClassicGroup,
  memberId: string,
  groupInstanceId: string | null,
  generationId: number,
  isTransactional: boolean,
): number {
  if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (generationId < 0 && group.is('Empty')) return ErrorCode.NONE;
  if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
    const memberError = validateMember(group, memberId, groupInstanceId);
    if (memberError !== ErrorCode.NONE) return memberError;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  } else if (!isTransactional && !group.is('Empty')) {
    // No member id and no generation (v0): only accepted while nobody consumes the group.
    return ErrorCode.UNKNOWN_MEMBER_ID;
  }
  // The member has the new generation from its JoinGroup but no assignment yet.
  if (!isTransactional && group.is('CompletingRebalance')) return ErrorCode.REBALANCE_IN_PROGRESS;
  return ErrorCode.NONE;
}

function errorResponse(req: OffsetCommitRequest, errorCode: number): OffsetCommitResponse {
  return {
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    })),
  };
}
