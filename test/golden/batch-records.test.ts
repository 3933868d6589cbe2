import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { upConvertMessageSet } from '../../src/protocol/records/convert.js';
import { decodeMessageSet } from '../../src/protocol/records/message-set.js';
import type { Record as KafkaRecord } from '../../src/protocol/records/record.js';
import { decodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { splitBatches } from '../../src/protocol/records/record-batch-header.js';
import type { ExpectedRecord, GoldenIndex } from './golden-index.js';
import { CODEC_NAMES } from './records-summary.js';

/**
 * The records real clients compressed and framed (test/golden/batches) decode to exactly what
 * each client was given: keys, values and headers, in order, with consecutive offsets.
 */

const GOLDEN = join(process.cwd(), 'test/golden');
const index = JSON.parse(readFileSync(join(GOLDEN, 'frames/index.json'), 'utf8')) as GoldenIndex;

function utf8(b: Buffer | null): string | null {
  return b === null ? null : b.toString('utf8');
}

function asExpected(r: KafkaRecord): ExpectedRecord {
  return {
    key: utf8(r.key) ?? '<null>',
    value: utf8(r.value) ?? '<null>',
    headers: r.headers.map((h): [string, string] => [h.key, utf8(h.value) ?? '<null>']),
  };
}

/** Decodes every v2 batch in `data`; returns the records with their absolute offsets. */
function decodeBatches(data: Buffer): { offsets: bigint[]; records: ExpectedRecord[]; codecs: string[] } {
  const { batches, partialTail } = splitBatches(data);
  assert.equal(partialTail, 0);
  const out = { offsets: [] as bigint[], records: [] as ExpectedRecord[], codecs: [] as string[] };
  for (const b of batches) {
    const batch = decodeRecordBatch(b);
    out.codecs.push(CODEC_NAMES[batch.compression]);
    for (const r of batch.records) {
      out.offsets.push(batch.baseOffset + BigInt(r.offsetDelta));
      out.records.push(asExpected(r));
    }
  }
  return out;
}

describe('records in captured batches decode to what the clients sent', () => {
  for (const entry of index.batches) {
    test(`${entry.file}`, () => {
      const data = readFileSync(join(GOLDEN, 'batches', entry.file));
      if (entry.magic === 2) {
        const { offsets, records, codecs } = decodeBatches(data);
        assert.deepEqual(records, entry.contents);
        assert.deepEqual(new Set(codecs), new Set([entry.codec]));
        assert.deepEqual(
          offsets,
          offsets.map((_o, i) => offsets[0]! + BigInt(i)),
          'offsets are consecutive',
        );
        return;
      }
      const legacy = decodeMessageSet(data);
      assert.deepEqual(
        legacy.map((r) => ({ key: utf8(r.key), value: utf8(r.value), headers: [] })),
        entry.contents,
      );
      assert.ok(legacy.every((r) => r.magic === entry.magic));
      // What the broker stores for an old producer: the same records as v2 batches.
      const upConverted = decodeBatches(Buffer.concat(upConvertMessageSet(data, { baseOffset: 0n })));
      assert.deepEqual(upConverted.records, entry.contents);
      assert.deepEqual(upConverted.offsets, [0n, 1n, 2n]);
    });
  }
});
