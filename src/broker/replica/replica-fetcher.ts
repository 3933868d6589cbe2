import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { MetadataImage } from '../../metadata/metadata-image.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { ApiKey } from '../../protocol/generated/api-registry.js';
import type { LogManager } from '../../storage/log-manager.js';
import { interBrokerAddress } from '../cluster/controller-channel.js';
import { type InterBrokerClient, InterBrokerRequestError } from '../cluster/inter-broker-client.js';
import type { FollowerLogView } from '../replication/follower-truncation.js';
import {
  type FollowerLogEffect,
  type FollowerRequest,
  PartitionFollower,
} from '../replication/partition-follower.js';
import type { HostedPartition } from './hosted-partition.js';
import { wholeBatches } from './whole-batches.js';

/** The replica.* settings a fetcher reads (Kafka's names and defaults in docs/configuration.md). */
export interface ReplicaFetcherSettings {
  readonly nodeId: number;
  /** replica.fetch.max.bytes: per partition. */
  readonly fetchMaxBytes: number;
  /** replica.fetch.response.max.bytes: per request. */
  readonly fetchResponseMaxBytes: number;
  readonly fetchWaitMaxMs: number;
  readonly fetchMinBytes: number;
  readonly fetchBackoffMs: number;
  /** replica.socket.timeout.ms: how long a request may go unanswered. */
  readonly socketTimeoutMs: number;
  readonly numFetchers: number;
  readonly listenerName: string;
}

export interface ReplicaFetcherDeps {
  readonly settings: ReplicaFetcherSettings;
  readonly client: () => InterBrokerClient | null;
  readonly image: () => MetadataImage;
  readonly brokerEpoch: () => bigint;
  readonly logs: LogManager;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called after a follower's log changed (appends, truncation): fetches waiting on it may answer. */
  readonly onLogChanged: (p: HostedPartition) => void;
}

/** Fetch v15: the first with ReplicaState (KIP-903); topics by id. */
const FETCH_VERSION = 15;
const OFFSET_FOR_LEADER_EPOCH_VERSION = 4;
const LIST_OFFSETS_VERSION = 7;
/** Kafka's FetchRequest.FINAL_EPOCH with session id 0: a full fetch with no session. */
const NO_SESSION_EPOCH = -1;
const LATEST_TIMESTAMP = -1n;
const EARLIEST_TIMESTAMP = -2n;

interface Followed {
  readonly p: HostedPartition;
  readonly follower: PartitionFollower<Buffer>;
}

/**
 * Kafka's ReplicaFetcherManager: the partitions this broker follows, each given to one fetcher per
 * (leader, fetcher index) pair, `num.replica.fetchers` per leader, the index by partition hash.
 */
export class ReplicaFetcherManager {
  private readonly fetchers = new Map<string, LeaderFetcher>();
  private readonly fetcherOf = new Map<HostedPartition, LeaderFetcher>();
  private closed = false;

  constructor(private readonly deps: ReplicaFetcherDeps) {}

  /**
   * Follow `p` from the leader the metadata names (Kafka's makeFollower and addFetcherForPartitions):
   * a new leader epoch makes the follower truncate first; a partition moving to another leader
   * moves to that leader's fetcher.
   */
  follow(p: HostedPartition): void {
    if (this.closed) return;
    let follower = p.follower;
    if (follower === null) {
      follower = new PartitionFollower<Buffer>(logView(p), {
        fetchBackoffMs: this.deps.settings.fetchBackoffMs,
      });
      p.follower = follower;
    }
    const key = `${p.leaderId}-${fetcherIndex(p, this.deps.settings.numFetchers)}`;
    const current = this.fetcherOf.get(p);
    if (current !== undefined && current.key !== key) {
      current.remove(p);
      this.fetcherOf.delete(p);
    }
    let fetcher = this.fetchers.get(key);
    if (fetcher === undefined) {
      fetcher = new LeaderFetcher(key, p.leaderId, this.deps);
      this.fetchers.set(key, fetcher);
    }
    this.fetcherOf.set(p, fetcher);
    // An epoch at or below the follower's is ignored by becomeFollower (metadata replayed).
    const effects = follower.becomeFollower(p.leaderId, p.leaderEpoch);
    fetcher.add(p, follower, effects);
  }

