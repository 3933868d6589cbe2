import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../../src/protocol/primitives/protocol-error.js';
import {
  ControlRecordType,
  decodeControlRecordKey,
  decodeEndTxnMarker,
  encodeEndTxnMarkerBatch,
  isEndTxnMarker,
} from '../../../src/protocol/records/control-record.js';
import type { Record } from '../../../src/protocol/records/record.js';
import {
  decodeRecordBatch,
  encodeRecordBatch,
  openRecordBatch,
  recordOffset,
  recordTimestamp,
} from '../../../src/protocol/records/record-batch.js';
import {
  BatchOffsets,
  CompressionType,
  computeBatchCrc,
  TimestampType,
  validateBatch,
} from '../../../src/protocol/records/record-batch-header.js';

const CODECS = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
] as const;

function sampleRecords(n: number): Record[] {
  const out: Record[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      attributes: 0,
      offsetDelta: i,
      timestampDelta: i * 5,
      key: i % 3 === 0 ? null : Buffer.from(`key-${i}`),
      value: i % 5 === 0 ? null : Buffer.from(`value-${i}-`.repeat((i % 7) + 1)),
      headers:
        i % 2 === 0
          ? []
          : [
              { key: 'trace', value: Buffer.from(`t${i}`) },
              { key: 'ünïcode', value: null },
              { key: '', value: Buffer.alloc(0) },
            ],
    });
  }
  return out;
}

function corrupted(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => e instanceof ProtocolError && e.code === code);
}

/** Rewrites the CRC so that a deliberately inconsistent batch gets past the checksum. */
function fixCrc(batch: Buffer): Buffer {
  batch.writeUInt32BE(computeBatchCrc(batch), BatchOffsets.crc);
  return batch;
}

