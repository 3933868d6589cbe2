import { DataError } from '../connect-error.js';

/**
 * A PostgreSQL log sequence number as a number of bytes into the WAL. Safe as a JS number up to
 * 2^53 bytes (8 PiB of WAL), which is what Debezium stores too (a Java long in the offsets).
 */
export type Lsn = number;

/** Parses PostgreSQL's `X/Y` form (two 32-bit hexadecimal halves). */
export function parseLsn(text: string): Lsn {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (!m) throw new DataError(`Invalid LSN: ${text}`);
  return Number.parseInt(m[1]!, 16) * 2 ** 32 + Number.parseInt(m[2]!, 16);
}

/** PostgreSQL's `X/Y` form of an LSN. */
export function formatLsn(lsn: Lsn): string {
  const hi = Math.floor(lsn / 2 ** 32);
  const lo = lsn - hi * 2 ** 32;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}

/** Reads an LSN written as a big-endian 64-bit integer (the replication protocol's form). */
export function readLsn(buf: Buffer, offset: number): Lsn {
  return buf.readUInt32BE(offset) * 2 ** 32 + buf.readUInt32BE(offset + 4);
}
