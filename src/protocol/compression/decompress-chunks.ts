import * as zlib from 'node:zlib';
import { ProtocolError } from '../primitives/protocol-error.js';
import { CompressionType } from '../records/record-batch-header.js';
import { DECOMPRESSED_BYTES_MAX, type DecompressOptions } from './decompressed-bytes-max.js';
import { lz4FrameChunks } from './lz4-frame.js';
import { snappyChunks } from './snappy-codec.js';
import { ZLIB_CHUNK_BYTES, zlibChunks } from './zlib-chunks.js';
import { zstdChunks } from './zstd-codec.js';

/**
 * Decompressed content as a sequence of pieces rather than one buffer, so a caller can walk content
 * that expands far beyond its input (a "decompression bomb") while holding a piece or two: Kafka's
 * LogValidator iterates a compressed batch's records through a streaming decompressor the same way.
 * Pieces are at most 128 KiB (gzip, zstd), one LZ4 block (at most 4 MiB), one xerial snappy block,
 * or a whole raw snappy block. Output past `maxBytes` raises DECOMPRESSED_TOO_LARGE as soon as it
 * is reached, corrupt input CORRUPT_RECORD, an unknown codec UNSUPPORTED_COMPRESSION.
 *
 * gzip (and zstd on Node with zlib zstd) inflate on the thread pool between pieces; lz4, snappy
 * and zstd-napi decode a piece on the calling thread when it is asked for, so a caller that yields
 * to the event loop every few pieces keeps it responsive.
 */
export async function* decompressChunks(
  type: CompressionType,
  data: Buffer,
  options: DecompressOptions = {},
): AsyncGenerator<Buffer, void, undefined> {
  const maxBytes = options.maxBytes ?? DECOMPRESSED_BYTES_MAX;
  switch (type) {
    case CompressionType.None:
      yield data;
      return;
    case CompressionType.Gzip:
      yield* zlibChunks(zlib.createGunzip({ chunkSize: ZLIB_CHUNK_BYTES }), data, maxBytes, 'gzip');
      return;
    case CompressionType.Snappy:
      yield* snappyChunks(data, maxBytes);
      return;
    case CompressionType.Lz4:
      yield* lz4FrameChunks(data, maxBytes);
      return;
    case CompressionType.Zstd:
      yield* zstdChunks(data, maxBytes);
      return;
    default:
      throw new ProtocolError('UNSUPPORTED_COMPRESSION', `compression type ${type} is not supported`);
  }
}
