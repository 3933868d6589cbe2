import { createRequire } from 'node:module';

type Lz4 = typeof import('lz4-napi');
let lz4Module: Lz4 | null = null;
/** The native library loads on first use, so a broker that never sees lz4 never maps it. */
function lz4(): Lz4 {
  lz4Module ??= createRequire(import.meta.url)('lz4-napi') as Lz4;
  return lz4Module;
}

import { ProtocolError } from '../primitives/protocol-error.js';
import { DECOMPRESSED_BYTES_MAX, decompressedTooLarge } from './decompressed-bytes-max.js';
import { Xxhash32Stream, xxhash32 } from './xxhash32.js';

/**
 * The LZ4 frame format (lz4/doc/lz4_Frame_format.md), which Kafka uses for LZ4 since KIP-57.
 * The frame layer is ours; only blocks go to the native library, so we control the header checksum:
 * Kafka before 0.10 (message format v0) computed it over the magic bytes as well as the descriptor
 * (KAFKA-3160), and readers of magic 0 must accept and writers of magic 0 must produce that form.
 */
const MAGIC = 0x184d2204;
const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION_01 = 0x40;
const FLG_BLOCK_INDEPENDENCE = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_RESERVED = 0x02;
const FLG_DICT_ID = 0x01;
const BLOCK_UNCOMPRESSED = 0x80000000;
/** 64 KiB blocks, as Kafka's KafkaLZ4BlockOutputStream writes by default. */
const BD_64KB = 0x40;
const BLOCK_BYTES = 64 * 1024;
/** The size of the blocks a frame is written in (64 KiB). */
export const LZ4_FRAME_BLOCK_BYTES = BLOCK_BYTES;

export interface Lz4FrameOptions {
  /** Write the header checksum the pre-KAFKA-3160 way, for message format v0. */
  brokenHeaderChecksum?: boolean;
}

interface Block {
  /** Compressed (or stored) bytes, a view into the input. */
  data: Buffer;
  uncompressed: boolean;
  at: number;
}

interface Frame {
  blockBytesMax: number;
  blocks: Block[];
  contentSize: number;
  contentChecksum: number | null;
  at: number;
}

function corrupt(message: string, at: number): ProtocolError {
  return new ProtocolError('CORRUPT_RECORD', `lz4: ${message}`, at);
}

/** Parses one frame starting at `start`; returns it and the position after it. */
function parseFrame(data: Buffer, start: number): { frame: Frame; end: number } {
  let at = start;
  const need = (n: number): void => {
    if (data.length - at < n) throw corrupt('truncated frame', at);
  };
  need(7);
  if (data.readUInt32LE(at) !== MAGIC) throw corrupt('bad frame magic', at);
  const flg = data[at + 4]!;
  const bd = data[at + 5]!;
  if ((flg & FLG_VERSION_MASK) !== FLG_VERSION_01) throw corrupt('unsupported frame version', at + 4);
  if ((flg & FLG_RESERVED) !== 0 || (bd & 0x8f) !== 0) throw corrupt('reserved bits set', at + 4);
  // Kafka's KafkaLZ4BlockInputStream refuses linked blocks too; each block decodes on its own here.
  if ((flg & FLG_BLOCK_INDEPENDENCE) === 0)
    throw corrupt('dependent (linked) blocks are not supported', at + 4);
  const sizeCode = (bd >> 4) & 0x07;
  if (sizeCode < 4) throw corrupt(`invalid block size code ${sizeCode}`, at + 5);
  const blockBytesMax = 1 << (8 + 2 * sizeCode);
  let descriptorEnd = at + 6;
  let contentSize = -1;
  if (flg & FLG_CONTENT_SIZE) {
    need(6 + 8 + 1);
    const size = data.readBigUInt64LE(descriptorEnd);
    if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt('content size too large', descriptorEnd);
    contentSize = Number(size);
    descriptorEnd += 8;
  }
  if (flg & FLG_DICT_ID) throw corrupt('dictionaries are not supported', at + 4);
  need(descriptorEnd - at + 1);
  const hc = data[descriptorEnd]!;
  const correct = (xxhash32(data, 0, at + 4, descriptorEnd) >>> 8) & 0xff;
  const broken = (xxhash32(data, 0, at, descriptorEnd) >>> 8) & 0xff;
  if (hc !== correct && hc !== broken) throw corrupt('header checksum mismatch', descriptorEnd);
  at = descriptorEnd + 1;
  const blocks: Block[] = [];
  for (;;) {
    need(4);
    const word = data.readUInt32LE(at);
    at += 4;
    if (word === 0) break;
    const size = word & ~BLOCK_UNCOMPRESSED;
    const uncompressed = (word & BLOCK_UNCOMPRESSED) !== 0;
    if (size > blockBytesMax) throw corrupt(`block of ${size} bytes exceeds ${blockBytesMax}`, at - 4);
    need(size);
    const block = data.subarray(at, at + size);
    at += size;
    if (flg & FLG_BLOCK_CHECKSUM) {
      need(4);
      if (data.readUInt32LE(at) !== xxhash32(block)) throw corrupt('block checksum mismatch', at);
      at += 4;
    }
    blocks.push({ data: block, uncompressed, at: at - size });
  }
  let contentChecksum: number | null = null;
  if (flg & FLG_CONTENT_CHECKSUM) {
    need(4);
    contentChecksum = data.readUInt32LE(at);
    at += 4;
  }
  return { frame: { blockBytesMax, blocks, contentSize, contentChecksum, at: start }, end: at };
}

