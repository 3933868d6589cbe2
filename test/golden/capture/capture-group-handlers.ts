import type {
  JoinGroupRequest,
  JoinGroupResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
} from '../../../src/protocol/generated/index.js';
import type { MessageInput } from '../../../src/protocol/message-codec.js';
import type { CaptureState } from './capture-state.js';

/**
 * A group of one: every JoinGroup completes at once with the joiner as leader and only member.
 * That is enough for one consumer per group, which is all the capture scenarios run; a real
 * coordinator waits for the other members (the broker engineer's group coordinator does that).
 */
export function joinGroupResponse(
  state: CaptureState,
  req: JoinGroupRequest,
  _version: number,
  clientId: string | null,
): MessageInput<JoinGroupResponse> {
  const group = state.group(req.groupId);
  group.generationId += 1;
  const memberId = req.memberId !== '' ? req.memberId : state.newMemberId(clientId);
  const protocol = req.protocols[0];
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    generationId: group.generationId,
    protocolType: req.protocolType,
    protocolName: protocol?.name ?? '',
    leader: memberId,
    memberId,
    members: [
      { memberId, groupInstanceId: req.groupInstanceId, metadata: protocol?.metadata ?? Buffer.alloc(0) },
    ],
  };
}

export function offsetCommitResponse(
  state: CaptureState,
  req: OffsetCommitRequest,
): MessageInput<OffsetCommitResponse> {
  const group = state.group(req.groupId);
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        group.committed.set(`${t.name}/${p.partitionIndex}`, p.committedOffset);
        return { partitionIndex: p.partitionIndex, errorCode: 0 };
      }),
    })),
  };
}

interface FetchTopic {
  name: string;
  partitionIndexes: number[];
}

/** Committed offsets, or -1 ("none": the consumer applies auto.offset.reset) where there is none. */
function committedTopics(state: CaptureState, groupId: string, topics: FetchTopic[] | null) {
  const group = state.group(groupId);
  const wanted =
    topics ??
    [...state.topics.values()].map((t) => ({
      name: t.name,
      partitionIndexes: t.partitions.map((_l, i) => i),
    }));
  return wanted.map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => ({
      partitionIndex,
      committedOffset: group.committed.get(`${t.name}/${partitionIndex}`) ?? -1n,
      committedLeaderEpoch: -1,
      metadata: '',
      errorCode: 0,
    })),
  }));
}

export function offsetFetchResponse(
  state: CaptureState,
  req: OffsetFetchRequest,
  version: number,
): MessageInput<OffsetFetchResponse> {
  if (version < 8) {
    return { throttleTimeMs: 0, errorCode: 0, topics: committedTopics(state, req.groupId, req.topics) };
  }
  return {
    throttleTimeMs: 0,
    groups: req.groups.map((g) => ({
      groupId: g.groupId,
      errorCode: 0,
      topics: committedTopics(state, g.groupId, g.topics),
    })),
  };
}
