import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Apis } from '../../src/client/network/apis.js';
import { BrokerConnection } from '../../src/client/network/broker-connection.js';
import { noopLogger } from '../../src/common/logger.js';
import { encodeResponse } from '../../src/protocol/frame.js';
import { FrameSplitter } from '../../src/protocol/frame-splitter.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';

/**
 * A scripted peer: answers ApiVersions at once; Metadata requests are held and answered in
 * reverse order once three are waiting (to check matching by correlation id); ListOffsets is
 * never answered (to check the request timeout).
 */
function scriptedBroker(): Server {
  return createServer((socket) => {
    const splitter = new FrameSplitter(1 << 20);
    const held: { version: number; correlationId: number; n: number }[] = [];
    let n = 0;
    socket.on('data', (chunk: Buffer) => {
      for (const f of splitter.push(chunk)) {
        const apiKey = f.readInt16BE(0);
        const version = f.readInt16BE(2);
        const correlationId = f.readInt32BE(4);
        if (apiKey === ApiKey.ApiVersions) {
          const apiKeys = [
            { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 4 },
            { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 12 },
            { apiKey: ApiKey.ListOffsets, minVersion: 0, maxVersion: 9 },
          ];
          socket.write(
            Buffer.concat(encodeResponse(apiKey, version, correlationId, { errorCode: 0, apiKeys })),
          );
        } else if (apiKey === ApiKey.Metadata) {
          held.push({ version, correlationId, n: n++ });
          if (held.length === 3) {
            for (const h of held.reverse()) {
              const body = { brokers: [], clusterId: `answer-${h.n}`, controllerId: 1, topics: [] };
              socket.write(Buffer.concat(encodeResponse(apiKey, h.version, h.correlationId, body)));
            }
            held.length = 0;
          }
        }
      }
    });
  });
}

describe('broker connection', () => {
  let server: Server;
  let port = 0;
  before(async () => {
    server = scriptedBroker();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const connection = (requestTimeoutMs = 5000) =>
    new BrokerConnection({
      host: '127.0.0.1',
      port,
      nodeId: 1,
      clientId: 'conn-test',
      connectTimeoutMs: 5000,
      requestTimeoutMs,
      logger: noopLogger,
    });

  it('pipelines requests and matches responses by correlation id, whatever their order', async () => {
    const conn = connection();
    try {
      const answers = await Promise.all(
        [0, 1, 2].map(() => conn.request(Apis.Metadata, { topics: [], allowAutoTopicCreation: false })),
      );
      assert.deepEqual(
        answers.map((a) => a.clusterId),
        ['answer-0', 'answer-1', 'answer-2'],
      );
      assert.equal(conn.versionOf(ApiKey.Metadata), 12);
    } finally {
      conn.close();
    }
  });

  it('fails a request with REQUEST_TIMEOUT and closes the connection, failing the others too', async () => {
    const conn = connection(100);
    try {
      await conn.connect();
      const held = conn.request(Apis.Metadata, { topics: [] });
      await assert.rejects(conn.request(Apis.ListOffsets, { replicaId: -1, topics: [] }), (err: unknown) => {
        const e = err as { code: string; retriable: boolean };
        return e.code === 'REQUEST_TIMEOUT' && e.retriable;
      });
      await assert.rejects(held, { code: 'REQUEST_TIMEOUT' });
      assert.equal(conn.isClosed, true);
    } finally {
      conn.close();
    }
  });

  it('rejects an aborted request at once and ignores its late answer', async () => {
    const conn = connection();
    try {
      await conn.connect();
      const ac = new AbortController();
      const first = conn.request(Apis.Metadata, { topics: [] }, { signal: ac.signal });
      // Let the request reach the socket first, so the broker does answer it later.
      await new Promise((r) => setImmediate(r));
      ac.abort();
      await assert.rejects(first, { code: 'ABORTED' });
      // The broker still answers it alongside the next two; those resolve normally.
      const rest = await Promise.all([0, 1].map(() => conn.request(Apis.Metadata, { topics: [] })));
      assert.equal(rest.length, 2);
    } finally {
      conn.close();
    }
  });

  it('fails with CONNECTION_FAILED when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const conn = new BrokerConnection({
      host: '127.0.0.1',
      port: freePort,
      nodeId: 1,
      clientId: 'x',
      connectTimeoutMs: 5000,
      requestTimeoutMs: 5000,
      logger: noopLogger,
    });
    await assert.rejects(conn.connect(), { code: 'CONNECTION_FAILED', retriable: true });
  });
});

describe('broker connection reading large responses', () => {
  // An ApiVersions answer of ~160 KB (far more API keys than exist; unknown ones are ignored),
  // written in uneven pieces with pauses, so reads see split size prefixes and partial frames and
  // the kernel reads the rest of the frame straight into its buffer.
  let server: Server;
  let port = 0;
  before(async () => {
    server = createServer((socket) => {
      const splitter = new FrameSplitter(1 << 20);
      socket.on('error', () => socket.destroy());
      socket.on('data', async (chunk: Buffer) => {
        for (const f of splitter.push(chunk)) {
          const apiKeys = Array.from({ length: 20_000 }, (_, i) => ({
            apiKey: i < 3 ? [ApiKey.ApiVersions, ApiKey.Metadata, ApiKey.ListOffsets][i]! : 1000 + i,
            minVersion: 0,
            maxVersion: i < 3 ? [3, 12, 9][i]! : 1,
          }));
          const frame = Buffer.concat(
            encodeResponse(ApiKey.ApiVersions, f.readInt16BE(2), f.readInt32BE(4), { errorCode: 0, apiKeys }),
          );
          for (let at = 0, step = 1; at < frame.length; at += step, step = step * 7 + 1) {
            socket.write(frame.subarray(at, Math.min(frame.length, at + step)));
            await new Promise((r) => setTimeout(r, 2));
          }
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('assembles a response larger than its read buffer from pieces', async () => {
    const conn = new BrokerConnection({
      host: '127.0.0.1',
      port,
      nodeId: 1,
      clientId: 'large',
      connectTimeoutMs: 5000,
      requestTimeoutMs: 5000,
      logger: noopLogger,
    });
    try {
      await conn.connect();
      assert.equal(conn.versionOf(ApiKey.Metadata), 12);
      assert.equal(conn.versionOf(ApiKey.ListOffsets), 9);
    } finally {
      conn.close();
    }
  });
});