  /** Stops following `p`; resolves once no fetched data is being applied to its log. */
  async unfollow(p: HostedPartition): Promise<void> {
    const fetcher = this.fetcherOf.get(p);
    p.follower?.stop();
    if (fetcher === undefined) return;
    this.fetcherOf.delete(p);
    await fetcher.remove(p);
    if (fetcher.size === 0) {
      fetcher.close();
      this.fetchers.delete(fetcher.key);
    }
  }

  /** Partitions followed per leader (monitoring and tests). */
  followedBy(leaderId: number): number {
    let n = 0;
    for (const f of this.fetchers.values()) if (f.leaderId === leaderId) n += f.size;
    return n;
  }

  close(): void {
    this.closed = true;
    for (const f of this.fetchers.values()) f.close();
    this.fetchers.clear();
    this.fetcherOf.clear();
  }
}

function fetcherIndex(p: HostedPartition, numFetchers: number): number {
  // Kafka's getFetcherId: Utils.abs(31 * topic.hashCode + partition) % numFetchers.
  let h = 0;
  for (let i = 0; i < p.topic.length; i++) h = (Math.imul(31, h) + p.topic.charCodeAt(i)) | 0;
  return Math.abs((Math.imul(31, h) + p.partition) | 0) % Math.max(1, numFetchers);
}

/** The follower's view of its own log, read through the partition (opened on first use). */
function logView(p: HostedPartition): FollowerLogView {
  return {
    get logEndOffset() {
      return p.log.logEndOffset;
    },
    get highWatermark() {
      return p.log.highWatermark;
    },
    get logStartOffset() {
      return p.log.logStartOffset;
    },
    latestEpoch: () => p.log.epochs.latestEpoch(),
    endOffsetForEpoch: (epoch) => p.log.endOffsetForEpoch(epoch),
  };
}

/**
 * Kafka's ReplicaFetcherThread for one leader: a loop that asks every partition it follows for its
 * next request (PartitionFollower.poll), sends them to the leader batched by kind
 * (OffsetForLeaderEpoch, ListOffsets, one Fetch for all partitions fetching) over the
 * inter-broker listener, and applies each answer's log work (truncate, append with origin
 * replication, high watermark) in order before the partition's next request.
 */
class LeaderFetcher {
  private readonly partitions = new Map<HostedPartition, Followed>();
  /** Log work queued by `add` (a truncation to the high watermark), run by the loop first. */
  private readonly pendingEffects = new Map<HostedPartition, FollowerLogEffect<Buffer>[]>();
  /** The partition whose log the loop is changing now, and when it is done. */
  private applying: { p: HostedPartition; done: Promise<void> } | null = null;
  private closed = false;
  private wake: (() => void) | null = null;
  private timer: TimerHandle | null = null;
  private readonly logger: Logger;

  constructor(
    readonly key: string,
    readonly leaderId: number,
    private readonly deps: ReplicaFetcherDeps,
  ) {
    this.logger = deps.logger.child({ fetcher: key, leaderId });
    void this.run();
  }

  get size(): number {
    return this.partitions.size;
  }

  add(p: HostedPartition, follower: PartitionFollower<Buffer>, effects: FollowerLogEffect<Buffer>[]): void {
    this.partitions.set(p, { p, follower });
    if (effects.length > 0) this.pendingEffects.set(p, [...(this.pendingEffects.get(p) ?? []), ...effects]);
    this.poke();
  }

  async remove(p: HostedPartition): Promise<void> {
    this.partitions.delete(p);
    this.pendingEffects.delete(p);
    while (this.applying !== null && this.applying.p === p) await this.applying.done;
  }

