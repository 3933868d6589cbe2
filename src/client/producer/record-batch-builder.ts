import { compress } from '../../protocol/compression/compress.js';
import { LZ4_FRAME_BLOCK_BYTES, Lz4FrameWriter } from '../../protocol/compression/lz4-frame.js';
import type { RecordHeader } from '../../protocol/records/record.js';
import {
  ATTR_TRANSACTIONAL,
  BATCH_HEADER_BYTES,
  BatchOffsets,
  CompressionType,
  computeBatchCrc,
  LOG_OVERHEAD,
} from '../../protocol/records/record-batch-header.js';
import type { BufferPool } from './buffer-pool.js';

/** Bytes a varint or varlong takes for the zigzag encoding of `v` (a safe integer). */
function varlongBytes(v: number): number {
  let x = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (x >= 0x80) {
    x = Math.floor(x / 128);
    n++;
  }
  return n;
}

function nullableBytes(b: Uint8Array | null): number {
  return b === null ? 1 : varlongBytes(b.length) + b.length;
}

/**
 * An upper bound of a record's encoded size whatever its deltas turn out to be: what the
 * accumulator reserves and checks against batch.size before the record is placed.
 */
export function recordBytesMax(
  key: Uint8Array | null,
  value: Uint8Array | null,
  headers: readonly RecordHeader[],
): number {
  // Length (5), attributes (1), timestamp delta (10), offset delta (5), header count (5).
  let n = 26 + nullableBytes(key) + nullableBytes(value);
  for (const h of headers) {
    const k = Buffer.byteLength(h.key);
    n += varlongBytes(k) + k + nullableBytes(h.value);
  }
  return n;
}

/**
 * Writes a v2 record batch (KIP-98) as records arrive, the way the Java producer's
 * MemoryRecordsBuilder does: each record is encoded once, straight into one buffer taken from
 * the pool, after room for the batch header. There is no per-record object to keep and no second
 * pass when the batch is sent. With lz4, every 64 KiB of records is compressed as soon as it is
 * complete, so compression is spread over the appends instead of stalling the event loop on a
 * whole batch at send time, and at send time only the last partial block is left.
 */
export class RecordBatchBuilder {
  private buf: Buffer;
  private pos = BATCH_HEADER_BYTES;
  private count = 0;
  private maxTimestampDelta = 0;
  /** lz4: the frame of the records before `lz4From`. */
  private lz4Frame: Lz4FrameWriter | null = null;
  private lz4From = BATCH_HEADER_BYTES;
  private built: Buffer | null = null;
  private transactional = false;
  /** Pooled buffers this batch holds until `recycle`. */
  private readonly held: Buffer[] = [];

  constructor(
    readonly compression: CompressionType,
    /** Milliseconds since the epoch; record timestamps are stored as deltas from it. */
    readonly baseTimestamp: number,
    capacity: number,
    private readonly pool: BufferPool,
  ) {
    this.buf = pool.take(capacity);
    this.held.push(this.buf);
  }

  get recordCount(): number {
    return this.count;
  }

  /** Bytes of the header and uncompressed records so far. */
  get sizeBytes(): number {
    return this.pos;
  }

  /** Encodes one record; its offset delta is its index in the batch. */
  append(
    timestampMs: number,
    key: Uint8Array | null,
    value: Uint8Array | null,
    headers: readonly RecordHeader[],
  ): void {
    if (this.built) throw new Error('record batch already built');
    const timestampDelta = timestampMs - this.baseTimestamp;
    const offsetDelta = this.count;
    let headerBytes = varlongBytes(headers.length);
    for (const h of headers) {
      const k = Buffer.byteLength(h.key);
      headerBytes += varlongBytes(k) + k + nullableBytes(h.value);
    }
    const body =
      1 +
      varlongBytes(timestampDelta) +
      varlongBytes(offsetDelta) +
      nullableBytes(key) +
      nullableBytes(value) +
      headerBytes;
    this.ensure(varlongBytes(body) + body);
    this.writeVarlong(body);
    this.buf[this.pos++] = 0; // attributes: unused by Kafka so far
    this.writeVarlong(timestampDelta);
    this.writeVarlong(offsetDelta);
    this.writeNullable(key);
    this.writeNullable(value);
    this.writeVarlong(headers.length);
    for (const h of headers) {
      this.writeVarlong(Buffer.byteLength(h.key));
      this.pos += this.buf.write(h.key, this.pos, 'utf8');
      this.writeNullable(h.value);
    }
    this.count++;
    if (timestampDelta > this.maxTimestampDelta) this.maxTimestampDelta = timestampDelta;
    if (this.compression === CompressionType.Lz4) {
      while (this.pos - this.lz4From >= LZ4_FRAME_BLOCK_BYTES) {
        this.lz4Block(this.lz4From, this.lz4From + LZ4_FRAME_BLOCK_BYTES);
      }
    }
  }

