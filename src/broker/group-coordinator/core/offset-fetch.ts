import { ErrorCode } from '../../../protocol/error-codes.js';
import type { CoordinatorState } from './coordinator-state.js';
import type { GroupRequestContext } from './group-api.js';
import {
  INVALID_OFFSET,
  type OffsetFetchRequest,
  type OffsetFetchRequestGroup,
  type OffsetFetchResponseGroup,
  type OffsetFetchResponseTopics,
} from './group-api.js';

/**
 * OffsetFetch for one group (v0-7) or many (v8+). A group this coordinator does not know answers
 * -1 offsets without an error, as Kafka does. `requireStable` (v7+) guards against offsets of
 * transactions still open; the classic coordinator holds none, so every offset is stable.
 */
export function offsetFetch(s: CoordinatorState, ctx: GroupRequestContext, req: OffsetFetchRequest): void {
  s.respond(ctx.requestId, 'OffsetFetch', { groups: req.groups.map((g) => fetchGroup(s, g)) });
}

function fetchGroup(s: CoordinatorState, req: OffsetFetchRequestGroup): OffsetFetchResponseGroup {
  const ownership = s.ownershipError(req.groupId);
  if (ownership !== ErrorCode.NONE) return { groupId: req.groupId, topics: [], errorCode: ownership };
  const group = s.groups.get(req.groupId);
  const known = group !== undefined && !group.is('Dead');
  const topics: OffsetFetchResponseTopics[] = [];
  if (req.topics === null) {
    if (known) {
      for (const [name, partitions] of s.offsets.ofGroup(req.groupId)) {
        topics.push({
          name,
          partitions: [...partitions].map(([partitionIndex, v]) => ({
            partitionIndex,
            committedOffset: v.offset,
            committedLeaderEpoch: v.leaderEpoch,
            metadata: v.metadata,
            errorCode: ErrorCode.NONE,
          })),
        });
      }
    }
  } else {
    for (const t of req.topics) {
      topics.push({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => {
          const v = known ? s.offsets.get(req.groupId, t.name, partitionIndex) : undefined;
          return {
            partitionIndex,
            committedOffset: v?.offset ?? INVALID_OFFSET,
            committedLeaderEpoch: v?.leaderEpoch ?? -1,
            metadata: v?.metadata ?? '',
            errorCode: ErrorCode.NONE,
          };
        }),
      });
    }
  }
  return { groupId: req.groupId, topics, errorCode: ErrorCode.NONE };
}
