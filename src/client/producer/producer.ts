import type { RecordHeader } from '../../protocol/records/record.js';
import { CompressionType } from '../../protocol/records/record-batch-header.js';
import { ClientError, throwIfAborted } from '../client-error.js';
import type { Cluster, TopicInfo } from '../network/cluster.js';
import { IdempotentState, MAX_IN_FLIGHT_FOR_IDEMPOTENCE } from './idempotence.js';
import { namedPartitioner, type Partitioner, type PartitionerName } from './partitioners.js';
import type { DeliveryCallback, RecordMetadata } from './producer-batch.js';
import { RecordAccumulator } from './record-accumulator.js';
import { recordBytesMax } from './record-batch-builder.js';
import { Sender } from './sender.js';
import {
  type ConsumerGroupMetadata,
  TransactionManager,
  type TransactionOffset,
} from './transaction-manager.js';
import type { TransactionStateName } from './transaction-state.js';

export type { DeliveryCallback, RecordMetadata } from './producer-batch.js';
export type { ConsumerGroupMetadata, TransactionOffset } from './transaction-manager.js';
export type { TransactionStateName } from './transaction-state.js';

export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

const COMPRESSION: Readonly<Record<CompressionName, CompressionType>> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

export interface ProducerConfig {
  /** 0: no response; 1: the leader wrote it; -1 or 'all': every in-sync replica has it. Default 'all'. */
  acks?: 0 | 1 | -1 | 'all';
  /** linger.ms, default 5 (as the Java client since Kafka 4.0). */
  lingerMs?: number;
  /** batch.size in bytes, default 16384. */
  batchSize?: number;
  /** buffer.memory in bytes, default 32 MiB. */
  bufferMemory?: number;
  /** max.block.ms: how long `send` may wait for buffer memory, default 60000. */
  maxBlockMs?: number;
  compression?: CompressionName;
  /** A partitioner name or function; default murmur2 for keys and sticky for null keys (KIP-480). */
  partitioner?: PartitionerName | Partitioner;
  /** Produce request timeout (the broker's wait for acks), default 30000. */
  requestTimeoutMs?: number;
  /** delivery.timeout.ms: a record fails if not acknowledged within this, retries included; default 120000. */
  deliveryTimeoutMs?: number;
  /** max.in.flight.requests.per.connection, default 5. */
  maxInFlightRequestsPerConnection?: number;
  /** max.request.size in bytes, default 1 MiB. */
  maxRequestSize?: number;
  /**
   * enable.idempotence, on by default as in the Java client since Kafka 3.0: the producer gets a
   * producer id and numbers its batches, so a retry is never written twice and never reordered.
   * It needs acks 'all' and at most 5 requests in flight: set to true with other settings it
   * throws; left unset, such settings turn it off (as the Java client does).
   */
  idempotent?: boolean;
  /**
   * transactional.id: makes the producer transactional (initTransactions, beginTransaction,
   * commitTransaction...), which implies idempotence. The id identifies the producer across
   * restarts: a new producer with the same id fences the old one and finishes its open transaction.
   */
  transactionalId?: string;
  /**
   * transaction.timeout.ms, default 60000: how long the coordinator lets a transaction stay open
   * before aborting it; the broker refuses more than its transaction.max.timeout.ms.
   */
  transactionTimeoutMs?: number;
}

/** Whether the producer is idempotent, as Java's ProducerConfig decides it from the other settings. */
function idempotenceEnabled(config: ProducerConfig, acks: number, maxInFlight: number): boolean {
  const transactional = config.transactionalId !== undefined;
  const conflict =
    acks !== -1
      ? 'Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.'
      : maxInFlight > MAX_IN_FLIGHT_FOR_IDEMPOTENCE
        ? `Must set maxInFlightRequestsPerConnection to at most ${MAX_IN_FLIGHT_FOR_IDEMPOTENCE} to use the idempotent producer.`
        : null;
  if (config.idempotent === false) {
    if (transactional)
      throw new ClientError(
        'INVALID_ARGUMENT',
        'Cannot set a transactional.id without also enabling idempotence.',
      );
    return false;
  }
  if (conflict === null) return true;
  if (config.idempotent === true || transactional) throw new ClientError('INVALID_ARGUMENT', conflict);
  return false;
}

export type HeadersInput = RecordHeader[] | { [key: string]: string | Buffer | null };

export interface ProducerRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  /** Chosen by the partitioner when absent. */
  partition?: number;
  /** Milliseconds since the epoch; now when absent. */
  timestamp?: number | bigint;
  headers?: HeadersInput;
}

