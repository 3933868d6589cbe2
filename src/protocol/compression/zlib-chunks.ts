import type { Transform } from 'node:stream';
import { ProtocolError } from '../primitives/protocol-error.js';
import { decompressedTooLarge } from './decompressed-bytes-max.js';

/**
 * Output pieces of Node's zlib streams (gunzip, and zstd where Node has it). Each piece is
 * inflated on the thread pool, and the stream inflates the next only once this one is read, so a
 * caller that walks the pieces holds one or two at a time however far the input expands.
 */
export const ZLIB_CHUNK_BYTES = 64 * 1024;

export async function* zlibChunks(
  stream: Transform,
  data: Buffer,
  maxBytes: number,
  codec: string,
): AsyncGenerator<Buffer, void, undefined> {
  stream.end(data);
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) throw decompressedTooLarge(maxBytes);
      yield chunk;
    }
  } catch (cause) {
    if (cause instanceof ProtocolError) throw cause;
    throw new ProtocolError('CORRUPT_RECORD', `${codec} data is corrupt`, 0, { cause });
  } finally {
    // Stops the inflation when the caller stops early (an invalid record, the cap).
    stream.destroy();
  }
}
