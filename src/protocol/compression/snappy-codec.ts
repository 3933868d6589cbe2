import { createRequire } from 'node:module';

type Snappy = typeof import('snappy');
let snappyModule: Snappy | null = null;
/** The native library loads on first use, so a broker that never sees snappy never maps it. */
function snappy(): Snappy {
  snappyModule ??= createRequire(import.meta.url)('snappy') as Snappy;
  return snappyModule;
}

import { ProtocolError } from '../primitives/protocol-error.js';
import { DECOMPRESSED_BYTES_MAX, decompressedTooLarge } from './decompressed-bytes-max.js';

/**
 * Snappy as Kafka clients write it. The Java client wraps raw snappy blocks in xerial's
 * SnappyOutputStream framing: the 8-byte magic `\x82SNAPPY\0`, int32 version and compatible-version,
 * then int32 (big-endian) length-prefixed raw snappy blocks. librdkafka and most others write one
 * raw snappy block. Decoding accepts both; encoding writes raw unless `xerial` is asked for.
 */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;
/** xerial's default block size; the Java client uses it too. */
const XERIAL_BLOCK_BYTES = 32 * 1024;

/**
 * Output copied into an ordinary Buffer rather than handed over as an external one: the library
 * calls this the slower path, but on Node 20 external buffers cost a finaliser and GC pressure each,
 * and bench/compression.bench.ts measures copying as five to six times faster for 1 MiB.
 */
const ENC = { copyOutputData: true };
const DEC = { asBuffer: true, copyOutputData: true };

export function isXerialSnappy(data: Uint8Array): boolean {
  if (data.length < XERIAL_HEADER_BYTES) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (data[i] !== XERIAL_MAGIC[i]) return false;
  return true;
}

/** The uncompressed length a raw snappy block declares (its leading varint). */
function rawLength(block: Uint8Array, position: number): number {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= block.length) break;
    const b = block[i]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return value;
  }
  throw new ProtocolError('CORRUPT_RECORD', 'snappy block has no valid length', position);
}

/**
 * Checks a raw block's declared length before the library allocates it: against the caller's
 * budget, and against what the block could possibly expand to. Snappy's densest element, a copy
 * with a 2-byte offset, turns 3 bytes into 64, so no block expands more than about 21 times.
 */
function checkRawLength(block: Buffer, position: number, budget: number): void {
  const n = rawLength(block, position);
  if (n > block.length * 22 + 64) {
    throw new ProtocolError('CORRUPT_RECORD', `snappy block of ${block.length} bytes claims ${n}`, position);
  }
  if (n > budget) throw decompressedTooLarge(budget, position);
}

function uncompressRaw(block: Buffer, position: number, budget: number): Buffer {
  checkRawLength(block, position, budget);
  try {
    return snappy().uncompressSync(block, DEC) as Buffer;
  } catch (cause) {
    throw new ProtocolError('CORRUPT_RECORD', 'snappy data is corrupt', position, { cause });
  }
}

/** Splits a xerial stream into its raw blocks, checking each length against the input. */
function xerialBlocks(data: Buffer): { block: Buffer; at: number }[] {
  const blocks: { block: Buffer; at: number }[] = [];
  let at = XERIAL_HEADER_BYTES;
  while (at < data.length) {
    if (data.length - at < 4) throw new ProtocolError('CORRUPT_RECORD', 'truncated xerial block length', at);
    const n = data.readInt32BE(at);
    if (n < 0 || n > data.length - at - 4) {
      throw new ProtocolError('CORRUPT_RECORD', `xerial block length ${n} exceeds the input`, at);
    }
    blocks.push({ block: data.subarray(at + 4, at + 4 + n), at: at + 4 });
    at += 4 + n;
  }
  return blocks;
}

export function snappyDecompressSync(data: Buffer, maxBytes = DECOMPRESSED_BYTES_MAX): Buffer {
  if (!isXerialSnappy(data)) return uncompressRaw(data, 0, maxBytes);
  const out: Buffer[] = [];
  let total = 0;
  for (const { block, at } of xerialBlocks(data)) {
    const part = uncompressRaw(block, at, maxBytes - total);
    out.push(part);
    total += part.length;
  }
  return Buffer.concat(out, total);
}

export async function snappyDecompress(data: Buffer, maxBytes = DECOMPRESSED_BYTES_MAX): Promise<Buffer> {
  if (!isXerialSnappy(data)) {
    checkRawLength(data, 0, maxBytes);
    try {
      return (await snappy().uncompress(data, DEC)) as Buffer;
    } catch (cause) {
      throw new ProtocolError('CORRUPT_RECORD', 'snappy data is corrupt', 0, { cause });
    }
  }
  // xerial blocks are small (32 KiB); decoding them on this thread costs less than a hop per block.
  return snappyDecompressSync(data, maxBytes);
}

/**
 * Raw blocks declaring at most this many bytes are decoded on the calling thread by snappyChunks:
 * the library's synchronous call decodes 1.5–4 GB/s (a few milliseconds for 8 MiB), while its
 * asynchronous one, on the thread pool, measured 5–10 times the CPU per byte.
 */
const RAW_ON_THREAD_BYTES_MAX = 8 << 20;

/**
 * The content in pieces, for callers that walk it without holding it: xerial blocks one at a time
 * (32 KiB each as the Java client writes them). A raw block cannot be split (its copies reach back
 * anywhere in it), so it comes whole: on the calling thread up to 8 MiB, on the thread pool past
 * that. Its declared length is checked against the cap first, and snappy expands at most about
 * 21 times.
 */
export async function* snappyChunks(
  data: Buffer,
  maxBytes = DECOMPRESSED_BYTES_MAX,
): AsyncGenerator<Buffer, void, undefined> {
  if (!isXerialSnappy(data)) {
    checkRawLength(data, 0, maxBytes);
    yield rawLength(data, 0) <= RAW_ON_THREAD_BYTES_MAX
      ? uncompressRaw(data, 0, maxBytes)
      : await snappyDecompress(data, maxBytes);
    return;
  }
  let total = 0;
  for (const { block, at } of xerialBlocks(data)) {
    const part = uncompressRaw(block, at, maxBytes - total);
    total += part.length;
    yield part;
  }
}

function xerialHeader(): Buffer {
  const h = Buffer.alloc(XERIAL_HEADER_BYTES);
  XERIAL_MAGIC.copy(h, 0);
  h.writeInt32BE(1, 8); // version
  h.writeInt32BE(1, 12); // minimum compatible version
  return h;
}

export function snappyCompressSync(data: Buffer, xerial = false): Buffer {
  if (!xerial) return snappy().compressSync(data, ENC);
  const parts: Buffer[] = [xerialHeader()];
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_BYTES) {
    const block = snappy().compressSync(data.subarray(at, at + XERIAL_BLOCK_BYTES), ENC);
    const len = Buffer.allocUnsafe(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}

export async function snappyCompress(data: Buffer, xerial = false): Promise<Buffer> {
  if (!xerial) return snappy().compress(data, ENC);
  return snappyCompressSync(data, true);
}
