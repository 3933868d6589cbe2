import { ErrorCode } from '../../../protocol/error-codes.js';
import type { CoordinatorState } from './coordinator-state.js';
import type { GroupRequestContext, TxnOffsetCommitRequest, TxnOffsetCommitResponse } from './group-api.js';
import type { GroupRecord } from './group-record-codec.js';
import { validateGroupCommit } from './offset-commit.js';

/**
 * TxnOffsetCommit (OffsetMetadataManager.commitTransactionalOffset): the offsets are appended as a
 * transactional batch of the producer and stay pending, invisible to OffsetFetch, until the
 * transaction's marker reaches the group's __consumer_offsets partition: COMMIT makes them the
 * group's committed offsets, ABORT drops them. A group that does not exist is created for a
 * commit without generation (-1), as a plain commit creates a simple group.
 */
export function txnOffsetCommit(
  s: CoordinatorState,
  ctx: GroupRequestContext,
  req: TxnOffsetCommitRequest,
): void {
  const error = validate(s, req);
  if (error !== ErrorCode.NONE) {
    s.respond(ctx.requestId, 'TxnOffsetCommit', errorResponse(req, error));
    return;
  }
  const group = s.groups.get(req.groupId)!;
  const nowMs = BigInt(s.nowMs());
  const records: GroupRecord[] = [];
  const topics: TxnOffsetCommitResponse['topics'] = req.topics.map((topic) => ({
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
          commitTimestamp: nowMs,
          expireTimestamp: -1n,
        },
      });
      return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
    }),
  }));
  s.appendTxn(group.partition, records, { producerId: req.producerId, producerEpoch: req.producerEpoch });
  s.respond(ctx.requestId, 'TxnOffsetCommit', { topics });
}

function validate(s: CoordinatorState, req: TxnOffsetCommitRequest): number {
  if (req.groupId === '') return ErrorCode.INVALID_GROUP_ID;
  const ownership = s.ownershipError(req.groupId);
  if (ownership !== ErrorCode.NONE) return ownership;
  let group = s.groups.get(req.groupId);
  if (!group) {
    if (req.generationId >= 0) return ErrorCode.ILLEGAL_GENERATION;
    group = s.getOrCreateGroup(req.groupId);
  }
  return validateGroupCommit(group, req.memberId, req.groupInstanceId, req.generationId, true);
}

function errorResponse(req: TxnOffsetCommitRequest, errorCode: number): TxnOffsetCommitResponse {
  return {
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    })),
  };
}
