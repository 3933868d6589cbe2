import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { decodeResponse, encodeRequest } from '../../src/protocol/frame.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import { type CapturedLine, captureLogger } from '../helpers/capture-logger.js';
import { RawClient } from '../helpers/raw-client.js';

function sized(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

describe('broker network layer: bad input gets an error or a closed connection, never a crash', () => {
  let broker: StartedBroker;
  const lines: CapturedLine[] = [];

  before(async () => {
    broker = await startBroker({
      logger: captureLogger(lines),
      config: { 'socket.request.max.bytes': '1048576' },
    });
  });
  after(async () => {
    await broker.close();
  });

  /** After each abuse, a fresh connection must still be served. */
  async function assertStillServing(): Promise<void> {
    const c = await RawClient.open(broker.bootstrap);
    c.write(encodeRequest(ApiKey.ApiVersions, 0, 7, 'probe', {}));
    const frame = await c.readFrame();
    assert.ok(frame);
    const res = decodeResponse(ApiKey.ApiVersions, 0, frame);
    assert.equal(res.correlationId, 7);
    c.close();
  }

  async function expectClosed(bytes: Buffer | Buffer[], logPattern: RegExp): Promise<void> {
    const before = lines.length;
    const c = await RawClient.open(broker.bootstrap);
    c.write(bytes);
    assert.equal(await c.closedByPeer(), true, 'broker should close the connection');
    const logged = lines.slice(before).filter((l) => logPattern.test(l.msg));
    assert.equal(
      logged.length,
      1,
      `one log line matching ${logPattern}: ${JSON.stringify(lines.slice(before))}`,
    );
    await assertStillServing();
  }

  it('closes on a size prefix of 2^31-1 before buffering anything', async () => {
    await expectClosed(Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]), /invalid request size/);
  });

  it('closes on a negative size prefix', async () => {
    await expectClosed(Buffer.from([0xff, 0xff, 0xff, 0xfe]), /invalid request size/);
  });

  it('closes on garbage bytes that frame as an unknown API key', async () => {
    await expectClosed(sized(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), /malformed request header/);
  });

  it('closes on a truncated request body', async () => {
    const full = Buffer.concat(encodeRequest(ApiKey.Metadata, 4, 1, 'c', { topics: [{ name: 'abc' }] }));
    const body = full.subarray(4, full.length - 3);
    await expectClosed(sized(body), /malformed Metadata v4 request/);
  });

  it('closes on an unsupported version of an API other than ApiVersions', async () => {
    const body = Buffer.concat(encodeRequest(ApiKey.Metadata, 1, 1, 'c', { topics: [] })).subarray(4);
    body.writeInt16BE(99, 2);
    await expectClosed(sized(body), /unsupported request Metadata v99/);
  });

  it('answers an unsupported ApiVersions version with UNSUPPORTED_VERSION in v0 (KIP-511)', async () => {
    const c = await RawClient.open(broker.bootstrap);
    // A client newer than the broker sends its newest ApiVersions with a flexible (v2) header.
    const body = Buffer.concat(
      encodeRequest(ApiKey.ApiVersions, 3, 42, 'c', { clientSoftwareName: 'x', clientSoftwareVersion: '1' }),
    ).subarray(4);
    body.writeInt16BE(999, 2);
    c.write(sized(body));
    const frame = await c.readFrame();
    assert.ok(frame);
    const res = decodeResponse(ApiKey.ApiVersions, 0, frame);
    assert.equal(res.correlationId, 42);
    const bodyRes = res.body as { errorCode: number; apiKeys: { apiKey: number }[] };
    assert.equal(bodyRes.errorCode, ErrorCode.UNSUPPORTED_VERSION);
    assert.ok(bodyRes.apiKeys.some((k) => k.apiKey === ApiKey.Produce));
    c.close();
  });

  it('waits for the rest of a frame whose size exceeds what has arrived, and closes when the client gives up', async () => {
    const c = await RawClient.open(broker.bootstrap);
    c.write(Buffer.from([0, 0, 0x10, 0, 1, 2, 3]));
    await new Promise((r) => setTimeout(r, 50));
    await assertStillServing();
    c.close();
  });

  it('reports an unknown fetch session with FETCH_SESSION_ID_NOT_FOUND', async () => {
    const c = await RawClient.open(broker.bootstrap);
    c.write(
      encodeRequest(ApiKey.Fetch, 12, 5, 'c', {
        replicaId: -1,
        maxWaitMs: 0,
        sessionId: 12345,
        sessionEpoch: 3,
        topics: [],
      }),
    );
    const frame = await c.readFrame();
    assert.ok(frame);
    const res = decodeResponse(ApiKey.Fetch, 12, frame).body as { errorCode: number };
    assert.equal(res.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    c.close();
  });

  it('answers pipelined requests in order', async () => {
    const c = await RawClient.open(broker.bootstrap);
    const frames = [];
    for (let i = 0; i < 50; i++) frames.push(...encodeRequest(ApiKey.ApiVersions, i % 4, 1000 + i, 'c', {}));
    c.write(frames);
    for (let i = 0; i < 50; i++) {
      const f = await c.readFrame();
      assert.ok(f);
      assert.equal(f.readInt32BE(0), 1000 + i);
    }
    c.close();
  });
});
