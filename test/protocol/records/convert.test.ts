import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../../src/protocol/primitives/protocol-error.js';
import { encodeEndTxnMarkerBatch } from '../../../src/protocol/records/control-record.js';
import {
  downConvert,
  recompressBatch,
  recompressBatches,
  upConvertMessageSet,
} from '../../../src/protocol/records/convert.js';
import {
  decodeMessageSet,
  encodeMessageSet,
  type LegacyMagic,
  type LegacyRecordInput,
} from '../../../src/protocol/records/message-set.js';
import type { Record } from '../../../src/protocol/records/record.js';
import {
  decodeRecordBatch,
  encodeRecordBatch,
  type RecordBatch,
  recordOffset,
  recordTimestamp,
} from '../../../src/protocol/records/record-batch.js';
import { CompressionType, TimestampType } from '../../../src/protocol/records/record-batch-header.js';

const LEGACY_CODECS = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
] as const;
const ALL_CODECS = [...LEGACY_CODECS, CompressionType.Zstd] as const;

function legacy(n: number, first: bigint): LegacyRecordInput[] {
  return Array.from({ length: n }, (_, i) => ({
    offset: first + BigInt(i),
    timestamp: 1_600_000_000_000n + BigInt(i * 10),
    key: i % 2 === 0 ? null : Buffer.from(`k${i}`),
    value: i % 5 === 1 ? null : Buffer.from(`value ${i}`),
  }));
}

function v2Records(n: number): Record[] {
  return Array.from({ length: n }, (_, i) => ({
    offsetDelta: i,
    timestampDelta: i * 7,
    key: i % 3 === 0 ? null : Buffer.from(`key${i}`),
    value: i % 4 === 0 ? null : Buffer.from(`val${i}`),
    headers: [{ key: 'h', value: Buffer.from('x') }],
  }));
}

/** Offset, timestamp, key and value of every record, the content conversion must keep. */
function content(b: RecordBatch): [bigint, bigint, Buffer | null, Buffer | null][] {
  return b.records.map((r) => [recordOffset(b, r), recordTimestamp(b, r), r.key, r.value]);
}

describe('up-conversion of message sets to v2 batches', () => {
  for (const magic of [0, 1] as LegacyMagic[]) {
    for (const compression of LEGACY_CODECS) {
      it(`keeps the content of a magic ${magic} set with codec ${compression}`, () => {
        const records = legacy(20, 1000n);
        const batches = upConvertMessageSet(encodeMessageSet({ magic, compression, records }));
        assert.equal(batches.length, 1);
        const b = decodeRecordBatch(batches[0]!);
        assert.equal(b.compression, compression);
        assert.equal(b.producerId, -1n);
        assert.deepEqual(
          content(b),
          records.map((r) => [r.offset, magic === 1 ? r.timestamp : -1n, r.key, r.value]),
        );
        assert.ok(b.records.every((r) => r.headers.length === 0));
      });
    }
  }

  it('makes one batch per wrapper and per uncompressed run, with the target codec if given', () => {
    const set = Buffer.concat([
      encodeMessageSet({ magic: 1, records: legacy(3, 0n) }),
      encodeMessageSet({ magic: 1, compression: CompressionType.Gzip, records: legacy(4, 3n) }),
      encodeMessageSet({ magic: 1, records: legacy(2, 7n) }),
    ]);
    const kept = upConvertMessageSet(set).map((b) => decodeRecordBatch(b));
    assert.deepEqual(
      kept.map((b) => [b.compression, b.baseOffset, b.recordCount]),
      [
        [CompressionType.None, 0n, 3],
        [CompressionType.Gzip, 3n, 4],
        [CompressionType.None, 7n, 2],
      ],
    );
    const zstd = upConvertMessageSet(set, { compression: CompressionType.Zstd, baseOffset: 50n }).map((b) =>
      decodeRecordBatch(b),
    );
    assert.deepEqual(
      zstd.map((b) => [b.compression, b.baseOffset, b.lastOffsetDelta]),
      [
        [CompressionType.Zstd, 50n, 2],
        [CompressionType.Zstd, 53n, 3],
        [CompressionType.Zstd, 57n, 1],
      ],
    );
  });

  it('carries a LogAppendTime wrapper into the batch', () => {
    const set = encodeMessageSet({
      magic: 1,
      compression: CompressionType.Lz4,
      timestampType: TimestampType.LogAppendTime,
      wrapperTimestamp: 1234n,
      records: legacy(3, 0n),
    });
    const b = decodeRecordBatch(upConvertMessageSet(set)[0]!);
    assert.equal(b.timestampType, TimestampType.LogAppendTime);
    assert.equal(b.maxTimestamp, 1234n);
    assert.deepEqual(
      b.records.map((r) => recordTimestamp(b, r)),
      [1234n, 1234n, 1234n],
    );
  });

  it('up-converts what kafka-python produces with api_version (0, 9) and (0, 10)', () => {
    for (const file of ['message-set-v0-snappy.bin', 'message-set-v1-lz4.bin', 'message-set-v1-gzip.bin']) {
      const set = readFileSync(join(process.cwd(), 'test/golden/records', file));
      const batches = upConvertMessageSet(set, { baseOffset: 0n });
      const b = decodeRecordBatch(batches[0]!);
      const legacyRecords = decodeMessageSet(set);
      assert.deepEqual(
        content(b),
        legacyRecords.map((r) => [r.offset, r.timestamp, r.key, r.value]),
      );
    }
  });

  it('converts empty input to nothing in both directions', () => {
    assert.deepEqual(upConvertMessageSet(Buffer.alloc(0)), []);
    assert.equal(downConvert(Buffer.alloc(0), 0).length, 0);
    assert.equal(downConvert(encodeRecordBatch({ records: [], lastOffsetDelta: 0 }), 1).length, 0);
  });

  it('rejects offsets that cannot form a batch unless renumbered', () => {
    const records = [
      { offset: 5n, key: null, value: Buffer.from('a') },
      { offset: 5n, key: null, value: Buffer.from('b') },
    ];
    const set = encodeMessageSet({ magic: 0, records });
    assert.throws(() => upConvertMessageSet(set), { code: 'INVALID_RECORD' });
    assert.equal(decodeRecordBatch(upConvertMessageSet(set, { baseOffset: 0n })[0]!).recordCount, 2);
  });
});

