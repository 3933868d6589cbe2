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
import { Prng } from '../../helpers/prng.js';

/** Seeded so a failure replays: FUZZ_SEED=<n> reruns one seed. */
const SEED = Number(process.env.FUZZ_SEED ?? 20240601);

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

function mutate(rnd: Prng, input: Buffer, from: number): Buffer {
  const b = Buffer.from(input);
  const edits = 1 + rnd.int(4);
  for (let e = 0; e < edits; e++) {
    const at = from + rnd.int(b.length - from);
    switch (rnd.int(3)) {
      case 0:
        b[at] = b[at]! ^ (1 << rnd.int(8));
        break;
      case 1:
        b[at] = rnd.int(256);
        break;
      default:
        b[at] = [0x00, 0x7f, 0x80, 0xff][rnd.int(4)]!;
    }
  }
  return rnd.int(8) === 0 ? b.subarray(0, from + rnd.int(b.length - from)) : b;
}

function records(rnd: Prng, n: number): Record[] {
  return Array.from({ length: n }, (_, i) => ({
    offsetDelta: i,
    timestampDelta: rnd.int(1000),
    key: rnd.int(3) === 0 ? null : rnd.bytes(rnd.int(20)),
    value: rnd.int(4) === 0 ? null : Buffer.from('abcabcabc'.repeat(rnd.int(30))),
    headers: rnd.int(2) === 0 ? [] : [{ key: 'k', value: rnd.bytes(rnd.int(5)) }],
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
    const rnd = new Prng(SEED);
    for (let i = 0; i < 3000; i++) {
      const b = rnd.bytes(rnd.int(200));
      // Give some inputs plausible framing so they get past the first length check.
      if (b.length >= 61 && rnd.int(2) === 0) {
        b.writeInt32BE(b.length - 12, BatchOffsets.batchLength);
        b[BatchOffsets.magic] = rnd.int(3);
        if (rnd.int(2) === 0) b.writeUInt32BE(computeBatchCrc(b), BatchOffsets.crc);
      }
      onlyProtocolErrors(() => decodeRecordBatch(b), `decodeRecordBatch #${i}`);
      onlyProtocolErrors(() => decodeMessageSet(b, { allowPartialTail: true }), `decodeMessageSet #${i}`);
      onlyProtocolErrors(() => downConvert(b, 1, { allowPartialTail: true }), `downConvert #${i}`);
      onlyProtocolErrors(() => upConvertMessageSet(b), `upConvertMessageSet #${i}`);
      for (const c of CODECS) onlyProtocolErrors(() => decompressSync(c, b), `decompress ${c} #${i}`);
    }
  });

  it('mutated batches with a recomputed CRC reach records and codecs, and only raise ProtocolError', () => {
    const rnd = new Prng(SEED + 1);
    let rejected = 0;
    for (let i = 0; i < 2500; i++) {
      const codec = CODECS[i % CODECS.length]!;
      const batch = encodeRecordBatch({ compression: codec, records: records(rnd, 1 + rnd.int(8)) });
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
    const rnd = new Prng(SEED + 2);
    for (let i = 0; i < 2000; i++) {
      const codec = CODECS[i % 4]!;
      const legacy = records(rnd, 1 + rnd.int(6)).map((r, j) => ({
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