describe('record batch v2', () => {
  for (const compression of CODECS) {
    it(`round-trips records with headers and null keys and values, codec ${compression}`, () => {
      const records = sampleRecords(100);
      const input = {
        baseOffset: 1234567890123n,
        partitionLeaderEpoch: 7,
        compression,
        producerId: 99n,
        producerEpoch: 2,
        baseSequence: 40,
        baseTimestamp: 1_700_000_000_000n,
        records,
      };
      const batch = encodeRecordBatch(input);
      const h = validateBatch(batch);
      assert.equal(h.recordCount, 100);
      assert.equal(h.lastOffsetDelta, 99);
      assert.equal(h.maxTimestamp, 1_700_000_000_000n + 495n);
      const decoded = decodeRecordBatch(batch);
      assert.equal(decoded.compression, compression);
      assert.equal(decoded.baseOffset, 1234567890123n);
      assert.equal(decoded.partitionLeaderEpoch, 7);
      assert.equal(decoded.producerId, 99n);
      assert.equal(decoded.producerEpoch, 2);
      assert.equal(decoded.baseSequence, 40);
      assert.equal(decoded.transactional, false);
      assert.equal(decoded.control, false);
      assert.deepEqual(decoded.records, records);
      assert.equal(recordOffset(decoded, decoded.records[10]!), 1234567890133n);
      assert.equal(recordTimestamp(decoded, decoded.records[10]!), 1_700_000_000_050n);
    });
  }

  it('encodes 10,000 records and large values, and deltas beyond 32 bits', () => {
    const records: Record[] = [];
    for (let i = 0; i < 10_000; i++) {
      records.push({
        offsetDelta: i * 3,
        timestampDelta: i === 9999 ? 2 ** 40 : 0 - i,
        key: null,
        value: null,
        headers: [],
      });
    }
    records.push({
      offsetDelta: 40_000,
      timestampDelta: 0,
      key: null,
      value: Buffer.alloc(100_000, 1),
      headers: [],
    });
    const batch = encodeRecordBatch({ baseTimestamp: 5n, records, compression: CompressionType.Lz4 });
    const decoded = decodeRecordBatch(batch);
    assert.deepEqual(
      decoded.records.map((r) => [r.offsetDelta, r.timestampDelta]),
      records.map((r) => [r.offsetDelta, r.timestampDelta]),
    );
    assert.equal(decoded.records[10_000]!.value!.length, 100_000);
    assert.equal(decoded.maxTimestamp, 5n + 2n ** 40n);
    assert.equal(decoded.lastOffsetDelta, 40_000);
  });

  it('iterates records without materialising them all', () => {
    const batch = encodeRecordBatch({ records: sampleRecords(50) });
    const open = openRecordBatch(batch);
    const it = open.records();
    assert.equal(it.next().value?.offsetDelta, 0);
    assert.equal(it.next().value?.offsetDelta, 1);
    let n = 2;
    for (const _ of it) n++;
    assert.equal(n, 50);
  });

  it('keeps LogAppendTime, transactional and empty batches', () => {
    const batch = encodeRecordBatch({
      timestampType: TimestampType.LogAppendTime,
      transactional: true,
      baseTimestamp: 10n,
      maxTimestamp: 99n,
      producerId: 5n,
      producerEpoch: 1,
      baseSequence: 0,
      records: sampleRecords(3),
    });
    const d = decodeRecordBatch(batch);
    assert.equal(d.timestampType, TimestampType.LogAppendTime);
    assert.equal(d.transactional, true);
    assert.equal(recordTimestamp(d, d.records[2]!), 99n);
    const empty = decodeRecordBatch(
      encodeRecordBatch({ records: [], lastOffsetDelta: 4, compression: CompressionType.Gzip }),
    );
    assert.equal(empty.recordCount, 0);
    assert.equal(empty.lastOffsetDelta, 4);
    assert.deepEqual(empty.records, []);
  });

  it('writes and reads transaction markers', () => {
    const batch = encodeEndTxnMarkerBatch({
      baseOffset: 77n,
      producerId: 1000n,
      producerEpoch: 4,
      coordinatorEpoch: 12,
      commit: true,
      timestamp: 1_700_000_000_000n,
    });
    const d = decodeRecordBatch(batch);
    assert.equal(d.control, true);
    assert.equal(d.transactional, true);
    assert.equal(d.records.length, 1);
    const r = d.records[0]!;
    assert.deepEqual(decodeControlRecordKey(r.key), { version: 0, type: ControlRecordType.Commit });
    assert.deepEqual(decodeEndTxnMarker(r.value), { version: 0, coordinatorEpoch: 12 });
    assert.equal(isEndTxnMarker(r), true);
    assert.equal(r.key!.toString('hex'), '00000001');
    assert.equal(r.value!.toString('hex'), '00000000000c');
    corrupted(() => decodeControlRecordKey(Buffer.from([0])), 'INVALID_RECORD');
    corrupted(() => decodeEndTxnMarker(null), 'INVALID_RECORD');
  });

  it('raises CORRUPT_RECORD when any byte covered by the CRC flips', () => {
    const batch = encodeRecordBatch({ records: sampleRecords(5), compression: CompressionType.Snappy });
    for (let i = BatchOffsets.attributes; i < batch.length; i++) {
      const copy = Buffer.from(batch);
      copy[i] = copy[i]! ^ 0x01;
      corrupted(() => decodeRecordBatch(copy), 'CORRUPT_RECORD');
    }
  });

  it('raises CORRUPT_RECORD for truncation, wrong length and wrong magic', () => {
    const batch = encodeRecordBatch({ records: sampleRecords(5) });
    corrupted(() => decodeRecordBatch(batch.subarray(0, batch.length - 1)), 'CORRUPT_RECORD');
    corrupted(() => decodeRecordBatch(batch.subarray(0, 30)), 'CORRUPT_RECORD');
    const magic = Buffer.from(batch);
    magic[BatchOffsets.magic] = 1;
    corrupted(() => decodeRecordBatch(magic), 'CORRUPT_RECORD');
  });

  it('raises INVALID_RECORD when the record count disagrees with the records', () => {
    const batch = encodeRecordBatch({ records: sampleRecords(5) });
    const more = Buffer.from(batch);
    more.writeInt32BE(6, BatchOffsets.recordCount);
    more.writeInt32BE(5, BatchOffsets.lastOffsetDelta);
    corrupted(() => decodeRecordBatch(fixCrc(more)), 'INVALID_RECORD');
    const fewer = Buffer.from(batch);
    fewer.writeInt32BE(4, BatchOffsets.recordCount);
    corrupted(() => decodeRecordBatch(fixCrc(fewer)), 'INVALID_RECORD');
    const huge = Buffer.from(batch);
    huge.writeInt32BE(2 ** 31 - 1, BatchOffsets.recordCount);
    huge.writeInt32BE(2 ** 31 - 1, BatchOffsets.lastOffsetDelta);
    corrupted(() => decodeRecordBatch(fixCrc(huge)), 'INVALID_RECORD');
  });

  it('raises INVALID_RECORD for records whose offsets go backwards or whose length lies', () => {
    const twoRecords = [1, 2].map((offsetDelta) => ({
      offsetDelta,
      timestampDelta: 0,
      key: null,
      value: null,
      headers: [],
    }));
    corrupted(() => encodeRecordBatch({ records: [...twoRecords].reverse() }), 'INVALID_RECORD');
    corrupted(() => encodeRecordBatch({ records: twoRecords, lastOffsetDelta: 1 }), 'INVALID_RECORD');
    const backwards = encodeRecordBatch({ records: twoRecords });
    // Records of 7 bytes from byte 61: the second record's offset delta varint is at 61 + 7 + 3.
    assert.equal(backwards[71], 4);
    backwards[71] = 0;
    fixCrc(backwards);
    corrupted(() => decodeRecordBatch(backwards), 'INVALID_RECORD');
    const batch = encodeRecordBatch({
      records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('abc'), headers: [] }],
    });
    const lying = Buffer.from(batch);
    lying[61] = lying[61]! + 2; // record length varint (zig-zag): claims one byte more
    corrupted(() => decodeRecordBatch(fixCrc(lying)), 'INVALID_RECORD');
  });

  it('raises UNSUPPORTED_COMPRESSION for codec ids beyond zstd', () => {
    const batch = encodeRecordBatch({ records: sampleRecords(2) });
    batch.writeInt16BE(6, BatchOffsets.attributes);
    corrupted(() => decodeRecordBatch(fixCrc(batch)), 'UNSUPPORTED_COMPRESSION');
  });
});
