import type { ConnectValue, Schema } from '../data/schema.js';

/** A header of a Connect record: a key and a value with its (optional) schema. */
export interface ConnectHeader {
  readonly key: string;
  readonly schema: Schema | null;
  readonly value: ConnectValue;
}

/**
 * A source partition or offset (Kafka's Map<String, ?>): what a source task says it read and from
 * where, stored as JSON by the worker's offset store.
 */
export type SourceMap = { readonly [key: string]: string | number | bigint | boolean | null };

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** The fields every Connect record has (Kafka's ConnectRecord). */
export interface ConnectRecordFields {
  readonly topic: string;
  /** Kafka partition, or null to let the producer's partitioner choose. */
  readonly kafkaPartition: number | null;
  readonly keySchema: Schema | null;
  readonly key: ConnectValue;
  readonly valueSchema: Schema | null;
  readonly value: ConnectValue;
  /** Milliseconds since the epoch, or null for the producer's time. */
  readonly timestamp: number | null;
  readonly headers: readonly ConnectHeader[];
}

export type ConnectRecordInit = Pick<ConnectRecordFields, 'topic'> & Partial<ConnectRecordFields>;

/** What transforms change in a record; `newRecord` keeps the record's own kind and extra fields. */
export type RecordChanges = Partial<ConnectRecordFields>;

/** A record between connectors, transforms and converters: Kafka's ConnectRecord. */
export abstract class ConnectRecord implements ConnectRecordFields {
  readonly topic: string;
  readonly kafkaPartition: number | null;
  readonly keySchema: Schema | null;
  readonly key: ConnectValue;
  readonly valueSchema: Schema | null;
  readonly value: ConnectValue;
  readonly timestamp: number | null;
  readonly headers: readonly ConnectHeader[];

  constructor(init: ConnectRecordInit) {
    this.topic = init.topic;
    this.kafkaPartition = init.kafkaPartition ?? null;
    this.keySchema = init.keySchema ?? null;
    this.key = init.key ?? null;
    this.valueSchema = init.valueSchema ?? null;
    this.value = init.value ?? null;
    this.timestamp = init.timestamp ?? null;
    this.headers = init.headers ?? [];
  }

  /** A copy of this record with some fields replaced (Kafka's ConnectRecord.newRecord). */
  abstract newRecord(changes: RecordChanges): this;

  protected fields(changes: RecordChanges): ConnectRecordFields {
    return {
      topic: changes.topic ?? this.topic,
      kafkaPartition: 'kafkaPartition' in changes ? (changes.kafkaPartition ?? null) : this.kafkaPartition,
      keySchema: 'keySchema' in changes ? (changes.keySchema ?? null) : this.keySchema,
      key: 'key' in changes ? (changes.key ?? null) : this.key,
      valueSchema: 'valueSchema' in changes ? (changes.valueSchema ?? null) : this.valueSchema,
      value: 'value' in changes ? (changes.value ?? null) : this.value,
      timestamp: 'timestamp' in changes ? (changes.timestamp ?? null) : this.timestamp,
      headers: changes.headers ?? this.headers,
    };
  }
}

export interface SourceRecordInit extends ConnectRecordInit {
  /** Where the record comes from, e.g. `{filename: "/data/in.txt"}` or `{table: "public.orders"}`. */
  sourcePartition?: SourceMap | null;
  /** The position in that source after this record, e.g. `{position: 1024}` or `{lsn: "0/16B3748"}`. */
  sourceOffset?: SourceMap | null;
}

/** A record a SourceTask produces (Kafka's SourceRecord). */
export class SourceRecord extends ConnectRecord {
  readonly sourcePartition: SourceMap | null;
  readonly sourceOffset: SourceMap | null;

  constructor(init: SourceRecordInit) {
    super(init);
    this.sourcePartition = init.sourcePartition ?? null;
    this.sourceOffset = init.sourceOffset ?? null;
  }

  newRecord(changes: RecordChanges): this {
    return new SourceRecord({
      ...this.fields(changes),
      sourcePartition: this.sourcePartition,
      sourceOffset: this.sourceOffset,
    }) as this;
  }
}

export type TimestampType = 'NoTimestampType' | 'CreateTime' | 'LogAppendTime';

export interface SinkRecordInit extends ConnectRecordInit {
  kafkaOffset: bigint;
  timestampType?: TimestampType;
  /** The topic, partition and offset the record was consumed from, before any transform (KIP-793). */
  originalTopic?: string;
  originalKafkaPartition?: number | null;
  originalKafkaOffset?: bigint;
}

/** A record a SinkTask receives (Kafka's SinkRecord). */
export class SinkRecord extends ConnectRecord {
  readonly kafkaOffset: bigint;
  readonly timestampType: TimestampType;
  readonly originalTopic: string;
  readonly originalKafkaPartition: number | null;
  readonly originalKafkaOffset: bigint;

  constructor(init: SinkRecordInit) {
    super(init);
    this.kafkaOffset = init.kafkaOffset;
    this.timestampType = init.timestampType ?? 'NoTimestampType';
    this.originalTopic = init.originalTopic ?? init.topic;
    this.originalKafkaPartition = init.originalKafkaPartition ?? init.kafkaPartition ?? null;
    this.originalKafkaOffset = init.originalKafkaOffset ?? init.kafkaOffset;
  }

  newRecord(changes: RecordChanges): this {
    return new SinkRecord({
      ...this.fields(changes),
      kafkaOffset: this.kafkaOffset,
      timestampType: this.timestampType,
      originalTopic: this.originalTopic,
      originalKafkaPartition: this.originalKafkaPartition,
      originalKafkaOffset: this.originalKafkaOffset,
    }) as this;
  }
}
