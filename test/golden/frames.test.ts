import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { API_REGISTRY } from '../../src/protocol/generated/api-registry.js';
import { type ProduceRequest, RequestHeader } from '../../src/protocol/generated/index.js';
import { Reader } from '../../src/protocol/primitives/reader.js';
import { decodeRequestHeader } from '../../src/protocol/request-header.js';
import { type ExpectedRecords, type GoldenIndex, unmetExpectations } from './golden-index.js';
import { summarizeRecords } from './records-summary.js';

/**
 * Golden bytes: request frames captured from real clients (capture/capture-frames.ts) must decode
 * to what the client was asked to send and re-encode to the very same bytes.
 */

const GOLDEN = join(process.cwd(), 'test/golden');
const index = JSON.parse(readFileSync(join(GOLDEN, 'frames/index.json'), 'utf8')) as GoldenIndex;

function frameBytes(file: string): Buffer {
  return readFileSync(join(GOLDEN, 'frames', file));
}

/** A compressed legacy set is one wrapper message: counting its records needs decompression. */
function expectedRecordCount(r: ExpectedRecords): number | null {
  return r.magic < 2 && r.codec !== 'none' ? null : r.recordCount;
}

describe('captured request frames', () => {
  for (const entry of index.frames) {
    test(`${entry.file}: ${entry.apiName} v${entry.version} from ${entry.client} ${entry.clientVersion}`, () => {
      const frame = frameBytes(entry.file);
      const api = API_REGISTRY.get(entry.apiKey);
      assert.ok(api, `api key ${entry.apiKey} is in the registry`);
      assert.equal(api.name, entry.apiName);

      const r = new Reader(frame);
      const header = decodeRequestHeader(r);
      assert.equal(header.apiKey, entry.apiKey);
      assert.equal(header.apiVersion, entry.version);
      assert.equal(header.correlationId, entry.correlationId);
      assert.equal(header.clientId, entry.clientId);
      const headerBytes = r.pos;

      const body = api.request.read(r, entry.version);
      assert.equal(r.remaining(), 0, 'the body codec reads the whole frame');
      assert.deepEqual(unmetExpectations(body, entry.expect), []);

      assert.equal(header.headerVersion, api.requestHeaderVersion(entry.version));
      const reencoded = Buffer.concat([
        RequestHeader.encode(header.headerVersion, {
          requestApiKey: header.apiKey,
          requestApiVersion: header.apiVersion,
          correlationId: header.correlationId,
          clientId: header.clientId,
          unknownTaggedFields: header.unknownTaggedFields,
        }),
        api.request.encode(entry.version, body),
      ]);
      assert.equal(
        reencoded.subarray(0, headerBytes).toString('hex'),
        frame.subarray(0, headerBytes).toString('hex'),
        'header re-encodes byte for byte',
      );
      assert.equal(reencoded.toString('hex'), frame.toString('hex'), 'frame re-encodes byte for byte');

      if (entry.records !== undefined) {
        const records = (body as ProduceRequest).topicData[0]?.partitionData[0]?.records ?? null;
        assert.ok(records !== null, 'Produce frame carries records');
        const summary = summarizeRecords(records);
        assert.equal(summary.magic, entry.records.magic);
        assert.equal(summary.codec, entry.records.codec);
        assert.equal(summary.messageSetEntries, entry.records.messageSetEntries ?? null);
        assert.equal(summary.recordCount, expectedRecordCount(entry.records));
        if (entry.records.batchFile !== null) {
          assert.deepEqual(records, readFileSync(join(GOLDEN, 'batches', entry.records.batchFile)));
        }
      }
    });
  }
});

describe('captured record batches and message sets', () => {
  for (const batch of index.batches) {
    test(`${batch.file}: ${batch.codec}, magic ${batch.magic}`, () => {
      const summary = summarizeRecords(readFileSync(join(GOLDEN, 'batches', batch.file)));
      assert.equal(summary.magic, batch.magic);
      assert.equal(summary.codec, batch.codec);
      assert.equal(summary.messageSetEntries, batch.messageSetEntries ?? null);
      assert.equal(summary.recordCount, expectedRecordCount(batch));
    });
  }
});

describe('fixture set', () => {
  test('every fixture file is indexed and every indexed file exists', () => {
    const frameFiles = readdirSync(join(GOLDEN, 'frames'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.bin'))
      .sort();
    assert.deepEqual(frameFiles, index.frames.map((f) => f.file).sort());
    const batchFiles = readdirSync(join(GOLDEN, 'batches')).sort();
    assert.deepEqual(batchFiles, index.batches.map((b) => b.file).sort());
  });

  test('covers every client and every record format', () => {
    assert.deepEqual([...new Set(index.frames.map((f) => f.client))].sort(), [
      'confluent-kafka-python',
      'kafka-python',
      'kafkajs',
      'kcat',
      'platformatic-kafka',
    ]);
    const produce = index.frames.filter((f) => f.apiName === 'Produce');
    assert.deepEqual([...new Set(produce.map((f) => f.records?.magic))].sort(), [0, 1, 2]);
    const codecs = new Set(index.batches.filter((b) => b.magic === 2).map((b) => b.codec));
    assert.deepEqual([...codecs].sort(), ['gzip', 'lz4', 'none', 'snappy', 'zstd']);
  });

  test('covers flexible versions (compact fields, tagged fields) of the main APIs', () => {
    const flexible = new Set(
      index.frames
        .filter((f) => API_REGISTRY.get(f.apiKey)?.request.isFlexible(f.version))
        .map((f) => f.apiName),
    );
    for (const name of [
      'ApiVersions',
      'Metadata',
      'Produce',
      'Fetch',
      'JoinGroup',
      'OffsetCommit',
      'CreateTopics',
    ]) {
      assert.ok(flexible.has(name), `a flexible ${name} frame is captured`);
    }
  });

  test('each client has one fixture per (api, version)', () => {
    const keys = index.frames.map((f) => `${f.client}:${f.apiKey}:${f.version}`);
    assert.equal(new Set(keys).size, keys.length);
  });
});
