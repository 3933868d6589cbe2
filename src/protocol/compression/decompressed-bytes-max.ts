/**
 * The default cap on what one decompression may produce. A few compressed bytes can claim gigabytes
 * (a "zip bomb"), so every codec checks its output against a cap before allocating. Kafka bounds
 * the compressed batch by message.max.bytes; the decompressed size it leaves to memory, which a
 * broker cannot afford. Callers that expect more pass their own `maxBytes`.
 */
export const DECOMPRESSED_BYTES_MAX = 256 * 1024 * 1024;

export interface DecompressOptions {
  /** Largest output accepted; more raises CORRUPT_RECORD. Defaults to DECOMPRESSED_BYTES_MAX. */
  maxBytes?: number;
}
