/**
 * The binary layouts Kafka Streams gives windowed keys, so changelogs and windowed output topics
 * read as Kafka Streams writes them:
 * - a window store's changelog key (WindowKeySchema.toStoreKeyBinary): key bytes, the window
 *   start as an 8-byte big-endian long, a 4-byte sequence number (0 unless the store keeps
 *   duplicates);
 * - a time-windowed key on a topic (WindowKeySchema.toBinary, TimeWindowedSerializer): key bytes
 *   and the 8-byte window start;
 * - a session key (SessionKeySchema.toBinary): key bytes, the 8-byte session end, the 8-byte start.
 */
export const WindowKeySchema = {
  toStoreKey(key: Buffer, windowStartMs: number, seq: number): Buffer {
    const out = Buffer.allocUnsafe(key.length + 12);
    key.copy(out, 0);
    out.writeBigInt64BE(BigInt(windowStartMs), key.length);
    out.writeInt32BE(seq, key.length + 8);
    return out;
  },

  /** Splits a store key; null when it is too short to be one. */
  fromStoreKey(bytes: Buffer): { key: Buffer; windowStartMs: number; seq: number } | null {
    if (bytes.length < 12) return null;
    const n = bytes.length - 12;
    return {
      key: bytes.subarray(0, n),
      windowStartMs: Number(bytes.readBigInt64BE(n)),
      seq: bytes.readInt32BE(n + 8),
    };
  },

  toTimeWindowedKey(key: Buffer, windowStartMs: number): Buffer {
    const out = Buffer.allocUnsafe(key.length + 8);
    key.copy(out, 0);
    out.writeBigInt64BE(BigInt(windowStartMs), key.length);
    return out;
  },

  fromTimeWindowedKey(bytes: Buffer): { key: Buffer; windowStartMs: number } | null {
    if (bytes.length < 8) return null;
    const n = bytes.length - 8;
    return { key: bytes.subarray(0, n), windowStartMs: Number(bytes.readBigInt64BE(n)) };
  },
} as const;

export const SessionKeySchema = {
  toBinary(key: Buffer, startMs: number, endMs: number): Buffer {
    const out = Buffer.allocUnsafe(key.length + 16);
    key.copy(out, 0);
    out.writeBigInt64BE(BigInt(endMs), key.length);
    out.writeBigInt64BE(BigInt(startMs), key.length + 8);
    return out;
  },

  fromBinary(bytes: Buffer): { key: Buffer; startMs: number; endMs: number } | null {
    if (bytes.length < 16) return null;
    const n = bytes.length - 16;
    return {
      key: bytes.subarray(0, n),
      endMs: Number(bytes.readBigInt64BE(n)),
      startMs: Number(bytes.readBigInt64BE(n + 8)),
    };
  },
} as const;
