import { checkErrorCode } from '../client-error.js';
import { groupBy } from '../collections.js';
import { Apis } from '../network/apis.js';
import type { Cluster } from '../network/cluster.js';
import { findCoordinator } from '../network/coordinator.js';
import { withRetry } from '../network/retry.js';

export interface CommittedOffset {
  topic: string;
  partition: number;
  /** -1 when nothing is committed. */
  offset: bigint;
  leaderEpoch: number;
  metadata: string | null;
}

export interface OffsetToCommit {
  topic: string;
  partition: number;
  offset: bigint;
  leaderEpoch?: number;
  metadata?: string | null;
}

/** The member a commit comes from; generation -1 and an empty member id for admin or manual commits. */
export interface CommitIdentity {
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

/**
 * OffsetFetch for one group; `topics` null asks for every partition with a committed offset.
 * From v8 the request and response name groups in a list (KIP-709).
 */
export function fetchCommittedOffsets(
  cluster: Cluster,
  groupId: string,
  topics: ReadonlyMap<string, number[]> | null,
  signal?: AbortSignal,
): Promise<CommittedOffset[]> {
  const topicList = topics
    ? [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes }))
    : null;
  return withRetry(
    async () => {
      const node = await findCoordinator(cluster, groupId, 0, signal);
      const conn = cluster.connectionTo(node);
      const res = await conn.request(
        Apis.OffsetFetch,
        (version) =>
          version >= 8
            ? {
                groups: [{ groupId, memberId: null, memberEpoch: -1, topics: topicList }],
                requireStable: true,
              }
            : { groupId, topics: topicList, requireStable: true },
        { signal },
      );
      const grouped = conn.versionOf(Apis.OffsetFetch.apiKey)! >= 8;
      const group = grouped ? res.groups[0] : { errorCode: res.errorCode, topics: res.topics };
      if (!group) return [];
      checkErrorCode(group.errorCode, `OffsetFetch ${groupId}`);
      const out: CommittedOffset[] = [];
      for (const t of group.topics) {
        for (const p of t.partitions) {
          checkErrorCode(p.errorCode, `${t.name}-${p.partitionIndex}`);
          out.push({
            topic: t.name,
            partition: p.partitionIndex,
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch,
            metadata: p.metadata,
          });
        }
      }
      return out;
    },
    { retries: cluster.options.retries, backoff: cluster.options.backoff, signal },
  );
}

/** OffsetCommit to the group's coordinator; a partition-level error fails the whole commit. */
export async function commitOffsets(
  cluster: Cluster,
  groupId: string,
  who: CommitIdentity,
  offsets: readonly OffsetToCommit[],
  signal?: AbortSignal,
): Promise<void> {
  if (offsets.length === 0) return;
  const node = await findCoordinator(cluster, groupId, 0, signal);
  const res = await cluster.request(
    node,
    Apis.OffsetCommit,
    {
      groupId,
      generationIdOrMemberEpoch: who.generationId,
      memberId: who.memberId,
      groupInstanceId: who.groupInstanceId,
      retentionTimeMs: -1n,
      topics: [...groupBy(offsets, (o) => o.topic)].map(([name, ps]) => ({
        name,
        partitions: ps.map((p) => ({
          partitionIndex: p.partition,
          committedOffset: p.offset,
          committedLeaderEpoch: p.leaderEpoch ?? -1,
          commitTimestamp: -1n,
          committedMetadata: p.metadata ?? null,
        })),
      })),
    },
    { signal },
  );
  for (const t of res.topics)
    for (const p of t.partitions) checkErrorCode(p.errorCode, `${t.name}-${p.partitionIndex}`);
}
