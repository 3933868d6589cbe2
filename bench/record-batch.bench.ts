import { crc32c } from '../src/protocol/primitives/crc32c.js';
import type { Record } from '../src/protocol/records/record.js';
import { decodeRecordBatch, encodeRecordBatch } from '../src/protocol/records/record-batch.js';
import { CompressionType, validateBatch } from '../src/protocol/records/record-batch-header.js';
import { environment, measure, rate, recordLikeJson } from './measure.js';

/**
 * Record batch costs: validating a 1 MiB batch (what the broker does on every produce) against a
 * bare CRC32C over the same bytes, measured in the same run (target ratio ≥ 0.8); then encoding and
 * decoding 1,000 records of 1 KiB, uncompressed and with each codec. Prints figures only.
 */
function records(count: number, valueBytes: number): Record[] {
  const text = recordLikeJson(count * valueBytes + 1);
  return Array.from({ length: count }, (_, i) => ({
    offsetDelta: i,
    timestampDelta: i,
    key: Buffer.from(`user-${String(i % 997).padStart(8, '0')}`),
    value: text.subarray(i * valueBytes, (i + 1) * valueBytes),
    headers: i % 10 === 0 ? [{ key: 'trace-id', value: Buffer.from(`t-${i}`) }] : [],
  }));
}

function validation(): void {
  // About 1 MiB: 1,020 records of 1 KiB plus headers.
  const batch = encodeRecordBatch({ baseTimestamp: 1_700_000_000_000n, records: records(1020, 1024) });
  const crc = measure(() => crc32c(batch.subarray(21)), 200, 20);
  const validate = measure(() => validateBatch(batch), 200, 20);
  console.log(`batch of ${batch.length} bytes`);
  console.log(`  CRC32C alone (baseline): ${rate(batch.length, crc)}`);
  console.log(`  validateBatch:           ${rate(batch.length, validate)}`);
  console.log(
    `  ratio validate/CRC32C (median throughput): ${(crc.medianMs / validate.medianMs).toFixed(2)}`,
  );
}

function codecs(): void {
  const recs = records(1000, 1024);
  const names: [string, CompressionType][] = [
    ['none', CompressionType.None],
    ['gzip', CompressionType.Gzip],
    ['snappy', CompressionType.Snappy],
    ['lz4', CompressionType.Lz4],
    ['zstd', CompressionType.Zstd],
  ];
  const input = { baseTimestamp: 1_700_000_000_000n, records: recs };
  const plain = encodeRecordBatch(input);
  console.log(
    `\n1,000 records × 1 KiB (${plain.length} bytes uncompressed); rates are of uncompressed batch bytes`,
  );
  console.log('codec'.padEnd(8), 'bytes'.padStart(9), '  encode'.padEnd(32), '  decode');
  for (const [name, compression] of names) {
    const batch = encodeRecordBatch({ ...input, compression });
    const enc = measure(() => encodeRecordBatch({ ...input, compression }), 30, 5);
    const dec = measure(() => decodeRecordBatch(batch), 30, 5);
    const ms = (t: { medianMs: number }): string => `${t.medianMs.toFixed(2)} ms`;
    console.log(
      name.padEnd(8),
      String(batch.length).padStart(9),
      `  ${rate(plain.length, enc)} ${ms(enc)}`.padEnd(32),
      ` ${rate(plain.length, dec)} ${ms(dec)}`,
    );
  }
}

console.log(environment());
validation();
codecs();
