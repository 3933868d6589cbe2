// The coordinator's inputs and outputs for group administration: ListGroups, DescribeGroups and
// DeleteGroups, named after the fields of Kafka's message specs.

export interface ListGroupsRequest {
  /** v4+; empty lists every state. Matched case-insensitively, as Kafka does. */
  readonly statesFilter: readonly string[];
  /** v5+; empty lists every type. The classic coordinator only has "classic" groups. */
  readonly typesFilter: readonly string[];
}

export interface ListedGroup {
  readonly groupId: string;
  readonly protocolType: string;
  readonly groupState: string;
  readonly groupType: string;
}

export interface ListGroupsResponse {
  readonly errorCode: number;
  readonly groups: readonly ListedGroup[];
}

export interface DescribeGroupsRequest {
  readonly groups: readonly string[];
  readonly includeAuthorizedOperations: boolean;
}

export interface DescribedGroupMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** Only filled in when the group is Stable. */
  readonly memberMetadata: Buffer;
  /** Only filled in when the group is Stable. */
  readonly memberAssignment: Buffer;
}

export interface DescribedGroup {
  readonly errorCode: number;
  readonly groupId: string;
  readonly groupState: string;
  readonly protocolType: string;
  /** The selected protocol name, only when Stable. */
  readonly protocolData: string;
  readonly members: readonly DescribedGroupMember[];
  /** Filled in by the handler, which knows the principal's ACLs. */
  readonly authorizedOperations: number;
}

export interface DescribeGroupsResponse {
  readonly groups: readonly DescribedGroup[];
}

export interface DeleteGroupsRequest {
  readonly groupsNames: readonly string[];
}

export interface DeletableGroupResult {
  readonly groupId: string;
  readonly errorCode: number;
}

export interface DeleteGroupsResponse {
  readonly results: readonly DeletableGroupResult[];
}

/** AuthorizedOperations when the client did not ask for them (Integer.MIN_VALUE). */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
