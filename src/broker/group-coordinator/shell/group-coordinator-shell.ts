import type { Clock, TimerHandle } from '../../../common/clock.js';
import type { Logger } from '../../../common/logger.js';
import type { Random } from '../../../common/random.js';
import type { MetadataImage } from '../../../metadata/metadata-image.js';
import { ErrorCode } from '../../../protocol/error-codes.js';
import { ControlRecordType, decodeControlRecordKey } from '../../../protocol/records/control-record.js';
import { decodeRecordBatch, encodeRecordBatch } from '../../../protocol/records/record-batch.js';
import {
  ATTR_CONTROL,
  ATTR_TRANSACTIONAL,
  BatchOffsets,
} from '../../../protocol/records/record-batch-header.js';
import { scanBatches } from '../../../storage/log-scan.js';
import type { BrokerConfig } from '../../config/broker-config.js';
import type { ReplicaManager } from '../../replica/replica-manager.js';
import { GroupCoordinator } from '../core/group-coordinator.js';
import type { GroupApi, GroupApis, GroupEffect, GroupLogEntry, TxnProducer } from '../core/group-effects.js';
import { type GroupRecord, groupRecordCodec } from '../core/group-record-codec.js';
import { OFFSETS_TOPIC } from './internal-topics.js';

/** What the shell needs from the broker: its id and config, the replica manager holding `__consumer_offsets`, clock, random and logger. */
export interface GroupShellOptions {
  readonly nodeId: number;
  readonly config: BrokerConfig;
  readonly replicas: ReplicaManager;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
}

/** The client of a group request, as the core records it on members. */
export interface GroupRequestOrigin {
  readonly apiVersion: number;
  readonly clientId: string;
  readonly clientHost: string;
}

/**
 * The shell around the pure group coordinator: it feeds requests and timer ticks in, appends the
 * records it emits to `__consumer_offsets` (waiting until they are committed), and releases each
 * response only after every append before it is durable. It loads a partition's groups when this
 * broker becomes the partition's leader and unloads them when it stops being.
 */
export class GroupCoordinatorShell {
  readonly core: GroupCoordinator;
  private readonly pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  private nextRequestId = 1;
  /** Appends in emission order; a response waits for every append queued before it. */
  private durable: Promise<void> = Promise.resolve();
  private timer: TimerHandle | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private readonly owned = new Set<number>();
  private lastImage: MetadataImage | null = null;

  constructor(private readonly o: GroupShellOptions) {
    this.core = new GroupCoordinator({
      clock: o.clock,
      random: o.random,
      log: o.logger,
      config: {
        offsetsTopicNumPartitions: o.config.get('offsets.topic.num.partitions'),
        groupMinSessionTimeoutMs: o.config.get('group.min.session.timeout.ms'),
        groupMaxSessionTimeoutMs: o.config.get('group.max.session.timeout.ms'),
        groupInitialRebalanceDelayMs: o.config.get('group.initial.rebalance.delay.ms'),
        groupMaxSize: o.config.get('group.max.size'),
        offsetsRetentionMs: o.config.get('offsets.retention.minutes') * 60_000,
        offsetsRetentionCheckIntervalMs: o.config.get('offsets.retention.check.interval.ms'),
      },
    });
  }

