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
 * -1 offsets without an error, as Kafka does. With `requireStable` (v7+, KIP-447) a partition
 * that an open transaction committed an offset for answers UNSTABLE_OFFSET_COMMIT, so the
 * consumer waits until that transaction ends; without it the last committed offset is answered.
 */
export function offsetFetch(s: CoordinatorState, ctx: GroupRequestContext, req: OffsetFetchRequest): void {
  s.respond(ctx.requestId, 'OffsetFetch', {
    groups: req.groups.map((g) => fetchGroup(s, g, req.requireStable)),
  });
}

function fetchGroup(
  s: CoordinatorState,
  req: OffsetFetchRequestGroup,
  requireStable: boolean,
): OffsetFetchResponseGroup {
  const unstable = (topic: string, partition: number) =>
    requireStable && s.pendingTxnOffsets.has(req.groupId, topic, partition);
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
          partitions: [...partitions].map(([partitionIndex, v]) =>
            unstable(name, partitionIndex)
              ? unstableAnswer(partitionIndex)
              : {
                  partitionIndex,
                  committedOffset: v.offset,
                  committedLeaderEpoch: v.leaderEpoch,
                  metadata: v.metadata,
                  errorCode: ErrorCode.NONE,
                },
          ),
        });
      }
    }
  } else {
    for (const t of req.topics) {
      topics.push({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => {
          if (unstable(t.name, partitionIndex)) return unstableAnswer(partitionIndex);
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

function unstableAnswer(partitionIndex: number) {
  return {
    partitionIndex,
    committedOffset: INVALID_OFFSET,
    committedLeaderEpoch: -1,
    metadata: '',
    errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
  };
}
