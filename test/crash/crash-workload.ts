import { buildBatch, simpleBatch } from '../storage/batch-builder.js';

/** Deterministic batch for sequence number `seq`: the child writes it, the parent re-creates it. */
export function crashBatch(seq: number): Buffer {
  let x = (seq * 2654435761) >>> 0;
  const rand = (n: number): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
  const count = 1 + rand(8);
  const records = [];
  for (let i = 0; i < count; i++) {
    const value = Buffer.alloc(10 + rand(3000), (seq + i) & 0xff);
    records.push({ key: `seq-${seq}-${i}`, value, timestamp: 1_700_000_000_000 + seq });
  }
  return buildBatch(records);
}

export const CRASH_TOPIC = { topic: 'crash', partition: 0 };
export const CRASH_SEGMENT_BYTES = 256 * 1024;

/**
 * A batch as a leader wrote it, for a follower's append: its base offset and leader epoch set,
 * `tag` in its values so that the parent can re-create the exact bytes.
 */
export function followerBatch(baseOffset: number, records: number, epoch: number, tag: number): Buffer {
  const b = simpleBatch(records, 200, 1_700_000_000_000, tag);
  b.writeBigInt64BE(BigInt(baseOffset), 0);
  // The partition leader epoch is not covered by the CRC (KIP-101), as the base offset is not.
  b.writeInt32BE(epoch, 12);
  return b;
}

export const FOLLOWER_TOPIC = { topic: 'follower', partition: 0 };
export const FOLLOWER_SEGMENT_BYTES = 8 * 1024;
