import type { TopicPartitions } from '../../protocol/consumer-protocol.js';
import { ClientError, throwIfAborted } from '../client-error.js';
import type { Cluster } from '../network/cluster.js';
import { commitOffsets, fetchCommittedOffsets, type OffsetToCommit } from '../operations/group-offsets.js';
import { listOffsets, OffsetSpec } from '../operations/list-offsets.js';
import type { ConsumerGroupMetadata } from '../producer/transaction-manager.js';
import type { Assignor } from './assignors/assignor.js';
import { rangeAssignor } from './assignors/range-assignor.js';
import { roundRobinAssignor } from './assignors/round-robin-assignor.js';
import { cooperativeStickyAssignor, stickyAssignor } from './assignors/sticky-assignor.js';
import type { ConsumerConfig, RebalanceListener } from './consumer-config.js';
import { Fetcher } from './fetcher.js';
import { GroupMembership } from './group-membership.js';
import { ensurePositions, type PositionContext, resetPositions } from './positions.js';
import {
  type ConsumerRecord,
  type PartitionState,
  SubscriptionState,
  type TopicPartition,
} from './subscription-state.js';

export type { ConsumerConfig, RebalanceListener } from './consumer-config.js';
export type { ConsumerRecord, TopicPartition } from './subscription-state.js';

const ASSIGNORS: Readonly<Record<string, Assignor>> = {
  range: rangeAssignor,
  roundrobin: roundRobinAssignor,
  sticky: stickyAssignor,
  'cooperative-sticky': cooperativeStickyAssignor,
};

export interface PollOptions {
  maxRecords?: number;
  /** How long to wait for records, default 1000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

function toTopicPartitions(list: readonly TopicPartition[]): TopicPartitions {
  const m: TopicPartitions = new Map();
  for (const tp of list) m.set(tp.topic, [...(m.get(tp.topic) ?? []), tp.partition]);
  return m;
}

function fromTopicPartitions(tp: TopicPartitions): TopicPartition[] {
  return [...tp].flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition })));
}

/**
 * Reads records from assigned partitions: subscribe() joins a group and gets partitions from its
 * leader's assignor, assign() takes partitions directly. Records are prefetched into a bounded
 * buffer; poll() and `for await` hand them out; positions are committed automatically or by hand.
 */
export class Consumer implements AsyncIterable<ConsumerRecord> {
  private readonly state = new SubscriptionState();
  private readonly fetcher: Fetcher;
  private readonly membership: GroupMembership | null = null;
  private readonly config: Required<
    Pick<ConsumerConfig, 'autoCommit' | 'autoCommitIntervalMs' | 'maxPollRecords' | 'autoOffsetReset'>
  >;
  private subscription: string[] = [];
  private listener: RebalanceListener = {};
  private mode: 'none' | 'subscribe' | 'assign' = 'none';
  private waiters: (() => void)[] = [];
  private lastPoll = performance.now();
  private lastAutoCommit = performance.now();
  private closed = false;
  private commitChain: Promise<void> = Promise.resolve();
  private joinError: Error | null = null;
  private lastMetadataCheck = performance.now();
  private checkingMetadata = false;
  /** Partition counts of subscribed topics when the group last assigned, to notice new partitions. */
  private readonly partitionCountsAtJoin = new Map<string, number>();

