import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compress,
  compressSync,
  decompress,
  decompressSync,
} from '../../../src/protocol/compression/compress.js';
import { isXerialSnappy } from '../../../src/protocol/compression/snappy-codec.js';
import { xxhash32 } from '../../../src/protocol/compression/xxhash32.js';
import { ProtocolError } from '../../../src/protocol/primitives/protocol-error.js';
import { CompressionType } from '../../../src/protocol/records/record-batch-header.js';
import { Prng } from '../../helpers/prng.js';

const CODECS = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
] as const;

function randomBytes(n: number, seed: number): Buffer {
  return new Prng(seed).bytes(n);
}

function jsonish(n: number): Buffer {
  const rows: string[] = [];
  for (let i = 0; rows.join('\n').length < n; i++)
    rows.push(JSON.stringify({ id: i, user: `u${i % 97}`, ok: i % 3 === 0 }));
  return Buffer.from(rows.join('\n')).subarray(0, n);
}

const INPUTS: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['one byte', Buffer.from('x')],
  ['json 300 KiB (several blocks)', jsonish(300 * 1024)],
  ['random 200 KiB (incompressible)', randomBytes(200 * 1024, 7)],
  ['exactly one LZ4 block', jsonish(64 * 1024)],
];

function assertCorrupt(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => e instanceof ProtocolError && e.code === 'CORRUPT_RECORD');
}

describe('compression codecs', () => {
  for (const type of CODECS) {
    for (const [name, data] of INPUTS) {
      it(`round-trips ${name} with codec ${type}, sync and async`, async () => {
        const sync = compressSync(type, data);
        assert.deepEqual(decompressSync(type, sync), data);
        const async = await compress(type, data);
        assert.deepEqual(await decompress(type, async), data);
        assert.deepEqual(decompressSync(type, async), data);
      });
    }
  }

  it('shrinks record-like data with every codec', () => {
    const data = jsonish(100 * 1024);
    for (const type of CODECS.slice(1))
      assert.ok(compressSync(type, data).length < data.length / 2, `codec ${type}`);
  });

  it('writes raw snappy by default and xerial framing on request; reads both', () => {
    const data = jsonish(100 * 1024);
    const raw = compressSync(CompressionType.Snappy, data);
    const xerial = compressSync(CompressionType.Snappy, data, { snappyXerial: true });
    assert.equal(isXerialSnappy(raw), false);
    assert.equal(isXerialSnappy(xerial), true);
    assert.deepEqual(xerial.subarray(0, 16).toString('hex'), '82534e41505059000000000100000001');
    assert.deepEqual(decompressSync(CompressionType.Snappy, raw), data);
    assert.deepEqual(decompressSync(CompressionType.Snappy, xerial), data);
  });

  it('writes LZ4 frames with the correct or the broken (magic 0) header checksum and reads both', () => {
    const data = jsonish(10 * 1024);
    const good = compressSync(CompressionType.Lz4, data);
    const broken = compressSync(CompressionType.Lz4, data, { lz4BrokenHeaderChecksum: true });
    assert.equal(good.readUInt32LE(0), 0x184d2204);
    assert.equal(good[6], (xxhash32(good.subarray(4, 6)) >>> 8) & 0xff);
    assert.equal(broken[6], (xxhash32(broken.subarray(0, 6)) >>> 8) & 0xff);
    assert.notEqual(good[6], broken[6]);
    assert.deepEqual(good.subarray(7), broken.subarray(7));
    assert.deepEqual(decompressSync(CompressionType.Lz4, good), data);
    assert.deepEqual(decompressSync(CompressionType.Lz4, broken), data);
  });

  it('rejects an LZ4 header checksum that is neither form', () => {
    const frame = compressSync(CompressionType.Lz4, jsonish(1000));
    frame[6] = frame[6]! ^ 0x55;
    assertCorrupt(() => decompressSync(CompressionType.Lz4, frame));
  });

  it('rejects LZ4 frames with dependent blocks, as Kafka does', () => {
    const frame = compressSync(CompressionType.Lz4, jsonish(1000));
    frame[4] = frame[4]! & ~0x20;
    frame[6] = (xxhash32(frame.subarray(4, 6)) >>> 8) & 0xff;
    assertCorrupt(() => decompressSync(CompressionType.Lz4, frame));
  });

  it('stores incompressible LZ4 blocks uncompressed (high bit of the block size)', () => {
    const frame = compressSync(CompressionType.Lz4, randomBytes(1000, 3));
    assert.equal(frame.readUInt32LE(7), (1000 | 0x80000000) >>> 0);
  });

  it('computes XXH32 reference values', () => {
    assert.equal(xxhash32(Buffer.alloc(0)), 0x02cc5d05);
    assert.equal(xxhash32(Buffer.from('abc')), 0x32d153ff);
    assert.equal(xxhash32(Buffer.from('Nobody inspects the spammish repetition')), 0xe2293b2f);
  });

  it('raises CORRUPT_RECORD for damaged or truncated input of every codec', async () => {
    const data = jsonish(50 * 1024);
    for (const type of CODECS.slice(1)) {
      const c = compressSync(type, data);
      assertCorrupt(() => decompressSync(type, c.subarray(0, c.length >> 1)));
      await assert.rejects(decompress(type, c.subarray(0, c.length >> 1)), ProtocolError);
      assertCorrupt(() => decompressSync(type, randomBytes(64, type)));
    }
  });

  it('refuses output beyond maxBytes before producing it', async () => {
    const zeros = Buffer.alloc(1024 * 1024);
    for (const type of CODECS.slice(1)) {
      const c = compressSync(type, zeros);
      const tooLarge = (e: unknown) => e instanceof ProtocolError && e.code === 'DECOMPRESSED_TOO_LARGE';
      assert.throws(() => decompressSync(type, c, { maxBytes: 100_000 }), tooLarge);
      await assert.rejects(decompress(type, c, { maxBytes: 100_000 }), tooLarge);
      assert.equal(decompressSync(type, c, { maxBytes: zeros.length }).length, zeros.length);
    }
  });

  it('refuses a snappy block that claims more than the limit without allocating it', () => {
    // Varint 0xffffffff (4 GiB - 1) followed by nothing.
    const claim = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]);
    assertCorrupt(() => decompressSync(CompressionType.Snappy, claim));
    // 100 MB, under the cap, but more than 12 bytes of snappy can ever expand to.
    const inflated = Buffer.from([0x80, 0xc2, 0xd7, 0x2f, 0, 0, 0, 0, 0, 0, 0, 0]);
    assertCorrupt(() => decompressSync(CompressionType.Snappy, inflated));
  });

  it('reports unknown codec ids as UNSUPPORTED_COMPRESSION', async () => {
    const bad = 5 as CompressionType;
    assert.throws(() => compressSync(bad, Buffer.from('x')), { code: 'UNSUPPORTED_COMPRESSION' });
    assert.throws(() => decompressSync(bad, Buffer.from('x')), { code: 'UNSUPPORTED_COMPRESSION' });
    await assert.rejects(decompress(bad, Buffer.from('x')), { code: 'UNSUPPORTED_COMPRESSION' });
  });
});
