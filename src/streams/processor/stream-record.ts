/** A record header, as Kafka's: a string key and bytes (or null). */
export interface Header {
  key: string;
  value: Buffer | null;
}

/**
 * Kafka Streams' Record (org.apache.kafka.streams.processor.api.Record): what a processor receives
 * and forwards. The timestamp is milliseconds since the epoch; headers travel with the record to
 * the sinks. Records are immutable: forward `{ ...record, value }` to change one.
 */
export interface StreamRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: readonly Header[];
}

/** Where the record being processed came from (Kafka's RecordMetadata of the processor API). */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}
