import { type CompressOptions, compressSync, decompressSync } from '../compression/compress.js';
import type { DecompressOptions } from '../compression/decompressed-bytes-max.js';
import { crc32 } from '../primitives/crc32.js';
import { ProtocolError } from '../primitives/protocol-error.js';
import {
  ATTR_COMPRESSION_MASK,
  ATTR_TIMESTAMP_TYPE,
  CompressionType,
  TimestampType,
} from './record-batch-header.js';

/**
 * Legacy message sets, magic 0 and 1 (the protocol guide's "Message sets"; KIP-31 and KIP-32).
 * Each message is: offset int64, message size int32, then the part the size counts: crc int32
 * (CRC32 of what follows it), magic int8, attributes int8, timestamp int64 (magic 1 only),
 * key and value as int32-length bytes. A compressed message ("wrapper") holds a whole inner
 * message set as its value: inner offsets are absolute in magic 0 and relative (0, 1, ...)
 * in magic 1, where the wrapper's offset is that of its last inner message.
 */
export type LegacyMagic = 0 | 1;

/** offset + message size: the part the size does not count. */
export const MESSAGE_LOG_OVERHEAD = 12;
/** Smallest message after MESSAGE_LOG_OVERHEAD: crc, magic, attributes, two null lengths (+ timestamp in v1). */
export const MESSAGE_OVERHEAD_V0 = 14;
export const MESSAGE_OVERHEAD_V1 = 22;
const CRC_AT = 12;
const MAGIC_AT = 16;
const ATTRIBUTES_AT = 17;

/** One message as written, wrapper or not. `value` of a wrapper is its compressed inner set. */
export interface LegacyMessage {
  offset: bigint;
  magic: LegacyMagic;
  attributes: number;
  compression: CompressionType;
  timestampType: TimestampType;
  /** -1 when absent (magic 0). */
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  /** Position of the message in the input, for error reports. */
  at: number;
}

/** One logical record after unwrapping: absolute offset and effective timestamp. */
export interface LegacyRecord {
  offset: bigint;
  magic: LegacyMagic;
  timestampType: TimestampType;
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
}

function corrupt(message: string, at: number): ProtocolError {
  return new ProtocolError('CORRUPT_RECORD', message, at);
}

function readNullableBytes(buf: Buffer, at: number, end: number): { value: Buffer | null; next: number } {
  if (end - at < 4) throw corrupt('message truncated at a length field', at);
  const n = buf.readInt32BE(at);
  if (n === -1) return { value: null, next: at + 4 };
  if (n < 0 || n > end - at - 4) throw corrupt(`message field length ${n} does not fit`, at);
  return { value: buf.subarray(at + 4, at + 4 + n), next: at + 4 + n };
}

/** Parses the message at `at`, which the caller has checked lies within `buf` whole. */
function readMessage(buf: Buffer, at: number, size: number): LegacyMessage {
  const end = at + MESSAGE_LOG_OVERHEAD + size;
  const magic = buf.readInt8(at + MAGIC_AT);
  if (magic !== 0 && magic !== 1) throw corrupt(`message magic ${magic} is not 0 or 1`, at + MAGIC_AT);
  const minimum = magic === 0 ? MESSAGE_OVERHEAD_V0 : MESSAGE_OVERHEAD_V1;
  if (size < minimum) throw corrupt(`message size ${size} below the minimum ${minimum}`, at + 8);
  const stored = buf.readUInt32BE(at + CRC_AT);
  const computed = crc32(buf.subarray(at + MAGIC_AT, end));
  if (stored !== computed)
    throw corrupt(`message CRC ${stored} does not match computed ${computed}`, at + CRC_AT);
  const attributes = buf.readInt8(at + ATTRIBUTES_AT);
  const compression = attributes & ATTR_COMPRESSION_MASK;
  if (compression > CompressionType.Lz4) {
    throw new ProtocolError(
      'UNSUPPORTED_COMPRESSION',
      `compression ${compression} in a magic ${magic} message`,
      at + ATTRIBUTES_AT,
    );
  }
  let p = at + ATTRIBUTES_AT + 1;
  let timestamp = -1n;
  if (magic === 1) {
    timestamp = buf.readBigInt64BE(p);
    p += 8;
  }
  const key = readNullableBytes(buf, p, end);
  const value = readNullableBytes(buf, key.next, end);
  if (value.next !== end) throw corrupt(`message has ${end - value.next} bytes after its value`, value.next);
  return {
    offset: buf.readBigInt64BE(at),
    magic,
    attributes,
    compression: compression as CompressionType,
    timestampType:
      magic === 1 && attributes & ATTR_TIMESTAMP_TYPE
        ? TimestampType.LogAppendTime
        : TimestampType.CreateTime,
    timestamp,
    key: key.value,
    value: value.value,
    at,
  };
}

