import { ErrorCode } from '../../protocol/error-codes.js';
import type { ProduceResponse } from '../../protocol/generated/messages/produce-response.js';
import { downConvert } from '../../protocol/records/convert.js';
import type { CompressionType } from '../../protocol/records/record-batch-header.js';
import { backoffMs } from '../backoff.js';
import { ClientError, KafkaError } from '../client-error.js';
import { groupBy, pushTo } from '../collections.js';
import { Apis } from '../network/apis.js';
import { type Cluster, isStaleMetadataError } from '../network/cluster.js';
import type { IdempotentState } from './idempotence.js';
import type { ProducerBatch } from './producer-batch.js';
import type { RecordAccumulator } from './record-accumulator.js';
import type { TransactionManager } from './transaction-manager.js';

export interface SenderOptions {
  /** -1 (all), 0 or 1. */
  acks: number;
  compression: CompressionType;
  requestTimeoutMs: number;
  deliveryTimeoutMs: number;
  maxInFlight: number;
  maxRequestSize: number;
  /** The idempotent producer's sequences; null when idempotence is off. */
  idempotence: IdempotentState | null;
  /**
   * Idempotence was asked for explicitly: a broker without InitProducerId fails the sends, as
   * Java's producer does; when it is only the default, the producer goes on without it.
   */
  idempotenceExplicit: boolean;
  /** The transactional producer's coordinator requests and state; null without a transactional id. */
  transactions: TransactionManager | null;
  /** transaction.timeout.ms, sent in InitProducerId. */
  transactionTimeoutMs: number;
}

/**
 * Moves ready batches from the accumulator to partition leaders: one Produce request per broker
 * per round, at most `maxInFlight` outstanding per broker. Failed batches go back to the head of
 * their partition's queue and are retried after backoff until delivery.timeout.ms runs out.
 */
