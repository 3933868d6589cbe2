// The coordinator's inputs and outputs for offsets: OffsetCommit, OffsetFetch and OffsetDelete,
// named after the fields of Kafka's message specs.

export interface OffsetCommitRequestPartition {
  readonly partitionIndex: number;
  readonly committedOffset: bigint;
  /** v6+; -1 when unknown. */
  readonly committedLeaderEpoch: number;
  /** v1 only; -1 means "now". int64 as in the spec. */
  readonly commitTimestamp: bigint;
  readonly committedMetadata: string | null;
}

export interface OffsetCommitRequestTopic {
  readonly name: string;
  readonly partitions: readonly OffsetCommitRequestPartition[];
}

export interface OffsetCommitRequest {
  readonly groupId: string;
  /** -1 (v0, or a commit from outside the group's generations). */
  readonly generationIdOrMemberEpoch: number;
  /** '' in v0. */
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  /** v2-4; -1 means the broker's offsets.retention.minutes. int64 as in the spec. */
  readonly retentionTimeMs: bigint;
  readonly topics: readonly OffsetCommitRequestTopic[];
}

export interface OffsetCommitResponsePartition {
  readonly partitionIndex: number;
  readonly errorCode: number;
}

export interface OffsetCommitResponseTopic {
  readonly name: string;
  readonly partitions: readonly OffsetCommitResponsePartition[];
}

export interface OffsetCommitResponse {
  readonly topics: readonly OffsetCommitResponseTopic[];
}

export interface OffsetFetchRequestTopics {
  readonly name: string;
  readonly partitionIndexes: readonly number[];
}

export interface OffsetFetchRequestGroup {
  readonly groupId: string;
  /** null fetches every committed offset of the group (v2+). */
  readonly topics: readonly OffsetFetchRequestTopics[] | null;
}

/** v0-7 carry one group: the handler passes it as a single-element `groups`. */
export interface OffsetFetchRequest {
  readonly groups: readonly OffsetFetchRequestGroup[];
  readonly requireStable: boolean;
}

export interface OffsetFetchResponsePartitions {
  readonly partitionIndex: number;
  readonly committedOffset: bigint;
  readonly committedLeaderEpoch: number;
  readonly metadata: string | null;
  readonly errorCode: number;
}

export interface OffsetFetchResponseTopics {
  readonly name: string;
  readonly partitions: readonly OffsetFetchResponsePartitions[];
}

export interface OffsetFetchResponseGroup {
  readonly groupId: string;
  readonly topics: readonly OffsetFetchResponseTopics[];
  readonly errorCode: number;
}

/** For v0-7 the handler answers with the single group's topics and (v2+) its errorCode. */
export interface OffsetFetchResponse {
  readonly groups: readonly OffsetFetchResponseGroup[];
}

export interface OffsetDeleteRequestTopic {
  readonly name: string;
  readonly partitions: readonly { readonly partitionIndex: number }[];
}

export interface OffsetDeleteRequest {
  readonly groupId: string;
  readonly topics: readonly OffsetDeleteRequestTopic[];
}

export interface OffsetDeleteResponseTopic {
  readonly name: string;
  readonly partitions: readonly { readonly partitionIndex: number; readonly errorCode: number }[];
}

export interface OffsetDeleteResponse {
  readonly errorCode: number;
  readonly topics: readonly OffsetDeleteResponseTopic[];
}

/** The offset OffsetFetch returns for a partition without a committed offset. */
export const INVALID_OFFSET = -1n;
