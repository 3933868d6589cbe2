/**
 * XXH32, as the LZ4 frame format uses for its header, block and content checksums.
 * Only header checksums (a few bytes) are computed on every frame, so a plain implementation suffices;
 * content checksums are checked when a producer sets them, which Kafka's own clients do not.
 */
const PRIME1 = 0x9e3779b1;
const PRIME2 = 0x85ebca77;
const PRIME3 = 0xc2b2ae3d;
const PRIME4 = 0x27d4eb2f;
const PRIME5 = 0x165667b1;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function round(acc: number, lane: number): number {
  return Math.imul(rotl((acc + Math.imul(lane, PRIME2)) | 0, 13), PRIME1);
}

export function xxhash32(data: Uint8Array, seed = 0, start = 0, end = data.length): number {
  let p = start;
  let h: number;
  const u32 = (i: number): number =>
    data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
  if (end - start >= 16) {
    let v1 = (seed + PRIME1 + PRIME2) | 0;
    let v2 = (seed + PRIME2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - PRIME1) | 0;
    const limit = end - 16;
    while (p <= limit) {
      v1 = round(v1, u32(p));
      v2 = round(v2, u32(p + 4));
      v3 = round(v3, u32(p + 8));
      v4 = round(v4, u32(p + 12));
      p += 16;
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = (seed + PRIME5) | 0;
  }
  h = (h + (end - start)) | 0;
  while (p + 4 <= end) {
    h = Math.imul(rotl((h + Math.imul(u32(p), PRIME3)) | 0, 17), PRIME4);
    p += 4;
  }
  while (p < end) {
    h = Math.imul(rotl((h + Math.imul(data[p]!, PRIME5)) | 0, 11), PRIME1);
    p++;
  }
  h ^= h >>> 15;
  h = Math.imul(h, PRIME2);
  h ^= h >>> 13;
  h = Math.imul(h, PRIME3);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * XXH32 fed in pieces, for LZ4 content checksums checked while a frame streams through: the
 * digest equals `xxhash32` of the concatenated pieces, without holding them.
 */
export class Xxhash32Stream {
  private v1 = (PRIME1 + PRIME2) | 0;
  private v2 = PRIME2;
  private v3 = 0;
  private v4 = -PRIME1 | 0;
  private length = 0;
  /** Bytes not yet consumed by a 16-byte stripe. */
  private readonly pending = Buffer.alloc(16);
  private pendingBytes = 0;

  update(data: Uint8Array): void {
    this.length += data.length;
    let p = 0;
    if (this.pendingBytes > 0) {
      const take = Math.min(16 - this.pendingBytes, data.length);
      this.pending.set(data.subarray(0, take), this.pendingBytes);
      this.pendingBytes += take;
      p = take;
      if (this.pendingBytes < 16) return;
      this.stripe(this.pending, 0);
      this.pendingBytes = 0;
    }
    for (; p + 16 <= data.length; p += 16) this.stripe(data, p);
    if (p < data.length) {
      this.pending.set(data.subarray(p), 0);
      this.pendingBytes = data.length - p;
    }
  }

  digest(): number {
    let h: number;
    if (this.length >= 16) {
      h = (rotl(this.v1, 1) + rotl(this.v2, 7) + rotl(this.v3, 12) + rotl(this.v4, 18)) | 0;
    } else {
      h = PRIME5;
    }
    // The total length is taken modulo 2^32, as the reference implementation does.
    h = (h + (this.length >>> 0)) | 0;
    const data = this.pending;
    const end = this.pendingBytes;
    let p = 0;
    while (p + 4 <= end) {
      h = Math.imul(rotl((h + Math.imul(data.readInt32LE(p), PRIME3)) | 0, 17), PRIME4);
      p += 4;
    }
    while (p < end) {
      h = Math.imul(rotl((h + Math.imul(data[p]!, PRIME5)) | 0, 11), PRIME1);
      p++;
    }
    h ^= h >>> 15;
    h = Math.imul(h, PRIME2);
    h ^= h >>> 13;
    h = Math.imul(h, PRIME3);
    h ^= h >>> 16;
    return h >>> 0;
  }

  private stripe(data: Uint8Array, p: number): void {
    const u32 = (i: number): number =>
      data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    this.v1 = round(this.v1, u32(p));
    this.v2 = round(this.v2, u32(p + 4));
    this.v3 = round(this.v3, u32(p + 8));
    this.v4 = round(this.v4, u32(p + 12));
  }
}
