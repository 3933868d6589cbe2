import { ProtocolError } from './protocol-error.js';

/** Byte fields at least this long are referenced, not copied, so record data reaches the socket untouched. */
const ZERO_COPY_MIN_BYTES = 4096;
const INITIAL_CAPACITY = 256;

/**
 * An append-only encoder that grows by doubling. Large byte fields (records in Produce and Fetch)
 * are kept as references and come out as separate chunks of `toBuffers()`, ready for a vectored write.
 */
export class Writer {
  private chunks: Buffer[] = [];
  private buf: Buffer;
  private pos = 0;
  private flushedBytes = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Bytes written so far, including referenced chunks. */
  get length(): number {
    return this.flushedBytes + this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  writeInt8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  writeUInt8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  writeBoolean(v: boolean): this {
    return this.writeInt8(v ? 1 : 0);
  }

  writeInt16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  writeUInt16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  writeInt32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  writeUInt32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  writeInt64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
    return this;
  }

  writeFloat64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  writeUnsignedVarint(v: number): this {
    this.ensure(5);
    let x = v >>> 0;
    while (x >= 0x80) {
      this.buf[this.pos++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    this.buf[this.pos++] = x;
    return this;
  }

  writeVarint(v: number): this {
    return this.writeUnsignedVarint((v << 1) ^ (v >> 31));
  }

  writeVarlong(v: bigint): this {
    this.ensure(10);
    let x = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    while (x >= 0x80n) {
      this.buf[this.pos++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.pos++] = Number(x);
    return this;
  }

  /** A varlong whose value is a safe integer (record deltas); avoids BigInt on the common path. */
  writeVarlongNumber(v: number): this {
    if (v >= -0x40000000 && v < 0x40000000) return this.writeVarint(v);
    return this.writeVarlong(BigInt(v));
  }

  /** Copies small buffers, references large ones. */
  writeRaw(b: Uint8Array): this {
    if (b.length >= ZERO_COPY_MIN_BYTES) {
      this.flushCurrent();
      this.chunks.push(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length));
      this.flushedBytes += b.length;
      return this;
    }
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  private flushCurrent(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.flushedBytes += this.pos;
    this.buf = this.buf.subarray(this.pos);
    this.pos = 0;
    if (this.buf.length < INITIAL_CAPACITY) this.buf = Buffer.allocUnsafe(INITIAL_CAPACITY);
  }

  writeString(s: string): this {
    const n = Buffer.byteLength(s);
    if (n > 0x7fff) throw new ProtocolError('INVALID_FIELD', `string of ${n} bytes exceeds int16 length`);
    this.writeInt16(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    return this;
  }

  writeNullableString(s: string | null): this {
    if (s === null) return this.writeInt16(-1);
    return this.writeString(s);
  }

  writeCompactString(s: string): this {
    const n = Buffer.byteLength(s);
    this.writeUnsignedVarint(n + 1);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    return this;
  }

  writeCompactNullableString(s: string | null): this {
    if (s === null) return this.writeUnsignedVarint(0);
    return this.writeCompactString(s);
  }

  writeBytes(b: Uint8Array): this {
    this.writeInt32(b.length);
    return this.writeRaw(b);
  }

  writeNullableBytes(b: Uint8Array | null): this {
    if (b === null) return this.writeInt32(-1);
    return this.writeBytes(b);
  }

  writeCompactBytes(b: Uint8Array): this {
    this.writeUnsignedVarint(b.length + 1);
    return this.writeRaw(b);
  }

  writeCompactNullableBytes(b: Uint8Array | null): this {
    if (b === null) return this.writeUnsignedVarint(0);
    return this.writeCompactBytes(b);
  }

  writeUuid(id: string): this {
    const raw = Buffer.from(id, 'base64url');
    if (raw.length !== 16) throw new ProtocolError('INVALID_FIELD', `not a 16-byte uuid: ${id}`);
    return this.writeRaw(raw);
  }

  writeArrayLength(n: number | null): this {
    return this.writeInt32(n === null ? -1 : n);
  }

  writeCompactArrayLength(n: number | null): this {
    return this.writeUnsignedVarint(n === null ? 0 : n + 1);
  }

  /** Reserves 4 bytes for a length to be patched later; returns the absolute position. */
  reserveInt32(): number {
    const at = this.length;
    this.writeInt32(0);
    return at;
  }

  /** Patches an int32 at an absolute position written earlier. */
  patchInt32(at: number, v: number): void {
    let base = 0;
    for (const c of this.chunks) {
      if (at < base + c.length) {
        c.writeInt32BE(v, at - base);
        return;
      }
      base += c.length;
    }
    this.buf.writeInt32BE(v, at - base);
  }

  /** The encoded bytes as chunks, suitable for socket.cork()/write or writev. */
  toBuffers(): Buffer[] {
    this.flushCurrent();
    return this.chunks;
  }

  /** The encoded bytes as one buffer (copies only when there is more than one chunk). */
  toBuffer(): Buffer {
    const chunks = this.toBuffers();
    if (chunks.length === 1) return chunks[0]!;
    return Buffer.concat(chunks, this.flushedBytes);
  }
}
