import { ErrorCode } from '../../../protocol/error-codes.js';
import type { CoordinatorState } from './coordinator-state.js';
import type { GroupRequestContext, OffsetDeleteRequest, OffsetDeleteResponseTopic } from './group-api.js';
import type { GroupRecord } from './group-record-codec.js';

/**
 * OffsetDelete (KIP-496): tombstones for the given partitions, unless a live consumer group
 * still subscribes to the topic.
 */
export function offsetDelete(s: CoordinatorState, ctx: GroupRequestContext, req: OffsetDeleteRequest) {
  const fail = (errorCode: number) => s.respond(ctx.requestId, 'OffsetDelete', { errorCode, topics: [] });
  if (req.groupId === '') return fail(ErrorCode.INVALID_GROUP_ID);
  const ownership = s.ownershipError(req.groupId);
  if (ownership !== ErrorCode.NONE) return fail(ownership);
  const group = s.groups.get(req.groupId);
  if (!group || group.is('Dead')) return fail(ErrorCode.GROUP_ID_NOT_FOUND);
  // Members of a group that is not a consumer group could be using any offsets at all.
  if (!group.is('Empty') && !group.usesConsumerProtocol()) return fail(ErrorCode.NON_EMPTY_GROUP);
  const records: GroupRecord[] = [];
  const topics: OffsetDeleteResponseTopic[] = req.topics.map((topic) => {
    if (group.isSubscribedToTopic(topic.name)) {
      return {
        name: topic.name,
        partitions: topic.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC,
        })),
      };
    }
    for (const p of topic.partitions) {
      if (s.offsets.get(req.groupId, topic.name, p.partitionIndex)) {
        records.push({
          type: 'OffsetCommit',
          key: { group: req.groupId, topic: topic.name, partition: p.partitionIndex },
          value: null,
        });
      }
    }
    return {
      name: topic.name,
      partitions: topic.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: ErrorCode.NONE,
      })),
    };
  });
  s.append(group.partition, records);
  s.respond(ctx.requestId, 'OffsetDelete', { errorCode: ErrorCode.NONE, topics });
}
