import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Kafka } from '../../src/client/index.js';
import { FrameAssembler } from '../../src/client/network/frame-assembler.js';
import { decodeRequest, encodeResponse } from '../../src/protocol/frame.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { BatchOffsets } from '../../src/protocol/records/record-batch-header.js';

/** Two good records at offsets 0-1, then a batch at offset 2 whose CRC does not match. */
function fetchData(): Buffer {
  const good = encodeRecordBatch({
    baseOffset: 0n,
    records: [0, 1].map((i) => ({
      offsetDelta: i,
      timestampDelta: 0,
      key: null,
      value: Buffer.from(`v${i}`),
      headers: [],
    })),
  });
  const bad = encodeRecordBatch({
    baseOffset: 2n,
    records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from('v2'), headers: [] }],
  });
  bad[BatchOffsets.crc] = (bad[BatchOffsets.crc]! + 1) & 0xff;
  return Buffer.concat([good, bad]);
}

/** A one-partition broker that answers every Fetch with fetchData() from the offset asked. */
function corruptBroker(portOf: () => number): Server {
  const data = fetchData();
  return createServer((socket) => {
    const frames = new FrameAssembler(1 << 20);
    // The consumer resets its connections when it closes.
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      for (const f of frames.push(chunk)) {
        const { header, body } = decodeRequest(f);
        const reply = (res: unknown): void => {
          socket.write(
            Buffer.concat(
              encodeResponse(header.apiKey, header.apiVersion, header.correlationId, res as never),
            ),
          );
        };
        if (header.apiKey === ApiKey.ApiVersions) {
          const max = { [ApiKey.ApiVersions]: 3, [ApiKey.Metadata]: 8, [ApiKey.Fetch]: 11 };
          reply({
            errorCode: 0,
            apiKeys: Object.entries(max).map(([k, v]) => ({
              apiKey: Number(k),
              minVersion: 0,
              maxVersion: v,
            })),
          });
        } else if (header.apiKey === ApiKey.Metadata) {
          const req = body as { topics: { name: string }[] | null };
          reply({
            brokers: [{ nodeId: 0, host: '127.0.0.1', port: portOf(), rack: null }],
            clusterId: 'corrupt',
            controllerId: 0,
            topics: (req.topics ?? []).map((t) => ({
              errorCode: 0,
              name: t.name,
              isInternal: false,
              partitions: [
                {
                  errorCode: 0,
                  partitionIndex: 0,
                  leaderId: 0,
                  leaderEpoch: 0,
                  replicaNodes: [0],
                  isrNodes: [0],
                  offlineReplicas: [],
                },
              ],
            })),
          });
        } else if (header.apiKey === ApiKey.Fetch) {
          const req = body as { topics: { topic: string; partitions: { fetchOffset: bigint }[] }[] };
          reply({
            throttleTimeMs: 0,
            errorCode: 0,
            sessionId: 0,
            responses: req.topics.map((t) => ({
              topic: t.topic,
              partitions: t.partitions.map((p) => ({
                partitionIndex: 0,
                errorCode: 0,
                highWatermark: 3n,
                lastStableOffset: 3n,
                logStartOffset: 0n,
                abortedTransactions: [],
                preferredReadReplica: -1,
                // Past the data, an empty answer, as a broker at the log end gives.
                records: p.fetchOffset < 3n ? data : Buffer.alloc(0),
              })),
            })),
          });
        }
      }
    });
  });
}

describe('a corrupt record batch in a fetch response', () => {
  let server: Server;
  let port = 0;
  before(async () => {
    server = corruptBroker(() => port);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('hands out the records before it, then fails poll with CORRUPT_MESSAGE until a seek past it', async () => {
    const kafka = new Kafka({ bootstrapServers: `127.0.0.1:${port}`, clientId: 'corrupt-test' });
    const consumer = kafka.consumer({ fetchMaxWaitMs: 10 });
    const tp = { topic: 't', partition: 0 };
    try {
      consumer.assign([tp]);
      consumer.seek(tp, 0n);
      const first = await consumer.poll({ timeoutMs: 5000 });
      assert.deepEqual(
        first.map((r) => r.value?.toString()),
        ['v0', 'v1'],
      );
      for (let i = 0; i < 2; i++) {
        await assert.rejects(consumer.poll({ timeoutMs: 1000 }), (err: unknown) => {
          const e = err as { code: string; kafkaName: string; retriable: boolean; message: string };
          return (
            e.code === 'KAFKA_ERROR' &&
            e.kafkaName === 'CORRUPT_MESSAGE' &&
            !e.retriable &&
            /offset 2/.test(e.message)
          );
        });
      }
      assert.equal(consumer.position(tp), 2n);
      consumer.seek(tp, 3n);
      assert.deepEqual(await consumer.poll({ timeoutMs: 100 }), []);
    } finally {
      await consumer.close();
    }
  });
});
