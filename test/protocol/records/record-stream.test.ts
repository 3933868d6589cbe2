import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Xxhash32Stream, xxhash32 } from '../../../src/protocol/compression/xxhash32.js';
import { ProtocolError } from '../../../src/protocol/primitives/protocol-error.js';
import type { Record } from '../../../src/protocol/records/record.js';
import { encodeRecordBatch, openRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { CompressionType } from '../../../src/protocol/records/record-batch-header.js';
import { walkCompressedRecords } from '../../../src/protocol/records/record-stream.js';
import { batchWithBody, bombBatch, recordBytesOf } from '../../helpers/compressed-batch.js';
import { Prng } from '../../helpers/prng.js';

// A full collection that also frees the dead buffers' memory before it returns (V8 otherwise
// sweeps array buffers on a background thread, and the reading lags behind), so that a memory
// reading counts live buffers only.
setFlagsFromString('--expose-gc');
setFlagsFromString('--no-concurrent-array-buffer-sweeping');
const gc = runInNewContext('gc') as () => void;

const CODECS = [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];
const NAMES = { 1: 'gzip', 2: 'snappy', 3: 'lz4', 4: 'zstd' } as const;

function infoOf(batch: Buffer) {
  const b = openRecordBatch(batch, { checkCrc: false });
  return { compression: b.compression, recordCount: b.recordCount, lastOffsetDelta: b.lastOffsetDelta };
}

async function walk(batch: Buffer, options = {}): Promise<[number, number, boolean][]> {
  const seen: [number, number, boolean][] = [];
  await walkCompressedRecords(batch, infoOf(batch), (o, t, k) => seen.push([o, t, k]), options);
  return seen;
}

/** Records of every shape the walk distinguishes: tiny, straddling pieces, and larger than 1 MiB. */
function sampleRecords(): Record[] {
  const prng = new Prng(11);
  const records: Record[] = [];
  for (let i = 0; i < 3000; i++) {
    records.push({
      offsetDelta: i,
      timestampDelta: i * 3,
      key: i % 5 === 0 ? null : Buffer.from(`key-${i}`),
      value: i % 7 === 0 ? null : prng.bytes(i % 400),
      headers: i % 11 === 0 ? [{ key: 'h', value: Buffer.from('v') }] : [],
    });
  }
  records.push({
    offsetDelta: 3000,
    timestampDelta: 1,
    key: Buffer.alloc(1_200_000, 1),
    value: Buffer.alloc(2_500_000, 2),
    headers: [{ key: 'k'.repeat(1_100_000), value: null }],
  });
  records.push({ offsetDelta: 3001, timestampDelta: -5, key: null, value: null, headers: [] });
  return records;
}

describe('walkCompressedRecords', () => {
  const records = sampleRecords();
  for (const compression of CODECS) {
    it(`visits every record of a ${NAMES[compression]} batch as the whole-batch decoder does`, async () => {
      const batch = encodeRecordBatch({ compression, baseTimestamp: 1000n, records });
      const expected = [...openRecordBatch(batch).records()].map((r): [number, number, boolean] => [
        r.offsetDelta,
        r.timestampDelta,
        r.key !== null,
      ]);
      assert.deepEqual(await walk(batch, { sliceBytes: 64 * 1024 }), expected);
    });

    it(`stops a ${NAMES[compression]} batch at the cap with DECOMPRESSED_TOO_LARGE`, async () => {
      const batch = encodeRecordBatch({ compression, records });
      await assert.rejects(walk(batch, { maxBytes: 1 << 20 }), { code: 'DECOMPRESSED_TOO_LARGE' });
    });

    it(`rejects malformed ${NAMES[compression]} record bodies as the whole-batch decoder does`, async () => {
      const body = recordBytesOf(records.slice(0, 50));
      const cases: [string, Buffer, number][] = [
        ['fewer records than declared', body, 51],
        ['bytes after the declared records', body, 49],
        ['a truncated record', body.subarray(0, body.length - 3), 50],
        ['a record length past the end', Buffer.concat([body, Buffer.from([0x7e])]), 51],
      ];
      for (const [name, b, count] of cases) {
        const batch = batchWithBody(b, compression, count);
        assert.throws(() => [...openRecordBatch(batch).records()], ProtocolError, name);
        await assert.rejects(walk(batch), { code: 'INVALID_RECORD' }, name);
      }
    });

    it(`answers CORRUPT_RECORD for a corrupt ${NAMES[compression]} body`, async () => {
      const batch = encodeRecordBatch({ compression, records: records.slice(0, 100) });
      batch.fill(0x55, 61 + 4, batch.length - 4);
      await assert.rejects(
        walk(batch),
        (e: unknown) => e instanceof ProtocolError && e.code !== 'DECOMPRESSED_TOO_LARGE',
      );
    });
  }

  it('stops the visit when the visitor throws', async () => {
    const batch = encodeRecordBatch({ compression: CompressionType.Zstd, records });
    let visits = 0;
    await assert.rejects(
      walkCompressedRecords(batch, infoOf(batch), () => {
        if (++visits === 10) throw new Error('enough');
      }),
      /enough/,
    );
    assert.equal(visits, 10);
  });

  it('walks raw snappy blocks on either side of 8 MiB (this thread below, the thread pool above)', async () => {
    for (const valueBytes of [7 << 20, 9 << 20]) {
      const big = [
        { offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.alloc(valueBytes, 7), headers: [] },
        { offsetDelta: 1, timestampDelta: 2, key: Buffer.from('k'), value: null, headers: [] },
      ];
      const batch = encodeRecordBatch({ compression: CompressionType.Snappy, records: big });
      assert.deepEqual(await walk(batch), [
        [0, 0, false],
        [1, 2, true],
      ]);
      await assert.rejects(walk(batch, { maxBytes: 4 << 20 }), { code: 'DECOMPRESSED_TOO_LARGE' });
      batch.fill(0x55, 61 + 8, 61 + 64);
      await assert.rejects(walk(batch), { code: 'CORRUPT_RECORD' });
    }
  });

  for (const compression of [CompressionType.Gzip, CompressionType.Zstd]) {
    it(`walks a ${NAMES[compression]} bomb of 64 MiB holding a piece at a time`, async () => {
      const batch = bombBatch(compression, 64 << 20);
      assert.ok(batch.length < 80_000, `${batch.length} bytes`);
      // What the walk holds, not what awaits collection: live buffers after a full collection,
      // sampled every 16th time the walk lets the event loop run (it does at least every MiB).
      gc();
      const before = process.memoryUsage().arrayBuffers;
      let held = 0;
      let sampling = true;
      let turns = 0;
      const sample = (): void => {
        if (!sampling) return;
        if (++turns % 16 === 0) {
          gc();
          held = Math.max(held, process.memoryUsage().arrayBuffers - before);
        }
        setImmediate(sample);
      };
      setImmediate(sample);
      try {
        assert.deepEqual(await walk(batch), [[0, 0, false]]);
      } finally {
        sampling = false;
      }
      assert.ok(turns >= 32, `sampled ${turns} turns`);
      assert.ok(held < 16 << 20, `the walk held ${held} bytes of buffers`);
      await assert.rejects(walk(batch, { maxBytes: 16 << 20 }), { code: 'DECOMPRESSED_TOO_LARGE' });
    });
  }
});

describe('Xxhash32Stream', () => {
  it('digests pieces as xxhash32 digests the whole', () => {
    const prng = new Prng(3);
    for (const n of [0, 1, 15, 16, 17, 100, 4096, 10_007]) {
      const data = prng.bytes(n);
      for (let trial = 0; trial < 5; trial++) {
        const h = new Xxhash32Stream();
        let at = 0;
        while (at < n) {
          const step = Math.min(n - at, 1 + (prng.nextU32() % 40));
          h.update(data.subarray(at, at + step));
          at += step;
        }
        assert.equal(h.digest(), xxhash32(data), `length ${n}`);
      }
    }
  });
});
