import * as zlib from 'node:zlib';
import { crc32 as nativeCrc32 } from '@node-rs/crc32';

/**
 * CRC32 (IEEE), as legacy messages (magic 0 and 1) carry. Node's zlib.crc32 exists from
 * 20.15 and 22.2; older Node falls back to @node-rs/crc32, which we already ship for CRC32C.
 */
type Crc32 = (data: Uint8Array, initial?: number) => number;

const builtin = (zlib as unknown as { crc32?: Crc32 }).crc32;

export const crc32: Crc32 =
  typeof builtin === 'function'
    ? (data, initial = 0) => builtin(data, initial) >>> 0
    : (data, initial = 0) => nativeCrc32(data as Buffer, initial) >>> 0;