describe('down-conversion of v2 batches to message sets', () => {
  const log = Buffer.concat([
    encodeRecordBatch({ baseOffset: 0n, baseTimestamp: 100n, records: v2Records(5) }),
    encodeRecordBatch({
      baseOffset: 5n,
      baseTimestamp: 200n,
      compression: CompressionType.Snappy,
      records: v2Records(4),
    }),
    encodeEndTxnMarkerBatch({
      baseOffset: 9n,
      producerId: 1n,
      producerEpoch: 0,
      coordinatorEpoch: 0,
      commit: true,
      timestamp: 0n,
    }),
    encodeRecordBatch({ baseOffset: 10n, records: [], lastOffsetDelta: 2 }),
    encodeRecordBatch({
      baseOffset: 13n,
      baseTimestamp: 300n,
      transactional: true,
      producerId: 1n,
      producerEpoch: 0,
      baseSequence: 0,
      compression: CompressionType.Lz4,
      records: v2Records(3),
    }),
  ]);
  const expected = [0, 1, 2, 3, 4, 5, 6, 7, 8, 13, 14, 15].map(BigInt);

  for (const magic of [0, 1] as LegacyMagic[]) {
    it(`keeps offsets, keys, values and timestamps, and drops control batches (magic ${magic})`, () => {
      const set = downConvert(log, magic);
      const records = decodeMessageSet(set);
      assert.deepEqual(
        records.map((r) => r.offset),
        expected,
      );
      const source = [0n, 5n, 13n].flatMap((base, i) =>
        v2Records([5, 4, 3][i]!).map((r) => [base + BigInt(r.offsetDelta), r.key, r.value]),
      );
      assert.deepEqual(
        records.map((r) => [r.offset, r.key, r.value]),
        source,
      );
      if (magic === 1) {
        assert.deepEqual(
          records.slice(0, 2).map((r) => r.timestamp),
          [100n, 107n],
        );
      } else assert.ok(records.every((r) => r.timestamp === -1n && r.magic === 0));
      // Compressed batches come back as one wrapper with the same codec; uncompressed as plain messages.
      const converted = upConvertMessageSet(set).map((b) => decodeRecordBatch(b).compression);
      assert.deepEqual(converted, [CompressionType.None, CompressionType.Snappy, CompressionType.Lz4]);
    });
  }

  it('passes old-format data through or lowers it, and drops a partial tail when asked', () => {
    const v1 = encodeMessageSet({ magic: 1, compression: CompressionType.Gzip, records: legacy(3, 0n) });
    assert.deepEqual(downConvert(v1, 1), v1);
    const lowered = decodeMessageSet(downConvert(v1, 0));
    assert.deepEqual(
      lowered.map((r) => [r.magic, r.offset, r.timestamp]),
      [
        [0, 0n, -1n],
        [0, 1n, -1n],
        [0, 2n, -1n],
      ],
    );
    const cut = log.subarray(0, log.length - 10);
    assert.throws(() => downConvert(cut, 1), ProtocolError);
    assert.equal(decodeMessageSet(downConvert(cut, 1, { allowPartialTail: true })).length, 9);
  });

  it('refuses zstd batches, which old formats cannot carry', () => {
    const zstd = encodeRecordBatch({ compression: CompressionType.Zstd, records: v2Records(2) });
    assert.throws(() => downConvert(zstd, 1), { code: 'UNSUPPORTED_COMPRESSION' });
  });
});

describe('recompression', () => {
  for (const from of ALL_CODECS) {
    for (const to of ALL_CODECS) {
      it(`recompresses ${from} to ${to} keeping header fields and records`, () => {
        const batch = encodeRecordBatch({
          baseOffset: 77n,
          partitionLeaderEpoch: 3,
          compression: from,
          transactional: true,
          producerId: 9n,
          producerEpoch: 1,
          baseSequence: 5,
          baseTimestamp: 1000n,
          records: v2Records(12),
        });
        const a = decodeRecordBatch(batch);
        const out = recompressBatch(batch, to);
        const b = decodeRecordBatch(out);
        assert.equal(b.compression, to);
        const strip = ({ compression, crc, attributes, batchLength, records, ...rest }: RecordBatch) => rest;
        assert.deepEqual(strip(b), strip(a));
        assert.equal(b.attributes & ~7, a.attributes & ~7);
        assert.deepEqual(b.records, a.records);
      });
    }
  }

  it('leaves control batches alone and handles several batches', () => {
    const marker = encodeEndTxnMarkerBatch({
      producerId: 1n,
      producerEpoch: 0,
      coordinatorEpoch: 0,
      commit: false,
      timestamp: 0n,
    });
    assert.equal(recompressBatch(marker, CompressionType.Gzip), marker);
    const data = Buffer.concat([encodeRecordBatch({ records: v2Records(2) }), marker]);
    const out = recompressBatches(data, CompressionType.Zstd);
    assert.deepEqual(
      out.map((b) => decodeRecordBatch(b).compression),
      [CompressionType.Zstd, CompressionType.None],
    );
  });
});
