// The coordinator's inputs and outputs for group membership: JoinGroup, SyncGroup, Heartbeat and
// LeaveGroup. Field names are the camelCased names of Kafka's message specs so that the network
// handlers map the generated request and response types onto these one to one. Fields a version
// lacks take the spec's default (e.g. groupInstanceId null before JoinGroup v5).

/** What every request to the coordinator carries besides its body. */
export interface RequestContext {
  /** Opaque to the core; echoed on the response effect so the shell finds the connection. */
  readonly requestId: number;
  readonly apiVersion: number;
  readonly clientId: string;
  readonly clientHost: string;
}

export interface JoinGroupRequestProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinGroupRequest {
  readonly groupId: string;
  readonly sessionTimeoutMs: number;
  /** -1 before v1: the session timeout is used instead. */
  readonly rebalanceTimeoutMs: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly protocolType: string;
  readonly protocols: readonly JoinGroupRequestProtocol[];
  readonly reason: string | null;
}

export interface JoinGroupResponseMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly metadata: Buffer;
}

export interface JoinGroupResponse {
  readonly errorCode: number;
  readonly generationId: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly leader: string;
  readonly skipAssignment: boolean;
  readonly memberId: string;
  readonly members: readonly JoinGroupResponseMember[];
}

export interface SyncGroupRequestAssignment {
  readonly memberId: string;
  readonly assignment: Buffer;
}

export interface SyncGroupRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly assignments: readonly SyncGroupRequestAssignment[];
}

export interface SyncGroupResponse {
  readonly errorCode: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly assignment: Buffer;
}

export interface HeartbeatRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

export interface HeartbeatResponse {
  readonly errorCode: number;
}

export interface MemberIdentity {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly reason: string | null;
}

/** v0-2 carry one memberId: the handler passes it as a single-element `members`. */
export interface LeaveGroupRequest {
  readonly groupId: string;
  readonly members: readonly MemberIdentity[];
}

export interface LeaveGroupMemberResponse {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly errorCode: number;
}

/** For v0-2 `errorCode` also carries the single member's error, as those versions have no `members`. */
export interface LeaveGroupResponse {
  readonly errorCode: number;
  readonly members: readonly LeaveGroupMemberResponse[];
}

/** The member id a client sends before the coordinator gave it one. */
export const UNKNOWN_MEMBER_ID = '';
/** The generation of a member outside any generation (admin clients, manual assignment). */
export const NO_GENERATION = -1;

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

export const EMPTY_BYTES: Buffer = Buffer.alloc(0);