function parseFrames(data: Buffer): Frame[] {
  const frames: Frame[] = [];
  let at = 0;
  do {
    const { frame, end } = parseFrame(data, at);
    frames.push(frame);
    at = end;
  } while (at < data.length);
  return frames;
}

/**
 * lz4-napi's block API takes a little-endian size prefix, which it allocates up front and trims
 * after; an upper bound works. An LZ4 sequence turns each input byte into at most 255 output
 * bytes, so tiny blocks get small bounds: a frame of many 5-byte blocks that each claim 4 MiB
 * would otherwise cost a 4 MiB allocation per block.
 */
function prefixed(block: Block, blockBytesMax: number): Buffer {
  const buf = Buffer.allocUnsafe(block.data.length + 4);
  buf.writeUInt32LE(Math.min(blockBytesMax, block.data.length * 256 + 64), 0);
  block.data.copy(buf, 4);
  return buf;
}

function decodeError(cause: unknown, block: Block): ProtocolError {
  if (cause instanceof ProtocolError) return cause;
  return new ProtocolError('CORRUPT_RECORD', 'lz4: corrupt block', block.at, { cause });
}

/**
 * Tracks output against the cap as blocks decode, so a frame of many tiny blocks that each
 * expand to the block size stops at the cap rather than at the end of memory.
 */
class Output {
  private readonly frames: Buffer[] = [];
  private parts: Buffer[] = [];
  private frameBytes = 0;
  private total = 0;

  constructor(private readonly maxBytes: number) {}

  add(part: Buffer, frame: Frame, block: Block): void {
    if (part.length > frame.blockBytesMax)
      throw corrupt('block decompresses beyond the block size', block.at);
    this.total += part.length;
    if (this.total > this.maxBytes) throw decompressedTooLarge(this.maxBytes, block.at);
    this.parts.push(part);
    this.frameBytes += part.length;
  }

  endFrame(frame: Frame): void {
    if (frame.contentSize >= 0 && frame.contentSize !== this.frameBytes) {
      throw corrupt(`content size ${frame.contentSize} but ${this.frameBytes} decoded`, frame.at);
    }
    const content = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.frameBytes);
    if (frame.contentChecksum !== null && xxhash32(content) !== frame.contentChecksum) {
      throw corrupt('content checksum mismatch', frame.at);
    }
    this.frames.push(content);
    this.parts = [];
    this.frameBytes = 0;
  }

  result(): Buffer {
    return this.frames.length === 1 ? this.frames[0]! : Buffer.concat(this.frames, this.total);
  }
}

/** One block's content, decoded on the calling thread; a stored block is its own content. */
function decodeBlockSync(frame: Frame, block: Block): Buffer {
  if (block.uncompressed) return block.data;
  try {
    return lz4().uncompressSync(prefixed(block, frame.blockBytesMax));
  } catch (cause) {
    throw decodeError(cause, block);
  }
}

export function lz4FrameDecompressSync(data: Buffer, maxBytes = DECOMPRESSED_BYTES_MAX): Buffer {
  const out = new Output(maxBytes);
  for (const f of parseFrames(data)) {
    for (const b of f.blocks) {
      out.add(decodeBlockSync(f, b), f, b);
    }
    out.endFrame(f);
  }
  return out.result();
}

/**
 * The content one block at a time, for callers that walk it without holding it: the cap is
 * checked block by block and a content checksum is computed as the blocks go by.
 */