export interface ReadMessageSetOptions {
  /** Fetch responses may end in a partial message; Produce requests may not. */
  allowPartialTail?: boolean;
}

/** Splits a message set into its messages without unwrapping compressed ones. */
export function readMessageSet(
  buf: Buffer,
  options: ReadMessageSetOptions = {},
): { messages: LegacyMessage[]; partialTail: number } {
  const messages: LegacyMessage[] = [];
  let at = 0;
  while (at < buf.length) {
    if (buf.length - at < MESSAGE_LOG_OVERHEAD + MESSAGE_OVERHEAD_V0) {
      if (options.allowPartialTail) break;
      throw corrupt(`${buf.length - at} bytes are too few for a message`, at);
    }
    const size = buf.readInt32BE(at + 8);
    if (size < MESSAGE_OVERHEAD_V0) throw corrupt(`message size ${size} below the minimum`, at + 8);
    if (size > buf.length - at - MESSAGE_LOG_OVERHEAD) {
      if (options.allowPartialTail) break;
      throw corrupt(
        `message size ${size} exceeds the ${buf.length - at - MESSAGE_LOG_OVERHEAD} bytes left`,
        at + 8,
      );
    }
    messages.push(readMessage(buf, at, size));
    at += MESSAGE_LOG_OVERHEAD + size;
  }
  return { messages, partialTail: buf.length - at };
}

function plain(m: LegacyMessage): LegacyRecord {
  return {
    offset: m.offset,
    magic: m.magic,
    timestampType: m.timestampType,
    timestamp: m.timestamp,
    key: m.key,
    value: m.value,
  };
}

/**
 * The records of one message: itself when uncompressed, else its inner messages with absolute
 * offsets (Kafka's AbstractLegacyRecordBatch deep iterator) and, under LogAppendTime, the
 * wrapper's timestamp.
 */
export function unwrapMessage(m: LegacyMessage, options: DecompressOptions = {}): LegacyRecord[] {
  if (m.compression === CompressionType.None) return [plain(m)];
  return innerRecords(m, decompressSync(m.compression, wrappedValue(m), options));
}

function wrappedValue(m: LegacyMessage): Buffer {
  if (m.value === null)
    throw new ProtocolError('INVALID_RECORD', 'compressed message has a null value', m.at);
  return m.value;
}

function innerRecords(m: LegacyMessage, inner: Buffer): LegacyRecord[] {
  const { messages } = readMessageSet(inner);
  if (messages.length === 0)
    throw new ProtocolError('INVALID_RECORD', 'compressed message holds no messages', m.at);
  for (const i of messages) {
    if (i.compression !== CompressionType.None) {
      throw new ProtocolError('INVALID_RECORD', 'compressed message nested in a compressed message', m.at);
    }
    if (i.magic !== m.magic) {
      throw new ProtocolError(
        'INVALID_RECORD',
        `inner magic ${i.magic} differs from wrapper magic ${m.magic}`,
        m.at,
      );
    }
  }
  // Producers leave the wrapper offset at 0 for the broker to assign, which makes the base
  // negative: then, like Kafka's deep iterator (and kafka-python's), inner offsets stand as they are.
  const relativeBase = m.magic === 1 ? m.offset - messages[messages.length - 1]!.offset : -1n;
  const base = relativeBase >= 0n ? relativeBase : 0n;
  let previous = -1n;
  return messages.map((i) => {
    const offset = base + i.offset;
    if (offset <= previous) throw new ProtocolError('INVALID_RECORD', 'inner offsets out of order', m.at);
    previous = offset;
    const r = plain(i);
    r.offset = offset;
    if (m.timestampType === TimestampType.LogAppendTime) {
      r.timestampType = TimestampType.LogAppendTime;
      r.timestamp = m.timestamp;
    }
    return r;
  });
}

/** Every record of a message set, compressed wrappers unwrapped. */
export function decodeMessageSet(
  buf: Buffer,
  options: ReadMessageSetOptions & DecompressOptions = {},
): LegacyRecord[] {
  const out: LegacyRecord[] = [];
  for (const m of readMessageSet(buf, options).messages) out.push(...unwrapMessage(m, options));
  return out;
}

export interface LegacyRecordInput {
  offset: bigint;
  /** Ignored for magic 0; -1 means none. */
  timestamp?: bigint;
  key: Buffer | null;
  value: Buffer | null;
}

