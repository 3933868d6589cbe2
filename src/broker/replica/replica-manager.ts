import type { Logger } from '../../common/logger.js';
import { METADATA_TOPIC } from '../../metadata/local-metadata-log.js';
import type { MetadataImage } from '../../metadata/metadata-image.js';
import type { TopicConfig } from '../../metadata/topic-config-def.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { AppendOrigin } from '../../storage/append-validator.js';
import type { DurabilityMode } from '../../storage/log-config.js';
import type { LogManager } from '../../storage/log-manager.js';
import type { AppendResult, TransactionMarker } from '../../storage/partition-log.js';
import { StorageError } from '../../storage/storage-error.js';
import type { BrokerMetrics } from '../broker-metrics.js';
import type { Purgatory } from '../purgatory/purgatory.js';
import { HostedPartition } from './hosted-partition.js';
import { toLogConfig } from './log-config-mapping.js';
import { kafkaErrorFor } from './storage-error-codes.js';

export type PartitionLookup =
  | { partition: HostedPartition; errorCode: 0 }
  | { partition: null; errorCode: number };

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
        p.leaderId = state.leader;
        p.leaderEpoch = state.leaderEpoch;
        if (becameLeader) p.becomeLeader();
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
        if (p.maybeIncrementHighWatermark()) this.producePurgatory.checkAndComplete(p.key);
        this.fetchPurgatory.checkAndComplete(p.key);
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
        if (p.maybeIncrementHighWatermark()) this.producePurgatory.checkAndComplete(p.key);
        // read_committed fetches wait for the last stable offset, which a marker moves.
        this.fetchPurgatory.checkAndComplete(p.key);
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
    const moved = () => this.partitions.get(p.key) !== p || p.leaderId !== this.nodeId;
    return new Promise((resolve) => {
      this.producePurgatory.tryCompleteElseWatch(
        {
          isSatisfied: () => p.log.highWatermark >= r.nextOffset || moved(),
          complete: (expired) => {
            if (moved()) resolve({ ...r, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, errorMessage: null });
            else if (expired && p.log.highWatermark < r.nextOffset) {
              resolve({ ...r, errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: null });
            } else resolve(r);
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
