import { isUtf8 } from 'node:buffer';
import { ProtocolError } from './protocol-error.js';

/**
 * A bounds-checked cursor over bytes that came from the network or a file.
 * Every read checks what remains first, so any byte string yields a value or a ProtocolError,
 * and no length field can make us allocate more than the input holds: byte fields are views
 * (subarray), never copies.
 */
export class Reader {
  readonly buf: Buffer;
  pos: number;
  readonly end: number;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  remaining(): number {
    return this.end - this.pos;
  }

  /** Throws TRUNCATED unless `n` more bytes are available. */
  need(n: number): void {
    if (n > this.end - this.pos) {
      throw new ProtocolError('TRUNCATED', `needed ${n} bytes, ${this.end - this.pos} left`, this.pos);
    }
  }

  readInt8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  readUInt8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  readBoolean(): boolean {
    return this.readInt8() !== 0;
  }

  readInt16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  readUInt16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  readInt32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  readUInt32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  readInt64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  readFloat64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Unsigned LEB128 varint of at most 32 bits (5 bytes), as Kafka's ByteUtils.readUnsignedVarint. */
  readUnsignedVarint(): number {
    const start = this.pos;
    let value = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new ProtocolError('TRUNCATED', 'varint runs past the end', start);
      const b = this.buf[this.pos++]!;
      if (shift === 28 && (b & 0xf0) !== 0) {
        throw new ProtocolError('VARINT_OVERFLOW', 'varint longer than 32 bits', start);
      }
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return value >>> 0;
      shift += 7;
    }
  }

  /** Zig-zag signed varint of 32 bits. */
  readVarint(): number {
    const raw = this.readUnsignedVarint();
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** Zig-zag signed varlong of 64 bits. */
  readVarlong(): bigint {
    const start = this.pos;
    let value = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new ProtocolError('TRUNCATED', 'varlong runs past the end', start);
      const b = this.buf[this.pos++]!;
      if (shift === 63n && (b & 0xfe) !== 0) {
        throw new ProtocolError('VARINT_OVERFLOW', 'varlong longer than 64 bits', start);
      }
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
    }
    return (value >> 1n) ^ -(value & 1n);
  }

  /** Varlong known to fit a JS number (record deltas); rejects values beyond 2^53. */
  readVarlongNumber(): number {
    const start = this.pos;
    const v = this.readVarlong();
    if (v > 9007199254740991n || v < -9007199254740991n) {
      throw new ProtocolError('INVALID_FIELD', 'varlong out of safe integer range', start);
    }
    return Number(v);
  }

  private checkLength(length: number, start: number): void {
    if (length > this.end - this.pos) {
      throw new ProtocolError(
        'LENGTH_TOO_LARGE',
        `length ${length} exceeds ${this.end - this.pos} remaining`,
        start,
      );
    }
  }

  private utf8(length: number, start: number): string {
    this.checkLength(length, start);
    const from = this.pos;
    this.pos += length;
    const view = this.buf.subarray(from, from + length);
    if (!isUtf8(view)) throw new ProtocolError('INVALID_UTF8', 'string is not valid UTF-8', start);
    return view.toString('utf8');
  }

  /** int16 length then UTF-8; -1 (null) is an error here. */
  readString(): string {
    const start = this.pos;
    const n = this.readInt16();
    if (n < 0)
      throw new ProtocolError(n === -1 ? 'NULL_NOT_ALLOWED' : 'NEGATIVE_LENGTH', `string length ${n}`, start);
    return this.utf8(n, start);
  }

  readNullableString(): string | null {
    const start = this.pos;
    const n = this.readInt16();
    if (n === -1) return null;
    if (n < 0) throw new ProtocolError('NEGATIVE_LENGTH', `string length ${n}`, start);
    return this.utf8(n, start);
  }

  readCompactString(): string {
    const start = this.pos;
    const n = this.readUnsignedVarint() - 1;
    if (n < 0) throw new ProtocolError('NULL_NOT_ALLOWED', 'compact string is null', start);
    return this.utf8(n, start);
  }

  readCompactNullableString(): string | null {
    const start = this.pos;
    const n = this.readUnsignedVarint() - 1;
    if (n < 0) return null;
    return this.utf8(n, start);
  }

  /** A view of `length` bytes, not a copy. */
  readRaw(length: number): Buffer {
    this.checkLength(length, this.pos);
    const from = this.pos;
    this.pos += length;
    return this.buf.subarray(from, from + length);
  }

  readBytes(): Buffer {
    const start = this.pos;
    const n = this.readInt32();
    if (n < 0)
      throw new ProtocolError(n === -1 ? 'NULL_NOT_ALLOWED' : 'NEGATIVE_LENGTH', `bytes length ${n}`, start);
    this.checkLength(n, start);
    return this.readRaw(n);
  }

  readNullableBytes(): Buffer | null {
    const start = this.pos;
    const n = this.readInt32();
    if (n === -1) return null;
    if (n < 0) throw new ProtocolError('NEGATIVE_LENGTH', `bytes length ${n}`, start);
    this.checkLength(n, start);
    return this.readRaw(n);
  }

  readCompactBytes(): Buffer {
    const start = this.pos;
    const n = this.readUnsignedVarint() - 1;
    if (n < 0) throw new ProtocolError('NULL_NOT_ALLOWED', 'compact bytes are null', start);
    this.checkLength(n, start);
    return this.readRaw(n);
  }

  readCompactNullableBytes(): Buffer | null {
    const start = this.pos;
    const n = this.readUnsignedVarint() - 1;
    if (n < 0) return null;
    this.checkLength(n, start);
    return this.readRaw(n);
  }

  /** 16 bytes, returned in Kafka's display form: URL-safe base64 without padding. */
  readUuid(): string {
    this.need(16);
    const from = this.pos;
    this.pos += 16;
    return this.buf.toString('base64url', from, from + 16);
  }

  /**
   * An array length (int32, -1 is null). `minElementBytes` is the smallest encoding of one element:
   * a count that cannot fit in what remains is rejected before anything is allocated.
   */
  readArrayLength(minElementBytes: number): number {
    const start = this.pos;
    const n = this.readInt32();
    this.checkCount(n, minElementBytes, start);
    return n;
  }

  /** A compact array length (unsigned varint N+1, 0 is null); -1 means null. */
  readCompactArrayLength(minElementBytes: number): number {
    const start = this.pos;
    const n = this.readUnsignedVarint() - 1;
    this.checkCount(n, minElementBytes, start);
    return n;
  }

  private checkCount(n: number, minElementBytes: number, start: number): void {
    if (n < -1) throw new ProtocolError('NEGATIVE_LENGTH', `array length ${n}`, start);
    // Elements that may encode to zero bytes still cost a loop turn each: bound them by the frame too.
    if (n > 0 && n * Math.max(minElementBytes, 1) > this.end - this.pos) {
      throw new ProtocolError(
        'LENGTH_TOO_LARGE',
        `array of ${n} cannot fit in ${this.end - this.pos} bytes`,
        start,
      );
    }
  }

  skip(n: number): void {
    this.checkLength(n, this.pos);
    this.pos += n;
  }
}

export { ZERO_UUID } from './uuid.js';