  close(): void {
    this.closed = true;
    this.poke();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    this.timer?.cancel();
    this.timer = null;
    w?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = this.deps.clock.setTimer(ms, () => this.poke());
    });
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        await this.round();
      } catch (err) {
        this.logger.error({ err }, 'replica fetcher round failed');
        await this.sleep(this.deps.settings.fetchBackoffMs);
      }
    }
  }

  private async round(): Promise<void> {
    for (const [p, effects] of [...this.pendingEffects]) {
      this.pendingEffects.delete(p);
      await this.apply(p, effects);
    }
    const nowMs = this.deps.clock.nowMs();
    const due: { f: Followed; req: FollowerRequest }[] = [];
    let nextMs = Number.POSITIVE_INFINITY;
    for (const f of this.partitions.values()) {
      let req: FollowerRequest | null;
      try {
        req = f.follower.poll(nowMs);
      } catch (err) {
        // The log could not be opened (an offline log dir): try again after the backoff.
        this.logger.warn({ err, topic: f.p.topic, partition: f.p.partition }, 'follower log unavailable');
        continue;
      }
      if (req !== null) due.push({ f, req });
      else {
        const at = f.follower.nextPollMs();
        if (at !== null) nextMs = Math.min(nextMs, at);
      }
    }
    if (due.length === 0) {
      await this.sleep(Number.isFinite(nextMs) ? Math.max(1, nextMs - nowMs) : 60_000);
      return;
    }
    const client = this.deps.client();
    const address = interBrokerAddress(this.deps.image(), this.leaderId, this.deps.settings.listenerName);
    if (client === null || address === null) {
      // The leader is fenced or unknown here: the metadata will move the partitions.
      for (const d of due) d.f.follower.onRequestFailed(d.req.seq, this.deps.clock.nowMs());
      await this.sleep(this.deps.settings.fetchBackoffMs);
      return;
    }
    const byKind = (kind: FollowerRequest['type']) => due.filter((d) => d.req.type === kind);
    await Promise.all([
      this.offsetsForLeaderEpoch(client, address, byKind('offsetsForLeaderEpoch')),
      this.listOffsets(client, address, byKind('listOffsets')),
      this.fetch(client, address, byKind('fetch')),
    ]);
  }

  /** Runs one partition's log work in order; the partition may be removed (it became leader) meanwhile. */
  private async apply(p: HostedPartition, effects: readonly FollowerLogEffect<Buffer>[]): Promise<void> {
    if (effects.length === 0) return;
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    while (this.applying !== null) await this.applying.done;
    this.applying = { p, done };
    try {
      const tp = { topic: p.topic, partition: p.partition };
      for (const e of effects) {
        if (!this.partitions.has(p)) return;
        if (e.type === 'truncate') {
          if (await this.deps.logs.truncateTo(tp, e.offset))
            this.logger.info(
              { topic: p.topic, partition: p.partition, offset: e.offset },
              'follower log truncated',
            );
        } else if (e.type === 'truncateFullyAndStartAt') {
          await this.deps.logs.truncateFullyAndStartAt(tp, e.offset);
          this.logger.info(
            { topic: p.topic, partition: p.partition, offset: e.offset },
            'follower log restarted',
          );
        } else if (e.type === 'append') {
          const records = wholeBatches(e.records);
          if (records.length > 0) await p.log.append(records, { origin: 'replication' });
        } else p.log.setHighWatermark(e.highWatermark);
      }
    } catch (err) {
      // Nothing half-applied: an append is all or nothing; the next fetch starts at the log end.
      this.logger.warn({ err, topic: p.topic, partition: p.partition }, 'applying fetched data failed');
    } finally {
      this.applying = null;
      release();
      this.deps.onLogChanged(p);
    }
  }

  private failAll(list: readonly { f: Followed; req: FollowerRequest }[], err: unknown): void {
    if (!(err instanceof InterBrokerRequestError)) throw err;
    this.logger.debug({ err: err.message }, 'request to the leader failed');
    const nowMs = this.deps.clock.nowMs();
    for (const d of list) d.f.follower.onRequestFailed(d.req.seq, nowMs);
  }

  private async offsetsForLeaderEpoch(
    client: InterBrokerClient,
    address: { host: string; port: number },
    list: readonly { f: Followed; req: FollowerRequest }[],
  ): Promise<void> {
    if (list.length === 0) return;
    const topics = groupByTopic(list, (d) => {
      const r = d.req as Extract<FollowerRequest, { type: 'offsetsForLeaderEpoch' }>;
      return {
        partition: d.f.p.partition,
        currentLeaderEpoch: r.currentLeaderEpoch,
        leaderEpoch: r.leaderEpoch,
      };
    });
    let res: Awaited<ReturnType<typeof client.send<typeof ApiKey.OffsetForLeaderEpoch>>>;
    try {
      res = await client.send(
        address,
        ApiKey.OffsetForLeaderEpoch,
        OFFSET_FOR_LEADER_EPOCH_VERSION,
        { replicaId: this.deps.settings.nodeId, topics },
        this.deps.settings.socketTimeoutMs,
      );
    } catch (err) {
      this.failAll(list, err);
      return;
    }
    const answers = answersByPartition(
      res.topics,
      (t) => t.topic,
      (x) => x.partition,
    );
    for (const d of list) {
      const a = answers.get(d.f.p.topic)?.get(d.f.p.partition);
      const answer = a
        ? { errorCode: a.errorCode, leaderEpoch: a.leaderEpoch, endOffset: Number(a.endOffset) }
        : { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, leaderEpoch: -1, endOffset: -1 };
      await this.apply(
        d.f.p,
        d.f.follower.onOffsetsForLeaderEpoch(d.req.seq, answer, this.deps.clock.nowMs()),
      );
    }
  }

  private async listOffsets(
    client: InterBrokerClient,
    address: { host: string; port: number },
    list: readonly { f: Followed; req: FollowerRequest }[],
  ): Promise<void> {
    if (list.length === 0) return;
    const topics = groupByTopic(list, (d) => {
      const r = d.req as Extract<FollowerRequest, { type: 'listOffsets' }>;
      return {
        partitionIndex: d.f.p.partition,
        currentLeaderEpoch: r.currentLeaderEpoch,
        timestamp: r.which === 'latest' ? LATEST_TIMESTAMP : EARLIEST_TIMESTAMP,
      };
    }).map((t) => ({ name: t.topic, partitions: t.partitions }));
    let res: Awaited<ReturnType<typeof client.send<typeof ApiKey.ListOffsets>>>;
    try {
      res = await client.send(
        address,
        ApiKey.ListOffsets,
        LIST_OFFSETS_VERSION,
        { replicaId: this.deps.settings.nodeId, isolationLevel: 0, topics },
        this.deps.settings.socketTimeoutMs,
      );
    } catch (err) {
      this.failAll(list, err);
      return;
    }
    const answers = answersByPartition(
      res.topics,
      (t) => t.name,
      (x) => x.partitionIndex,
    );
    for (const d of list) {
      const a = answers.get(d.f.p.topic)?.get(d.f.p.partition);
      const answer = a
        ? { errorCode: a.errorCode, offset: Number(a.offset) }
        : { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, offset: -1 };
      await this.apply(d.f.p, d.f.follower.onListOffsets(d.req.seq, answer, this.deps.clock.nowMs()));
    }
  }

  private async fetch(
    client: InterBrokerClient,
    address: { host: string; port: number },
    list: readonly { f: Followed; req: FollowerRequest }[],
  ): Promise<void> {
    if (list.length === 0) return;
    const s = this.deps.settings;
    const byTopic = new Map<string, { topicId: string; partitions: object[] }>();
    for (const d of list) {
      const r = d.req as Extract<FollowerRequest, { type: 'fetch' }>;
      let t = byTopic.get(d.f.p.topicId);
      if (t === undefined) {
        t = { topicId: d.f.p.topicId, partitions: [] };
        byTopic.set(d.f.p.topicId, t);
      }
      t.partitions.push({
        partition: d.f.p.partition,
        currentLeaderEpoch: r.currentLeaderEpoch,
        fetchOffset: BigInt(r.fetchOffset),
        lastFetchedEpoch: r.lastFetchedEpoch,
        logStartOffset: BigInt(d.f.p.log.logStartOffset),
        partitionMaxBytes: s.fetchMaxBytes,
      });
    }
    let res: Awaited<ReturnType<typeof client.send<typeof ApiKey.Fetch>>>;
    try {
      res = await client.send(
        address,
        ApiKey.Fetch,
        FETCH_VERSION,
        {
          replicaState: { replicaId: s.nodeId, replicaEpoch: this.deps.brokerEpoch() },
          maxWaitMs: s.fetchWaitMaxMs,
          minBytes: s.fetchMinBytes,
          maxBytes: s.fetchResponseMaxBytes,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: NO_SESSION_EPOCH,
          topics: [...byTopic.values()],
          forgottenTopicsData: [],
          rackId: '',
        },
        s.fetchWaitMaxMs + s.socketTimeoutMs,
      );
    } catch (err) {
      this.failAll(list, err);
      return;
    }
    const nowMs = this.deps.clock.nowMs();
    const answers = answersByPartition(
      res.responses,
      (t) => t.topicId,
      (x) => x.partitionIndex,
    );
    for (const d of list) {
      const a = answers.get(d.f.p.topicId)?.get(d.f.p.partition);
      const errorCode =
        res.errorCode !== ErrorCode.NONE ? res.errorCode : (a?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR);
      const records = a?.records && a.records.length > 0 ? a.records : null;
      const effects = d.f.follower.onFetch(
        d.req.seq,
        {
          errorCode,
          highWatermark: a ? Number(a.highWatermark) : -1,
          logStartOffset: a ? Number(a.logStartOffset) : -1,
          records,
        },
        nowMs,
      );
      if (errorCode !== ErrorCode.NONE)
        this.logger.debug(
          { topic: d.f.p.topic, partition: d.f.p.partition, errorCode },
          'follower fetch error',
        );
      await this.apply(d.f.p, effects);
    }
  }
}

