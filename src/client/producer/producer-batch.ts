import type { Record as KafkaRecord, RecordHeader } from '../../protocol/records/record.js';
import { recordBytes } from '../../protocol/records/record.js';
import { encodeRecordBatch, encodeRecordBatchAsync } from '../../protocol/records/record-batch.js';
import { BATCH_HEADER_BYTES, type CompressionType } from '../../protocol/records/record-batch-header.js';

/** Where and when a record was written, as the broker acknowledged it. */
export interface RecordMetadata {
  topic: string;
  partition: number;
  /** -1 with acks=0, where the broker says nothing. */
  offset: bigint;
  /** The record's timestamp (CreateTime), or the broker's when the topic uses LogAppendTime. */
  timestamp: bigint;
}

/** Called once per record when its batch is acknowledged or fails for good. */
export type DeliveryCallback = (err: Error | null, metadata: RecordMetadata | null) => void;

/**
 * Records for one partition, sent as one v2 batch. The producer id, epoch and base sequence are
 * carried here (KIP-98) and left at -1 until the idempotent producer assigns them, so that a retry
 * resends the very same batch.
 */
export class ProducerBatch {
  readonly records: KafkaRecord[] = [];
  private readonly callbacks: DeliveryCallback[] = [];
  private readonly timestamps: bigint[] = [];
  baseTimestamp = 0n;
  /** Bytes the records take once encoded, plus the batch header. */
  sizeBytes = BATCH_HEADER_BYTES;
  /** Memory reserved from buffer.memory for this batch, released once it completes. */
  reservedBytes = 0;
  attempts = 0;
  producerId = -1n;
  producerEpoch = -1;
  baseSequence = -1;
  /** Set when the batch must not take more records: full, or being sent. */
  closed = false;
  private encoded: Buffer | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly createdMs: number,
  ) {}

  get recordCount(): number {
    return this.records.length;
  }

  /** Adds a record; returns its encoded size. */
  append(
    timestampMs: bigint,
    key: Buffer | null,
    value: Buffer | null,
    headers: RecordHeader[],
    callback: DeliveryCallback,
  ): number {
    if (this.records.length === 0) this.baseTimestamp = timestampMs;
    const record: KafkaRecord = {
      offsetDelta: this.records.length,
      timestampDelta: Number(timestampMs - this.baseTimestamp),
      key,
      value,
      headers,
    };
    const bytes = recordBytes(record);
    this.records.push(record);
    this.callbacks.push(callback);
    this.timestamps.push(timestampMs);
    this.sizeBytes += bytes;
    return bytes;
  }

  /** The encoded batch; kept, so a retry sends identical bytes. */
  async encode(compression: CompressionType): Promise<Buffer> {
    if (this.encoded) return this.encoded;
    const input = {
      compression,
      baseTimestamp: this.baseTimestamp,
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      baseSequence: this.baseSequence,
      records: this.records,
    };
    this.encoded = compression === 0 ? encodeRecordBatch(input) : await encodeRecordBatchAsync(input);
    return this.encoded;
  }

  /** Completes every record's delivery: `baseOffset` -1 for acks=0; `logAppendTime` -1 for CreateTime. */
  succeed(baseOffset: bigint, logAppendTimeMs: bigint): void {
    for (let i = 0; i < this.callbacks.length; i++) {
      this.callbacks[i]!(null, {
        topic: this.topic,
        partition: this.partition,
        offset: baseOffset < 0n ? -1n : baseOffset + BigInt(i),
        timestamp: logAppendTimeMs >= 0n ? logAppendTimeMs : this.timestamps[i]!,
      });
    }
  }

  fail(err: Error): void {
    for (const cb of this.callbacks) cb(err, null);
  }
}
