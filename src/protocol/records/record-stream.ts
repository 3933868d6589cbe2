import { EMPTY_BYTES } from '../codec-support.js';
import { decompressChunks } from '../compression/decompress-chunks.js';
import { DECOMPRESSED_BYTES_MAX } from '../compression/decompressed-bytes-max.js';
import { ProtocolError } from '../primitives/protocol-error.js';
import { Reader } from '../primitives/reader.js';
import { RECORD_BYTES_MIN, readRecordFields } from './record.js';
import { BATCH_HEADER_BYTES, BatchOffsets, type CompressionType } from './record-batch-header.js';

/**
 * A walk over the records of a compressed batch that never holds the decompressed content whole:
 * pieces come from `decompressChunks` and are dropped once their records are read, so a batch of a
 * few kilobytes that expands to hundreds of megabytes costs a piece or two of memory, and the walk
 * yields to the event loop every `sliceBytes` of content. Kafka's LogValidator validates compressed
 * batches the same way, through the batch's streaming iterator (DefaultRecordBatch).
 *
 * Records up to 1 MiB (all but exceptional ones) are gathered whole and read by `readRecordFields`,
 * the same checks as `openRecordBatch(...).records()`; larger ones are walked field by field.
 */
export type RecordVisitor = (offsetDelta: number, timestampDelta: number, hasKey: boolean) => void;

export interface RecordStreamOptions {
  /** Largest decompressed content accepted; more raises DECOMPRESSED_TOO_LARGE. */
  maxBytes?: number;
  /** Content walked between yields to the event loop. */
  sliceBytes?: number;
}

/** Records at most this long are gathered whole (copied if they straddle pieces) and read at once. */
const WHOLE_RECORD_BYTES_MAX = 1 << 20;
const SLICE_BYTES_DEFAULT = 1 << 20;

function invalid(message: string, at = -1): ProtocolError {
  return new ProtocolError('INVALID_RECORD', message, at);
}

/** Unread decompressed pieces, consumed from the front. */
class PieceQueue {
  private readonly pieces: Buffer[] = [];
  private head: Buffer = EMPTY_BYTES;
  private at = 0;
  /** Bytes pushed and not yet consumed. */
  available = 0;
  /** Bytes consumed so far: the position in the content. */
  consumed = 0;
  ended = false;

  push(piece: Buffer): void {
    if (piece.length === 0) return;
    this.pieces.push(piece);
    this.available += piece.length;
  }

  private front(): void {
    while (this.at >= this.head.length && this.pieces.length > 0) {
      this.head = this.pieces.shift()!;
      this.at = 0;
    }
  }

  /** The next byte; the caller has checked `available`. */
  byte(): number {
    this.front();
    this.available--;
    this.consumed++;
    return this.head[this.at++]!;
  }

  /** Passes the next `n` bytes (n <= available) to `visit` as views, piece by piece. */
  take(n: number, visit?: (view: Buffer) => void): void {
    let left = n;
    while (left > 0) {
      this.front();
      const m = Math.min(left, this.head.length - this.at);
      visit?.(this.head.subarray(this.at, this.at + m));
      this.at += m;
      left -= m;
    }
    this.available -= n;
    this.consumed += n;
  }

  /** The next `n` bytes (n <= available) in one buffer: a view when they lie in one piece. */
  read(n: number): Buffer {
    this.front();
    if (this.head.length - this.at >= n) {
      const view = this.head.subarray(this.at, this.at + n);
      this.at += n;
      this.available -= n;
      this.consumed += n;
      return view;
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    this.take(n, (v) => {
      v.copy(out, at);
      at += v.length;
    });
    return out;
  }
}

/**
 * Zig-zag varint (32 bits) or varlong (as a safe integer) from the queue, not reading past
 * `limit` (the end of the record); the caller has made the bytes available unless the input ended.
 */
function readVarlong(q: PieceQueue, limit: number, maxBytes: number, what: string): number {
  let raw = 0;
  let mul = 1;
  for (let i = 0; i < maxBytes; i++) {
    if (q.available === 0 || q.consumed >= limit) throw invalid(`${what} runs past the record`);
    const b = q.byte();
    raw += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) {
      if (raw > 2 ** 54) throw invalid(`${what} out of range`);
      return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    }
    mul *= 128;
  }
  throw invalid(`${what} longer than ${maxBytes} bytes`);
}

const VARINT_BYTES = 5;
const VARLONG_BYTES = 10;

/**
 * The walk itself, as a generator that yields whenever it needs bytes that have not arrived: the
 * driver pushes the next piece and resumes it. `info` is the batch header's view of its records.
 */
function* walkRecords(
  q: PieceQueue,
  info: { recordCount: number; lastOffsetDelta: number },
  visit: RecordVisitor,
): Generator<void, void, undefined> {
  let previous = -1;
  for (let i = 0; i < info.recordCount; i++) {
    while (q.available < VARINT_BYTES && !q.ended) yield;
    if (q.available === 0) {
      throw invalid(`batch declares ${info.recordCount} records but holds ${i}`, BatchOffsets.recordCount);
    }
    const start = q.consumed;
    const length = readVarlong(q, Number.POSITIVE_INFINITY, VARINT_BYTES, 'record length');
    if (length < RECORD_BYTES_MIN - 1 || length > 0x7fffffff) {
      throw invalid(`record length ${length} is impossible`, start);
    }
    let offsetDelta: number;
    let timestampDelta: number;
    let hasKey: boolean;
    if (length <= WHOLE_RECORD_BYTES_MAX) {
      while (q.available < length && !q.ended) yield;
      if (q.available < length) {
        throw invalid(`record length ${length} does not fit the ${q.available} bytes left`, start);
      }
      const r = readRecordFields(new Reader(q.read(length), 0, length), length, 0);
      offsetDelta = r.offsetDelta;
      timestampDelta = r.timestampDelta;
      hasKey = r.key !== null;
    } else {
      const fields: { offsetDelta: number; timestampDelta: number; hasKey: boolean } = {
        offsetDelta: 0,
        timestampDelta: 0,
        hasKey: false,
      };
      yield* walkLargeRecord(q, q.consumed + length, fields);
      ({ offsetDelta, timestampDelta, hasKey } = fields);
    }
    // Offsets only grow within a batch and stay within its last offset delta (as records() checks).
    if (offsetDelta <= previous || offsetDelta > info.lastOffsetDelta) {
      throw invalid(`offset delta ${offsetDelta} out of order or past the last offset delta`, start);
    }
    previous = offsetDelta;
    visit(offsetDelta, timestampDelta, hasKey);
  }
}

