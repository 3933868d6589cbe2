import { type Clock, systemClock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { METADATA_TOPIC } from '../../metadata/local-metadata-log.js';
import type { MetadataImage } from '../../metadata/metadata-image.js';
import type { TopicConfig } from '../../metadata/topic-config-def.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { AppendOrigin } from '../../storage/append-validator.js';
import type { DurabilityMode } from '../../storage/log-config.js';
import type { LogManager } from '../../storage/log-manager.js';
import type { AppendResult, PartitionLog, TransactionMarker } from '../../storage/partition-log.js';
import { StorageError } from '../../storage/storage-error.js';
import type { BrokerMetrics } from '../broker-metrics.js';
import type { Purgatory } from '../purgatory/purgatory.js';
import { type LeaderEffect, PartitionLeader } from '../replication/partition-leader.js';
import type { AlterPartitionProposal } from '../replication/replication-types.js';
import { HostedPartition } from './hosted-partition.js';
import { toLogConfig } from './log-config-mapping.js';
import { kafkaErrorFor } from './storage-error-codes.js';

export type PartitionLookup =
  | { partition: HostedPartition; errorCode: 0 }
  | { partition: null; errorCode: number };

/** What the replica manager needs to replicate in a cluster; a single node runs with the defaults. */
export interface ReplicationWiring {
  readonly clock: Clock;
  /** replica.lag.time.max.ms. */
  readonly replicaLagTimeMaxMs: number;
  /** KIP-966: the high watermark stands still while the ISR is below min.insync.replicas (clusters). */
  readonly eligibleLeaderReplicasEnabled: boolean;
  /** Whether a broker may join an ISR now, and its broker epoch (KIP-841); null if it may not. */
  readonly isrEligibility: (brokerId: number) => bigint | null;
  /** Sends a leader's AlterPartition to the controller and feeds the answer back (`onAlterPartitionAnswer`). */
  readonly sendAlterPartition: ((p: HostedPartition, proposal: AlterPartitionProposal) => void) | null;
  /** Starts or moves this broker's fetching of a partition it follows (the replica fetcher). */
  readonly follow: ((p: HostedPartition) => void) | null;
  /** Stops fetching a partition and resolves once no fetched data is being applied to it any more. */
  readonly unfollow: ((p: HostedPartition) => Promise<void>) | null;
}

const SINGLE_NODE: ReplicationWiring = {
  clock: systemClock,
  replicaLagTimeMaxMs: 30_000,
  eligibleLeaderReplicasEnabled: false,
  isrEligibility: () => null,
  sendAlterPartition: null,
  follow: null,
  unfollow: null,
};

export interface AppendOutcome {
  errorCode: number;
  errorMessage: string | null;
  baseOffset: bigint;
  /** The offset after the last appended record, which the high watermark must pass for acks=all. */
  nextOffset: number;
  logAppendTimeMs: bigint;
  logStartOffset: bigint;
}

/**
 * The partitions this broker hosts, kept in step with the metadata image: logs are created or
 * loaded for partitions assigned here, deleted with their topics, and reconfigured when topic
 * configs change. Appends and high watermark moves wake the requests waiting in the purgatories.
 */
export class ReplicaManager {
  private readonly partitions = new Map<string, HostedPartition>();
  /** The same partitions by topic and index: produce and fetch look them up without building a key. */
  private readonly byTopic = new Map<string, (HostedPartition | undefined)[]>();
  private readonly configCache = new Map<string, TopicConfig>();
  private warnedMetadataTopic = false;
  private leadershipSuspended = false;
  private replication: ReplicationWiring = SINGLE_NODE;
  /** Settles when `loadInBackground` has opened every log it found on disk. */
  backgroundLoad: Promise<void> = Promise.resolve();
  /** False from `loadInBackground` until it has opened every log it found (readiness checks this). */
  logsLoaded = true;

  constructor(
    private readonly nodeId: number,
    readonly logs: LogManager,
    private readonly resolveTopicConfig: (topic: string) => TopicConfig,
    private readonly durability: DurabilityMode,
    readonly producePurgatory: Purgatory,
    readonly fetchPurgatory: Purgatory,
    private readonly logger: Logger,
    /** Null when nothing listens: appends and fetches then skip the accounting. */
    private readonly metrics: BrokerMetrics | null = null,
  ) {}

  /** Wires replication in (a cluster): followers fetch, leaders send AlterPartition. Call before `applyImage`. */
  setReplication(wiring: ReplicationWiring): void {
    this.replication = wiring;
  }

  /** The storage LogConfig of a topic (passed to the LogManager as its topicConfig callback). */
  logConfigFor(topic: string) {
    return toLogConfig(this.topicConfig(topic), this.durability);
  }

  /**
   * A topic's effective config (its overrides, then dynamic and static broker defaults), resolved
   * once and kept until a config or the topic changes: produce and fetch read it per request.
   */
  topicConfig(topic: string): TopicConfig {
    let config = this.configCache.get(topic);
    if (!config) {
      config = this.resolveTopicConfig(topic);
      this.configCache.set(topic, config);
    }
    return config;
  }

  all(): IterableIterator<HostedPartition> {
    return this.partitions.values();
  }

  get(topic: string, partition: number): HostedPartition | undefined {
    return this.partitions.get(`${topic}-${partition}`);
  }

  private index(p: HostedPartition): void {
    let list = this.byTopic.get(p.topic);
    if (!list) {
      list = [];
      this.byTopic.set(p.topic, list);
    }
    list[p.partition] = p;
  }

  /**
   * In a cluster, while this broker's session is lost (it was fenced, or may be any moment): it
   * leads nothing until registered again, so that it never accepts writes in an epoch the
   * controller may already have moved on from.
   */
  setLeadershipSuspended(suspended: boolean): void {
    if (suspended !== this.leadershipSuspended)
      this.logger.warn(
        { suspended },
        suspended ? 'leadership suspended: session lost' : 'leadership resumed',
      );
    this.leadershipSuspended = suspended;
  }

  /** The partition if this broker leads it, else the error a client gets (Kafka's getPartitionOrError). */
  leader(image: MetadataImage, topic: string, partition: number): PartitionLookup {
    const p = this.byTopic.get(topic)?.[partition];
    if (p && p.leaderId === this.nodeId && !this.leadershipSuspended) return { partition: p, errorCode: 0 };
    if (!image.partition(topic, partition))
      return { partition: null, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
    return { partition: null, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
  }

  /** Brings hosted partitions in line with the image: create, update leadership, delete. */
  async applyImage(
    image: MetadataImage,
    changedConfigTopics: ReadonlySet<string> = new Set(),
  ): Promise<void> {
    for (const t of changedConfigTopics) this.configCache.delete(t);
    const wanted = new Set<string>();
    for (const topic of image.topicsByName.values()) {
      if (topic.name === METADATA_TOPIC) {
        // Only a metadata log written before CreateTopics refused the name can hold this topic. Its
        // partition 0 would be the directory of the broker's own metadata log: never host it, so
        // no client reads it, writes it, or deletes it with the topic (the topic can be deleted).
        if (!this.warnedMetadataTopic)
          this.logger.warn({ topic: topic.name }, 'topic named after the metadata log is not hosted');
        this.warnedMetadataTopic = true;
        continue;
      }
      for (const state of topic.partitions.values()) {
        if (!state.replicas.includes(this.nodeId)) continue;
        const key = `${topic.name}-${state.partitionId}`;
        wanted.add(key);
        let p = this.partitions.get(key);
        if (!p) {
          const tp = { topic: topic.name, partition: state.partitionId };
          const hosted: HostedPartition = new HostedPartition(
            topic.name,
            state.partitionId,
            topic.topicId,
            () => {
              // A request still holding a partition deleted since must not create its directory again.
              if (this.partitions.get(key) !== hosted)
                throw new StorageError('LOG_CLOSED', `partition ${key} is no longer hosted here`);
              return this.logs.getOrCreateLog(tp);
            },
          );
          p = hosted;
          this.partitions.set(key, p);
          this.index(p);
        }
        p.topicId = topic.topicId;
        p.replicas = [...state.replicas];
        p.isr = [...state.isr];
        const becameLeader =
          state.leader === this.nodeId && (p.leaderId !== this.nodeId || p.leaderEpoch !== state.leaderEpoch);
        const partitionChanged = state.partitionEpoch !== p.partitionEpoch;
        const wasLeader = p.leaderId === this.nodeId;
        p.leaderId = state.leader;
        p.leaderEpoch = state.leaderEpoch;
        p.partitionEpoch = state.partitionEpoch;
        if (becameLeader) await this.becomeLeader(p);
        else if (state.leader === this.nodeId) {
          // The same leader epoch, a new partition epoch: the ISR changed (our AlterPartition, or
          // the controller took a fenced broker out of it).
          const l = p.leaderState;
          if (l !== null && partitionChanged) {
            this.runLeader(
              p,
              l.onPartitionChange(state.isr, state.partitionEpoch, this.replication.clock.nowMs()),
            );
            this.producePurgatory.checkAndComplete(key);
          }
        } else {
          if (wasLeader || p.leaderState !== null) this.stopLeading(p);
          // Kafka's makeFollower: fetch from the new leader, truncating first (the fetcher does).
          if (state.leader >= 0) this.replication.follow?.(p);
          else await this.replication.unfollow?.(p);
        }
        // A log not opened yet reads the current config when it opens.
        if (changedConfigTopics.has(topic.name) && p.isLoaded)
          p.log.updateConfig(this.logConfigFor(topic.name));
      }
    }
    for (const [key, p] of this.partitions) {
      if (wanted.has(key)) continue;
      this.partitions.delete(key);
      const list = this.byTopic.get(p.topic);
      if (list?.[p.partition] === p) list[p.partition] = undefined;
      if (list?.every((x) => x === undefined)) this.byTopic.delete(p.topic);
      this.configCache.delete(p.topic);
      this.stopLeading(p);
      await this.replication.unfollow?.(p);
      try {
        await this.logs.deleteLog({ topic: p.topic, partition: p.partition });
        this.logger.info({ topic: p.topic, partition: p.partition }, 'partition deleted');
      } catch (err) {
        this.logger.error({ err, topic: p.topic, partition: p.partition }, 'could not delete partition log');
      }
      this.producePurgatory.checkAndComplete(key);
      this.fetchPurgatory.checkAndComplete(key);
    }
  }

  /**
   * Kafka's makeLeader: stop fetching (and wait until no fetched batch is being applied), then, once
   * the log is open, build the leader state with the ISR from the metadata.
   */
  private async becomeLeader(p: HostedPartition): Promise<void> {
    await this.replication.unfollow?.(p);
    this.stopLeading(p);
    p.becomeLeader((log) => this.makeLeader(p, log));
  }

  private makeLeader(p: HostedPartition, log: PartitionLog): void {
    const w = this.replication;
    const nowMs = w.clock.nowMs();
    const topicConfig = () => this.topicConfig(p.topic);
    const l = new PartitionLeader({
      topicId: p.topicId,
      partitionId: p.partition,
      localBrokerId: this.nodeId,
      leaderEpoch: p.leaderEpoch,
      partitionEpoch: p.partitionEpoch,
      replicas: p.replicas,
      isr: p.isr,
      logEndOffset: log.logEndOffset,
      highWatermark: log.highWatermark,
      nowMs,
      config: {
        replicaLagTimeMaxMs: w.replicaLagTimeMaxMs,
        get minInsyncReplicas() {
          return topicConfig()['min.insync.replicas'];
        },
        eligibleLeaderReplicasEnabled: w.eligibleLeaderReplicasEnabled,
      },
      isrEligibility: w.isrEligibility,
    });
    p.leaderState = l;
    this.runLeader(p, l.onLocalAppend(log.logEndOffset, nowMs));
  }

  /** Leadership ended: waiting acks=all produces are answered NOT_LEADER_OR_FOLLOWER (the client retries on the new leader). */
  private stopLeading(p: HostedPartition): void {
    if (p.stopLeading() !== null) this.producePurgatory.checkAndComplete(p.key);
  }

  /**
   * Runs a leader's effects in order: a high watermark moved up is set on the log (and so
   * checkpointed) and wakes the acks=all produces and consumer fetches waiting for it; an
   * AlterPartition goes to the controller. Returns whether the high watermark moved.
   */
  private runLeader(p: HostedPartition, effects: readonly LeaderEffect[]): boolean {
    let moved = false;
    for (const e of effects) {
      if (e.type === 'highWatermark') {
        p.log.setHighWatermark(e.highWatermark);
        moved = true;
      } else if (e.type === 'alterPartition') this.replication.sendAlterPartition?.(p, e.proposal);
    }
    if (moved) {
      this.producePurgatory.checkAndComplete(p.key);
      this.fetchPurgatory.checkAndComplete(p.key);
    }
    return moved;
  }

  /** The controller answered a leader's AlterPartition (ignored if leadership moved on meanwhile). */
  onAlterPartitionAnswer(
    p: HostedPartition,
    proposal: AlterPartitionProposal,
    answer: Parameters<PartitionLeader['onAlterPartitionAnswer']>[0] | null,
  ): void {
    const l = p.leaderState;
    if (l === null || l.pendingProposal !== proposal) return;
    const nowMs = this.replication.clock.nowMs();
    this.runLeader(p, answer === null ? l.onAlterPartitionFailed() : l.onAlterPartitionAnswer(answer, nowMs));
    this.producePurgatory.checkAndComplete(p.key);
  }

  /**
   * A follower fetched these partitions from this leader (Kafka's updateFollowerFetchState): each
   * served at its fetch offset tells the leader the follower's log end offset.
   */
  onFollowerFetch(
    replicaId: number,
    reads: readonly {
      errorCode: number;
      partition: HostedPartition | null;
      request: { fetchOffset: bigint };
    }[],
  ): void {
    const nowMs = this.replication.clock.nowMs();
    for (const r of reads) {
      const l = r.partition?.leaderState;
      if (r.errorCode !== ErrorCode.NONE || !l) continue;
      this.runLeader(r.partition!, l.onFollowerFetch(replicaId, Number(r.request.fetchOffset), nowMs));
    }
  }

  /** The periodic ISR check of every partition led here with followers (Kafka's isr-expiration task). */
  tickLeaders(): void {
    const nowMs = this.replication.clock.nowMs();
    for (const p of this.partitions.values()) {
      const l = p.leaderState;
      if (l !== null && p.replicas.length > 1) this.runLeader(p, l.tick(nowMs));
    }
  }

  /** Loads logs of partitions on disk that the metadata no longer knows: Kafka calls them stray. */
  strayPartitions(): { topic: string; partition: number }[] {
    return this.logs
      .partitions()
      .filter((tp) => tp.topic !== METADATA_TOPIC && !this.partitions.has(`${tp.topic}-${tp.partition}`));
  }

  /**
   * Appends validated v2 batches to a partition this broker leads and advances the high watermark.
   * Storage failures come back as Kafka error codes; the log is unchanged on failure.
   */
  appendToLeader(
    p: HostedPartition,
    records: Buffer,
    prechecked = false,
    origin: AppendOrigin = 'client',
  ): Promise<AppendOutcome> {
    // Plain promise chaining rather than async/await: this runs for every partition of every
    // produce request, and each await costs a turn of the microtask queue.
    let appended: Promise<AppendResult>;
    try {
      appended = p.log.append(records, { leaderEpoch: p.leaderEpoch, prechecked, origin });
    } catch (err) {
      // Opening the log (on first use) can fail, e.g. on an offline log dir.
      appended = Promise.reject(err);
    }
    return appended.then(
      (r): AppendOutcome => {
        // acks=all producers wait for the high watermark; fetchers for new records (consumers up
        // to the high watermark, followers up to the log end): one check each.
        if (!this.afterLocalAppend(p)) this.fetchPurgatory.checkAndComplete(p.key);
        this.metrics?.bytesIn(p.topic, p.partition, records.length, r.recordCount);
        return {
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          baseOffset: BigInt(r.baseOffset),
          nextOffset: r.lastOffset + 1,
          logAppendTimeMs: BigInt(r.logAppendTime),
          logStartOffset: BigInt(r.logStartOffset),
        };
      },
      (err: unknown): AppendOutcome => {
        const mapped = kafkaErrorFor(err);
        if (!mapped) throw err;
        this.logger.debug({ err, topic: p.topic, partition: p.partition }, 'append rejected');
        return {
          errorCode: mapped.code,
          errorMessage: mapped.message,
          baseOffset: -1n,
          nextOffset: -1,
          logAppendTimeMs: -1n,
          logStartOffset: -1n,
        };
      },
    );
  }

  /**
   * Appends an end-transaction marker to a partition this broker leads (WriteTxnMarkers), stamped
   * with the leader epoch, and moves the high watermark as a produce does. Storage failures come back
   * as Kafka error codes (INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED, KAFKA_STORAGE_ERROR...);
   * nothing is appended on failure. `offset` is the marker's offset, -1 on failure.
   */
  appendTxnMarker(
    p: HostedPartition,
    marker: Omit<TransactionMarker, 'leaderEpoch'>,
  ): Promise<{ errorCode: number; errorMessage: string | null; offset: number }> {
    let appended: Promise<number>;
    try {
      appended = p.log.appendTransactionMarker({ ...marker, leaderEpoch: p.leaderEpoch });
    } catch (err) {
      appended = Promise.reject(err);
    }
    return appended.then(
      (offset) => {
        // read_committed fetches wait for the last stable offset, which a marker moves.
        if (!this.afterLocalAppend(p)) this.fetchPurgatory.checkAndComplete(p.key);
        return { errorCode: ErrorCode.NONE, errorMessage: null, offset };
      },
      (err: unknown) => {
        const mapped = kafkaErrorFor(err);
        if (!mapped) throw err;
        this.logger.debug({ err, topic: p.topic, partition: p.partition }, 'transaction marker rejected');
        return { errorCode: mapped.code, errorMessage: mapped.message, offset: -1 };
      },
    );
  }

  /** The leader's own log grew: the high watermark may move (at once with no other ISR member). */
  private afterLocalAppend(p: HostedPartition): boolean {
    const l = p.leaderState;
    if (l === null) return false;
    return this.runLeader(p, l.onLocalAppend(p.log.logEndOffset, this.replication.clock.nowMs()));
  }

  /** Counts the record bytes a fetch response carries, once the fetch's reads are final. */
  fetched(reads: readonly { request: { topic: string; partition: number }; bytes: number }[]): void {
    if (this.metrics === null) return;
    for (const r of reads) {
      if (r.bytes > 0) this.metrics.bytesOut(r.request.topic, r.request.partition, r.bytes);
    }
  }

  /**
   * Appends and waits until the high watermark passes the appended records (acks=all), or the
   * timeout: REQUEST_TIMED_OUT then, NOT_LEADER_OR_FOLLOWER if the partition moved away meanwhile.
   */
  async appendAndAwaitCommitted(
    p: HostedPartition,
    records: Buffer,
    timeoutMs: number,
    prechecked = false,
    origin: AppendOrigin = 'client',
  ): Promise<AppendOutcome> {
    const r = await this.appendToLeader(p, records, prechecked, origin);
    if (r.errorCode !== ErrorCode.NONE) return r;
    // The leader state this append was made under: another one (a new leader epoch here) or none
    // means leadership moved, and the record may be truncated away by the next leader.
    const leader = p.leaderState;
    const moved = () =>
      this.partitions.get(p.key) !== p || p.leaderId !== this.nodeId || p.leaderState !== leader;
    // Kafka's DelayedProduce: done once the high watermark passes the batch, or at once with
    // NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR falls below min.insync.replicas (KIP-966).
    const outcome = (): number | null =>
      leader !== null
        ? leader.replicationOutcome(r.nextOffset)
        : p.log.highWatermark >= r.nextOffset
          ? ErrorCode.NONE
          : null;
    return new Promise((resolve) => {
      this.producePurgatory.tryCompleteElseWatch(
        {
          isSatisfied: () => moved() || outcome() !== null,
          complete: (expired) => {
            const errorCode = moved() ? ErrorCode.NOT_LEADER_OR_FOLLOWER : outcome();
            if (errorCode === null) {
              if (expired) resolve({ ...r, errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: null });
              else resolve(r);
            } else if (errorCode !== ErrorCode.NONE) resolve({ ...r, errorCode, errorMessage: null });
            else resolve(r);
          },
        },
        [p.key],
        timeoutMs,
      );
    });
  }

  /**
   * Opens every hosted log that has a directory, a few at a time between other work: the broker
   * listens before its logs are loaded (clients' first requests open what they need), and retention
   * and checkpoints need every log open eventually. A partition never written has no directory and
   * gets none here (its first use creates it): creating thousands of directories, with their
   * fsyncs, would only slow every request down while it ran. `backgroundLoad` resolves when done.
   */
  loadInBackground(chunk = 50): void {
    const pending = [...this.partitions.values()].filter(
      (p) => !p.isLoaded && this.logs.hasLog({ topic: p.topic, partition: p.partition }),
    );
    let resolve!: () => void;
    this.logsLoaded = false;
    this.backgroundLoad = new Promise<void>((r) => {
      resolve = () => {
        this.logsLoaded = true;
        r();
      };
    });
    const step = (): void => {
      for (const p of pending.splice(0, chunk)) {
        if (this.partitions.get(p.key) !== p) continue;
        try {
          void p.log;
        } catch (err) {
          this.logger.error({ err, topic: p.topic, partition: p.partition }, 'could not open partition log');
        }
      }
      if (pending.length > 0) setImmediate(step);
      else resolve();
    };
    setImmediate(step);
  }
}
