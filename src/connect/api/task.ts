import type { SinkRecord, SourceMap, SourceRecord, TopicPartition } from './connect-record.js';

/**
 * Reads the offsets the worker stored for a source connector's partitions (Kafka's
 * OffsetStorageReader). Asynchronous: the store may be a file or a topic.
 */
export interface OffsetStorageReader {
  offset(partition: SourceMap): Promise<SourceMap | null>;
  offsets(partitions: readonly SourceMap[]): Promise<Map<SourceMap, SourceMap | null>>;
}

/** Where a produced record landed, given to SourceTask.commitRecord. */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

/** Reports a record a sink task could not process to the dead letter queue (KIP-610). */
export type ErrantRecordReporter = (record: SinkRecord, error: Error) => Promise<void>;

/**
 * Lets a task of a connector with `transaction.boundary=connector` say where transactions end
 * (Kafka's TransactionContext, KIP-618): after the current batch, or after a given record.
 */
export interface TransactionContext {
  commitTransaction(record?: SourceRecord): void;
  abortTransaction(record?: SourceRecord): void;
}

/** What a source task can ask of its worker (Kafka's SourceTaskContext). */
export interface SourceTaskContext {
  configs(): Readonly<Record<string, string>>;
  offsetStorageReader(): OffsetStorageReader;
  /** Null unless the worker runs exactly-once sources and the connector defines transaction boundaries. */
  transactionContext?(): TransactionContext | null;
}

/** What a sink task can ask of its worker (Kafka's SinkTaskContext). */
export interface SinkTaskContext {
  configs(): Readonly<Record<string, string>>;
  /** Rewinds (or moves) consumption of partitions; takes effect before the next put. */
  offset(offsets: ReadonlyMap<TopicPartition, bigint> | TopicPartition, offset?: bigint): void;
  /** Asks the worker to wait this long before retrying after a RetriableError from put. */
  timeout(timeoutMs: number): void;
  assignment(): TopicPartition[];
  pause(...partitions: TopicPartition[]): void;
  resume(...partitions: TopicPartition[]): void;
  /** Asks for an offset commit (flush/preCommit) as soon as possible. */
  requestCommit(): void;
  errantRecordReporter(): ErrantRecordReporter | null;
}

/** A unit of a connector's work, run by a worker (Kafka's Task). */
export abstract class Task {
  abstract version(): string;
  abstract start(props: Readonly<Record<string, string>>): void | Promise<void>;
  abstract stop(): void | Promise<void>;
}

/**
 * Kafka's SourceTask. `poll` returns the next records (null or [] when there are none yet; it
 * should wait a little rather than return at once, as Kafka's tasks block briefly). The worker
 * converts and sends them, then stores their source offsets every offset.flush.interval.ms.
 */
export abstract class SourceTask extends Task {
  protected context: SourceTaskContext | null = null;

  initialize(context: SourceTaskContext): void {
    this.context = context;
  }

  abstract poll(): Promise<SourceRecord[] | null>;

  /** Called after the worker stored the offsets of the records sent so far. */
  commit(): void | Promise<void> {}

  /** Called for each record once the broker acknowledged it (or null metadata when it was filtered). */
  commitRecord(_record: SourceRecord, _metadata: RecordMetadata | null): void | Promise<void> {}
}

/** Kafka's SinkTask: records of the subscribed topics come in through `put`. */
export abstract class SinkTask extends Task {
  protected context: SinkTaskContext | null = null;

  initialize(context: SinkTaskContext): void {
    this.context = context;
  }

  abstract put(records: readonly SinkRecord[]): void | Promise<void>;

  /** Makes everything given to put so far durable in the destination. */
  flush(_currentOffsets: ReadonlyMap<TopicPartition, bigint>): void | Promise<void> {}

  /**
   * Called before the worker commits consumer offsets: returns the offsets safe to commit (by
   * default it flushes and returns them all, as Kafka's SinkTask.preCommit).
   */
  async preCommit(
    currentOffsets: ReadonlyMap<TopicPartition, bigint>,
  ): Promise<ReadonlyMap<TopicPartition, bigint>> {
    await this.flush(currentOffsets);
    return currentOffsets;
  }

  /** Partitions newly assigned to this task. */
  open(_partitions: readonly TopicPartition[]): void | Promise<void> {}

  /** Partitions taken from this task; write out what is buffered for them. */
  close(_partitions: readonly TopicPartition[]): void | Promise<void> {}
}
