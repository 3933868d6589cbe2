import { isUtf8 } from 'node:buffer';
import { ProtocolError } from '../primitives/protocol-error.js';
import type { Reader } from '../primitives/reader.js';
import type { Writer } from '../primitives/writer.js';

/**
 * One record inside a v2 batch (KIP-98, "Record" in the protocol guide's record format section).
 * This name shadows TypeScript's `Record<K, V>` utility in files that import it; import it as
 * `type Record as KafkaRecord` where both are needed.
 */
export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface Record {
  /** Unused by Kafka so far; always 0 when written by Kafka's clients. */
  attributes?: number;
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** The smallest encoded record: length, attributes, two deltas, two null lengths, zero headers. */
export const RECORD_BYTES_MIN = 7;

function varintBytes(v: number): number {
  let x = ((v << 1) ^ (v >> 31)) >>> 0;
  let n = 1;
  while (x >= 0x80) {
    x >>>= 7;
    n++;
  }
  return n;
}

function varlongBytes(v: number): number {
  if (v >= -0x40000000 && v < 0x40000000) return varintBytes(v);
  let x = BigInt.asUintN(64, (BigInt(v) << 1n) ^ (BigInt(v) >> 63n));
  let n = 1;
  while (x >= 0x80n) {
    x >>= 7n;
    n++;
  }
  return n;
}

function nullableBytesSize(b: Uint8Array | null): number {
  return b === null ? 1 : varintBytes(b.length) + b.length;
}

/** The encoded size of a record's body, which its leading length varint counts. */
export function recordBodyBytes(r: Record): number {
  let n = 1 + varlongBytes(r.timestampDelta) + varintBytes(r.offsetDelta);
  n += nullableBytesSize(r.key) + nullableBytesSize(r.value);
  n += varintBytes(r.headers.length);
  for (const h of r.headers) {
    const k = Buffer.byteLength(h.key);
    n += varintBytes(k) + k + nullableBytesSize(h.value);
  }
  return n;
}

/** Upper bound of a record's whole encoding, for sizing buffers. */
export function recordBytes(r: Record): number {
  const body = recordBodyBytes(r);
  return varintBytes(body) + body;
}

function writeNullable(w: Writer, b: Uint8Array | null): void {
  if (b === null) {
    w.writeVarint(-1);
    return;
  }
  w.writeVarint(b.length);
  w.writeRaw(b);
}

export function writeRecord(w: Writer, r: Record): void {
  w.writeVarint(recordBodyBytes(r));
  w.writeInt8(r.attributes ?? 0);
  w.writeVarlongNumber(r.timestampDelta);
  w.writeVarint(r.offsetDelta);
  writeNullable(w, r.key);
  writeNullable(w, r.value);
  w.writeVarint(r.headers.length);
  for (const h of r.headers) {
    w.writeVarint(Buffer.byteLength(h.key));
    w.writeRaw(Buffer.from(h.key, 'utf8'));
    writeNullable(w, h.value);
  }
}

function invalid(message: string, at: number): ProtocolError {
  return new ProtocolError('INVALID_RECORD', message, at);
}

function readNullable(r: Reader, what: string): Buffer | null {
  const at = r.pos;
  const n = r.readVarint();
  if (n === -1) return null;
  if (n < 0) throw invalid(`negative ${what} length ${n}`, at);
  if (n > r.remaining()) throw invalid(`${what} length ${n} exceeds the record`, at);
  return r.readRaw(n);
}

/**
 * Reads one record, checking that its declared length matches what its fields use.
 * Byte fields are views into `r.buf`, not copies. Reader errors (truncation, varint overflow,
 * bad UTF-8) surface as INVALID_RECORD, which is what Kafka answers for a bad record structure.
 */
export function readRecord(r: Reader): Record {
  const start = r.pos;
  let length: number;
  try {
    length = r.readVarint();
  } catch (e) {
    throw asInvalid(e);
  }
  if (length < RECORD_BYTES_MIN - 1 || length > r.remaining()) {
    throw invalid(`record length ${length} does not fit the ${r.remaining()} bytes left`, start);
  }
  return readRecordFields(r, length, start);
}

/**
 * The fields of a record whose length varint (at `start`) has been read and whose `length` bytes
 * follow at `r.pos`: what readRecord does after the length, for callers that found the record's
 * bounds themselves (a walk over decompressed pieces).
 */
export function readRecordFields(r: Reader, length: number, start: number): Record {
  try {
    const end = r.pos + length;
    const attributes = r.readInt8();
    const timestampDelta = r.readVarlongNumber();
    const offsetDelta = r.readVarint();
    const key = readNullable(r, 'key');
    const value = readNullable(r, 'value');
    const count = r.readVarint();
    // A header needs at least two bytes (key length and value length).
    if (count < 0 || count * 2 > end - r.pos) throw invalid(`header count ${count} is impossible`, start);
    const headers: RecordHeader[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const at = r.pos;
      const k = r.readVarint();
      if (k < 0) throw invalid(`negative header key length ${k}`, at);
      if (k > end - r.pos) throw invalid(`header key length ${k} exceeds the record`, at);
      const keyBytes = r.readRaw(k);
      headers[i] = { key: utf8(keyBytes, at), value: readNullable(r, 'header value') };
    }
    if (r.pos !== end) {
      throw invalid(`record declares ${length} bytes but its fields use ${r.pos - (end - length)}`, start);
    }
    return { attributes, offsetDelta, timestampDelta, key, value, headers };
  } catch (e) {
    throw asInvalid(e);
  }
}

function asInvalid(e: unknown): unknown {
  if (e instanceof ProtocolError && e.code !== 'INVALID_RECORD') {
    return new ProtocolError('INVALID_RECORD', `malformed record: ${e.message}`, e.position, { cause: e });
  }
  return e;
}

function utf8(b: Buffer, at: number): string {
  if (!isUtf8(b)) throw invalid('header key is not valid UTF-8', at);
  return b.toString('utf8');
}