export class Sender {
  private readonly inFlight = new Map<number, number>();
  private outstanding = 0;
  private scheduled = false;
  private lingerTimer: NodeJS.Timeout | null = null;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private refreshing = false;
  /** InitProducerId in flight (idempotence): nothing is sent until it answers. */
  private initializing = false;
  private initAttempts = 0;
  /** Null when idempotence is off, or turned off because the broker cannot give producer ids. */
  private idempotence: IdempotentState | null;
  /** Why every send fails: idempotence asked for, and no broker serves InitProducerId. */
  private idempotenceUnavailable: ClientError | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly accumulator: RecordAccumulator,
    private readonly options: SenderOptions,
  ) {
    this.idempotence = options.idempotence;
  }

  /** Whether batches carry a producer id and sequences. */
  get idempotent(): boolean {
    return this.idempotence !== null;
  }

  /** A failed refresh is retried on the next round or retry; logged, not thrown into the send loop. */
  private refreshFailed(err: unknown): void {
    this.cluster.log.debug({ err }, 'metadata refresh before sending failed');
  }

  /** Runs a send round soon, after the current burst of appends. */
  wake(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.run();
    });
  }

  /** Ensures a round runs when the oldest batch lingers out. */
  wakeAfterLinger(): void {
    if (this.lingerTimer || this.closed) return;
    const ms = this.accumulator.nextReadyInMs();
    if (ms < 0) return;
    if (ms === 0) {
      this.wake();
      return;
    }
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = null;
      this.run();
    }, ms);
  }

  private run(): void {
    if (this.closed) return;
    const txn = this.options.transactions;
    if (txn !== null && !this.runTransactional(txn)) {
      this.checkIdle();
      return;
    }
    if (this.idempotenceUnavailable !== null) {
      for (const b of this.accumulator.drainAll()) this.complete(b, this.idempotenceUnavailable);
      this.checkIdle();
      return;
    }
    const idempotence = this.idempotence;
    if (idempotence !== null && !idempotence.hasProducerId) {
      // A transactional producer's id comes from initTransactions, never from here.
      if (this.accumulator.hasBatches() && txn === null) this.initProducerId(idempotence);
      this.checkIdle();
      return;
    }
    let missingLeader = false;
    const canSend = (b: ProducerBatch): boolean => {
      const leader = this.cluster.leaderFor(b.topic, b.partition);
      if (leader < 0 || !this.cluster.brokers.has(leader)) {
        missingLeader = true;
        return false;
      }
      if ((this.inFlight.get(leader) ?? 0) >= this.options.maxInFlight) return false;
      // A partition's batches wait until AddPartitionsToTxn has added it to the transaction.
      if (txn !== null) {
        if (!txn.state.isSendToPartitionAllowed(b.topic, b.partition)) return false;
        b.transactional = true;
      }
      // Last: it gives the batch its sequence, so only once the batch is certainly sent.
      return idempotence === null || idempotence.prepareSend(b);
    };
    // Each round takes one batch per partition; further rounds fill the in-flight window.
    for (
      let ready = this.accumulator.drainReady(canSend);
      ready.length > 0;
      ready = this.accumulator.drainReady(canSend)
    ) {
      const byNode = groupBy(ready, (b) => this.cluster.leaderFor(b.topic, b.partition));
      for (const [node, batches] of byNode) {
        let request: ProducerBatch[] = [];
        let size = 0;
        for (const b of batches) {
          if (request.length > 0 && size + b.sizeBytes > this.options.maxRequestSize) {
            void this.produce(node, request);
            request = [];
            size = 0;
          }
          request.push(b);
          size += b.sizeBytes;
        }
        if (request.length > 0) void this.produce(node, request);
      }
    }
    if (missingLeader) this.refreshThenRun();
    // Batches waiting for AddPartitionsToTxn go out when its answer runs the next round.
    else if (this.accumulator.hasBatches() && !txn?.state.hasPendingPartitions) this.wakeAfterLinger();
    this.checkIdle();
  }

  /**
   * The transactional part of a send round, as Kafka's Sender.maybeSendAndPollTransactionalRequest:
   * in an error state or while aborting, batches not yet sent fail (they can no longer be part of
   * a committed transaction); partitions written to for the first time are added to the
   * transaction with one AddPartitionsToTxn, after which the round runs again. False when the
   * round has nothing more to do.
   */
  private runTransactional(txn: TransactionManager): boolean {
    const s = txn.state;
    if (s.hasFatalError || s.hasAbortableError || s.state === 'ABORTING_TRANSACTION') {
      const err =
        s.lastError ?? new ClientError('TRANSACTION_ABORTED', 'Failing batch since transaction was aborted');
      for (const b of this.accumulator.drainAll()) {
        // A batch that was sent keeps its place until its fate is known (it may be in the log).
        if (b.baseSequence >= 0 && !s.hasFatalError) this.accumulator.reenqueue(b);
        else this.complete(b, err);
      }
      if (s.hasFatalError) return false;
    }
    // In an error state nothing more joins the transaction: it is to be aborted (Kafka fails such requests).
    const open = s.state === 'IN_TRANSACTION' || s.state === 'COMMITTING_TRANSACTION';
    if (open && s.hasPartitionsToAdd && !s.hasPendingPartitions) {
      this.outstanding++;
      void txn.addPartitions().finally(() => {
        this.outstanding--;
        this.run();
      });
    }
    return true;
  }

  /**
   * InitProducerId from any broker (no transactional id: a fresh producer id at epoch 0), retried
   * with backoff while it fails; batches wait meanwhile and expire by delivery.timeout.ms.
   */
  private initProducerId(idempotence: IdempotentState): void {
    if (this.initializing) return;
    this.initializing = true;
    this.outstanding++;
    this.cluster
      .requestAny(Apis.InitProducerId, {
        transactionalId: null,
        transactionTimeoutMs: this.options.transactionTimeoutMs,
        producerId: -1n,
        producerEpoch: -1,
      })
      .then((res) => {
        if (res.errorCode !== ErrorCode.NONE) throw new KafkaError(res.errorCode, 'InitProducerId');
        idempotence.setProducerId(res.producerId, res.producerEpoch);
        this.initAttempts = 0;
        this.cluster.log.debug(
          { producerId: res.producerId.toString(), epoch: res.producerEpoch },
          'idempotent producer id',
        );
      })
      .catch((err: unknown) => {
        if (err instanceof ClientError && err.code === 'UNSUPPORTED_API') {
          // A broker older than Kafka 0.11 (KIP-98): no producer ids to be had.
          if (this.options.idempotenceExplicit) this.idempotenceUnavailable = err;
          else {
            this.idempotence = null;
            this.cluster.log.warn(
              { err },
              'the broker does not serve InitProducerId: producing without idempotence',
            );
          }
          return;
        }
        this.initAttempts++;
        this.cluster.log.warn({ err }, 'InitProducerId failed; retrying');
        this.expire();
        return new Promise<void>((resolve) =>
          setTimeout(resolve, backoffMs(this.initAttempts - 1, this.cluster.options.backoff)),
        );
      })
      .finally(() => {
        this.initializing = false;
        this.outstanding--;
        this.run();
      });
  }

  private refreshThenRun(): void {
    if (this.refreshing) return;
    this.refreshing = true;
    const delay = backoffMs(0, this.cluster.options.backoff);
    setTimeout(() => {
      this.cluster
        .refreshMetadata()
        .catch((err) => this.refreshFailed(err))
        .finally(() => {
          this.refreshing = false;
          this.expire();
          this.run();
        });
    }, delay);
  }

  /** Fails batches that waited past delivery.timeout.ms without a leader. */
  private expire(): void {
    const now = performance.now();
    const keep: ProducerBatch[] = [];
    for (const b of this.accumulator.drainAll()) {
      if (now - b.createdMs > this.options.deliveryTimeoutMs) {
        this.complete(b, new ClientError('REQUEST_TIMEOUT', 'delivery.timeout.ms expired'));
      } else keep.push(b);
    }
    for (const b of keep.reverse()) this.accumulator.reenqueue(b);
  }

  private async produce(node: number, batches: ProducerBatch[]): Promise<void> {
    this.inFlight.set(node, (this.inFlight.get(node) ?? 0) + 1);
    this.outstanding++;
    try {
      const encoded = await Promise.all(batches.map((b) => b.encode()));
      const byTopic = new Map<string, { index: number; records: Buffer }[]>();
      batches.forEach((b, i) => {
        pushTo(byTopic, b.topic, { index: b.partition, records: encoded[i] });
      });
      const acks = this.options.acks;
      const res = await this.cluster.request(
        node,
        Apis.Produce,
        (version) => ({
          transactionalId: this.options.transactions?.transactionalId ?? null,
          acks,
          timeoutMs: this.options.requestTimeoutMs,
          topicData: [...byTopic].map(([name, parts]) => ({
            name,
            // Produce v0-2 predate record batches (KIP-98): send message sets instead.
            partitionData:
              version >= 3
                ? parts
                : parts.map((p) => ({
                    index: p.index,
                    records: downConvert(p.records, version < 2 ? 0 : 1),
                  })),
          })),
        }),
        { noResponse: acks === 0, timeoutMs: this.options.requestTimeoutMs + 5000 },
      );
      if (acks === 0) for (const b of batches) this.complete(b, null, -1n, -1n);
      else this.handleResponse(batches, res as ProduceResponse);
    } catch (err) {
      for (const b of batches) {
        // No answer: the batch may be in the log or not; its retry keeps its sequence.
        this.idempotence?.requestFailed(b);
        this.retryOrFail(b, err as Error);
      }
    } finally {
      this.inFlight.set(node, (this.inFlight.get(node) ?? 1) - 1);
      this.outstanding--;
      if (this.accumulator.hasBatches()) this.wake();
      this.checkIdle();
    }
  }

  private handleResponse(batches: ProducerBatch[], res: ProduceResponse): void {
    const results = new Map<string, ProduceResponse['responses'][number]['partitionResponses'][number]>();
    for (const t of res.responses)
      for (const p of t.partitionResponses) results.set(`${t.name}:${p.index}`, p);
    for (const b of batches) {
      const r = results.get(`${b.topic}:${b.partition}`);
      const idempotence = this.idempotence;
      if (!r) {
        idempotence?.requestFailed(b);
        this.retryOrFail(
          b,
          new ClientError('CONNECTION_CLOSED', 'no result for partition in Produce response'),
        );
      } else if (r.errorCode === ErrorCode.NONE) {
        idempotence?.acknowledged(b);
        this.complete(b, null, r.baseOffset, r.logAppendTimeMs);
      } else {
        const err = new KafkaError(r.errorCode, `${b.topic}-${b.partition}`, r.errorMessage);
        // Sequence errors are the idempotent producer's to resolve: retried, after an epoch bump if need be.
        const retry = idempotence?.refused(b, r.errorCode, err.retriable) === 'retry';
        this.retryOrFail(b, err, retry);
      }
    }
  }

  private retryOrFail(b: ProducerBatch, err: Error, forceRetry = false): void {
    const retriable = forceRetry || (err instanceof ClientError && err.retriable);
    const expired = performance.now() - b.createdMs > this.options.deliveryTimeoutMs;
    if (!retriable || expired || this.closed) {
      this.complete(b, err);
      return;
    }
    b.attempts++;
    this.outstanding++;
    const delay = backoffMs(b.attempts - 1, this.cluster.options.backoff);
    setTimeout(async () => {
      if (isStaleMetadataError(err) || (err instanceof ClientError && err.kafkaCode === null)) {
        await this.cluster.refreshMetadata().catch((err) => this.refreshFailed(err));
      }
      this.outstanding--;
      this.accumulator.reenqueue(b);
      this.run();
    }, delay);
  }

  private complete(b: ProducerBatch, err: Error | null, baseOffset = -1n, logAppendTime = -1n): void {
    // A batch given up on leaves a hole in its partition's sequences: the partition moves to a new epoch.
    if (err) {
      this.idempotence?.failed(b);
      // And its transaction can no longer commit (Kafka's TransactionManager.handleFailedBatch).
      this.options.transactions?.state.batchFailed(err);
    }
    this.accumulator.release(b.reservedBytes);
    // With acks=0 the request may still sit in the socket's queue; elsewhere the broker has
    // answered, so it read every byte, and a failed batch is not sent again.
    if (this.options.acks !== 0) b.recycle();
    if (err) b.fail(err);
    else b.succeed(baseOffset, logAppendTime);
  }

  private checkIdle(): void {
    if (this.outstanding > 0 || this.accumulator.hasBatches()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Sends every batch now and resolves when nothing is waiting or in flight. */
  async flush(signal?: AbortSignal): Promise<void> {
    this.accumulator.beginFlush();
    try {
      const idle = new Promise<void>((resolve, reject) => {
        this.idleWaiters.push(resolve);
        signal?.addEventListener('abort', () => reject(new ClientError('ABORTED', 'flush aborted')), {
          once: true,
        });
      });
      this.wake();
      this.checkIdle();
      await idle;
    } finally {
      this.accumulator.endFlush();
    }
  }

  close(): void {
    this.closed = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    for (const b of this.accumulator.drainAll())
      this.complete(b, new ClientError('CLIENT_CLOSED', 'producer closed'));
  }
}