export interface MessageSetInput {
  magic: LegacyMagic;
  compression?: CompressionType;
  /**
   * Defaults: LZ4 frames with the broken header checksum for magic 0, and snappy in xerial framing,
   * which is what the Java clients that read these formats expect.
   */
  compressOptions?: CompressOptions;
  timestampType?: TimestampType;
  /** The wrapper's timestamp (magic 1); defaults to the largest inner timestamp. */
  wrapperTimestamp?: bigint;
  records: readonly LegacyRecordInput[];
}

function messageBytes(magic: LegacyMagic, key: Buffer | null, value: Buffer | null): number {
  return (
    (magic === 0 ? MESSAGE_OVERHEAD_V0 : MESSAGE_OVERHEAD_V1) + (key?.length ?? 0) + (value?.length ?? 0)
  );
}

function writeMessage(
  out: Buffer,
  at: number,
  magic: LegacyMagic,
  attributes: number,
  offset: bigint,
  timestamp: bigint,
  key: Buffer | null,
  value: Buffer | null,
): number {
  const size = messageBytes(magic, key, value);
  out.writeBigInt64BE(offset, at);
  out.writeInt32BE(size, at + 8);
  out.writeInt8(magic, at + MAGIC_AT);
  out.writeInt8(attributes, at + ATTRIBUTES_AT);
  let p = at + ATTRIBUTES_AT + 1;
  if (magic === 1) {
    out.writeBigInt64BE(timestamp, p);
    p += 8;
  }
  for (const b of [key, value]) {
    out.writeInt32BE(b === null ? -1 : b.length, p);
    p += 4;
    if (b !== null) p += b.copy(out, p);
  }
  const end = at + MESSAGE_LOG_OVERHEAD + size;
  out.writeUInt32BE(crc32(out.subarray(at + MAGIC_AT, end)), at + CRC_AT);
  return end;
}

function writePlain(
  magic: LegacyMagic,
  attributes: number,
  records: readonly LegacyRecordInput[],
  relative: boolean,
): Buffer {
  let total = 0;
  for (const r of records) total += MESSAGE_LOG_OVERHEAD + messageBytes(magic, r.key, r.value);
  const out = Buffer.allocUnsafe(total);
  const first = records.length > 0 ? records[0]!.offset : 0n;
  let at = 0;
  for (const r of records) {
    const offset = relative ? r.offset - first : r.offset;
    at = writeMessage(out, at, magic, attributes, offset, r.timestamp ?? -1n, r.key, r.value);
  }
  return out;
}

/** A compressed set waiting for its inner messages to be compressed. */
interface PendingWrapper {
  inner: Buffer;
  compression: CompressionType;
  options: CompressOptions;
  wrap(value: Buffer): Buffer;
}

function plan(input: MessageSetInput): Buffer | PendingWrapper {
  const { magic, records } = input;
  const compression = input.compression ?? CompressionType.None;
  if (compression > CompressionType.Lz4) {
    throw new ProtocolError('UNSUPPORTED_COMPRESSION', `compression ${compression} needs magic 2`);
  }
  const timestampBit =
    magic === 1 && input.timestampType === TimestampType.LogAppendTime ? ATTR_TIMESTAMP_TYPE : 0;
  if (compression === CompressionType.None || records.length === 0) {
    return writePlain(magic, timestampBit, records, false);
  }
  let maxTimestamp = -1n;
  for (const r of records) if ((r.timestamp ?? -1n) > maxTimestamp) maxTimestamp = r.timestamp ?? -1n;
  const last = records[records.length - 1]!.offset;
  return {
    inner: writePlain(magic, timestampBit, records, magic === 1),
    compression,
    options: { lz4BrokenHeaderChecksum: magic === 0, snappyXerial: true, ...input.compressOptions },
    wrap: (value) => {
      const wrapper = Buffer.allocUnsafe(MESSAGE_LOG_OVERHEAD + messageBytes(magic, null, value));
      const timestamp = input.wrapperTimestamp ?? maxTimestamp;
      writeMessage(wrapper, 0, magic, timestampBit | compression, last, timestamp, null, value);
      return wrapper;
    },
  };
}

/**
 * Encodes records as a message set: one message each when uncompressed, or a single wrapper
 * holding them all (as Kafka's producers and broker conversion write) when compressed.
 */
export function encodeMessageSet(input: MessageSetInput): Buffer {
  const p = plan(input);
  return Buffer.isBuffer(p) ? p : p.wrap(compressSync(p.compression, p.inner, p.options));
}
