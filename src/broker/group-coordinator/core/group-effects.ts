import type {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  GroupRequestContext,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  ListGroupsRequest,
  ListGroupsResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  SyncGroupRequest,
  SyncGroupResponse,
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponse,
} from './group-api.js';
import type { GroupRecord } from './group-record-codec.js';

/** Each API the coordinator serves, with its request and response bodies. */
export interface GroupApis {
  JoinGroup: { request: JoinGroupRequest; response: JoinGroupResponse };
  SyncGroup: { request: SyncGroupRequest; response: SyncGroupResponse };
  Heartbeat: { request: HeartbeatRequest; response: HeartbeatResponse };
  LeaveGroup: { request: LeaveGroupRequest; response: LeaveGroupResponse };
  OffsetCommit: { request: OffsetCommitRequest; response: OffsetCommitResponse };
  OffsetFetch: { request: OffsetFetchRequest; response: OffsetFetchResponse };
  OffsetDelete: { request: OffsetDeleteRequest; response: OffsetDeleteResponse };
  ListGroups: { request: ListGroupsRequest; response: ListGroupsResponse };
  DescribeGroups: { request: DescribeGroupsRequest; response: DescribeGroupsResponse };
  DeleteGroups: { request: DeleteGroupsRequest; response: DeleteGroupsResponse };
  TxnOffsetCommit: { request: TxnOffsetCommitRequest; response: TxnOffsetCommitResponse };
}

export type GroupApi = keyof GroupApis;

/** An input to `GroupCoordinator.handle`. */
export type GroupRequest = {
  [A in GroupApi]: {
    readonly api: A;
    readonly context: GroupRequestContext;
    readonly request: GroupApis[A]['request'];
  };
}[GroupApi];

/** A response to send, correlated by the request id the shell gave. */
export type RespondEffect = {
  [A in GroupApi]: {
    readonly type: 'respond';
    readonly requestId: number;
    readonly api: A;
    readonly response: GroupApis[A]['response'];
  };
}[GroupApi];

/** The producer whose transaction a TxnOffsetCommit's records belong to. */
export interface TxnProducer {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

/** Records to append to a __consumer_offsets partition. */
export interface AppendEffect {
  readonly type: 'append';
  readonly partition: number;
  readonly records: readonly GroupRecord[];
  /** Set for a TxnOffsetCommit: the records are one transactional batch of this producer. */
  readonly producer?: TxnProducer;
}

/**
 * What loading a __consumer_offsets partition replays, in log order: plain records, the offset
 * commits of transactional batches (pending for their producer), and transaction markers.
 */
export type GroupLogEntry =
  | GroupRecord
  | { readonly type: 'TxnOffsetCommit'; readonly producerId: bigint; readonly record: GroupRecord }
  | { readonly type: 'TxnMarker'; readonly producerId: bigint; readonly commit: boolean };

/**
 * The coordinator's outputs, in order. The shell runs them in order and sends a response only
 * once every append listed before it (in this and earlier effect lists) is durable, so nothing
 * that depends on a record goes out before the record would survive a restart.
 */
export type GroupEffect = AppendEffect | RespondEffect;
