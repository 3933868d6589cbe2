import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { xxhash32 } from '../../../src/protocol/compression/xxhash32.js';
import { crc32 } from '../../../src/protocol/primitives/crc32.js';
import { ProtocolError } from '../../../src/protocol/primitives/protocol-error.js';
import {
  decodeMessageSet,
  encodeMessageSet,
  type LegacyMagic,
  type LegacyRecordInput,
  readMessageSet,
} from '../../../src/protocol/records/message-set.js';
import { CompressionType, TimestampType } from '../../../src/protocol/records/record-batch-header.js';

const LEGACY_CODECS = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
] as const;

function sample(n: number, first = 100n): LegacyRecordInput[] {
  return Array.from({ length: n }, (_, i) => ({
    offset: first + BigInt(i),
    timestamp: 1_600_000_000_000n + BigInt(i),
    key: i % 3 === 0 ? null : Buffer.from(`k${i}`),
    value: i % 4 === 0 ? null : Buffer.from(`v${i}`.repeat(i + 1)),
  }));
}

function corrupted(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => e instanceof ProtocolError && e.code === code);
}

describe('legacy message sets', () => {
  it('computes CRC32 (IEEE) check values', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32(Buffer.alloc(0)), 0);
  });

  for (const magic of [0, 1] as LegacyMagic[]) {
    for (const compression of LEGACY_CODECS) {
      it(`round-trips magic ${magic} with codec ${compression}`, () => {
        const records = sample(30);
        const set = encodeMessageSet({ magic, compression, records });
        const got = decodeMessageSet(set);
        assert.deepEqual(
          got.map((r) => [r.offset, r.timestamp, r.key, r.value, r.magic]),
          records.map((r) => [r.offset, magic === 1 ? r.timestamp : -1n, r.key, r.value, magic]),
        );
        const { messages } = readMessageSet(set);
        assert.equal(messages.length, compression === CompressionType.None ? 30 : 1);
      });
    }
  }

  it('writes v1 inner offsets relative and the wrapper at the last offset; v0 inner offsets absolute', () => {
    for (const magic of [0, 1] as LegacyMagic[]) {
      const set = encodeMessageSet({ magic, compression: CompressionType.Gzip, records: sample(3, 500n) });
      const [wrapper] = readMessageSet(set).messages;
      assert.equal(wrapper!.offset, 502n);
      assert.equal(wrapper!.key, null);
      const inner = readMessageSet(gunzipSync(wrapper!.value!)).messages;
      assert.deepEqual(
        inner.map((m) => m.offset),
        magic === 1 ? [0n, 1n, 2n] : [500n, 501n, 502n],
      );
    }
  });

  it('uses the broken LZ4 header checksum for magic 0 and the correct one for magic 1', () => {
    for (const magic of [0, 1] as LegacyMagic[]) {
      const set = encodeMessageSet({ magic, compression: CompressionType.Lz4, records: sample(3) });
      const frame = readMessageSet(set).messages[0]!.value!;
      const over = magic === 0 ? frame.subarray(0, 6) : frame.subarray(4, 6);
      assert.equal(frame[6], (xxhash32(over) >>> 8) & 0xff);
    }
  });

  it('applies a LogAppendTime wrapper timestamp to inner messages (magic 1)', () => {
    const set = encodeMessageSet({
      magic: 1,
      compression: CompressionType.Snappy,
      timestampType: TimestampType.LogAppendTime,
      wrapperTimestamp: 42n,
      records: sample(4),
    });
    const got = decodeMessageSet(set);
    assert.deepEqual(
      got.map((r) => [r.timestamp, r.timestampType]),
      Array(4).fill([42n, TimestampType.LogAppendTime]),
    );
  });

  it('accepts a partial message at the end only when asked', () => {
    const set = encodeMessageSet({ magic: 1, records: sample(3) });
    const cut = set.subarray(0, set.length - 5);
    corrupted(() => readMessageSet(cut), 'CORRUPT_RECORD');
    const { messages, partialTail } = readMessageSet(cut, { allowPartialTail: true });
    assert.equal(messages.length, 2);
    assert.ok(partialTail > 0);
  });

  it('raises CORRUPT_RECORD when a byte covered by the CRC flips', () => {
    const set = encodeMessageSet({ magic: 1, compression: CompressionType.Gzip, records: sample(3) });
    for (let i = 16; i < set.length; i++) {
      const copy = Buffer.from(set);
      copy[i] = copy[i]! ^ 0x10;
      assert.throws(() => decodeMessageSet(copy), ProtocolError);
    }
    const copy = Buffer.from(set);
    copy[12] = copy[12]! ^ 1;
    corrupted(() => decodeMessageSet(copy), 'CORRUPT_RECORD');
  });

  it('rejects zstd in legacy formats and nested compression', () => {
    assert.throws(
      () => encodeMessageSet({ magic: 1, compression: CompressionType.Zstd, records: sample(1) }),
      { code: 'UNSUPPORTED_COMPRESSION' },
    );
    const inner = encodeMessageSet({ magic: 1, compression: CompressionType.Gzip, records: sample(2) });
    const nested = encodeMessageSet({
      magic: 1,
      records: [{ offset: 0n, timestamp: 0n, key: null, value: gzipSync(inner) }],
    });
    nested[17] = CompressionType.Gzip; // make the outer message a wrapper, then fix its CRC
    nested.writeUInt32BE(crc32(nested.subarray(16)), 12);
    corrupted(() => decodeMessageSet(nested), 'INVALID_RECORD');
  });

  it('round-trips an empty set and null keys and values', () => {
    assert.equal(encodeMessageSet({ magic: 0, compression: CompressionType.Gzip, records: [] }).length, 0);
    assert.deepEqual(decodeMessageSet(Buffer.alloc(0)), []);
    const set = encodeMessageSet({ magic: 0, records: [{ offset: 0n, key: null, value: null }] });
    assert.equal(set.length, 12 + 14);
    assert.deepEqual(decodeMessageSet(set)[0]!.value, null);
  });
});