export function* lz4FrameChunks(
  data: Buffer,
  maxBytes = DECOMPRESSED_BYTES_MAX,
): Generator<Buffer, void, undefined> {
  let total = 0;
  for (const f of parseFrames(data)) {
    const hash = f.contentChecksum === null ? null : new Xxhash32Stream();
    let frameBytes = 0;
    for (const b of f.blocks) {
      const part = decodeBlockSync(f, b);
      if (part.length > f.blockBytesMax) throw corrupt('block decompresses beyond the block size', b.at);
      total += part.length;
      if (total > maxBytes) throw decompressedTooLarge(maxBytes, b.at);
      frameBytes += part.length;
      hash?.update(part);
      yield part;
    }
    if (f.contentSize >= 0 && f.contentSize !== frameBytes) {
      throw corrupt(`content size ${f.contentSize} but ${frameBytes} decoded`, f.at);
    }
    if (hash !== null && hash.digest() !== f.contentChecksum)
      throw corrupt('content checksum mismatch', f.at);
  }
}

/** Blocks decode on the thread pool, a few at a time so the cap still bounds memory. */
export async function lz4FrameDecompress(data: Buffer, maxBytes = DECOMPRESSED_BYTES_MAX): Promise<Buffer> {
  const out = new Output(maxBytes);
  const window = 4;
  for (const f of parseFrames(data)) {
    for (let i = 0; i < f.blocks.length; i += window) {
      const group = f.blocks.slice(i, i + window);
      const parts = await Promise.all(
        group.map((b) =>
          b.uncompressed
            ? Promise.resolve(b.data)
            : lz4()
                .uncompress(prefixed(b, f.blockBytesMax))
                .catch((cause: unknown) => {
                  throw decodeError(cause, b);
                }),
        ),
      );
      for (let j = 0; j < group.length; j++) out.add(parts[j]!, f, group[j]!);
    }
    out.endFrame(f);
  }
  return out.result();
}

function header(options: Lz4FrameOptions): Buffer {
  const h = Buffer.allocUnsafe(7);
  h.writeUInt32LE(MAGIC, 0);
  h[4] = FLG_VERSION_01 | FLG_BLOCK_INDEPENDENCE;
  h[5] = BD_64KB;
  h[6] = (xxhash32(h, 0, options.brokenHeaderChecksum ? 0 : 4, 6) >>> 8) & 0xff;
  return h;
}

function blockFrame(chunk: Buffer, compressedWithPrefix: Buffer): [size: Buffer, data: Buffer] {
  const compressed = compressedWithPrefix.subarray(4);
  const size = Buffer.allocUnsafe(4);
  // Incompressible data is stored as is, flagged by the high bit, as the reference encoder does.
  if (compressed.length >= chunk.length) {
    size.writeUInt32LE((chunk.length | BLOCK_UNCOMPRESSED) >>> 0, 0);
    return [size, chunk];
  }
  size.writeUInt32LE(compressed.length, 0);
  return [size, compressed];
}

function chunks(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += BLOCK_BYTES) out.push(data.subarray(at, at + BLOCK_BYTES));
  return out;
}

const END_MARK = Buffer.alloc(4);

export function lz4FrameCompressSync(data: Buffer, options: Lz4FrameOptions = {}): Buffer {
  const frame = new Lz4FrameWriter(options);
  for (const c of chunks(data)) frame.addBlockSync(c);
  const out = Buffer.allocUnsafe(frame.frameBytes);
  frame.writeTo(out, 0);
  return out;
}

export async function lz4FrameCompress(data: Buffer, options: Lz4FrameOptions = {}): Promise<Buffer> {
  const cs = chunks(data);
  const compressed = await Promise.all(cs.map((c) => lz4().compress(c)));
  const parts: Buffer[] = [header(options)];
  for (let i = 0; i < cs.length; i++) parts.push(...blockFrame(cs[i]!, compressed[i]!));
  parts.push(END_MARK);
  return Buffer.concat(parts);
}

/**
 * A frame written block by block as its content arrives: the producer compresses each 64 KiB of
 * records as soon as it is there, so little is left to compress when the batch is sent. A block
 * stored uncompressed is kept as a view of its input, which must not change until `writeTo`.
 */
export class Lz4FrameWriter {
  private readonly header: Buffer;
  private readonly parts: Buffer[] = [];
  private blockBytes = 0;

  constructor(options: Lz4FrameOptions = {}) {
    this.header = header(options);
  }

  /** Compresses one block of at most `LZ4_FRAME_BLOCK_BYTES` now, on this thread. */
  addBlockSync(block: Buffer): void {
    const [size, data] = blockFrame(block, lz4().compressSync(block));
    this.parts.push(size, data);
    this.blockBytes += size.length + data.length;
  }

  /** The size of the whole frame: header, blocks and end mark. */
  get frameBytes(): number {
    return this.header.length + this.blockBytes + END_MARK.length;
  }

  /** Writes the frame into `out` at `at` (`frameBytes` must fit); returns the position after it. */
  writeTo(out: Buffer, at: number): number {
    let pos = at + this.header.copy(out, at);
    for (const p of this.parts) pos += p.copy(out, pos);
    return pos + END_MARK.copy(out, pos);
  }
}