export interface SendOptions {
  signal?: AbortSignal;
}

function toBuffer(v: Buffer | string | null | undefined): Buffer | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? Buffer.from(v) : v;
}

/** Shared by records without headers: the batch builder reads headers and keeps none. */
const NO_HEADERS: readonly RecordHeader[] = [];

function toHeaders(h: HeadersInput | undefined): readonly RecordHeader[] {
  if (h === undefined) return NO_HEADERS;
  if (Array.isArray(h)) return h;
  return Object.entries(h).map(([key, v]) => ({ key, value: toBuffer(v) }));
}

/**
 * Sends records to partition leaders. Records go into per-partition batches (RecordAccumulator)
 * and a sender ships them when full or lingered; `send` resolves with the record's offset once
 * the broker acknowledges it (delivery report).
 */
export class Producer {
  private readonly accumulator: RecordAccumulator;
  private readonly sender: Sender;
  private readonly partitioner: Partitioner & { onNewBatch?(t: string, n: number, prev: number): void };
  private closed = false;
  /** Keyed by the metadata's topic object, which a refresh replaces: an entry never goes stale. */
  private readonly availableByTopic = new WeakMap<TopicInfo, readonly number[]>();
  /** Null unless ProducerConfig.transactionalId is set. */
  private readonly transactions: TransactionManager | null;

  constructor(
    private readonly cluster: Cluster,
    config: ProducerConfig = {},
    private readonly ownsCluster = true,
  ) {
    const acks = config.acks === 'all' || config.acks === undefined ? -1 : config.acks;
    const compression = COMPRESSION[config.compression ?? 'none'];
    const maxInFlight = config.maxInFlightRequestsPerConnection ?? 5;
    const idempotent = idempotenceEnabled(config, acks, maxInFlight);
    if (config.transactionalId !== undefined && config.transactionalId.length === 0)
      throw new ClientError('INVALID_ARGUMENT', 'transactionalId must not be empty');
    const transactionTimeoutMs = config.transactionTimeoutMs ?? 60000;
    if (!Number.isSafeInteger(transactionTimeoutMs) || transactionTimeoutMs <= 0)
      throw new ClientError(
        'INVALID_ARGUMENT',
        `transactionTimeoutMs ${transactionTimeoutMs} is not a positive whole number`,
      );
    const idempotence = idempotent ? new IdempotentState(config.transactionalId !== undefined) : null;
    const maxBlockMs = config.maxBlockMs ?? 60000;
    this.transactions =
      config.transactionalId !== undefined && idempotence !== null
        ? new TransactionManager(cluster, idempotence, {
            transactionalId: config.transactionalId,
            transactionTimeoutMs,
            maxBlockMs,
          })
        : null;
    this.accumulator = new RecordAccumulator({
      compression,
      batchSize: config.batchSize ?? 16384,
      lingerMs: config.lingerMs ?? 5,
      bufferMemory: config.bufferMemory ?? 32 * 1024 * 1024,
      maxBlockMs,
    });
    this.sender = new Sender(cluster, this.accumulator, {
      acks,
      compression,
      requestTimeoutMs: config.requestTimeoutMs ?? 30000,
      deliveryTimeoutMs: config.deliveryTimeoutMs ?? 120000,
      maxInFlight,
      maxRequestSize: config.maxRequestSize ?? 1024 * 1024,
      idempotence,
      idempotenceExplicit: config.idempotent === true || this.transactions !== null,
      transactions: this.transactions,
      transactionTimeoutMs,
    });
    const p = config.partitioner ?? 'default';
    this.partitioner = typeof p === 'function' ? p : namedPartitioner(p);
  }

  /**
   * Whether batches carry a producer id and sequences: ProducerConfig.idempotent and the settings
   * it needs, and false once a broker without InitProducerId turned the default off.
   */
  get idempotent(): boolean {
    return this.sender.idempotent;
  }

  /** Bytes of records batched or in flight; never more than buffer.memory. */
  get bufferedBytes(): number {
    return this.accumulator.bufferedBytes;
  }

  /** Sends one record; resolves with its partition and offset once acknowledged. */
  async send(topic: string, record: ProducerRecord, options: SendOptions = {}): Promise<RecordMetadata> {
    const [meta] = await this.sendBatch(topic, [record], options);
    return meta!;
  }

