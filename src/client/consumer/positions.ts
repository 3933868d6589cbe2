import type { TopicPartitions } from '../../protocol/consumer-protocol.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ClientError } from '../client-error.js';
import type { Cluster } from '../network/cluster.js';
import { fetchCommittedOffsets } from '../operations/group-offsets.js';
import { listOffsets, OffsetSpec } from '../operations/list-offsets.js';
import type { PartitionState, SubscriptionState } from './subscription-state.js';

/** What resolving fetch positions needs from the consumer. */
export interface PositionContext {
  cluster: Cluster;
  state: SubscriptionState;
  groupId: string | undefined;
  autoOffsetReset: 'earliest' | 'latest' | 'none';
  /** 0 read_uncommitted, 1 read_committed. */
  isolationLevel: number;
}

function byTopic(states: readonly PartitionState[]): TopicPartitions {
  const m: TopicPartitions = new Map();
  for (const s of states) m.set(s.topic, [...(m.get(s.topic) ?? []), s.partition]);
  return m;
}

/** Fetch positions for partitions that have none: the group's committed offset, else the reset policy. */
export async function ensurePositions(ctx: PositionContext, signal?: AbortSignal): Promise<void> {
  const all = [...ctx.state.partitions.values()];
  // A seek before the first poll leaves no position to resolve, but the fetcher still needs
  // to know the partitions' leaders.
  const unknown = [...new Set(all.map((s) => s.topic))].filter((t) => !ctx.cluster.topics.has(t));
  if (unknown.length > 0) await ctx.cluster.topicsMetadata(unknown, signal);
  const missing = all.filter((s) => s.fetchPosition === null);
  if (missing.length === 0) return;
  await ctx.cluster.topicsMetadata([...new Set(missing.map((s) => s.topic))], signal);
  let unresolved = missing;
  if (ctx.groupId !== undefined) {
    let committed: Awaited<ReturnType<typeof fetchCommittedOffsets>>;
    try {
      committed = await fetchCommittedOffsets(ctx.cluster, ctx.groupId, byTopic(missing), signal);
    } catch (err) {
      // A transactional offset commit for one of these partitions is pending (KIP-447): its
      // positions stay unknown, and a later poll asks again, as the Java consumer does.
      if (err instanceof ClientError && err.kafkaCode === ErrorCode.UNSTABLE_OFFSET_COMMIT) {
        ctx.cluster.log.debug(
          { groupId: ctx.groupId },
          'committed offsets unstable: a transaction is pending',
        );
        return;
      }
      throw err;
    }
    const offsets = new Map(committed.map((c) => [`${c.topic}\u0000${c.partition}`, c.offset]));
    unresolved = [];
    for (const s of missing) {
      const offset = offsets.get(s.key);
      // The partition may have been revoked (and the state replaced) while we asked.
      if (offset !== undefined && offset >= 0n && ctx.state.get(s.topic, s.partition) === s)
        ctx.state.seek(s, offset);
      else unresolved.push(s);
    }
  }
  await resetPositions(ctx, unresolved, false, signal);
}

/** auto.offset.reset: positions from ListOffsets (earliest or latest), or an error with 'none'. */
export async function resetPositions(
  ctx: PositionContext,
  states: readonly PartitionState[],
  outOfRange: boolean,
  signal?: AbortSignal,
): Promise<void> {
  if (states.length === 0) return;
  const policy = ctx.autoOffsetReset;
  if (policy === 'none') {
    throw new ClientError(
      'INVALID_ARGUMENT',
      `no ${outOfRange ? 'valid' : 'committed'} offset and autoOffsetReset is none`,
    );
  }
  const timestamp = policy === 'earliest' ? OffsetSpec.Earliest : OffsetSpec.Latest;
  const answers = await listOffsets(
    ctx.cluster,
    states.map((s) => ({ topic: s.topic, partition: s.partition, timestamp })),
    { signal, isolationLevel: ctx.isolationLevel },
  );
  for (const a of answers) {
    const s = ctx.state.get(a.topic, a.partition);
    if (s) ctx.state.seek(s, a.offset);
  }
}