  constructor(
    private readonly cluster: Cluster,
    private readonly options: ConsumerConfig = {},
    private readonly ownsCluster = true,
  ) {
    this.config = {
      autoCommit: options.autoCommit ?? options.groupId !== undefined,
      autoCommitIntervalMs: options.autoCommitIntervalMs ?? 5000,
      maxPollRecords: options.maxPollRecords ?? 500,
      autoOffsetReset: options.autoOffsetReset ?? 'latest',
    };
    if (options.rebalanceListener) this.listener = options.rebalanceListener;
    const fetchMaxBytes = options.fetchMaxBytes ?? 50 * 1024 * 1024;
    this.fetcher = new Fetcher(cluster, this.state, {
      fetchMinBytes: options.fetchMinBytes ?? 1,
      fetchMaxBytes,
      fetchMaxWaitMs: options.fetchMaxWaitMs ?? 500,
      maxPartitionFetchBytes: options.maxPartitionFetchBytes ?? 1024 * 1024,
      prefetchBytesMax: options.prefetchBytesMax ?? 32 * 1024 * 1024,
      isolationLevel: options.isolationLevel === 'read_committed' ? 1 : 0,
      checkCrcs: options.checkCrcs ?? true,
      logger: cluster.log,
      onOffsetOutOfRange: (s) => this.resetPositions([s], true),
      onData: () => this.wakeWaiters(),
    });
    if (options.groupId !== undefined) {
      const assignors = (options.assignors ?? ['range', 'cooperative-sticky']).map((a) => {
        const found = typeof a === 'string' ? ASSIGNORS[a] : a;
        if (!found) throw new ClientError('INVALID_ARGUMENT', `unknown assignor ${String(a)}`);
        return found;
      });
      const maxPollIntervalMs = options.maxPollIntervalMs ?? 300000;
      this.membership = new GroupMembership(
        cluster,
        {
          groupId: options.groupId,
          groupInstanceId: options.groupInstanceId ?? null,
          sessionTimeoutMs: options.sessionTimeoutMs ?? 45000,
          rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? maxPollIntervalMs,
          heartbeatIntervalMs: options.heartbeatIntervalMs ?? 3000,
          maxPollIntervalMs,
          assignors,
          rackId: options.rackId ?? null,
          logger: cluster.log,
        },
        {
          topics: () => this.subscription,
          owned: () => toTopicPartitions(this.state.assigned()),
          onJoinPrepare: (protocol) => this.onJoinPrepare(protocol),
          onAssignment: (a, protocol) => this.onAssignment(a, protocol),
          onLost: () => this.onLost(),
          partitionCounts: async (topics) => {
            const infos = await cluster.topicsMetadata(topics);
            return new Map(infos.map((t) => [t.name, t.partitions.length]));
          },
          wake: () => this.wakeWaiters(),
          lastPollMs: () => this.lastPoll,
        },
      );
    }
  }

  /** Bytes fetched and waiting for poll (bounded by prefetchBytesMax plus one fetch response). */
  get bufferedBytes(): number {
    return this.state.bufferedBytes;
  }

  /** Joins the consumer group and consumes the topics' partitions the group assigns. */
  subscribe(topics: string | readonly string[], listener?: RebalanceListener): void {
    if (!this.membership) throw new ClientError('INVALID_ARGUMENT', 'subscribe needs a groupId');
    if (this.mode === 'assign') throw new ClientError('INVALID_ARGUMENT', 'already using assign()');
    this.mode = 'subscribe';
    this.subscription = typeof topics === 'string' ? [topics] : [...topics];
    if (listener) this.listener = listener;
    this.cluster.track(this.subscription);
    this.membership.requestRejoin();
  }

  /** Consumes exactly these partitions, without a group (offsets may still be committed to groupId). */
  assign(partitions: readonly TopicPartition[]): void {
    if (this.mode === 'subscribe') throw new ClientError('INVALID_ARGUMENT', 'already using subscribe()');
    this.mode = 'assign';
    const wanted = new Set(partitions.map((p) => `${p.topic}\u0000${p.partition}`));
    for (const s of [...this.state.partitions.values()])
      if (!wanted.has(s.key)) this.state.remove(s.topic, s.partition);
    for (const p of partitions) this.state.add(p.topic, p.partition);
    this.cluster.track(partitions.map((p) => p.topic));
  }

  assignment(): TopicPartition[] {
    return this.state.assigned();
  }

  /** Up to maxRecords records; waits up to timeoutMs for some. Runs rebalances and auto commits. */
  async poll(options: PollOptions = {}): Promise<ConsumerRecord[]> {
    if (this.closed) throw new ClientError('CLIENT_CLOSED', 'the consumer is closed');
    const { signal } = options;
    const deadline = performance.now() + (options.timeoutMs ?? 1000);
    this.lastPoll = performance.now();
    this.maybeAutoCommit();
    this.maybeCheckMetadata();
    for (;;) {
      throwIfAborted(signal);
      if (this.membership && this.mode === 'subscribe' && !(await this.joinWithin(deadline, signal)))
        return [];
      await this.ensurePositions(signal);
      const records = this.state.take(options.maxRecords ?? this.config.maxPollRecords);
      this.fetcher.ensureFetching();
      if (records.length > 0) return records;
      const left = deadline - performance.now();
      if (left <= 0) return [];
      await this.waitForData(left, signal);
    }
  }

