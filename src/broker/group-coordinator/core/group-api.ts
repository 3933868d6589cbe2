import { EMPTY_BYTES } from '../../../protocol/codec-support.js';
import type { DeleteGroupsRequest } from '../../../protocol/generated/messages/delete-groups-request.js';
import type * as DeleteGroups from '../../../protocol/generated/messages/delete-groups-response.js';
import type { DescribeGroupsRequest } from '../../../protocol/generated/messages/describe-groups-request.js';
import type * as DescribeGroups from '../../../protocol/generated/messages/describe-groups-response.js';
import type { HeartbeatRequest } from '../../../protocol/generated/messages/heartbeat-request.js';
import type * as Heartbeat from '../../../protocol/generated/messages/heartbeat-response.js';
import type * as JoinGroupIn from '../../../protocol/generated/messages/join-group-request.js';
import type * as JoinGroup from '../../../protocol/generated/messages/join-group-response.js';
import type * as LeaveGroupIn from '../../../protocol/generated/messages/leave-group-request.js';
import type * as LeaveGroup from '../../../protocol/generated/messages/leave-group-response.js';
import type { ListGroupsRequest } from '../../../protocol/generated/messages/list-groups-request.js';
import type * as ListGroups from '../../../protocol/generated/messages/list-groups-response.js';
import type { OffsetCommitRequest } from '../../../protocol/generated/messages/offset-commit-request.js';
import type * as OffsetCommit from '../../../protocol/generated/messages/offset-commit-response.js';
import type { OffsetDeleteRequest } from '../../../protocol/generated/messages/offset-delete-request.js';
import type * as OffsetDelete from '../../../protocol/generated/messages/offset-delete-response.js';
import type * as OffsetFetchIn from '../../../protocol/generated/messages/offset-fetch-request.js';
import type * as OffsetFetch from '../../../protocol/generated/messages/offset-fetch-response.js';
import type { SyncGroupRequest } from '../../../protocol/generated/messages/sync-group-request.js';
import type * as SyncGroup from '../../../protocol/generated/messages/sync-group-response.js';
import type { TxnOffsetCommitRequest } from '../../../protocol/generated/messages/txn-offset-commit-request.js';
import type * as TxnOffsetCommit from '../../../protocol/generated/messages/txn-offset-commit-response.js';

// The coordinator's inputs and outputs are the generated request and response bodies of Kafka's
// message specs, so a handler passes the decoded request in and the response out as they are.
// Where a version lays a request out differently, the handler lifts it into the newest layout:
// LeaveGroup v0-2 (one memberId) and OffsetFetch v0-7 (one group) come in as one-element
// `members` and `groups`; only those fields are part of the core's input. Responses leave out
// throttleTimeMs, which the handler adds (and, for those versions, the fields it lowers back).

export type {
  DeleteGroupsRequest,
  DescribeGroupsRequest,
  HeartbeatRequest,
  ListGroupsRequest,
  OffsetCommitRequest,
  OffsetDeleteRequest,
  SyncGroupRequest,
  TxnOffsetCommitRequest,
};

/** What every request to the coordinator carries besides its body. */
export interface GroupRequestContext {
  /** Opaque to the core; echoed on the response effect so the shell finds the connection. */
  readonly requestId: number;
  readonly apiVersion: number;
  readonly clientId: string;
  readonly clientHost: string;
}

/** A response body as the core answers it: the handler adds the throttle time. */
type Answer<T> = Omit<T, 'throttleTimeMs' | 'unknownTaggedFields'>;

export type JoinGroupRequest = JoinGroupIn.JoinGroupRequest;
export type JoinGroupRequestProtocol = JoinGroupIn.JoinGroupRequestJoinGroupRequestProtocol;
export type JoinGroupResponse = Answer<JoinGroup.JoinGroupResponse>;
export type JoinGroupResponseMember = JoinGroup.JoinGroupResponseJoinGroupResponseMember;
export type SyncGroupResponse = Answer<SyncGroup.SyncGroupResponse>;
export type HeartbeatResponse = Answer<Heartbeat.HeartbeatResponse>;

export type MemberIdentity = LeaveGroupIn.LeaveGroupRequestMemberIdentity;
export type LeaveGroupRequest = Pick<LeaveGroupIn.LeaveGroupRequest, 'groupId' | 'members'>;
/** For v0-2 `errorCode` also carries the single member's error, as those versions have no `members`. */
export type LeaveGroupResponse = Answer<LeaveGroup.LeaveGroupResponse>;
export type LeaveGroupMemberResponse = LeaveGroup.LeaveGroupResponseMemberResponse;

export type OffsetCommitResponse = Answer<OffsetCommit.OffsetCommitResponse>;
export type OffsetCommitResponseTopic = OffsetCommit.OffsetCommitResponseOffsetCommitResponseTopic;

export type OffsetFetchRequestGroup = Pick<
  OffsetFetchIn.OffsetFetchRequestOffsetFetchRequestGroup,
  'groupId' | 'topics'
>;
export interface OffsetFetchRequest extends Pick<OffsetFetchIn.OffsetFetchRequest, 'requireStable'> {
  readonly groups: readonly OffsetFetchRequestGroup[];
}
/** For v0-7 the handler answers with the single group's topics and (v2+) its errorCode. */
export type OffsetFetchResponse = Pick<OffsetFetch.OffsetFetchResponse, 'groups'>;
export type OffsetFetchResponseGroup = OffsetFetch.OffsetFetchResponseOffsetFetchResponseGroup;
export type OffsetFetchResponseTopics = OffsetFetch.OffsetFetchResponseOffsetFetchResponseTopics;

export type TxnOffsetCommitResponse = Answer<TxnOffsetCommit.TxnOffsetCommitResponse>;
export type OffsetDeleteResponse = Answer<OffsetDelete.OffsetDeleteResponse>;
export type OffsetDeleteResponseTopic = OffsetDelete.OffsetDeleteResponseOffsetDeleteResponseTopic;

export type ListGroupsResponse = Answer<ListGroups.ListGroupsResponse>;
export type ListedGroup = ListGroups.ListGroupsResponseListedGroup;
export type DescribeGroupsResponse = Answer<DescribeGroups.DescribeGroupsResponse>;
export type DescribedGroup = DescribeGroups.DescribeGroupsResponseDescribedGroup;
export type DescribedGroupMember = DescribeGroups.DescribeGroupsResponseDescribedGroupMember;
export type DeleteGroupsResponse = Answer<DeleteGroups.DeleteGroupsResponse>;
export type DeletableGroupResult = DeleteGroups.DeleteGroupsResponseDeletableGroupResult;

/** The member id a client sends before the coordinator gave it one. */
export const UNKNOWN_MEMBER_ID = '';

/** The offset OffsetFetch returns for a partition without a committed offset. */
export const INVALID_OFFSET = -1n;

export function joinGroupError(errorCode: number, memberId: string): JoinGroupResponse {
  return {
    errorCode,
    generationId: -1,
    // Kafka's defaults: ProtocolType defaults to null, ProtocolName (nullable only from v7) to "".
    protocolType: null,
    protocolName: '',
    leader: '',
    skipAssignment: false,
    memberId,
    members: [],
  };
}

export function syncGroupError(errorCode: number): SyncGroupResponse {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_BYTES };
}