/**
 * A response's partitions by topic key and partition index, built once per response: looking each
 * requested partition up with a linear find over topics and partitions cost O(partitions²) per
 * fetch round, on the replication path of a leader with thousands of partitions.
 */
function answersByPartition<T extends { readonly partitions: readonly unknown[] }, K>(
  topics: readonly T[],
  topicKey: (t: T) => K,
  partitionIndex: (p: T['partitions'][number]) => number,
): Map<K, Map<number, T['partitions'][number]>> {
  const out = new Map<K, Map<number, T['partitions'][number]>>();
  for (const t of topics) {
    let byPartition = out.get(topicKey(t));
    if (byPartition === undefined) {
      byPartition = new Map();
      out.set(topicKey(t), byPartition);
    }
    // The first answer for a partition wins, as the find it replaces did.
    for (const p of t.partitions)
      if (!byPartition.has(partitionIndex(p))) byPartition.set(partitionIndex(p), p);
  }
  return out;
}

function groupByTopic<T>(
  list: readonly { f: Followed; req: FollowerRequest }[],
  partition: (d: { f: Followed; req: FollowerRequest }) => T,
): { topic: string; partitions: T[] }[] {
  const byTopic = new Map<string, T[]>();
  for (const d of list) {
    let ps = byTopic.get(d.f.p.topic);
    if (ps === undefined) {
      ps = [];
      byTopic.set(d.f.p.topic, ps);
    }
    ps.push(partition(d));
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
}