  /**
   * Runs a pending rebalance, waiting for it at most until the poll's deadline: like the Java
   * client, the join goes on in the background so that a short poll returns on time and the
   * application keeps polling (other members may need it to). False when it is still running.
   */
  private async joinWithin(deadline: number, signal?: AbortSignal): Promise<boolean> {
    const membership = this.membership!;
    if (this.joinError) {
      const err = this.joinError;
      this.joinError = null;
      throw err;
    }
    if (!membership.needsRejoin && !membership.isJoining) return true;
    const join = membership.ensureActive();
    let finished = false;
    const settled = join.then(
      () => {
        finished = true;
      },
      (err: unknown) => {
        finished = true;
        this.joinError = err as Error;
      },
    );
    const left = deadline - performance.now();
    if (left > 0) await Promise.race([settled, this.waitForData(left, signal)]);
    throwIfAborted(signal);
    if (this.joinError) {
      const err = this.joinError;
      this.joinError = null;
      throw err;
    }
    return finished;
  }

  /** Records one at a time; positions advance as the loop asks for the next record. */
  async *[Symbol.asyncIterator](): AsyncIterator<ConsumerRecord> {
    while (!this.closed) {
      const batch = await this.poll({ timeoutMs: 1000 });
      for (const r of batch) yield r;
    }
  }

