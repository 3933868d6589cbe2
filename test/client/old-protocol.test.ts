import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BrokerConnection } from '../../src/client/network/broker-connection.js';
import { noopLogger } from '../../src/common/logger.js';
import { encodeResponse } from '../../src/protocol/frame.js';
import { FrameSplitter } from '../../src/protocol/frame-splitter.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import { ApiVersionsResponse } from '../../src/protocol/generated/messages/api-versions-response.js';
import { Writer } from '../../src/protocol/primitives/writer.js';
import { startTestCluster, type TestCluster, uniqueTopic } from './client-helpers.js';

describe('old protocol versions', () => {
  let cluster: TestCluster;
  before(async () => {
    // ApiVersions v0, Metadata v1, Produce v2 (message sets, magic 1), Fetch v3, ListOffsets v0:
    // what a 0.10-era broker offers. The broker still serves them, converting formats.
    cluster = await startTestCluster(
      {},
      {
        maxApiVersions: {
          [ApiKey.ApiVersions]: 0,
          [ApiKey.Metadata]: 1,
          [ApiKey.Produce]: 2,
          [ApiKey.Fetch]: 3,
          [ApiKey.ListOffsets]: 0,
          [ApiKey.CreateTopics]: 0,
        },
      },
    );
  });
  after(async () => {
    await cluster.close();
  });

  it('produces through Produce v2 and consumes through Fetch v3 with message-set conversion', async () => {
    const topic = uniqueTopic('old');
    const admin = cluster.kafka.admin();
    await admin.createTopics([{ topic, numPartitions: 1 }]);
    const producer = cluster.kafka.producer({ acks: 1, compression: 'gzip' });
    const metas = await producer.sendBatch(
      topic,
      Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, timestamp: Date.now() })),
    );
    assert.deepEqual(
      metas.map((m) => m.offset),
      Array.from({ length: 30 }, (_, i) => BigInt(i)),
    );
    await producer.close();
    const consumer = cluster.kafka.consumer({ autoOffsetReset: 'earliest' });
    consumer.assign([{ topic, partition: 0 }]);
    const got = [];
    while (got.length < 30) got.push(...(await consumer.poll({ timeoutMs: 3000 })));
    assert.deepEqual(
      got.map((r) => [r.offset, r.key?.toString(), r.value?.toString()]),
      Array.from({ length: 30 }, (_, i) => [BigInt(i), `k${i}`, `v${i}`]),
    );
    await consumer.close();
    const [latest] = await admin.listOffsets([{ topic, partition: 0, timestamp: 'latest' }]);
    assert.equal(latest!.offset, 30n);
    await admin.close();
  });

  it('falls back to the broker’s ApiVersions version when it answers in v0 with UNSUPPORTED_VERSION (KIP-511)', async () => {
    const seen: number[] = [];
    const server = createServer((socket) => {
      const splitter = new FrameSplitter(1 << 20);
      socket.on('data', (chunk: Buffer) => {
        for (const f of splitter.push(chunk)) {
          const version = f.readInt16BE(2);
          const correlationId = f.readInt32BE(4);
          seen.push(version);
          const apiKeys = [
            { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 2 },
            { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 1 },
          ];
          if (version > 2) {
            // An old broker answers a version it does not know in v0, whatever was asked.
            const w = new Writer();
            const size = w.reserveInt32();
            w.writeInt32(correlationId);
            ApiVersionsResponse.write(w, 0, { errorCode: 35, apiKeys });
            w.patchInt32(size, w.length - 4);
            socket.write(w.toBuffer());
          } else {
            socket.write(
              Buffer.concat(
                encodeResponse(ApiKey.ApiVersions, version, correlationId, { errorCode: 0, apiKeys }),
              ),
            );
          }
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const conn = new BrokerConnection({
      host: '127.0.0.1',
      port,
      nodeId: -1,
      clientId: 'old',
      connectTimeoutMs: 5000,
      requestTimeoutMs: 5000,
      logger: noopLogger,
    });
    try {
      await conn.connect();
      assert.deepEqual(seen, [4, 2]);
      assert.equal(conn.versionOf(ApiKey.ApiVersions), 2);
      assert.equal(conn.versionOf(ApiKey.Metadata), 1);
      assert.equal(conn.versionOf(ApiKey.Produce), undefined);
    } finally {
      conn.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
