#!/usr/bin/env node
// Encodes with Strom's codecs and record formats, then has the reference Python libraries
// (python3-lz4, -snappy, -zstandard, -kafka, as in test/golden/compression/README.md) decode
// the result. Complements the golden tests, which go the other way. Run after `npm run build`:
//   node scripts/cross-check-python.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compressSync } from '../dist/src/protocol/compression/compress.js';
import { encodeMessageSet } from '../dist/src/protocol/records/message-set.js';
import { encodeRecordBatch } from '../dist/src/protocol/records/record-batch.js';

const dir = mkdtempSync(join(tmpdir(), 'strom-xcheck-'));
const plain = Buffer.from(
  Array.from({ length: 3000 }, (_, i) => `{"id":${i},"v":"${'x'.repeat(i % 40)}"}`).join('\n'),
);
writeFileSync(join(dir, 'plain.bin'), plain);
writeFileSync(join(dir, 'gzip.bin'), compressSync(1, plain));
writeFileSync(join(dir, 'snappy-raw.bin'), compressSync(2, plain));
writeFileSync(join(dir, 'snappy-xerial.bin'), compressSync(2, plain, { snappyXerial: true }));
writeFileSync(join(dir, 'lz4.bin'), compressSync(3, plain));
writeFileSync(join(dir, 'lz4-broken.bin'), compressSync(3, plain, { lz4BrokenHeaderChecksum: true }));
writeFileSync(join(dir, 'zstd.bin'), compressSync(4, plain));
const records = Array.from({ length: 30 }, (_, i) => ({
  offsetDelta: i,
  timestampDelta: i * 3,
  key: i % 4 === 0 ? null : Buffer.from(`k${i}`),
  value: i % 5 === 0 ? null : Buffer.from(`value-${i}`),
  headers: i % 2 ? [{ key: 'h', value: Buffer.from(`hv${i}`) }] : [],
}));
for (const c of [0, 1, 2, 3, 4]) {
  writeFileSync(
    join(dir, `batch-${c}.bin`),
    encodeRecordBatch({ compression: c, baseTimestamp: 1000n, records }),
  );
}
const legacy = records.map((r, i) => ({
  offset: BigInt(i),
  timestamp: 1000n + BigInt(i),
  key: r.key,
  value: r.value,
}));
for (const magic of [0, 1]) {
  for (const c of [0, 1, 2, 3]) {
    writeFileSync(
      join(dir, `set-${magic}-${c}.bin`),
      encodeMessageSet({ magic, compression: c, records: legacy }),
    );
  }
}

const python = `
import gzip, sys, os, lz4.frame, snappy, zstandard
from kafka.codec import snappy_decode, lz4_decode, lz4_decode_old_kafka
from kafka.record.default_records import DefaultRecordBatch
from kafka.record.memory_records import MemoryRecords
d = sys.argv[1]
r = lambda n: open(os.path.join(d, n), 'rb').read()
plain = r('plain.bin')
checks = {
  'gzip': gzip.decompress(r('gzip.bin')),
  'snappy raw': snappy.decompress(r('snappy-raw.bin')),
  'snappy raw via kafka-python': snappy_decode(r('snappy-raw.bin')),
  'snappy xerial via kafka-python': snappy_decode(r('snappy-xerial.bin')),
  'lz4 frame': lz4.frame.decompress(r('lz4.bin')),
  'lz4 via kafka-python': lz4_decode(r('lz4.bin')),
  'lz4 broken checksum via kafka-python old-kafka decoder': lz4_decode_old_kafka(r('lz4-broken.bin')),
  'zstd': zstandard.ZstdDecompressor().decompress(r('zstd.bin')),
}
bad = [k for k, v in checks.items() if v != plain]
for c in range(5):
    recs = list(DefaultRecordBatch(r('batch-%d.bin' % c)))
    DefaultRecordBatch(r('batch-%d.bin' % c)).validate_crc() or bad.append('batch crc %d' % c)
    ok = len(recs) == 30 and all(x.offset == i and x.timestamp == 1000 + 3 * i and
        x.key == (None if i % 4 == 0 else b'k%d' % i) and x.value == (None if i % 5 == 0 else b'value-%d' % i) and
        list(x.headers) == ([('h', b'hv%d' % i)] if i % 2 else []) for i, x in enumerate(recs))
    ok or bad.append('batch %d' % c)
for magic in (0, 1):
    for c in range(4):
        mr = MemoryRecords(r('set-%d-%d.bin' % (magic, c)))
        got = []
        while mr.has_next():
            b = mr.next_batch()
            got.extend(b)
        ok = len(got) == 30 and all(x.offset == i and x.value == (None if i % 5 == 0 else b'value-%d' % i) and
            x.timestamp == (1000 + i if magic == 1 else None) for i, x in enumerate(got))
        ok or bad.append('message set v%d codec %d: %r' % (magic, c, [(x.offset, x.timestamp) for x in got][:3]))
print('python decoded %d codec outputs, 5 batches, 8 message sets; failures: %s' % (len(checks), bad or 'none'))
sys.exit(1 if bad else 0)
`;
const res = spawnSync('/usr/bin/python3', ['-c', python, dir], { stdio: 'inherit' });
rmSync(dir, { recursive: true, force: true });
process.exit(res.status ?? 1);
