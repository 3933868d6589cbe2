import type { Logger } from '../../common/logger.js';
import type { Serde } from '../serdes.js';
import type { RecordMetadata, StreamRecord } from './stream-record.js';

/** Kafka's PunctuationType: by the task's stream time, or by the wall clock. */
export type PunctuationType = 'STREAM_TIME' | 'WALL_CLOCK_TIME';

/** Called with the stream time or wall-clock time that triggered the punctuation. */
export type Punctuator = (timestampMs: number) => void;

export interface Cancellable {
  cancel(): void;
}

/** A task as Kafka names it: `<subtopology>_<partition>`. */
export interface TaskId {
  readonly subtopology: number;
  readonly partition: number;
}

export function taskIdString(id: TaskId): string {
  return `${id.subtopology}_${id.partition}`;
}

/**
 * Kafka Streams' api.ProcessorContext: what a processor may do besides returning. Forwarded
 * records go to every child, or to the one named.
 */
export interface ProcessorContext<KForward = unknown, VForward = unknown> {
  readonly applicationId: string;
  readonly taskId: TaskId;
  /** The application's logger, bound to the task and the processor. */
  readonly logger: Logger;
  /** Topic, partition and offset of the input record being processed; null in a punctuation. */
  recordMetadata(): RecordMetadata | null;
  forward(record: StreamRecord<KForward, VForward>, childName?: string): void;
  /**
   * Calls `punctuator` every `intervalMs` of stream time (first at the first record, aligned to
   * multiples of the interval) or of wall-clock time (first after one interval), as Kafka's
   * ProcessorContext.schedule.
   */
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable;
  /** A store connected to this processor (addStateStore / connectProcessorAndStateStores). */
  getStateStore<S>(name: string): S;
  /**
   * Counts a record the processor skipped (a window already closed, a null key), in the task's
   * dropped-records-total as Kafka's task-level dropped-records sensor.
   */
  recordDroppedRecord(): void;
  /** Asks for a commit as soon as possible (at the end of the current record). */
  commit(): void;
  /** The task's stream time: the largest timestamp it has processed; -1 before the first record. */
  currentStreamTimeMs(): number;
  currentSystemTimeMs(): number;
  /** The application's default key serde (Kafka's ProcessorContext.keySerde()). */
  keySerde(): Serde<unknown>;
  /** The application's default value serde. */
  valueSerde(): Serde<unknown>;
}

/** Kafka Streams' api.Processor. */
export interface Processor<KIn = unknown, VIn = unknown, KOut = unknown, VOut = unknown> {
  init?(context: ProcessorContext<KOut, VOut>): void;
  process(record: StreamRecord<KIn, VIn>): void;
  close?(): void;
}

/** Makes one processor per task (Kafka's ProcessorSupplier.get). */
export type ProcessorSupplier<KIn = unknown, VIn = unknown, KOut = unknown, VOut = unknown> = () => Processor<
  KIn,
  VIn,
  KOut,
  VOut
>;
