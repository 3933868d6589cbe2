import { BATCH_HEADER_BYTES, CompressionType } from '../../protocol/records/record-batch-header.js';
import { ClientError } from '../client-error.js';
import { BufferPool } from './buffer-pool.js';
import { ProducerBatch } from './producer-batch.js';

export interface AccumulatorOptions {
  /** batch.size: a batch this big is sent without waiting for linger. */
  batchSize: number;
  /** linger.ms: how long a batch waits for more records. */
  lingerMs: number;
  /** buffer.memory: records waiting or in flight may take at most this many bytes. */
  bufferMemory: number;
  /** max.block.ms: how long `reserve` waits for memory before failing. */
  maxBlockMs: number;
  /** How batches are compressed; none by default. */
  compression?: CompressionType;
  now?: () => number;
}

interface Waiter {
  bytes: number;
  resolve(): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

const FREE_BUFFERS_MAX = 16;

/**
 * Batches per partition, filled until full or lingered long enough, and the memory bound:
 * producers wait in `reserve` (in arrival order) while records in the accumulator and in flight
 * take `bufferMemory` bytes, so a fast producer slows to the broker's pace instead of growing.
 */
export class RecordAccumulator {
  /** Every partition's queue, in creation order, for the sender's rounds. */
  private readonly queues: ProducerBatch[][] = [];
  /** The same queues by topic, then partition: found per record without building a string key. */
  private readonly queuesByTopic = new Map<string, ProducerBatch[][]>();
  private readonly waiters: Waiter[] = [];
  private usedBytes = 0;
  private flushing = 0;
  private readonly now: () => number;
  /** Batch buffers of batch.size, reused once their batch is acknowledged. */
  private readonly pool: BufferPool;

  constructor(readonly options: AccumulatorOptions) {
    this.now = options.now ?? (() => performance.now());
    // Enough free buffers to absorb the churn of batches completing and starting; more would only
    // hold memory while the producer idles.
    const freeMax = Math.max(
      1,
      Math.min(FREE_BUFFERS_MAX, Math.floor(options.bufferMemory / options.batchSize)),
    );
    this.pool = new BufferPool(options.batchSize, freeMax);
  }

  get bufferedBytes(): number {
    return this.usedBytes;
  }

  /** Waits until `bytes` fit in buffer.memory; FIFO so a large record is not starved. */
  reserve(bytes: number, signal?: AbortSignal): Promise<void> | undefined {
    if (bytes > this.options.bufferMemory) {
      throw new ClientError('RECORD_TOO_LARGE', `record of ${bytes} bytes exceeds buffer.memory`);
    }
    if (this.waiters.length === 0 && this.usedBytes + bytes <= this.options.bufferMemory) {
      this.usedBytes += bytes;
      return undefined;
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        remove();
        reject(new ClientError('ABORTED', 'send aborted while waiting for buffer memory'));
      };
      const remove = (): void => {
        clearTimeout(waiter.timer);
        signal?.removeEventListener('abort', onAbort);
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
      };
      const waiter: Waiter = {
        bytes,
        resolve: () => {
          remove();
          resolve();
        },
        reject,
        timer: setTimeout(() => {
          remove();
          reject(
            new ClientError(
              'BUFFER_EXHAUSTED',
              `no buffer memory within max.block.ms (${this.options.maxBlockMs})`,
            ),
          );
          this.wake();
        }, this.options.maxBlockMs),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(bytes: number): void {
    this.usedBytes -= bytes;
    this.wake();
  }

  private wake(): void {
    while (this.waiters.length > 0) {
      const w = this.waiters[0]!;
      if (this.usedBytes + w.bytes > this.options.bufferMemory) break;
      this.usedBytes += w.bytes;
      w.resolve();
    }
  }

  /** The open batch of a partition, creating one when needed; `created` tells the caller a batch was started. */
  batchFor(
    topic: string,
    partition: number,
    recordBytes: number,
  ): { batch: ProducerBatch; created: boolean } {
    const q = this.queueFor(topic, partition);
    const last = q[q.length - 1];
    if (last && !last.closed && last.sizeBytes + recordBytes <= this.options.batchSize) {
      return { batch: last, created: false };
    }
    if (last) last.closed = true;
    const batch = new ProducerBatch(
      topic,
      partition,
      this.now(),
      this.options.compression ?? CompressionType.None,
      this.pool,
      Math.max(this.options.batchSize, BATCH_HEADER_BYTES + recordBytes),
    );
    q.push(batch);
    return { batch, created: true };
  }

  private queueFor(topic: string, partition: number): ProducerBatch[] {
    let partitions = this.queuesByTopic.get(topic);
    if (!partitions) {
      partitions = [];
      this.queuesByTopic.set(topic, partitions);
    }
    let q = partitions[partition];
    if (!q) {
      q = [];
      partitions[partition] = q;
      this.queues.push(q);
    }
    return q;
  }

  /**
   * Puts a batch back at the head of its queue for a retry; a batch with a sequence goes in
   * sequence order among the retries there (the Java client's insertInSequenceOrder), so an
   * idempotent producer resends them in the order it first sent them.
   */
  reenqueue(batch: ProducerBatch): void {
    const q = this.queueFor(batch.topic, batch.partition);
    if (batch.baseSequence < 0) {
      q.unshift(batch);
      return;
    }
    let i = 0;
    while (i < q.length && q[i]!.baseSequence >= 0 && q[i]!.baseSequence < batch.baseSequence) i++;
    q.splice(i, 0, batch);
  }

  /**
   * Batches ready now (full, lingered long enough, followed by another, or flush requested), at
   * most one per partition: a Produce request carries one batch per partition (v2 format).
   */
  drainReady(canSend: (batch: ProducerBatch) => boolean): ProducerBatch[] {
    const now = this.now();
    const out: ProducerBatch[] = [];
    for (const q of this.queues) {
      const b = q[0];
      if (!b) continue;
      const ready =
        b.closed || q.length > 1 || this.flushing > 0 || now - b.createdMs >= this.options.lingerMs;
      if (!ready || !canSend(b)) continue;
      b.closed = true;
      out.push(q.shift()!);
    }
    return out;
  }

  /** Milliseconds until the oldest open batch lingers out, or -1 when nothing waits. */
  nextReadyInMs(): number {
    const now = this.now();
    let next = -1;
    for (const q of this.queues) {
      const b = q[0];
      if (!b) continue;
      const wait = Math.max(0, b.createdMs + this.options.lingerMs - now);
      if (next < 0 || wait < next) next = wait;
    }
    return next;
  }

  hasBatches(): boolean {
    for (const q of this.queues) if (q.length > 0) return true;
    return false;
  }

  /** While a flush is pending every batch is ready regardless of linger. */
  beginFlush(): void {
    this.flushing++;
  }

  endFlush(): void {
    this.flushing--;
  }

  /** Removes every waiting batch (close without flush, fatal errors). */
  drainAll(): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    for (const q of this.queues) out.push(...q.splice(0));
    return out;
  }
}