  /** Sends records to one topic; resolves once all are acknowledged, in the order given. */
  async sendBatch(
    topic: string,
    records: readonly ProducerRecord[],
    options: SendOptions = {},
  ): Promise<RecordMetadata[]> {
    if (this.closed) throw new ClientError('CLIENT_CLOSED', 'the producer is closed');
    throwIfAborted(options.signal);
    let info = this.cluster.topics.get(topic);
    if (!info) [info] = await this.cluster.topicsMetadata([topic], options.signal);
    this.cluster.track([topic]);
    if (records.length === 0) return [];
    const results: RecordMetadata[] = new Array(records.length);
    let remaining = records.length;
    let failure: Error | null = null;
    let settle!: () => void;
    const done = new Promise<void>((resolve) => {
      settle = resolve;
    });
    // One clock reading and one list of available partitions for the whole call.
    const nowMs = Date.now();
    const partitionCount = info!.partitions.length;
    let available: number[] | null = null;
    const availablePartitions = (): number[] =>
      (available ??= (this.cluster.topics.get(topic)?.partitions ?? [])
        .filter((p) => p.leader >= 0)
        .map((p) => p.partition));
    for (let i = 0; i < records.length; i++) {
      const cb: DeliveryCallback = (err, meta) => {
        if (err) failure ??= err;
        else results[i] = meta!;
        if (--remaining === 0) settle();
      };
      try {
        const wait = this.append(
          topic,
          partitionCount,
          records[i]!,
          nowMs,
          availablePartitions,
          cb,
          options.signal,
        );
        // Only a wait for buffer memory yields; a microtask turn per record would cost more than the record.
        if (wait !== undefined) await wait;
      } catch (err) {
        failure ??= err as Error;
        remaining -= records.length - i;
        if (remaining === 0) settle();
        break;
      }
    }
    this.sender.wake();
    await done;
    if (failure) throw failure;
    return results;
  }

  /**
   * Sends one record and calls `callback` once it is acknowledged (or has failed for good), as
   * Java's `send(record, callback)`: no promise per record, for callers that send many records and
   * time each one (producer-perf-test). Returns a promise only when the record has to wait, for the
   * topic's metadata or for buffer memory; await it before sending more. When the record cannot be
   * queued (closed producer, bad partition, buffer memory exhausted) it throws or the promise
   * rejects, and `callback` is not called.
   */
  sendWithCallback(
    topic: string,
    record: ProducerRecord,
    callback: DeliveryCallback,
    options: SendOptions = {},
  ): Promise<void> | undefined {
    if (this.closed) throw new ClientError('CLIENT_CLOSED', 'the producer is closed');
    throwIfAborted(options.signal);
    const info = this.cluster.topics.get(topic);
    if (!info) {
      return this.cluster
        .topicsMetadata([topic], options.signal)
        .then(() => this.sendWithCallback(topic, record, callback, options));
    }
    if (!this.cluster.trackedTopics.has(topic)) this.cluster.track([topic]);
    const wait = this.append(
      topic,
      info.partitions.length,
      record,
      Date.now(),
      () => this.availablePartitionsOf(info),
      callback,
      options.signal,
    );
    if (wait === undefined) {
      this.sender.wake();
      return undefined;
    }
    return wait.then(() => this.sender.wake());
  }

  /** Partitions with a leader, computed once per metadata update of the topic rather than per record. */
  private availablePartitionsOf(info: TopicInfo): readonly number[] {
    let available = this.availableByTopic.get(info);
    if (available === undefined) {
      available = info.partitions.filter((p) => p.leader >= 0).map((p) => p.partition);
      this.availableByTopic.set(info, available);
    }
    return available;
  }

  private append(
    topic: string,
    partitionCount: number,
    record: ProducerRecord,
    nowMs: number,
    availablePartitions: () => readonly number[],
    cb: DeliveryCallback,
    signal?: AbortSignal,
  ): Promise<void> | undefined {
    const key = toBuffer(record.key);
    const value = toBuffer(record.value);
    const headers = toHeaders(record.headers);
    const timestamp = record.timestamp === undefined ? nowMs : Number(record.timestamp);
    if (!Number.isSafeInteger(timestamp)) {
      throw new ClientError(
        'INVALID_ARGUMENT',
        `timestamp ${record.timestamp} is not a whole number of milliseconds`,
      );
    }
    let partition = record.partition;
    if (partition === undefined) {
      partition = this.partitioner({
        topic,
        key,
        value,
        partitionCount,
        availablePartitions: availablePartitions(),
      });
    }
    if (partition < 0 || partition >= partitionCount) {
      throw new ClientError('INVALID_ARGUMENT', `partition ${partition} of ${topic} does not exist`);
    }
    // In a transaction, the partition joins it before its first batch goes out.
    this.transactions?.state.maybeAddPartition(topic, partition);
    const bytes = recordBytesMax(key, value, headers);
    const wait = this.accumulator.reserve(bytes, signal);
    const p = partition;
    const add = (): void => {
      const { batch } = this.accumulator.batchFor(topic, p, bytes);
      batch.append(timestamp, key, value, headers, cb);
      batch.reservedBytes += bytes;
      if (batch.sizeBytes >= this.accumulator.options.batchSize) {
        batch.closed = true;
        if (key === null) this.partitioner.onNewBatch?.(topic, partitionCount, p);
        this.sender.wake();
      } else if (batch.recordCount === 1) this.sender.wakeAfterLinger();
    };
    if (wait === undefined) {
      add();
      return undefined;
    }
    // While we wait for memory, let the sender drain what is already batched.
    this.sender.wake();
    return wait.then(add);
  }

