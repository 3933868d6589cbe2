import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decompress, decompressSync } from '../../../src/protocol/compression/compress.js';
import { CompressionType } from '../../../src/protocol/records/record-batch-header.js';

// Fixtures written by Python's reference libraries; see test/golden/compression/README.md.
const DIR = join(process.cwd(), 'test/golden/compression');
const read = (name: string): Buffer => readFileSync(join(DIR, name));

const FIXTURES: [string, CompressionType][] = [
  ['gzip.bin', CompressionType.Gzip],
  ['snappy-raw.bin', CompressionType.Snappy],
  ['snappy-xerial.bin', CompressionType.Snappy],
  ['lz4-frame.bin', CompressionType.Lz4],
  ['lz4-frame-checksums.bin', CompressionType.Lz4],
  ['lz4-broken-checksum.bin', CompressionType.Lz4],
  ['zstd.bin', CompressionType.Zstd],
  ['zstd-stream.bin', CompressionType.Zstd],
];

describe('compression golden fixtures', () => {
  const plain = read('plain.bin');
  for (const [name, type] of FIXTURES) {
    it(`decodes ${name} to the original`, async () => {
      const data = read(name);
      assert.deepEqual(decompressSync(type, data), plain);
      assert.deepEqual(await decompress(type, data), plain);
    });
  }

  it('detects a corrupted LZ4 content checksum', () => {
    const data = Buffer.from(read('lz4-frame-checksums.bin'));
    data[data.length - 1] = data[data.length - 1]! ^ 1;
    assert.throws(() => decompressSync(CompressionType.Lz4, data), { code: 'CORRUPT_RECORD' });
  });

  it('detects a corrupted LZ4 block checksum', () => {
    const data = Buffer.from(read('lz4-frame-checksums.bin'));
    data[30] = data[30]! ^ 1;
    assert.throws(() => decompressSync(CompressionType.Lz4, data), { code: 'CORRUPT_RECORD' });
  });
});