/**
 * A record too large to gather: the same checks as readRecordFields, field by field, skipping
 * keys and values as they stream past. Header keys are checked as UTF-8 piece by piece.
 */
function* walkLargeRecord(
  q: PieceQueue,
  end: number,
  out: { offsetDelta: number; timestampDelta: number; hasKey: boolean },
): Generator<void, void, undefined> {
  const fill = (n: number): boolean => q.available < Math.min(n, end - q.consumed) && !q.ended;
  const skip = function* (n: number, visit?: (v: Buffer) => void): Generator<void, void, undefined> {
    let left = n;
    for (;;) {
      const m = Math.min(left, q.available);
      q.take(m, visit);
      left -= m;
      if (left === 0) return;
      if (q.ended) throw invalid(`record truncated ${left} bytes before its end`);
      yield;
    }
  };
  const nullable = function* (what: string): Generator<void, boolean, undefined> {
    while (fill(VARINT_BYTES)) yield;
    const n = readVarlong(q, end, VARINT_BYTES, `${what} length`);
    if (n === -1) return false;
    if (n < 0) throw invalid(`negative ${what} length ${n}`);
    if (n > end - q.consumed) throw invalid(`${what} length ${n} exceeds the record`);
    yield* skip(n);
    return true;
  };
  while (fill(1 + VARLONG_BYTES + VARINT_BYTES)) yield;
  if (q.available === 0) throw invalid('record truncated at its attributes');
  q.byte(); // attributes
  out.timestampDelta = readVarlong(q, end, VARLONG_BYTES, 'timestamp delta');
  out.offsetDelta = readVarlong(q, end, VARINT_BYTES, 'offset delta');
  out.hasKey = yield* nullable('key');
  yield* nullable('value');
  while (fill(VARINT_BYTES)) yield;
  const count = readVarlong(q, end, VARINT_BYTES, 'header count');
  if (count < 0 || count * 2 > end - q.consumed) throw invalid(`header count ${count} is impossible`);
  for (let i = 0; i < count; i++) {
    while (fill(VARINT_BYTES)) yield;
    const k = readVarlong(q, end, VARINT_BYTES, 'header key length');
    if (k < 0) throw invalid(`negative header key length ${k}`);
    if (k > end - q.consumed) throw invalid(`header key length ${k} exceeds the record`);
    const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    try {
      yield* skip(k, (v) => utf8.decode(v, { stream: true }));
      utf8.decode();
    } catch (e) {
      if (e instanceof ProtocolError) throw e;
      throw invalid('header key is not valid UTF-8');
    }
    yield* nullable('header value');
  }
  if (q.consumed !== end) throw invalid(`record declares more bytes than its fields use`);
}

/** Lets other callbacks (sockets, timers) run between slices of the walk. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Decompresses the batch's records piece by piece and passes each record's offset delta, timestamp
 * delta and whether it has a key to `visit` (which may throw to stop the walk). Checks what
 * `openRecordBatch(batch).records()` checks of the records; the batch header (CRC, counts) is the
 * caller's to validate first. Rejects with DECOMPRESSED_TOO_LARGE as soon as the content passes
 * `maxBytes`, and stops decompressing at the first invalid record.
 */
export async function walkCompressedRecords(
  batch: Buffer,
  info: { compression: CompressionType; recordCount: number; lastOffsetDelta: number },
  visit: RecordVisitor,
  options: RecordStreamOptions = {},
): Promise<void> {
  // Empty batches (compaction keeps them for producer state) may carry no compressed body at all.
  if (info.recordCount === 0 && batch.length === BATCH_HEADER_BYTES) return;
  const sliceBytes = options.sliceBytes ?? SLICE_BYTES_DEFAULT;
  const q = new PieceQueue();
  const walk = walkRecords(q, info, visit);
  let done = walk.next().done === true;
  let sinceYield = 0;
  const pieces = decompressChunks(info.compression, batch.subarray(BATCH_HEADER_BYTES), {
    maxBytes: options.maxBytes ?? DECOMPRESSED_BYTES_MAX,
  });
  for await (const piece of pieces) {
    q.push(piece);
    if (!done) done = walk.next().done === true;
    if (done && q.available > 0) {
      throw invalid(`${q.available}+ bytes follow the ${info.recordCount} declared records`);
    }
    sinceYield += piece.length;
    if (sinceYield >= sliceBytes) {
      sinceYield = 0;
      await yieldToEventLoop();
    }
  }
  q.ended = true;
  if (!done) done = walk.next().done === true;
  if (!done) throw new Error('record walk did not finish at the end of its input');
  if (q.available > 0) {
    throw invalid(`${q.available} bytes follow the ${info.recordCount} declared records`);
  }
}
