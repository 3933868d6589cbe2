import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  decodeMessageSet,
  encodeMessageSet,
  type LegacyMagic,
} from '../../../src/protocol/records/message-set.js';
import {
  decodeRecordBatch,
  encodeRecordBatch,
  recordOffset,
  recordTimestamp,
} from '../../../src/protocol/records/record-batch.js';
import { CompressionType } from '../../../src/protocol/records/record-batch-header.js';

// Built by kafka-python; see test/golden/records/README.md.
const DIR = join(process.cwd(), 'test/golden/records');
const read = (name: string): Buffer => readFileSync(join(DIR, name));

interface Expected {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: [string, string | null][];
}
const expected = JSON.parse(read('expected.json').toString()) as { [file: string]: Expected[] };

const hex = (b: Buffer | null): string | null => (b === null ? null : b.toString('hex'));
const CODECS: [string, CompressionType][] = [
  ['none', CompressionType.None],
  ['gzip', CompressionType.Gzip],
  ['snappy', CompressionType.Snappy],
  ['lz4', CompressionType.Lz4],
  ['zstd', CompressionType.Zstd],
];

describe('record golden fixtures from kafka-python', () => {
  for (const [name, codec] of CODECS) {
    const file = `batch-v2-${name}.bin`;
    it(`decodes ${file} and re-encodes it`, () => {
      const bytes = read(file);
      const b = decodeRecordBatch(bytes);
      assert.equal(b.compression, codec);
      assert.equal(b.producerId, 4242n);
      assert.equal(b.producerEpoch, 3);
      assert.equal(b.baseSequence, 17);
      const got = b.records.map((r) => ({
        offset: Number(recordOffset(b, r)),
        timestamp: Number(recordTimestamp(b, r)),
        key: hex(r.key),
        value: hex(r.value),
        headers: r.headers.map((h): [string, string | null] => [h.key, hex(h.value)]),
      }));
      assert.deepEqual(got, expected[file]);
      const again = encodeRecordBatch({ ...b, compression: codec });
      if (codec === CompressionType.None) assert.deepEqual(again, bytes);
      assert.deepEqual(decodeRecordBatch(again).records, b.records);
    });
  }

  for (const magic of [0, 1] as LegacyMagic[]) {
    for (const [name, codec] of CODECS.slice(0, 4)) {
      const file = `message-set-v${magic}-${name}.bin`;
      it(`decodes ${file} and re-encodes it`, () => {
        const bytes = read(file);
        const records = decodeMessageSet(bytes);
        const got = records.map((r) => ({
          offset: Number(r.offset),
          timestamp: Number(r.timestamp),
          key: hex(r.key),
          value: hex(r.value),
          headers: [],
        }));
        assert.deepEqual(got, expected[file]);
        const again = encodeMessageSet({ magic, compression: codec, records });
        if (codec === CompressionType.None) assert.deepEqual(again, bytes);
        assert.deepEqual(decodeMessageSet(again), records);
      });
    }
  }
});
