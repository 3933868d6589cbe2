import type { SourceRecord } from '../api/connect-record.js';
import type { TransactionContext } from '../api/task.js';
import { ConnectError, RetriableError } from '../connect-error.js';
import { offsetKey, offsetValue, StoreOffsetReader } from './offset-store.js';
import { WorkerSourceTask, type WorkerSourceTaskDeps } from './worker-source-task.js';

export type TransactionBoundary = 'poll' | 'interval' | 'connector';

export interface ExactlyOnceDeps extends WorkerSourceTaskDeps {
  /** The worker's offset topic: source offsets are written there inside each transaction. */
  readonly offsetTopic: string;
  readonly boundary: TransactionBoundary;
  readonly boundaryIntervalMs: number;
}

/**
 * A source task with exactly-once delivery (Kafka's ExactlyOnceWorkerSourceTask, KIP-618): its
 * producer is transactional (transactional.id `<group.id>-<connector>-<task>`), initialized before
 * the task starts, which fences any earlier producer of the same task (a zombie on a worker that
 * lost it) and aborts what that one left open; each transaction holds the records of a poll (or of
 * an interval, or up to where the connector says) and the source offsets of those records, written
 * to the offset topic with the same producer, so records and offsets are committed together or not
 * at all. Consumers reading read_committed, the worker's offset reader among them, see neither half
 * of an aborted transaction.
 */
export class ExactlyOnceWorkerSourceTask extends WorkerSourceTask {
  private inTransaction = false;
  private transactionDeadlineMs = 0;
  /** The last offset of each source partition sent in the open transaction. */
  private readonly pendingOffsets = new Map<string, string | null>();
  private pendingRecords: {
    source: SourceRecord;
    sent: Promise<{ partition: number; offset: bigint } | null>;
    topic: string;
  }[] = [];
  private commitRequested = false;
  private abortRequested = false;

  constructor(private readonly eos: ExactlyOnceDeps) {
    super(eos);
  }

  private transactionContext(): TransactionContext | null {
    if (this.eos.boundary !== 'connector') return null;
    return {
      commitTransaction: () => {
        this.commitRequested = true;
      },
      abortTransaction: () => {
        this.abortRequested = true;
      },
    };
  }

  protected override async initializeAndStart(): Promise<void> {
    const { task, taskConfig, offsetStore, id, producer } = this.eos;
    // Fences the task's previous producer and aborts its open transaction, so the offsets read
    // next are the last committed ones.
    await producer.initTransactions();
    task.initialize({
      configs: () => taskConfig,
      offsetStorageReader: () => new StoreOffsetReader(offsetStore, id.connector),
      transactionContext: () => this.transactionContext(),
    });
    await task.start(taskConfig);
  }

  protected override async iterate(): Promise<void> {
    if (this.producerError) throw this.producerError;
    if (
      this.eos.boundary === 'interval' &&
      this.inTransaction &&
      performance.now() >= this.transactionDeadlineMs
    )
      await this.commitTransaction();
    let records: SourceRecord[] | null;
    try {
      records = await this.eos.task.poll();
    } catch (err) {
      if (err instanceof RetriableError) {
        this.logger.warn({ err }, 'source task poll failed, retrying');
        return;
      }
      throw err;
    }
    if (records && records.length > 0) await this.sendInTransaction(records);
    if (this.eos.boundary === 'poll' && this.inTransaction) await this.commitTransaction();
    else if (this.abortRequested) await this.abortTransaction();
    else if (this.commitRequested && this.inTransaction) await this.commitTransaction();
    this.commitRequested = false;
    this.abortRequested = false;
  }

  private async sendInTransaction(records: readonly SourceRecord[]): Promise<void> {
    const { producer, id } = this.eos;
    if (!this.inTransaction) {
      producer.beginTransaction();
      this.inTransaction = true;
      this.transactionDeadlineMs = performance.now() + this.eos.boundaryIntervalMs;
    }
    for (const source of records) {
      if (source.sourcePartition !== null)
        this.pendingOffsets.set(
          offsetKey(id.connector, source.sourcePartition),
          offsetValue(source.sourceOffset),
        );
      let routed = this.toProducerRecord(source);
      if (routed instanceof Promise) routed = await routed;
      if (routed === null) {
        this.pendingRecords.push({ source, sent: Promise.resolve(null), topic: '' });
        continue;
      }
      const sent = producer.send(routed.topic, routed.record).then(
        (meta) => ({ partition: meta.partition, offset: meta.offset }),
        (err: Error) => {
          this.producerError ??= new ConnectError(
            'CONNECT_ERROR',
            `Unrecoverable exception from producer send: ${err.message}`,
            {
              cause: err,
            },
          );
          return null;
        },
      );
      this.pendingRecords.push({ source, sent, topic: routed.topic });
    }
  }

  /** Writes the transaction's source offsets with its records, then commits both (KIP-618). */
  private async commitTransaction(): Promise<void> {
    const { producer, offsetTopic } = this.eos;
    const offsetsSent = [...this.pendingOffsets].map(([key, value]) =>
      producer.send(offsetTopic, { key, value }),
    );
    // Every send must have joined the transaction before it commits: the client adds a partition
    // to the transaction once it knows the partition, which may be after send returns.
    const metas = await Promise.all(this.pendingRecords.map((r) => r.sent));
    await Promise.all(offsetsSent);
    if (this.producerError) throw this.producerError;
    await producer.commitTransaction();
    this.inTransaction = false;
    const done = this.pendingRecords;
    this.pendingRecords = [];
    this.pendingOffsets.clear();
    for (let i = 0; i < done.length; i++) {
      const r = done[i]!;
      const meta = metas[i] ?? null;
      void Promise.resolve(
        this.eos.task.commitRecord(r.source, meta === null ? null : { topic: r.topic, ...meta }),
      ).catch(() => {});
    }
    await this.eos.task.commit();
  }

  private async abortTransaction(): Promise<void> {
    if (!this.inTransaction) return;
    await this.eos.producer.abortTransaction();
    this.inTransaction = false;
    this.pendingRecords = [];
    this.pendingOffsets.clear();
  }

  override commitOffsets(): Promise<void> {
    // Offsets are committed with the records, in each transaction; nothing is flushed apart.
    return Promise.resolve();
  }

  protected override async onStop(): Promise<void> {
    try {
      await this.eos.task.stop();
      // A clean stop commits what the open transaction holds, as a boundary would have.
      if (this.inTransaction && !this.isFailed() && !this.producerError) await this.commitTransaction();
    } catch (err) {
      this.logger.warn({ err }, 'committing the last transaction at stop failed');
    } finally {
      await this.eos.producer.close().catch(() => {});
    }
  }
}
