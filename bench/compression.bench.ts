import * as zlib from 'node:zlib';
import * as zstdWasm from '@bokuweb/zstd-wasm';
import * as lz4 from 'lz4-napi';
import * as snappy from 'snappy';
import * as zstdNapi from 'zstd-napi';
import { compressSync, decompressSync } from '../src/protocol/compression/compress.js';
import { zstdImplementation } from '../src/protocol/compression/zstd-codec.js';
import { CompressionType } from '../src/protocol/records/record-batch-header.js';
import { environment, measure, rate, recordLikeJson } from './measure.js';

/**
 * Compression candidates on 1 MiB of record-like JSON: MB/s of input for compress and decompress,
 * and the ratio, beside a plain buffer copy as the baseline. This is how the codecs in
 * docs/dependencies.md were chosen. Prints figures only.
 */
interface Candidate {
  name: string;
  compress: (b: Buffer) => Uint8Array;
  decompress: (b: Buffer) => Uint8Array;
}

const data = recordLikeJson(1024 * 1024);

async function candidates(): Promise<Candidate[]> {
  await zstdWasm.init();
  const snappyjs = (await import('snappyjs')).default;
  const list: Candidate[] = [
    {
      name: 'gzip level 6 (node:zlib)',
      compress: (b) => zlib.gzipSync(b),
      decompress: (b) => zlib.gunzipSync(b),
    },
    {
      name: 'gzip level 1 (node:zlib)',
      compress: (b) => zlib.gzipSync(b, { level: 1 }),
      decompress: (b) => zlib.gunzipSync(b),
    },
    {
      name: 'snappy raw (snappy, external buffers)',
      compress: (b) => snappy.compressSync(b),
      decompress: (b) => snappy.uncompressSync(b) as Buffer,
    },
    {
      name: 'snappy raw (snappy, copyOutputData)',
      compress: (b) => snappy.compressSync(b, { copyOutputData: true }),
      decompress: (b) => snappy.uncompressSync(b, { copyOutputData: true }) as Buffer,
    },
    {
      name: 'snappy xerial (ours)',
      compress: (b) => compressSync(CompressionType.Snappy, b, { snappyXerial: true }),
      decompress: (b) => decompressSync(CompressionType.Snappy, b),
    },
    {
      name: 'snappy raw (snappyjs, pure JS)',
      compress: (b) => snappyjs.compress(b),
      decompress: (b) => snappyjs.uncompress(b),
    },
    {
      name: 'lz4 frame: our frame + lz4-napi blocks',
      compress: (b) => compressSync(CompressionType.Lz4, b),
      decompress: (b) => decompressSync(CompressionType.Lz4, b),
    },
    {
      name: 'lz4 frame: lz4-napi (lz4_flex frame)',
      compress: (b) => lz4.compressFrameSync(b),
      decompress: (b) => lz4.decompressFrameSync(b),
    },
    {
      name: 'zstd level 3 (zstd-napi)',
      compress: (b) => zstdNapi.compress(b, { compressionLevel: 3 }),
      decompress: (b) => zstdNapi.decompress(b),
    },
    {
      name: 'zstd level 3 (@bokuweb/zstd-wasm)',
      compress: (b) => zstdWasm.compress(b, 3),
      decompress: (b) => zstdWasm.decompress(b),
    },
    {
      name: `zstd level 3 (ours: ${zstdImplementation})`,
      compress: (b) => compressSync(CompressionType.Zstd, b),
      decompress: (b) => decompressSync(CompressionType.Zstd, b),
    },
  ];
  const z = zlib as unknown as {
    zstdCompressSync?: (b: Buffer) => Buffer;
    zstdDecompressSync?: (b: Buffer) => Buffer;
  };
  if (z.zstdCompressSync && z.zstdDecompressSync) {
    const c = z.zstdCompressSync;
    const d = z.zstdDecompressSync;
    list.push({ name: 'zstd (node:zlib built-in)', compress: (b) => c(b), decompress: (b) => d(b) });
  }
  return list;
}

async function main(): Promise<void> {
  console.log(environment());
  console.log(
    `input: ${data.length} bytes of record-like JSON; rates are of uncompressed bytes (median, p90–p10)`,
  );
  const copyTarget = Buffer.allocUnsafe(data.length);
  const copy = measure(() => data.copy(copyTarget), 50);
  console.log(`baseline buffer copy: ${rate(data.length, copy)}`);
  console.log('candidate'.padEnd(42), 'ratio'.padStart(6), '  compress'.padEnd(30), '  decompress');
  for (const c of await candidates()) {
    const packed = Buffer.from(c.compress(data));
    const back = Buffer.from(c.decompress(packed));
    if (!back.equals(data)) console.log(`${c.name}: ROUND TRIP MISMATCH`);
    const tc = measure(() => c.compress(data), 30, 5);
    const td = measure(() => c.decompress(packed), 30, 5);
    const ratio = (data.length / packed.length).toFixed(2);
    console.log(
      c.name.padEnd(42),
      ratio.padStart(6),
      `  ${rate(data.length, tc)}`.padEnd(30),
      ` ${rate(data.length, td)}`,
    );
  }
}

await main();
