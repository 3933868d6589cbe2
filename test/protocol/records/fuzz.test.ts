import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decompressSync } from '../../../src/protocol/compression/compress.js';
import { crc32 } from '../../../src/protocol/primitives/crc32.js';
import { ProtocolError } from '../../../src/protocol/primitives/protocol-error.js';
import { downConvert, upConvertMessageSet } from '../../../src/protocol/records/convert.js';
import { decodeMessageSet, encodeMessageSet } from '../../../src/protocol/records/message-set.js';
import type { Record } from '../../../src/protocol/records/record.js';
import { decodeRecordBatch, encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import {
  BatchOffsets,
  CompressionType,
  computeBatchCrc,
} from '../../../src/protocol/records/record-batch-header.js';

/** Seeded so a failure replays: FUZZ_SEED=<n> reruns one seed. */
const SEED = Number(process.env.FUZZ_SEED ?? 20240601);

class Random {
  private x: number;
  constructor(seed: number) {
    this.x = seed | 0 || 1;
  }
  next(): number {
    this.x ^= this.x << 13;
    this.x ^= this.x >>> 17;
    this.x ^= this.x << 5;
    return this.x >>> 0;
  }
  below(n: number): number {
    return this.next() % n;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.next() & 0xff;
    return b;
  }
}

/** Runs `fn`; anything thrown must be a ProtocolError. Returns whether it threw. */
function onlyProtocolErrors(fn: () => unknown, context: string): boolean {
  try {
    fn();
    return false;
  } catch (e) {
    if (!(e instanceof ProtocolError)) {
      assert.fail(
        `${context}: threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message} (seed ${SEED})`,
      );
    }
    return true;
  }
}

function mutate(rnd: Random, input: Buffer, from: number): Buffer {
  const b = Buffer.from(input);
  const edits = 1 + rnd.below(4);
  for (let e = 0; e < edits; e++) {
    const at = from + rnd.below(b.length - from);
    switch (rnd.below(3)) {
      case 0:
        b[at] = b[at]! ^ (1 << rnd.below(8));
        break;
      case 1:
        b[at] = rnd.below(256);
        break;
      default:
        b[at] = [0x00, 0x7f, 0x80, 0xff][rnd.below(4)]!;
    }
  }
  return rnd.below(8) === 0 ? b.subarray(0, from + rnd.below(b.length - from)) : b;
}

function records(rnd: Random, n: number): Record[] {
  return Array.from({ length: n }, (_, i) => ({
    offsetDelta: i,
    timestampDelta: rnd.below(1000),
    key: rnd.below(3) === 0 ? null : rnd.bytes(rnd.below(20)),
    value: rnd.below(4) === 0 ? null : Buffer.from('abcabcabc'.repeat(rnd.below(30))),
    headers: rnd.below(2) === 0 ? [] : [{ key: 'k', value: rnd.bytes(rnd.below(5)) }],
  }));
}

const CODECS = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
] as const;

describe(`decoders on arbitrary bytes (seed ${SEED})`, () => {
  it('random bytes yield a value or a ProtocolError, never anything else', () => {
    const rnd = new Random(SEED);
    for (let i = 0; i < 3000; i++) {
      const b = rnd.bytes(rnd.below(200));
      // Give some inputs plausible framing so they get past the first length check.
      if (b.length >= 61 && rnd.below(2) === 0) {
        b.writeInt32BE(b.length - 12, BatchOffsets.batchLength);
        b[BatchOffsets.magic] = rnd.below(3);
        if (rnd.below(2) === 0) b.writeUInt32BE(computeBatchCrc(b), BatchOffsets.crc);
      }
      onlyProtocolErrors(() => decodeRecordBatch(b), `decodeRecordBatch #${i}`);
      onlyProtocolErrors(() => decodeMessageSet(b, { allowPartialTail: true }), `decodeMessageSet #${i}`);
      onlyProtocolErrors(() => downConvert(b, 1, { allowPartialTail: true }), `downConvert #${i}`);
      onlyProtocolErrors(() => upConvertMessageSet(b), `upConvertMessageSet #${i}`);
      for (const c of CODECS) onlyProtocolErrors(() => decompressSync(c, b), `decompress ${c} #${i}`);
    }
  });

  it('mutated batches with a recomputed CRC reach records and codecs, and only raise ProtocolError', () => {
    const rnd = new Random(SEED + 1);
    let rejected = 0;
    for (let i = 0; i < 2500; i++) {
      const codec = CODECS[i % CODECS.length]!;
      const batch = encodeRecordBatch({ compression: codec, records: records(rnd, 1 + rnd.below(8)) });
      const bad = mutate(rnd, batch, BatchOffsets.attributes);
      if (bad.length >= 61) {
        bad.writeInt32BE(bad.length - 12, BatchOffsets.batchLength);
        bad.writeUInt32BE(computeBatchCrc(bad), BatchOffsets.crc);
      }
      if (onlyProtocolErrors(() => decodeRecordBatch(bad), `batch codec ${codec} #${i}`)) rejected++;
    }
    assert.ok(rejected > 1000, `only ${rejected} mutations were rejected`);
  });

  it('mutated message sets with a recomputed CRC only raise ProtocolError', () => {
    const rnd = new Random(SEED + 2);
    for (let i = 0; i < 2000; i++) {
      const codec = CODECS[i % 4]!;
      const legacy = records(rnd, 1 + rnd.below(6)).map((r, j) => ({
        offset: BigInt(j),
        timestamp: 0n,
        key: r.key,
        value: r.value,
      }));
      const set = encodeMessageSet({ magic: (i % 2) as 0 | 1, compression: codec, records: legacy });
      const bad = mutate(rnd, set, 16);
      // Fix the first message's size and CRC so the mutation reaches its body.
      if (bad.length >= 26) {
        bad.writeInt32BE(bad.length - 12, 8);
        bad.writeUInt32BE(crc32(bad.subarray(16)), 12);
      }
      onlyProtocolErrors(() => decodeMessageSet(bad), `message set codec ${codec} #${i}`);
      onlyProtocolErrors(() => upConvertMessageSet(bad), `up-convert codec ${codec} #${i}`);
    }
  });
});
