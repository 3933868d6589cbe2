import type { Clock, TimerHandle } from '../../../common/clock.js';
import type { Logger } from '../../../common/logger.js';
import type { MetadataImage } from '../../../metadata/metadata-image.js';
import { ErrorCode } from '../../../protocol/error-codes.js';
import { decodeRecordBatch, encodeRecordBatch } from '../../../protocol/records/record-batch.js';
import { ATTR_CONTROL, BatchOffsets } from '../../../protocol/records/record-batch-header.js';
import { scanBatches } from '../../../storage/log-scan.js';
import type { BrokerConfig } from '../../config/broker-config.js';
import type { ReplicaManager } from '../../replica/replica-manager.js';
import type { AddOffsetsInput, AddPartitionsInput } from '../core/add-partitions.js';
import type { EndTxnInput } from '../core/end-txn.js';
import type { InitProducerIdInput } from '../core/init-producer-id.js';
import { TransactionCoordinator } from '../core/transaction-coordinator.js';
import type {
  ErrorResult,
  InitProducerIdResult,
  TxnEffect,
  TxnMarker,
  TxnResponse,
} from '../core/transaction-effects.js';
import {
  decodeTransactionRecord,
  encodeTransactionRecord,
  type TransactionRecord,
} from '../core/transaction-record-codec.js';
import type { TransactionMarkerSender } from './transaction-marker-sender.js';
import { TRANSACTION_STATE_TOPIC } from './transaction-state-topic.js';

/** Pause between attempts to write markers some partition refused (Kafka retries on its next send loop). */
const MARKER_RETRY_BACKOFF_MS = 100;

export interface TransactionShellOptions {
  readonly nodeId: number;
  readonly config: BrokerConfig;
  readonly replicas: ReplicaManager;
  readonly markers: TransactionMarkerSender;
  /** A producer id nobody has had (the broker's ProducerIdManager). */
  readonly generateProducerId: () => Promise<bigint>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long a __transaction_state append may wait to be committed. */
  readonly appendTimeoutMs: number;
}

interface Waiter {
  resolve(r: TxnResponse): void;
  /** Hands the request in again with a fresh producer id (InitProducerId only). */
  retry?: (freshProducerId: bigint) => TxnEffect[];
}

/**
 * The shell around the pure transaction coordinator: it feeds requests and timer sweeps in,
 * appends the records it emits to `__transaction_state` (waiting until they are committed),
 * releases each response and each set of markers only after every append before it is durable,
 * retries markers until every partition has one, and loads a partition's transactions when this
 * broker becomes its leader.
 */
export class TransactionCoordinatorShell {
  readonly core: TransactionCoordinator;
  private readonly pending = new Map<number, Waiter>();
  private nextRequestId = 1;
  private durable: Promise<void> = Promise.resolve();
  /** Owned partitions and the leader epoch they were loaded at. */
  private readonly owned = new Map<number, number>();
  private lastImage: MetadataImage | null = null;
  /** The two sweeps' timers and the marker retries waiting. */
  private readonly timers = new Set<TimerHandle>();
  /** Appends not yet durable, per transactional id: what verification must not rely on yet. */
  private readonly inFlight = new Map<string, number>();
  private closed = false;

  constructor(private readonly o: TransactionShellOptions) {
    this.core = new TransactionCoordinator({
      clock: o.clock,
      log: o.logger,
      config: {
        transactionStateLogNumPartitions: o.config.get('transaction.state.log.num.partitions'),
        offsetsTopicNumPartitions: o.config.get('offsets.topic.num.partitions'),
        transactionMaxTimeoutMs: o.config.get('transaction.max.timeout.ms'),
        transactionalIdExpirationMs: o.config.get('transactional.id.expiration.ms'),
      },
    });
    this.every(o.config.get('transaction.abort.timed.out.transaction.cleanup.interval.ms'), () =>
      this.core.abortTimedOutTransactions(),
    );
    this.every(o.config.get('transaction.remove.expired.transaction.cleanup.interval.ms'), () =>
      this.core.removeExpiredTransactionalIds(),
    );
  }

  initProducerId(req: InitProducerIdInput): Promise<InitProducerIdResult> {
    return this.request(
      (id) => this.core.initProducerId(id, req),
      (id, fresh) => this.core.initProducerId(id, req, fresh),
    ) as Promise<InitProducerIdResult>;
  }

  addPartitionsToTxn(req: AddPartitionsInput): Promise<ErrorResult> {
    return this.request((id) => this.core.addPartitionsToTxn(id, req));
  }

