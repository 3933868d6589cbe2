import { ProtocolError } from '../primitives/protocol-error.js';

/**
 * The default cap on what one decompression may produce. A few compressed bytes can claim gigabytes
 * (a "zip bomb"), so every codec checks its output against a cap before allocating. Kafka bounds
 * the compressed batch by message.max.bytes; the decompressed size it leaves to memory, which a
 * broker cannot afford. Callers that expect more pass their own `maxBytes`.
 */
export const DECOMPRESSED_BYTES_MAX = 256 * 1024 * 1024;

export interface DecompressOptions {
  /** Largest output accepted; more raises DECOMPRESSED_TOO_LARGE. Defaults to DECOMPRESSED_BYTES_MAX. */
  maxBytes?: number;
}

/** The error every codec raises when its output would pass the cap. */
export function decompressedTooLarge(maxBytes: number, position = 0): ProtocolError {
  return new ProtocolError(
    'DECOMPRESSED_TOO_LARGE',
    `decompressed size over the limit of ${maxBytes} bytes`,
    position,
  );
}

/** Node's zlib reports output past `maxOutputLength` as a RangeError with this code. */
export function isZlibOutputTooLarge(err: unknown): boolean {
  return err instanceof RangeError && (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
}
