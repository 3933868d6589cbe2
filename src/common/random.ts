/** A random source the deterministic cores take by injection, so a simulation can replay a seed. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** `n` random bytes. */
  bytes(n: number): Buffer;
}

/** SplitMix64-seeded xoshiro128** : small, fast, and good enough for placement and simulations. */
export class SeededRandom implements Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let x = BigInt.asUintN(64, BigInt(seed));
    const split = (): number => {
      x = BigInt.asUintN(64, x + 0x9e3779b97f4a7c15n);
      let z = x;
      z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
      z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
      return Number(BigInt.asUintN(32, z ^ (z >> 31n)));
    };
    this.s0 = split();
    this.s1 = split();
    this.s2 = split();
    this.s3 = split();
  }

  private nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  next(): number {
    return this.nextU32() / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.nextU32() & 0xff;
    return b;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The production source: crypto-quality bytes (topic ids, incarnation ids), Math.random for the rest. */
export const systemRandom: Random = {
  next: () => Math.random(),
  int: (n) => Math.floor(Math.random() * n),
  bytes: (n) => {
    const b = Buffer.allocUnsafe(n);
    globalThis.crypto.getRandomValues(b);
    return b;
  },
};

/** A random Kafka Uuid in its display form (base64url), never the zero or the reserved metadata id. */
export function randomUuid(random: Random): string {
  for (;;) {
    const b = random.bytes(16);
    const s = b.toString('base64url');
    // Kafka reserves the zero uuid and the "one" uuid (0…01, the metadata topic id), and avoids a
    // leading '-' so that ids can be passed as command-line arguments.
    if (s !== 'AAAAAAAAAAAAAAAAAAAAAA' && s !== 'AAAAAAAAAAAAAAAAAAAAAQ' && !s.startsWith('-')) return s;
  }
}