  addOffsetsToTxn(req: AddOffsetsInput): Promise<ErrorResult> {
    return this.request((id) => this.core.addOffsetsToTxn(id, req));
  }

  endTxn(req: EndTxnInput): Promise<ErrorResult> {
    return this.request((id) => this.core.endTxn(id, req));
  }

  /**
   * The verify-only AddPartitionsToTxn (KIP-890), for produce and TxnOffsetCommit. The core applies
   * its records before they are durable; a partition added by a record still in flight is not
   * vouched for (CONCURRENT_TRANSACTIONS, which the produce path turns into a retriable error), as
   * Kafka adds partitions to the transaction's metadata only once their record is written.
   */
  verifyPartitionsInTxn(
    req: AddPartitionsInput,
  ): ReturnType<TransactionCoordinator['verifyPartitionsInTxn']> {
    if ((this.inFlight.get(req.transactionalId) ?? 0) === 0) return this.core.verifyPartitionsInTxn(req);
    const partitionErrors = new Map<string, Map<number, number>>();
    for (const [topic, parts] of req.partitions) {
      partitionErrors.set(topic, new Map([...parts].map((p) => [p, ErrorCode.CONCURRENT_TRANSACTIONS])));
    }
    return { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS, partitionErrors };
  }

  private request(
    handle: (requestId: number) => TxnEffect[],
    retry?: (requestId: number, freshProducerId: bigint) => TxnEffect[],
  ): Promise<TxnResponse> {
    const requestId = this.nextRequestId++;
    const result = new Promise<TxnResponse>((resolve) => {
      this.pending.set(requestId, { resolve, retry: retry && ((fresh) => retry(requestId, fresh)) });
    });
    this.run(handle(requestId));
    return result;
  }

  /** Loads partitions of __transaction_state this broker now leads (again, at a new epoch); unloads those it no longer does. */
  onMetadata(image: MetadataImage): void {
    this.lastImage = image;
    const topic = image.topic(TRANSACTION_STATE_TOPIC);
    const leading = new Map<number, number>();
    if (topic) {
      for (const p of topic.partitions.values())
        if (p.leader === this.o.nodeId) leading.set(p.partitionId, p.leaderEpoch);
    }
    for (const [p, epoch] of [...this.owned]) {
      if (leading.get(p) !== epoch) {
        this.owned.delete(p);
        this.run(this.core.unload(p));
      }
    }
    for (const [p, epoch] of leading) {
      if (this.owned.has(p)) continue;
      const hosted = this.o.replicas.get(TRANSACTION_STATE_TOPIC, p);
      if (!hosted) continue;
      this.owned.set(p, epoch);
      this.core.beginLoad(p, epoch);
      try {
        this.run(this.core.loadFrom(p, readTransactionRecords(hosted.log)));
      } catch (err) {
        this.o.logger.error({ err, partition: p }, 'could not load transaction coordinator partition');
        this.owned.delete(p);
        this.run(this.core.unload(p));
      }
    }
  }

  private run(effects: TxnEffect[]): void {
    for (const e of effects) {
      switch (e.type) {
        case 'append': {
          const ids = e.records.map((r) => r.transactionalId);
          for (const id of ids) this.inFlight.set(id, (this.inFlight.get(id) ?? 0) + 1);
          const settled = () => {
            for (const id of ids) {
              const n = (this.inFlight.get(id) ?? 1) - 1;
              if (n === 0) this.inFlight.delete(id);
              else this.inFlight.set(id, n);
            }
          };
          const appended = this.durable.then(() => this.append(e.partition, e.records)).finally(settled);
          // A failed append is logged and reloads the partition; the responses chained on it answer
          // NOT_COORDINATOR. With none chained (a sweep's records) it must not be an unhandled rejection.
          appended.catch(() => undefined);
          this.durable = appended;
          break;
        }
        case 'respond': {
          const waiter = this.pending.get(e.requestId);
          if (!waiter) break;
          this.pending.delete(e.requestId);
          this.durable.then(
            () => waiter.resolve(e.response),
            // The record did not become durable: the partition is being reloaded from its log.
            () => waiter.resolve(failedLike(e.response, ErrorCode.NOT_COORDINATOR)),
          );
          break;
        }
        case 'needProducerId': {
          const waiter = this.pending.get(e.requestId);
          if (!waiter?.retry) break;
          this.o.generateProducerId().then(
            (id) => this.run(waiter.retry!(id)),
            (err: unknown) => {
              this.o.logger.error({ err }, 'could not allocate a producer id');
              this.pending.delete(e.requestId);
              waiter.resolve(
                failedLike(
                  { errorCode: 0, producerId: -1n, producerEpoch: -1 },
                  ErrorCode.UNKNOWN_SERVER_ERROR,
                ),
              );
            },
          );
          break;
        }
        case 'writeMarkers':
          this.durable.then(
            () => this.sendMarkers(e.marker, e.marker.partitions),
            () => undefined,
          );
          break;
      }
    }
  }

