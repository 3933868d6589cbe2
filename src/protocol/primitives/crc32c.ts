import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/**
 * CRC32C (Castagnoli), as record batch v2 uses. The native implementation uses SSE4.2/ARMv8
 * instructions (see docs/dependencies.md); it runs on every produced batch.
 */
export function crc32c(data: Uint8Array, initial = 0): number {
  return nativeCrc32c(data as Buffer, initial) >>> 0;
}
