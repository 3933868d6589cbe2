import { ErrorCode } from '../../protocol/error-codes.js';
import { KafkaError } from '../client-error.js';
import { groupBy } from '../collections.js';
import { Apis } from '../network/apis.js';
import { type Cluster, isStaleMetadataError } from '../network/cluster.js';
import { withRetry } from '../network/retry.js';

/** ListOffsets timestamps with special meaning (ListOffsetsRequest.EARLIEST_TIMESTAMP and friends). */
export const OffsetSpec = { Latest: -1n, Earliest: -2n, MaxTimestamp: -3n } as const;

export interface OffsetQuery {
  topic: string;
  partition: number;
  /** Milliseconds since the epoch, or an OffsetSpec value. */
  timestamp: bigint;
}

export interface OffsetAnswer {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: bigint;
  leaderEpoch: number;
}

export interface ListOffsetsOptions {
  /** 0: read uncommitted (the high watermark), 1: read committed (the last stable offset). */
  isolationLevel?: number;
  signal?: AbortSignal;
}

/** Offsets for each query, asked of each partition's leader; retries after leader changes. */
export async function listOffsets(
  cluster: Cluster,
  queries: readonly OffsetQuery[],
  options: ListOffsetsOptions = {},
): Promise<OffsetAnswer[]> {
  const { signal } = options;
  const topics = [...new Set(queries.map((q) => q.topic))];
  return withRetry(
    async () => {
      await cluster.topicsMetadata(topics, signal);
      const byLeader = groupBy(queries, (q) => cluster.leaderFor(q.topic, q.partition));
      const answers = await Promise.all(
        [...byLeader].map(async ([leader, qs]) => {
          if (leader < 0) throw new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE);
          const res = await cluster.request(
            leader,
            Apis.ListOffsets,
            {
              replicaId: -1,
              isolationLevel: options.isolationLevel ?? 0,
              topics: [...groupBy(qs, (q) => q.topic)].map(([name, ps]) => ({
                name,
                partitions: ps.map((p) => ({
                  partitionIndex: p.partition,
                  currentLeaderEpoch: -1,
                  timestamp: p.timestamp,
                  maxNumOffsets: 1,
                })),
              })),
            },
            { signal },
          );
          const out: OffsetAnswer[] = [];
          for (const t of res.topics) {
            for (const p of t.partitions) {
              if (p.errorCode !== 0) throw new KafkaError(p.errorCode, `${t.name}-${p.partitionIndex}`);
              // v0 answers with a list of offsets instead of one.
              const offset = p.oldStyleOffsets.length > 0 ? p.oldStyleOffsets[0]! : p.offset;
              out.push({
                topic: t.name,
                partition: p.partitionIndex,
                offset,
                timestamp: p.timestamp,
                leaderEpoch: p.leaderEpoch,
              });
            }
          }
          return out;
        }),
      );
      return answers.flat();
    },
    {
      retries: cluster.options.retries,
      backoff: cluster.options.backoff,
      signal,
      onRetry: async (err) => {
        if (isStaleMetadataError(err) || err.kafkaCode === null)
          await cluster.refreshMetadata(topics, signal);
      },
    },
  );
}