  private transactional(method: string): TransactionManager {
    if (this.closed) throw new ClientError('CLIENT_CLOSED', 'the producer is closed');
    if (this.transactions === null) {
      throw new ClientError(
        'ILLEGAL_STATE',
        `Transactional method ${method} invoked on a non-transactional producer (set transactionalId).`,
      );
    }
    return this.transactions;
  }

  /**
   * The transactional producer's state (Kafka's TransactionManager states), null without a
   * transactional id. After an error, ABORTABLE_ERROR means abortTransaction() and go on;
   * FATAL_ERROR (fenced by a newer producer with the same transactional id, or not authorized)
   * means only close() is left.
   */
  get transactionState(): TransactionStateName | null {
    return this.transactions?.state.state ?? null;
  }

  /**
   * Once, before the first transaction: gets the producer id and epoch for the transactional id
   * from its transaction coordinator, which fences older producers with the same id and
   * completes (commits or aborts) a transaction they left open.
   */
  async initTransactions(): Promise<void> {
    await this.transactional('initTransactions').initTransactions();
  }

  /** Starts a transaction: every record sent until commit or abort belongs to it. */
  beginTransaction(): void {
    this.transactional('beginTransaction').beginTransaction();
  }

  /**
   * Commits consumed offsets as part of the transaction (Kafka's
   * sendOffsetsToTransaction): they become the group's committed offsets only if the
   * transaction commits. `groupMetadata` is the consumer's `groupMetadata()`, whose generation
   * lets the group coordinator refuse a zombie member's commit (KIP-447).
   */
  async sendOffsetsToTransaction(
    offsets: readonly TransactionOffset[],
    groupMetadata: ConsumerGroupMetadata,
  ): Promise<void> {
    await this.transactional('sendOffsetsToTransaction').sendOffsets(offsets, groupMetadata);
  }

  /**
   * Sends what is batched, waits for every record of the transaction to be acknowledged, then
   * commits it (EndTxn). If a record failed, the transaction cannot commit: this throws and the
   * application calls abortTransaction().
   */
  async commitTransaction(): Promise<void> {
    const txn = this.transactional('commitTransaction');
    const s = txn.state;
    // A commit that failed on the coordinator (a timeout) may be called again.
    if (s.state !== 'COMMITTING_TRANSACTION') {
      s.failIfInError();
      s.transitionTo('COMMITTING_TRANSACTION');
      await this.sender.flush();
    }
    s.failIfInError();
    await txn.endTransaction(true);
  }

  /**
   * Aborts the transaction: records not yet sent fail with TRANSACTION_ABORTED, those in flight are
   * waited for, then the coordinator writes abort markers (EndTxn), so read_committed consumers
   * never see the transaction's records. Also the way out of an abortable error.
   */
  async abortTransaction(): Promise<void> {
    const txn = this.transactional('abortTransaction');
    const s = txn.state;
    if (s.state !== 'ABORTING_TRANSACTION') {
      if (!s.hasAbortableError) s.failIfInError();
      s.transitionTo('ABORTING_TRANSACTION');
      s.clearNewPartitions();
    }
    await this.sender.flush();
    if (s.hasFatalError) s.failIfInError();
    await txn.endTransaction(false);
  }

  /** Sends everything batched so far without waiting for linger, and waits for the acknowledgements. */
  async flush(signal?: AbortSignal): Promise<void> {
    await this.sender.flush(signal);
  }

  /** Flushes, then closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.sender.flush();
    } finally {
      this.sender.close();
      if (this.ownsCluster) this.cluster.close();
    }
  }
}
