import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prepareForAppend } from '../../src/broker/replica/produce-conversion.js';
import { ProtocolError } from '../../src/protocol/primitives/protocol-error.js';
import { encodeMessageSet } from '../../src/protocol/records/message-set.js';
import { decodeRecordBatch, encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import {
  CompressionType,
  readBatchHeader,
  splitBatches,
} from '../../src/protocol/records/record-batch-header.js';

const v2 = (compression: CompressionType = CompressionType.None) =>
  encodeRecordBatch({
    compression,
    baseTimestamp: 1000n,
    records: [0, 1, 2].map((i) => ({
      offsetDelta: i,
      timestampDelta: 0,
      key: null,
      value: Buffer.from(`v${i}`),
      headers: [],
    })),
  });

describe('produce conversion at the broker edge', () => {
  it('passes v2 batches through untouched when the topic keeps the producer codec', () => {
    const b = v2(CompressionType.Gzip);
    assert.equal(prepareForAppend(b, 9, 'producer'), b);
  });

  it('recompresses to the topic compression.type', () => {
    const out = prepareForAppend(v2(CompressionType.Gzip), 9, 'lz4');
    const h = readBatchHeader(out);
    assert.equal(h.attributes & 7, CompressionType.Lz4);
    assert.deepEqual(
      decodeRecordBatch(out).records.map((r) => r.value!.toString()),
      ['v0', 'v1', 'v2'],
    );
  });

  it('up-converts legacy message sets of many messages into batches starting at offset 0', () => {
    const set = encodeMessageSet({
      magic: 1,
      records: Array.from({ length: 5 }, (_, i) => ({
        offset: BigInt(i),
        timestamp: 1000n + BigInt(i),
        key: null,
        value: Buffer.from(`m${i}`),
      })),
    });
    const out = prepareForAppend(set, 2, 'producer');
    const batches = splitBatches(out).batches;
    assert.ok(batches.length >= 1);
    for (const b of batches) assert.equal(readBatchHeader(b).baseOffset, 0n);
    assert.deepEqual(
      batches.flatMap((b) => decodeRecordBatch(b).records.map((r) => r.value!.toString())),
      ['m0', 'm1', 'm2', 'm3', 'm4'],
    );
  });

  it('rejects legacy formats in Produce v3+, several batches in v3+, and zstd before v7', () => {
    const set = encodeMessageSet({
      magic: 1,
      records: [{ offset: 0n, timestamp: 1n, key: null, value: Buffer.from('x') }],
    });
    assert.throws(
      () => prepareForAppend(set, 3, 'producer'),
      (e: unknown) => e instanceof ProtocolError && e.code === 'INVALID_RECORD',
    );
    assert.throws(
      () => prepareForAppend(Buffer.concat([v2(), v2()]), 3, 'producer'),
      (e: unknown) => e instanceof ProtocolError && e.code === 'INVALID_RECORD',
    );
    assert.throws(
      () => prepareForAppend(v2(CompressionType.Zstd), 6, 'producer'),
      (e: unknown) => e instanceof ProtocolError && e.code === 'UNSUPPORTED_COMPRESSION',
    );
    assert.throws(() => prepareForAppend(Buffer.alloc(5), 9, 'producer'), ProtocolError);
  });
  // Kafka's LogValidator assigns offsets and ignores the producer's: segmentio/kafka-go 0.2 writes
  // every uncompressed message with offset 0.
  it('up-converts an uncompressed message set whose offsets are all 0, assigning offsets', () => {
    const records = ['a', 'b', 'c'].map((k) => ({
      offset: 0n,
      timestamp: 1_700_000_000_000n,
      key: Buffer.from(k),
      value: Buffer.from(`value-${k}`),
    }));
    const { batches } = splitBatches(
      prepareForAppend(encodeMessageSet({ magic: 1, records }), 2, 'producer'),
    );
    assert.equal(batches.length, 1);
    assert.equal(readBatchHeader(batches[0]!).baseOffset, 0n);
    assert.deepEqual(
      decodeRecordBatch(batches[0]!).records.map((r) => [
        r.offsetDelta,
        r.key?.toString(),
        r.value?.toString(),
      ]),
      [
        [0, 'a', 'value-a'],
        [1, 'b', 'value-b'],
        [2, 'c', 'value-c'],
      ],
    );
  });
});