  /** Sends the markers of the partitions still without one, until none is left or the partition is no longer ours. */
  private async sendMarkers(marker: TxnMarker, remaining: TxnMarker['partitions']): Promise<void> {
    if (this.closed || this.owned.get(marker.txnPartition) !== marker.coordinatorEpoch) return;
    let results: { topic: string; partition: number; errorCode: number }[];
    try {
      results = await this.o.markers.send({ ...marker, partitions: remaining });
    } catch (err) {
      this.o.logger.error(
        { err, transactionalId: marker.transactionalId },
        'sending transaction markers failed',
      );
      results = remaining.flatMap((t) =>
        t.partitions.map((partition) => ({
          topic: t.topic,
          partition,
          errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
        })),
      );
    }
    const image = this.lastImage;
    const retry = new Map<string, number[]>();
    for (const r of results) {
      if (r.errorCode === ErrorCode.NONE) continue;
      // A partition whose topic was deleted gets no marker (TransactionMarkerChannelManager skips it).
      if (image && !image.partition(r.topic, r.partition)) continue;
      const list = retry.get(r.topic) ?? [];
      list.push(r.partition);
      retry.set(r.topic, list);
    }
    if (retry.size === 0) {
      this.run(this.core.markersWritten(marker));
      return;
    }
    const next = [...retry].map(([topic, partitions]) => ({ topic, partitions }));
    const timer = this.o.clock.setTimer(MARKER_RETRY_BACKOFF_MS, () => {
      this.timers.delete(timer);
      void this.sendMarkers(marker, next);
    });
    this.timers.add(timer);
  }

  private async append(partition: number, records: readonly TransactionRecord[]): Promise<void> {
    const hosted = this.o.replicas.get(TRANSACTION_STATE_TOPIC, partition);
    const batch = encodeRecordBatch({
      baseTimestamp: BigInt(this.o.clock.nowMs()),
      records: records.map((r, i) => {
        const { key, value } = encodeTransactionRecord(r);
        return { offsetDelta: i, timestampDelta: 0, key, value, headers: [] };
      }),
    });
    const result = hosted
      ? await this.o.replicas.appendAndAwaitCommitted(
          hosted,
          batch,
          this.o.appendTimeoutMs,
          false,
          'coordinator',
        )
      : { errorCode: ErrorCode.NOT_COORDINATOR, errorMessage: 'not the leader of the partition' };
    if (result.errorCode !== ErrorCode.NONE) {
      this.o.logger.error(
        { partition, errorCode: result.errorCode, error: result.errorMessage },
        'transaction records not written; reloading the partition',
      );
      // The core applied records that did not become durable: rebuild the partition from its log.
      this.durable = Promise.resolve();
      this.owned.delete(partition);
      this.run(this.core.unload(partition));
      const image = this.lastImage;
      if (image) queueMicrotask(() => this.onMetadata(image));
      throw new Error(`${TRANSACTION_STATE_TOPIC}-${partition} append failed with error ${result.errorCode}`);
    }
  }

  /** Runs `sweep` every `intervalMs` until close. */
  private every(intervalMs: number, sweep: () => TxnEffect[]): void {
    const arm = () => {
      const t = this.o.clock.setTimer(intervalMs, () => {
        this.timers.delete(t);
        if (this.closed) return;
        this.run(sweep());
        arm();
      });
      this.timers.add(t);
    };
    arm();
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    for (const w of this.pending.values()) w.resolve({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE });
    this.pending.clear();
  }
}

/** The response shape of `like` with only an error. */
function failedLike(like: TxnResponse, errorCode: number): TxnResponse {
  return 'producerId' in like ? { errorCode, producerId: -1n, producerEpoch: -1 } : { errorCode };
}

/** Decodes every record of a __transaction_state partition, skipping control batches. */
function* readTransactionRecords(log: Parameters<typeof scanBatches>[0]): Generator<TransactionRecord> {
  for (const b of scanBatches(log)) {
    if ((b.readInt16BE(BatchOffsets.attributes) & ATTR_CONTROL) !== 0) continue;
    for (const r of decodeRecordBatch(b).records) {
      if (r.key === null) continue;
      yield decodeTransactionRecord(r.key, r.value);
    }
  }
}