  /** Hands a request to the core; resolves with its response once what it depends on is durable. */
  request<A extends GroupApi>(
    api: A,
    origin: GroupRequestOrigin,
    request: GroupApis[A]['request'],
  ): Promise<GroupApis[A]['response']> {
    const requestId = this.nextRequestId++;
    const result = new Promise<GroupApis[A]['response']>((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (r: unknown) => void, reject });
    });
    const input = { api, context: { requestId, ...origin }, request } as Parameters<
      GroupCoordinator['handle']
    >[0];
    this.run(this.core.handle(input));
    return result;
  }

  /** Loads partitions of __consumer_offsets this broker now leads; unloads those it no longer does. */
  onMetadata(image: MetadataImage): void {
    this.lastImage = image;
    const topic = image.topic(OFFSETS_TOPIC);
    const leading = new Set<number>();
    if (topic) {
      for (const p of topic.partitions.values()) if (p.leader === this.o.nodeId) leading.add(p.partitionId);
    }
    for (const p of [...this.owned]) {
      if (!leading.has(p)) {
        this.owned.delete(p);
        this.run(this.core.unload(p));
      }
    }
    for (const p of leading) {
      if (this.owned.has(p)) continue;
      const hosted = this.o.replicas.get(OFFSETS_TOPIC, p);
      if (!hosted) continue;
      this.owned.add(p);
      this.core.beginLoad(p);
      try {
        this.run(this.core.loadFrom(p, readGroupRecords(hosted.log)));
      } catch (err) {
        this.o.logger.error({ err, partition: p }, 'could not load group coordinator partition');
        this.owned.delete(p);
        this.run(this.core.unload(p));
      }
    }
  }

  private run(effects: GroupEffect[]): void {
    for (const e of effects) {
      if (e.type === 'append') {
        const appended = this.durable.then(() => this.append(e.partition, e.records, e.producer));
        // A failed append is logged and reloads the partition; with no response chained on it
        // (an expiration sweep's records) it must not be an unhandled rejection.
        appended.catch(() => undefined);
        this.durable = appended;
      } else {
        const waiter = this.pending.get(e.requestId);
        if (!waiter) continue;
        this.pending.delete(e.requestId);
        this.durable.then(
          () => waiter.resolve(e.response),
          (err: Error) => waiter.reject(err),
        );
      }
    }
    this.scheduleTick();
  }

  /**
   * A transaction marker of `producerId` is durable in these __consumer_offsets partitions: their
   * pending transactional offsets are committed or dropped (GroupCoordinator.onTransactionCompleted).
   */
  onTransactionMarker(producerId: bigint, commit: boolean, partitions: readonly number[]): void {
    for (const p of partitions) {
      if (this.owned.has(p)) this.run(this.core.completeTransaction(p, producerId, commit));
    }
  }

  private async append(
    partition: number,
    records: readonly GroupRecord[],
    producer: TxnProducer | undefined,
  ): Promise<void> {
    const hosted = this.o.replicas.get(OFFSETS_TOPIC, partition);
    const now = BigInt(this.o.clock.nowMs());
    // TxnOffsetCommit's records are a transactional batch of the producer, which its marker ends
    // (Kafka writes them with sequence 0: the coordinator's appends skip the sequence checks).
    const batch = encodeRecordBatch({
      ...(producer
        ? {
            transactional: true,
            producerId: producer.producerId,
            producerEpoch: producer.producerEpoch,
            baseSequence: 0,
          }
        : {}),
      baseTimestamp: now,
      records: records.map((r, i) => {
        const { key, value } = groupRecordCodec.encode(r);
        return { offsetDelta: i, timestampDelta: 0, key, value, headers: [] };
      }),
    });
    const result = hosted
      ? await this.o.replicas.appendAndAwaitCommitted(
          hosted,
          batch,
          this.o.config.get('offsets.commit.timeout.ms'),
          false,
          'coordinator',
        )
      : { errorCode: ErrorCode.NOT_COORDINATOR, errorMessage: 'not the leader of the partition' };
    if (result.errorCode !== ErrorCode.NONE) {
      this.o.logger.error(
        { partition, errorCode: result.errorCode, error: result.errorMessage },
        'group records not written; reloading the partition',
      );
      // The core applied records that did not become durable: rebuild the partition from its log.
      this.durable = Promise.resolve();
      this.owned.delete(partition);
      this.run(this.core.unload(partition));
      const image = this.lastImage;
      if (image) queueMicrotask(() => this.onMetadata(image));
      throw new Error(`__consumer_offsets-${partition} append failed with error ${result.errorCode}`);
    }
  }

  private scheduleTick(): void {
    const deadline = this.core.nextDeadlineMs();
    if (deadline === null) return;
    if (this.timer && deadline >= this.timerAt) return;
    this.timer?.cancel();
    this.timerAt = deadline;
    this.timer = this.o.clock.setTimer(deadline - this.o.clock.monotonicMs(), () => {
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.run(this.core.tick());
    });
  }

  close(): void {
    this.timer?.cancel();
    for (const w of this.pending.values()) w.reject(new Error('group coordinator closed'));
    this.pending.clear();
  }
}

/**
 * Decodes a __consumer_offsets partition in log order: plain records, the offset commits of
 * transactional batches (with their producer id) and the commit or abort markers that end them.
 */
function* readGroupRecords(log: Parameters<typeof scanBatches>[0]): Generator<GroupLogEntry> {
  for (const b of scanBatches(log)) {
    const attributes = b.readInt16BE(BatchOffsets.attributes);
    const producerId = b.readBigInt64BE(BatchOffsets.producerId);
    if ((attributes & ATTR_CONTROL) !== 0) {
      for (const r of decodeRecordBatch(b).records) {
        const { type } = decodeControlRecordKey(r.key);
        if (type === ControlRecordType.Commit || type === ControlRecordType.Abort)
          yield { type: 'TxnMarker', producerId, commit: type === ControlRecordType.Commit };
      }
      continue;
    }
    const transactional = (attributes & ATTR_TRANSACTIONAL) !== 0;
    for (const r of decodeRecordBatch(b).records) {
      if (r.key === null) continue;
      const record = groupRecordCodec.decode({ key: r.key, value: r.value });
      yield transactional ? { type: 'TxnOffsetCommit', producerId, record } : record;
    }
  }
}