  private waitForData(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.push(done);
    });
  }

  private wakeWaiters(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private positionContext(): PositionContext {
    return {
      cluster: this.cluster,
      state: this.state,
      groupId: this.options.groupId,
      autoOffsetReset: this.config.autoOffsetReset,
      isolationLevel: this.options.isolationLevel === 'read_committed' ? 1 : 0,
    };
  }

  private ensurePositions(signal?: AbortSignal): Promise<void> {
    return ensurePositions(this.positionContext(), signal);
  }

  private resetPositions(states: PartitionState[], outOfRange: boolean, signal?: AbortSignal): Promise<void> {
    return resetPositions(this.positionContext(), states, outOfRange, signal);
  }

  private async onJoinPrepare(protocol: 'eager' | 'cooperative'): Promise<void> {
    if (protocol === 'cooperative') return;
    const all = this.state.assigned();
    if (this.config.autoCommit) await this.autoCommitBeforeRevoke();
    for (const tp of all) this.state.remove(tp.topic, tp.partition);
    this.fetcher.resetSessions();
    if (all.length > 0) await this.listener.onPartitionsRevoked?.(all);
  }

  private async onAssignment(
    assigned: TopicPartitions,
    protocol: 'eager' | 'cooperative',
  ): Promise<{ revokedAny: boolean }> {
    const next = fromTopicPartitions(assigned);
    const nextKeys = new Set(next.map((p) => `${p.topic}\u0000${p.partition}`));
    const revoked = this.state.assigned().filter((p) => !nextKeys.has(`${p.topic}\u0000${p.partition}`));
    if (revoked.length > 0) {
      if (this.config.autoCommit) await this.autoCommitBeforeRevoke(revoked);
      for (const tp of revoked) this.state.remove(tp.topic, tp.partition);
      await this.listener.onPartitionsRevoked?.(revoked);
    }
    for (const t of this.subscription) {
      const count = this.cluster.topics.get(t)?.partitions.length;
      if (count !== undefined) this.partitionCountsAtJoin.set(t, count);
    }
    const added = next.filter((p) => !this.state.get(p.topic, p.partition));
    for (const p of added) this.state.add(p.topic, p.partition);
    this.cluster.track(added.map((p) => p.topic));
    this.fetcher.resetSessions();
    await this.listener.onPartitionsAssigned?.(protocol === 'cooperative' ? added : next);
    this.wakeWaiters();
    return { revokedAny: revoked.length > 0 };
  }

  private async onLost(): Promise<void> {
    const lost = this.state.assigned();
    for (const tp of lost) this.state.remove(tp.topic, tp.partition);
    if (lost.length === 0) return;
    if (this.listener.onPartitionsLost) await this.listener.onPartitionsLost(lost);
    else await this.listener.onPartitionsRevoked?.(lost);
  }

  /**
   * Refreshes metadata every metadata.max.age.ms while subscribed, and rejoins the group when a
   * subscribed topic's partition count changed since the last assignment, as the Java client does,
   * so that new partitions get consumed.
   */
  private maybeCheckMetadata(): void {
    if (this.mode !== 'subscribe' || !this.membership || this.checkingMetadata) return;
    if (performance.now() - this.lastMetadataCheck < this.cluster.options.metadataMaxAgeMs) return;
    this.lastMetadataCheck = performance.now();
    this.checkingMetadata = true;
    this.cluster
      .refreshMetadata(this.subscription)
      .then(() => {
        for (const t of this.subscription) {
          const count = this.cluster.topics.get(t)?.partitions.length;
          const known = this.partitionCountsAtJoin.get(t);
          if (count !== undefined && known !== undefined && count !== known) {
            this.cluster.log.info({ topic: t, from: known, to: count }, 'partition count changed, rejoining');
            this.membership?.requestRejoin();
            break;
          }
        }
      })
      .catch((err) => this.cluster.log.debug({ err }, 'metadata refresh failed'))
      .finally(() => {
        this.checkingMetadata = false;
      });
  }

  private maybeAutoCommit(): void {
    if (!this.config.autoCommit || performance.now() - this.lastAutoCommit < this.config.autoCommitIntervalMs)
      return;
    this.lastAutoCommit = performance.now();
    this.commitAsync().catch((err) => this.cluster.log.warn({ err }, 'auto commit failed'));
  }

  /**
   * Commits the positions of partitions about to be revoked (or of all, before a rebalance or on
   * close). A failure does not stop the rebalance or the close, as in Kafka's
   * ConsumerCoordinator.maybeAutoCommitOffsetsSync, but it is logged: the next owner of those
   * partitions will read again from the last committed offsets.
   */
  private async autoCommitBeforeRevoke(only?: readonly TopicPartition[]): Promise<void> {
    try {
      await this.commitPositions(only);
    } catch (err) {
      this.cluster.log.warn({ err }, 'auto commit before revoking partitions failed');
    }
  }

  private positionsToCommit(only?: readonly TopicPartition[]): OffsetToCommit[] {
    const states = only
      ? only.map((p) => this.state.get(p.topic, p.partition))
      : [...this.state.partitions.values()];
    const out: OffsetToCommit[] = [];
    for (const s of states)
      if (s && s.position !== null) out.push({ topic: s.topic, partition: s.partition, offset: s.position });
    return out;
  }

  private commitPositions(only?: readonly TopicPartition[], signal?: AbortSignal): Promise<void> {
    return this.commit(this.positionsToCommit(only), signal);
  }

  private commit(offsets: readonly OffsetToCommit[], signal?: AbortSignal): Promise<void> {
    const groupId = this.options.groupId;
    if (groupId === undefined)
      return Promise.reject(new ClientError('INVALID_ARGUMENT', 'commit needs a groupId'));
    const who = {
      generationId: this.membership && this.mode === 'subscribe' ? this.membership.generationId : -1,
      memberId: this.membership && this.mode === 'subscribe' ? this.membership.memberId : '',
      groupInstanceId: this.options.groupInstanceId ?? null,
    };
    // Commits go out in call order, so an older async commit never overwrites a newer one.
    const run = this.commitChain.then(() => commitOffsets(this.cluster, groupId, who, offsets, signal));
    // The chain only orders commits: each caller gets its own failure through `run`.
    this.commitChain = run.catch(() => {});
    return run;
  }

  /** Commits the given offsets (the next offset to read), or the current positions; waits for the broker. */
  commitSync(offsets?: readonly OffsetToCommit[], options: { signal?: AbortSignal } = {}): Promise<void> {
    return offsets ? this.commit(offsets, options.signal) : this.commitPositions(undefined, options.signal);
  }

  /** As commitSync, for callers that do not await: failures go to the returned promise only. */
  commitAsync(offsets?: readonly OffsetToCommit[]): Promise<void> {
    const p = this.commitSync(offsets);
    // Marks the rejection handled for callers that drop the promise; those that keep it still see it.
    p.catch(() => {});
    return p;
  }

  async committed(
    partitions: readonly TopicPartition[],
    options: { signal?: AbortSignal } = {},
  ): Promise<Map<string, bigint>> {
    if (this.options.groupId === undefined)
      throw new ClientError('INVALID_ARGUMENT', 'committed needs a groupId');
    const res = await fetchCommittedOffsets(
      this.cluster,
      this.options.groupId,
      toTopicPartitions(partitions),
      options.signal,
    );
    return new Map(res.map((r) => [`${r.topic}-${r.partition}`, r.offset]));
  }

  /**
   * The group, generation and member this consumer is, for a transactional producer's
   * sendOffsetsToTransaction (Java's Consumer.groupMetadata, KIP-447): the group coordinator
   * refuses a transactional commit from a member of an older generation.
   */
  groupMetadata(): ConsumerGroupMetadata {
    const groupId = this.options.groupId;
    if (groupId === undefined) throw new ClientError('INVALID_ARGUMENT', 'groupMetadata needs a groupId');
    const member = this.membership && this.mode === 'subscribe';
    return {
      groupId,
      generationId: member ? this.membership!.generationId : -1,
      memberId: member ? this.membership!.memberId : '',
      groupInstanceId: this.options.groupInstanceId ?? null,
    };
  }

  /** The offset of the next record poll will return for a partition, or null before it is known. */
  position(tp: TopicPartition): bigint | null {
    return this.state.get(tp.topic, tp.partition)?.position ?? null;
  }

  /**
   * How far the position is behind the end of the partition as of the last fetch, null before
   * one (Java's currentLag, KIP-695): the end is the last stable offset under read_committed,
   * where records of open transactions cannot be read yet, and the high watermark otherwise.
   */
  currentLag(tp: TopicPartition): bigint | null {
    const s = this.state.get(tp.topic, tp.partition);
    if (!s || s.position === null) return null;
    const end = this.options.isolationLevel === 'read_committed' ? s.lastStableOffset : s.highWatermark;
    return end < 0n ? null : end - s.position;
  }

  seek(tp: TopicPartition, offset: bigint): void {
    const s = this.state.get(tp.topic, tp.partition);
    if (!s) throw new ClientError('INVALID_ARGUMENT', `${tp.topic}-${tp.partition} is not assigned`);
    this.state.seek(s, offset);
    this.fetcher.wake();
  }

  async seekToBeginning(
    tps: readonly TopicPartition[] = this.assignment(),
    signal?: AbortSignal,
  ): Promise<void> {
    await this.seekTo(tps, OffsetSpec.Earliest, signal);
  }

  async seekToEnd(tps: readonly TopicPartition[] = this.assignment(), signal?: AbortSignal): Promise<void> {
    await this.seekTo(tps, OffsetSpec.Latest, signal);
  }

  private async seekTo(tps: readonly TopicPartition[], spec: bigint, signal?: AbortSignal): Promise<void> {
    // Under read_committed the end is the last stable offset, as the Java consumer's seekToEnd.
    const isolationLevel = this.options.isolationLevel === 'read_committed' ? 1 : 0;
    const answers = await listOffsets(
      this.cluster,
      tps.map((tp) => ({ ...tp, timestamp: spec })),
      { signal, isolationLevel },
    );
    for (const a of answers) this.seek(a, a.offset);
  }

  pause(tps: readonly TopicPartition[]): void {
    for (const tp of tps) {
      const s = this.state.get(tp.topic, tp.partition);
      if (s) s.paused = true;
    }
  }

  resume(tps: readonly TopicPartition[]): void {
    for (const tp of tps) {
      const s = this.state.get(tp.topic, tp.partition);
      if (s) s.paused = false;
    }
    this.fetcher.ensureFetching();
  }

  paused(): TopicPartition[] {
    return [...this.state.partitions.values()]
      .filter((s) => s.paused)
      .map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  /** Commits (with auto commit), revokes, leaves the group and closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeWaiters();
    await this.fetcher.close();
    try {
      if (this.mode !== 'none' && this.config.autoCommit) await this.autoCommitBeforeRevoke();
      if (this.membership && this.mode === 'subscribe') {
        const all = this.state.assigned();
        if (all.length > 0) await this.listener.onPartitionsRevoked?.(all);
        await this.membership
          .leave()
          .catch((err) => this.cluster.log.warn({ err }, 'leaving the group failed'));
      }
    } finally {
      this.membership?.close();
      if (this.ownsCluster) this.cluster.close();
    }
  }
}
