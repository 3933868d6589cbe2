import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { ProtocolError } from '../primitives/protocol-error.js';
import { CompressionType } from '../records/record-batch-header.js';
import {
  DECOMPRESSED_BYTES_MAX,
  type DecompressOptions,
  decompressedTooLarge,
  isZlibOutputTooLarge,
} from './decompressed-bytes-max.js';
import {
  lz4FrameCompress,
  lz4FrameCompressSync,
  lz4FrameDecompress,
  lz4FrameDecompressSync,
} from './lz4-frame.js';
import {
  snappyCompress,
  snappyCompressSync,
  snappyDecompress,
  snappyDecompressSync,
} from './snappy-codec.js';
import { zstdCompress, zstdCompressSync, zstdDecompress, zstdDecompressSync } from './zstd-codec.js';

export type { DecompressOptions } from './decompressed-bytes-max.js';

/**
 * One entry point for the codecs Kafka names in the batch attributes (bits 0-2).
 * Decompression errors come out as ProtocolError CORRUPT_RECORD, which the broker answers with
 * CORRUPT_MESSAGE; output past the cap is DECOMPRESSED_TOO_LARGE; an unknown codec id is
 * UNSUPPORTED_COMPRESSION.
 */
export interface CompressOptions {
  /** gzip (1-9) or zstd (1-22) level; each codec's library default when absent, zstd 3. */
  level?: number;
  /** LZ4 frame header checksum over the magic as well, for message format v0 (KAFKA-3160). */
  lz4BrokenHeaderChecksum?: boolean;
  /** Snappy in xerial framing, as the Java client writes, rather than one raw block. */
  snappyXerial?: boolean;
}

const gzipAsync = promisify(zlib.gzip);
const gunzipAsync = promisify(zlib.gunzip);

function unsupported(type: number): ProtocolError {
  return new ProtocolError('UNSUPPORTED_COMPRESSION', `compression type ${type} is not supported`);
}

function gzipError(cause: unknown, maxBytes: number): ProtocolError {
  if (isZlibOutputTooLarge(cause)) return decompressedTooLarge(maxBytes);
  return new ProtocolError('CORRUPT_RECORD', 'gzip data is corrupt', 0, { cause });
}

function gzipOptions(options: CompressOptions): zlib.ZlibOptions {
  return options.level === undefined ? {} : { level: options.level };
}

export function compressSync(type: CompressionType, data: Buffer, options: CompressOptions = {}): Buffer {
  switch (type) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      return zlib.gzipSync(data, gzipOptions(options));
    case CompressionType.Snappy:
      return snappyCompressSync(data, options.snappyXerial);
    case CompressionType.Lz4:
      return lz4FrameCompressSync(data, { brokenHeaderChecksum: options.lz4BrokenHeaderChecksum });
    case CompressionType.Zstd:
      return zstdCompressSync(data, options.level);
    default:
      throw unsupported(type);
  }
}

export async function compress(
  type: CompressionType,
  data: Buffer,
  options: CompressOptions = {},
): Promise<Buffer> {
  switch (type) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      return gzipAsync(data, gzipOptions(options));
    case CompressionType.Snappy:
      return snappyCompress(data, options.snappyXerial);
    case CompressionType.Lz4:
      return lz4FrameCompress(data, { brokenHeaderChecksum: options.lz4BrokenHeaderChecksum });
    case CompressionType.Zstd:
      return zstdCompress(data, options.level);
    default:
      throw unsupported(type);
  }
}

export function decompressSync(type: CompressionType, data: Buffer, options: DecompressOptions = {}): Buffer {
  const maxBytes = options.maxBytes ?? DECOMPRESSED_BYTES_MAX;
  switch (type) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      try {
        return zlib.gunzipSync(data, { maxOutputLength: maxBytes });
      } catch (cause) {
        throw gzipError(cause, maxBytes);
      }
    case CompressionType.Snappy:
      return snappyDecompressSync(data, maxBytes);
    case CompressionType.Lz4:
      return lz4FrameDecompressSync(data, maxBytes);
    case CompressionType.Zstd:
      return zstdDecompressSync(data, maxBytes);
    default:
      throw unsupported(type);
  }
}

export async function decompress(
  type: CompressionType,
  data: Buffer,
  options: DecompressOptions = {},
): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? DECOMPRESSED_BYTES_MAX;
  switch (type) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      try {
        return await gunzipAsync(data, { maxOutputLength: maxBytes });
      } catch (cause) {
        throw gzipError(cause, maxBytes);
      }
    case CompressionType.Snappy:
      return snappyDecompress(data, maxBytes);
    case CompressionType.Lz4:
      return lz4FrameDecompress(data, maxBytes);
    case CompressionType.Zstd:
      return zstdDecompress(data, maxBytes);
    default:
      throw unsupported(type);
  }
}
