import type { RecordHeader } from '../../protocol/records/record.js';
import { BATCH_HEADER_BYTES, type CompressionType } from '../../protocol/records/record-batch-header.js';
import type { BufferPool } from './buffer-pool.js';
import { RecordBatchBuilder } from './record-batch-builder.js';

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
 * Records for one partition, sent as one v2 batch and encoded as they arrive (RecordBatchBuilder).
 * The producer id, epoch and base sequence are carried here (KIP-98) and left at -1 until the
 * idempotent producer assigns them, so that a retry resends the very same batch.
 */
export class ProducerBatch {
  private readonly callbacks: DeliveryCallback[] = [];
  private readonly timestamps: number[] = [];
  /** Made by the first record, whose timestamp becomes the batch's base so deltas stay small. */
  private builder: RecordBatchBuilder | null = null;
  /** Memory reserved from buffer.memory for this batch, released once it completes. */
  reservedBytes = 0;
  attempts = 0;
  producerId = -1n;
  producerEpoch = -1;
  baseSequence = -1;
  /** Part of a transaction: the batch carries the transactional attribute (KIP-98). */
  transactional = false;
  /** Set when the batch must not take more records: full, or being sent. */
  closed = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly createdMs: number,
    private readonly compression: CompressionType,
    private readonly pool: BufferPool,
    /** Bytes to reserve for records: batch.size, or more for a record larger than that. */
    private readonly capacity: number,
  ) {}

  get recordCount(): number {
    return this.callbacks.length;
  }

  /** Bytes the records take once encoded, plus the batch header. */
  get sizeBytes(): number {
    return this.builder?.sizeBytes ?? BATCH_HEADER_BYTES;
  }

  /** Encodes a record into the batch. */
  append(
    timestampMs: number,
    key: Buffer | null,
    value: Buffer | null,
    headers: readonly RecordHeader[],
    callback: DeliveryCallback,
  ): void {
    this.builder ??= new RecordBatchBuilder(this.compression, timestampMs, this.capacity, this.pool);
    this.builder.append(timestampMs, key, value, headers);
    this.callbacks.push(callback);
    this.timestamps.push(timestampMs);
  }

  /** The encoded batch; kept, so a retry sends identical bytes. */
  encode(): Promise<Buffer> {
    // An empty batch still encodes (a header with no records).
    this.builder ??= new RecordBatchBuilder(this.compression, 0, BATCH_HEADER_BYTES, this.pool);
    return this.builder.build(this.producerId, this.producerEpoch, this.baseSequence, this.transactional);
  }

  /** Hands the batch's buffers back to the pool: only once no write or retry can read them. */
  recycle(): void {
    this.builder?.recycle();
  }

  /** Completes every record's delivery: `baseOffset` -1 for acks=0; `logAppendTime` -1 for CreateTime. */
  succeed(baseOffset: bigint, logAppendTimeMs: bigint): void {
    for (let i = 0; i < this.callbacks.length; i++) {
      this.callbacks[i]!(null, {
        topic: this.topic,
        partition: this.partition,
        offset: baseOffset < 0n ? -1n : baseOffset + BigInt(i),
        timestamp: logAppendTimeMs >= 0n ? logAppendTimeMs : BigInt(this.timestamps[i]!),
      });
    }
  }

  fail(err: Error): void {
    for (const cb of this.callbacks) cb(err, null);
  }
}
