import { createRequire } from 'node:module';
import type { Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import type * as ZstdBinding from 'zstd-napi/binding.js';
import { ProtocolError } from '../primitives/protocol-error.js';
import {
  DECOMPRESSED_BYTES_MAX,
  decompressedTooLarge,
  isZlibOutputTooLarge,
} from './decompressed-bytes-max.js';
import { zlibChunks } from './zlib-chunks.js';

/**
 * Zstandard (KIP-110). Node's zlib has zstd from 22.15; on older Node we use zstd-napi, which
 * builds the bundled zstd sources with node-gyp at install (see docs/dependencies.md).
 * Level 3 is Kafka's default (compression.zstd.level, KIP-390).
 */
export const ZSTD_LEVEL_DEFAULT = 3;

interface BuiltinZstd {
  zstdCompressSync(data: Buffer, options?: object): Buffer;
  zstdDecompressSync(data: Buffer, options?: object): Buffer;
  zstdCompress(data: Buffer, options: object, cb: (err: Error | null, out: Buffer) => void): void;
  zstdDecompress(data: Buffer, options: object, cb: (err: Error | null, out: Buffer) => void): void;
  createZstdDecompress?(options: zlib.ZlibOptions): Transform;
  constants: { ZSTD_c_compressionLevel: number };
}

const builtin: BuiltinZstd | null =
  typeof (zlib as unknown as Partial<BuiltinZstd>).zstdCompressSync === 'function'
    ? (zlib as unknown as BuiltinZstd)
    : null;

/** Which implementation runs here; benchmarks and docs print it. */
export const zstdImplementation: 'node:zlib' | 'zstd-napi' = builtin ? 'node:zlib' : 'zstd-napi';

type ZstdNapi = typeof import('zstd-napi');
let napi: { lib: ZstdNapi; binding: typeof ZstdBinding } | null = null;
/**
 * zstd-napi loads on first use, so a broker that never sees zstd never maps it. The binding is
 * CommonJS without an exports map; its streaming call lets us cap the output.
 */
function zstdNapi(): { lib: ZstdNapi; binding: typeof ZstdBinding } {
  if (napi === null) {
    const require = createRequire(import.meta.url);
    napi = {
      lib: require('zstd-napi') as ZstdNapi,
      binding: require('zstd-napi/binding') as typeof ZstdBinding,
    };
  }
  return napi;
}
let dctx: ZstdBinding.DCtx | null = null;
const OUTPUT_CHUNK_BYTES = 128 * 1024;

function corrupt(message: string, cause?: unknown): ProtocolError {
  return new ProtocolError('CORRUPT_RECORD', `zstd: ${message}`, 0, cause ? { cause } : undefined);
}

/**
 * zstd-napi's streaming call, one output piece at a time: `room` says how large a piece may be
 * given the input left. The context is kept for reuse only when the whole input decoded cleanly.
 */
function* napiChunks(
  data: Buffer,
  maxBytes: number,
  room: (inputLeft: number) => number,
): Generator<Buffer, void, undefined> {
  const ctx = dctx ?? new (zstdNapi().binding.DCtx)();
  dctx = null; // a context left mid-frame by an error or an early stop must not be reused
  let input = data;
  let total = 0;
  for (;;) {
    const size = Math.min(room(input.length), maxBytes - total + 1);
    const chunk = Buffer.allocUnsafe(size);
    let hint: number;
    let produced: number;
    let consumed: number;
    try {
      [hint, produced, consumed] = ctx.decompressStream(chunk, input);
    } catch (cause) {
      throw corrupt('corrupt frame', cause);
    }
    total += produced;
    if (total > maxBytes) throw decompressedTooLarge(maxBytes);
    input = input.subarray(consumed);
    if (produced > 0) yield chunk.subarray(0, produced);
    if (hint === 0 && input.length === 0) break;
    if (input.length === 0 && produced < size) throw corrupt('truncated frame');
    if (produced === 0 && consumed === 0) throw corrupt('no progress decoding frame');
  }
  dctx = ctx;
}

function napiDecompress(data: Buffer, maxBytes: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (const c of napiChunks(data, maxBytes, (left) => Math.max(OUTPUT_CHUNK_BYTES, left * 4))) {
    chunks.push(c);
    total += c.length;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

/**
 * The decompressed content in pieces of at most 128 KiB, for callers that walk it without
 * holding it: Node's zlib stream (thread pool) where Node has zstd, else zstd-napi's streaming
 * call on this thread, one piece per step.
 */
export function zstdChunks(
  data: Buffer,
  maxBytes = DECOMPRESSED_BYTES_MAX,
): AsyncIterable<Buffer> | Iterable<Buffer> {
  if (builtin?.createZstdDecompress) {
    return zlibChunks(
      builtin.createZstdDecompress({ chunkSize: OUTPUT_CHUNK_BYTES }),
      data,
      maxBytes,
      'zstd',
    );
  }
  return napiChunks(data, maxBytes, () => OUTPUT_CHUNK_BYTES);
}

export function zstdDecompressSync(data: Buffer, maxBytes = DECOMPRESSED_BYTES_MAX): Buffer {
  if (builtin) {
    try {
      return builtin.zstdDecompressSync(data, { maxOutputLength: maxBytes });
    } catch (cause) {
      throw isZlibOutputTooLarge(cause) ? decompressedTooLarge(maxBytes) : corrupt('corrupt frame', cause);
    }
  }
  return napiDecompress(data, maxBytes);
}

export function zstdDecompress(data: Buffer, maxBytes = DECOMPRESSED_BYTES_MAX): Promise<Buffer> {
  if (builtin) {
    return new Promise((resolve, reject) => {
      builtin.zstdDecompress(data, { maxOutputLength: maxBytes }, (err, out) =>
        err
          ? reject(isZlibOutputTooLarge(err) ? decompressedTooLarge(maxBytes) : corrupt('corrupt frame', err))
          : resolve(out),
      );
    });
  }
  // zstd-napi has no thread-pool one-shot call; decoding a batch takes well under a millisecond.
  return Promise.resolve().then(() => napiDecompress(data, maxBytes));
}

export function zstdCompressSync(data: Buffer, level = ZSTD_LEVEL_DEFAULT): Buffer {
  if (builtin) {
    return builtin.zstdCompressSync(data, { params: { [builtin.constants.ZSTD_c_compressionLevel]: level } });
  }
  return zstdNapi().lib.compress(data, { compressionLevel: level });
}

export function zstdCompress(data: Buffer, level = ZSTD_LEVEL_DEFAULT): Promise<Buffer> {
  if (builtin) {
    const options = { params: { [builtin.constants.ZSTD_c_compressionLevel]: level } };
    return new Promise((resolve, reject) => {
      builtin.zstdCompress(data, options, (err, out) => (err ? reject(err) : resolve(out)));
    });
  }
  return Promise.resolve().then(() => zstdNapi().lib.compress(data, { compressionLevel: level }));
}