  /**
   * The finished batch (compressed if asked), with its CRC. The producer id, epoch and base
   * sequence go in now, since the idempotent producer may assign them after the records arrived.
   * Built once: a retry sends the very same bytes.
   */
  async build(
    producerId: bigint,
    producerEpoch: number,
    baseSequence: number,
    transactional = false,
  ): Promise<Buffer> {
    this.transactional = transactional;
    if (this.built) {
      // A retry renumbered after an epoch bump: same records, new producer fields and CRC.
      const b = this.built;
      if (
        b.readBigInt64BE(BatchOffsets.producerId) !== producerId ||
        b.readInt16BE(BatchOffsets.producerEpoch) !== producerEpoch ||
        b.readInt32BE(BatchOffsets.baseSequence) !== baseSequence ||
        (b.readInt16BE(BatchOffsets.attributes) & ATTR_TRANSACTIONAL) !==
          (transactional ? ATTR_TRANSACTIONAL : 0)
      )
        this.writeHeader(b, producerId, producerEpoch, baseSequence);
      return b;
    }
    let batch: Buffer;
    if (this.compression === CompressionType.None) batch = this.buf.subarray(0, this.pos);
    else if (this.compression === CompressionType.Lz4) batch = this.lz4Batch();
    else {
      const body = await compress(this.compression, this.buf.subarray(BATCH_HEADER_BYTES, this.pos));
      batch = Buffer.allocUnsafe(BATCH_HEADER_BYTES + body.length);
      body.copy(batch, BATCH_HEADER_BYTES);
      this.recycle();
    }
    this.writeHeader(batch, producerId, producerEpoch, baseSequence);
    this.built = batch;
    return batch;
  }

  /** Gives the pooled buffers back; only once nothing (a socket write, a retry) can read the batch. */
  recycle(): void {
    for (const b of this.held.splice(0)) this.pool.give(b);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    // A record larger than the accumulator's estimate: move to a buffer of its own.
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private writeVarlong(v: number): void {
    let x = v >= 0 ? v * 2 : -v * 2 - 1;
    const buf = this.buf;
    while (x >= 0x80) {
      buf[this.pos++] = (x & 0x7f) | 0x80;
      x = x >= 0x80000000 ? Math.floor(x / 128) : x >>> 7;
    }
    buf[this.pos++] = x;
  }

  private writeNullable(b: Uint8Array | null): void {
    if (b === null) {
      this.buf[this.pos++] = 1; // zigzag(-1)
      return;
    }
    this.writeVarlong(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /**
   * Compresses one block of the records section into the frame. An incompressible block stays a
   * view of `buf`, which is safe: a buffer records were written to goes back to the pool only once
   * the batch has been copied out (`lz4Batch`) or is done with (`recycle`).
   */
  private lz4Block(from: number, to: number): void {
    this.lz4Frame ??= new Lz4FrameWriter();
    this.lz4Frame.addBlockSync(this.buf.subarray(from, to));
    this.lz4From = to;
  }

  private lz4Batch(): Buffer {
    if (this.pos > this.lz4From) this.lz4Block(this.lz4From, this.pos);
    const frame = this.lz4Frame ?? new Lz4FrameWriter();
    const size = BATCH_HEADER_BYTES + frame.frameBytes;
    const out = this.pool.take(size);
    this.held.push(out);
    frame.writeTo(out, BATCH_HEADER_BYTES);
    // The uncompressed records are no longer needed: the next batch can take their buffer.
    this.pool.give(this.held.shift()!);
    this.lz4Frame = null;
    return out.subarray(0, size);
  }

  private writeHeader(batch: Buffer, producerId: bigint, producerEpoch: number, baseSequence: number): void {
    batch.writeBigInt64BE(0n, BatchOffsets.baseOffset);
    batch.writeInt32BE(batch.length - LOG_OVERHEAD, BatchOffsets.batchLength);
    batch.writeInt32BE(-1, BatchOffsets.partitionLeaderEpoch);
    batch.writeInt8(2, BatchOffsets.magic);
    batch.writeInt16BE(
      this.compression | (this.transactional ? ATTR_TRANSACTIONAL : 0),
      BatchOffsets.attributes,
    );
    batch.writeInt32BE(Math.max(0, this.count - 1), BatchOffsets.lastOffsetDelta);
    batch.writeBigInt64BE(BigInt(this.baseTimestamp), BatchOffsets.baseTimestamp);
    batch.writeBigInt64BE(BigInt(this.baseTimestamp + this.maxTimestampDelta), BatchOffsets.maxTimestamp);
    batch.writeBigInt64BE(producerId, BatchOffsets.producerId);
    batch.writeInt16BE(producerEpoch, BatchOffsets.producerEpoch);
    batch.writeInt32BE(baseSequence, BatchOffsets.baseSequence);
    batch.writeInt32BE(this.count, BatchOffsets.recordCount);
    batch.writeUInt32BE(computeBatchCrc(batch), BatchOffsets.crc);
  }
}
