import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  peekCorrelationId,
} from '../../src/protocol/frame.js';
import { ApiKey, type FetchResponse, type ProduceRequest } from '../../src/protocol/generated/index.js';
import { ProtocolError } from '../../src/protocol/primitives/protocol-error.js';
import { Reader } from '../../src/protocol/primitives/reader.js';
import { decodeRequestHeader } from '../../src/protocol/request-header.js';

function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

function frameBody(chunks: Buffer[]): Buffer {
  const all = Buffer.concat(chunks);
  assert.equal(all.readInt32BE(0), all.length - 4, 'size prefix');
  return all.subarray(4);
}

describe('request frames', () => {
  it('ApiVersions v3 request with header v2 matches the bytes clients send', () => {
    const chunks = encodeRequest(ApiKey.ApiVersions, 3, 1, 'strom', {
      clientSoftwareName: 'strom',
      clientSoftwareVersion: '0.1',
    });
    const name = Buffer.from('strom').toString('hex');
    const expected = hex(
      `0012 0003 00000001 0005 ${name} 00  06 ${name} 04 ${Buffer.from('0.1').toString('hex')} 00`,
    );
    assert.deepEqual(frameBody(chunks), expected);
    const { header, body } = decodeRequest(expected);
    assert.equal(header.apiKey, 18);
    assert.equal(header.headerVersion, 2);
    assert.equal(header.clientId, 'strom');
    assert.equal(header.correlationId, 1);
    assert.deepStrictEqual(body, { clientSoftwareName: 'strom', clientSoftwareVersion: '0.1' });
  });

  it('ControlledShutdown v0 uses header v0, without a client id', () => {
    const bytes = frameBody(encodeRequest(ApiKey.ControlledShutdown, 0, 9, 'ignored', { brokerId: 3 }));
    assert.deepEqual(bytes, hex('0007 0000 00000009 00000003'));
    const h = decodeRequestHeader(new Reader(bytes));
    assert.equal(h.headerVersion, 0);
    assert.equal(h.clientId, null);
  });

  it('still reads the header of an ApiVersions version newer than ours (KIP-511)', () => {
    const frame = hex('0012 0063 0000002a ffff 00');
    const h = decodeRequestHeader(new Reader(frame));
    assert.equal(h.versionSupported, false);
    assert.equal(h.correlationId, 42);
    assert.equal(h.headerVersion, 2);
    assert.throws(
      () => decodeRequest(frame),
      (e: unknown) => e instanceof ProtocolError && e.code === 'UNSUPPORTED_VERSION',
    );
  });

  it('rejects unknown API keys and short headers', () => {
    const err = (code: string) => (e: unknown) => e instanceof ProtocolError && e.code === code;
    assert.throws(() => decodeRequestHeader(new Reader(hex('7fff 0000 00000001'))), err('UNKNOWN_API_KEY'));
    assert.throws(() => decodeRequestHeader(new Reader(hex('0012'))), err('TRUNCATED'));
  });

  it('references large records instead of copying them', () => {
    const records = Buffer.alloc(64 * 1024, 7);
    const msg = {
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: 't', partitionData: [{ index: 0, records }] }],
    };
    const chunks = encodeRequest(ApiKey.Produce, 9, 5, 'p', msg);
    assert.ok(
      chunks.some((c) => c === records),
      'records travel as their own chunk',
    );
    const { body } = decodeRequest(frameBody(chunks));
    const decoded = (body as ProduceRequest).topicData[0]!.partitionData[0]!.records!;
    assert.deepEqual(decoded, records);
  });
});

describe('response frames', () => {
  it('ApiVersions responses keep header v0 even in flexible versions', () => {
    const bytes = frameBody(encodeResponse(ApiKey.ApiVersions, 3, 77, { errorCode: 35 }));
    assert.deepEqual(bytes, hex('0000004d 0023 01 00000000 00'));
    assert.equal(peekCorrelationId(bytes), 77);
    const r = decodeResponse(ApiKey.ApiVersions, 3, bytes);
    assert.equal(r.correlationId, 77);
    assert.equal(r.body.errorCode, 35);
  });

  it('flexible responses carry header v1 tagged fields', () => {
    const bytes = frameBody(encodeResponse(ApiKey.Metadata, 12, 3, {}));
    assert.deepEqual(bytes.subarray(0, 5), hex('00000003 00'));
  });

  it('decoded Fetch records are views of the frame', () => {
    const records = Buffer.alloc(10_000, 1);
    const frame = frameBody(
      encodeResponse(ApiKey.Fetch, 16, 1, {
        responses: [{ topicId: 'AQIDBAUGBwgJCgsMDQ4PEA', partitions: [{ partitionIndex: 0, records }] }],
      }),
    );
    // A literal API key types the body: no cast needed.
    const body: FetchResponse = decodeResponse(ApiKey.Fetch, 16, frame).body;
    const got = body.responses[0]!.partitions[0]!.records!;
    assert.deepEqual(got, records);
    assert.equal(got.buffer, frame.buffer, 'same memory as the frame');
  });
});
