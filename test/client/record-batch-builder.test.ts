import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BufferPool } from '../../src/client/producer/buffer-pool.js';
import { RecordBatchBuilder, recordBytesMax } from '../../src/client/producer/record-batch-builder.js';
import type { Record as KafkaRecord } from '../../src/protocol/records/record.js';
import { decodeRecordBatch, encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { CompressionType } from '../../src/protocol/records/record-batch-header.js';

interface Input {
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer | null }[];
}

const BASE = 1_700_000_000_000;

/** Text-like values (compressible) or bytes from a fixed-seed generator (incompressible). */
function inputs(count: number, valueBytes: number, random: boolean): Input[] {
  let seed = 12345;
  const next = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 24;
  };
  return Array.from({ length: count }, (_, i) => {
    const value = Buffer.alloc(valueBytes);
    for (let j = 0; j < valueBytes; j++) value[j] = random ? next() : 97 + ((i + j) % 26);
    return {
      timestamp: BASE + i * 3 - (i % 5 === 4 ? 7 : 0),
      key: i % 3 === 0 ? null : Buffer.from(`key-${i}`),
      value: i % 7 === 6 ? null : value,
      headers: i % 2 === 0 ? [] : [{ key: `h-é-${i}`, value: i % 4 === 1 ? null : Buffer.from(`hv${i}`) }],
    };
  });
}

function build(
  compression: CompressionType,
  records: Input[],
  capacity = 1 << 20,
  pool = new BufferPool(1 << 20, 4),
) {
  const b = new RecordBatchBuilder(compression, records[0]?.timestamp ?? 0, capacity, pool);
  for (const r of records) b.append(r.timestamp, r.key, r.value, r.headers);
  return { builder: b, pool };
}

function expected(records: Input[]): KafkaRecord[] {
  const base = records[0]?.timestamp ?? 0;
  return records.map((r, i) => ({
    attributes: 0,
    offsetDelta: i,
    timestampDelta: r.timestamp - base,
    key: r.key,
    value: r.value,
    headers: r.headers,
  }));
}

describe('record batch builder', () => {
  it('writes the same bytes as the protocol encoder for an uncompressed batch', async () => {
    const records = inputs(50, 100, false);
    const { builder } = build(CompressionType.None, records);
    const got = await builder.build(7n, 2, 40);
    const want = encodeRecordBatch({
      baseTimestamp: BigInt(BASE),
      producerId: 7n,
      producerEpoch: 2,
      baseSequence: 40,
      records: expected(records),
    });
    assert.deepEqual(got, want);
  });

  for (const [name, type] of [
    ['lz4', CompressionType.Lz4],
    ['gzip', CompressionType.Gzip],
    ['snappy', CompressionType.Snappy],
    ['zstd', CompressionType.Zstd],
  ] as const) {
    for (const random of [false, true]) {
      it(`${name}: a batch of several 64 KiB blocks (${random ? 'incompressible' : 'compressible'}) decodes to the records given`, async () => {
        // 300 records of 1 KiB: the lz4 path compresses four full blocks during the appends.
        const records = inputs(300, 1024, random);
        const { builder } = build(type, records);
        const batch = decodeRecordBatch(await builder.build(-1n, -1, -1));
        assert.equal(batch.compression, type);
        assert.equal(batch.recordCount, 300);
        assert.equal(batch.baseTimestamp, BigInt(BASE));
        assert.equal(batch.maxTimestamp, BigInt(Math.max(...records.map((r) => r.timestamp))));
        assert.deepEqual(batch.records, expected(records));
      });
    }
  }

  it('builds once: a retry gets the very same bytes', async () => {
    const { builder } = build(CompressionType.Lz4, inputs(10, 10, false));
    const first = await builder.build(-1n, -1, -1);
    assert.equal(await builder.build(5n, 5, 5), first);
  });

  it('moves to a larger buffer for a record over its capacity', async () => {
    const pool = new BufferPool(256, 2);
    const records = inputs(3, 1000, false);
    const { builder } = build(CompressionType.None, records, 256, pool);
    assert.deepEqual(decodeRecordBatch(await builder.build(-1n, -1, -1)).records, expected(records));
  });

  it('gives its buffers back to the pool when recycled, and the next batch takes them', async () => {
    const pool = new BufferPool(1 << 20, 4);
    for (const type of [CompressionType.None, CompressionType.Lz4]) {
      const { builder } = build(type, inputs(100, 1024, false), 1 << 20, pool);
      await builder.build(-1n, -1, -1);
      builder.recycle();
      assert.ok(pool.freeCount >= 1, `buffers returned after a ${type} batch`);
      const before = pool.freeCount;
      const next = build(type, inputs(5, 10, false), 1 << 20, pool).builder;
      assert.equal(pool.freeCount, before - 1);
      next.recycle();
    }
  });

  it('bounds each record from above whatever its deltas', () => {
    for (const r of inputs(40, 300, true)) {
      const one = build(CompressionType.None, [{ ...r, timestamp: BASE }]).builder;
      one.append(BASE - 2 ** 40, r.key, r.value, r.headers);
      const secondRecordBytes =
        one.sizeBytes - build(CompressionType.None, [{ ...r, timestamp: BASE }]).builder.sizeBytes;
      assert.ok(secondRecordBytes <= recordBytesMax(r.key, r.value, r.headers));
    }
  });
});
