import type { Header } from '../processor/stream-record.js';

/** A record a task writes: to a sink's topic, or to a store's changelog. */
export interface CollectedRecord {
  topic: string;
  /** The partition chosen by the sink's partitioner or the task; undefined lets the producer choose. */
  partition: number | undefined;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers: readonly Header[];
}

/**
 * Where a task's output goes, as Kafka's RecordCollector: the producer in an application, a list
 * in the test driver.
 */
export interface RecordCollector {
  send(record: CollectedRecord): void;
  /** The partition count of an output topic, for stream partitioners; null when unknown. */
  partitionsFor(topic: string): number | null;
}
