import assert from 'node:assert/strict';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { ClientError, Kafka } from '../../src/client/index.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { FetchResponse } from '../../src/protocol/generated/messages/fetch-response.js';
import { readBatchHeader, splitBatches } from '../../src/protocol/records/record-batch-header.js';
import { request } from '../helpers/request.js';
import { uniqueTopic } from './client-helpers.js';

/**
 * A proxy in front of the broker (which advertises the proxy's address, so every connection goes
 * through it) that can swallow the response to a Produce request and close the connection: the
 * broker appended the batch but the producer never hears of it, the case idempotence is for.
 */
class AckDroppingProxy {
  private server: Server | null = null;
  private target = { host: '127.0.0.1', port: 0 };
  /** Produce responses still to drop. */
  dropProduceResponses = 0;
  dropped = 0;

  async listen(): Promise<number> {
    this.server = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  forwardTo(bootstrap: string): void {
    const [host, port] = bootstrap.split(':');
    this.target = { host: host!, port: Number(port) };
  }

  private pipe(client: Socket): void {
    const broker = createConnection(this.target);
    const produceIds = new Set<number>();
    let up = Buffer.alloc(0);
    let down = Buffer.alloc(0);
    const closeBoth = () => {
      client.destroy();
      broker.destroy();
    };
    client.on('error', closeBoth);
    broker.on('error', closeBoth);
    client.on('close', closeBoth);
    broker.on('close', closeBoth);
    client.on('data', (d: Buffer) => {
      up = Buffer.concat([up, d]);
      while (up.length >= 4 && up.length >= 4 + up.readInt32BE(0)) {
        const size = up.readInt32BE(0);
        if (up.readInt16BE(4) === ApiKey.Produce) produceIds.add(up.readInt32BE(8));
        up = up.subarray(4 + size);
      }
      broker.write(d);
    });
    broker.on('data', (d: Buffer) => {
      down = Buffer.concat([down, d]);
      while (down.length >= 4 && down.length >= 4 + down.readInt32BE(0)) {
        const size = down.readInt32BE(0);
        const frame = down.subarray(0, 4 + size);
        down = down.subarray(4 + size);
        if (produceIds.delete(frame.readInt32BE(4)) && this.dropProduceResponses > 0) {
          this.dropProduceResponses--;
          this.dropped++;
          closeBoth();
          return;
        }
        client.write(frame);
      }
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** Values and producer ids of every record of partition 0. */
async function logOf(bootstrap: string, topic: string) {
  const f = await request<FetchResponse>(bootstrap, ApiKey.Fetch, 12, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
  });
  const records = f.responses[0]!.partitions[0]!.records;
  const batches = records ? splitBatches(records).batches.map((b) => readBatchHeader(b)) : [];
  return {
    recordCount: batches.reduce((n, h) => n + h.recordCount, 0),
    producerIds: batches.map((h) => h.producerId),
  };
}

describe('idempotent producer', () => {
  const proxy = new AckDroppingProxy();
  let broker: StartedBroker;
  let kafka: Kafka;
  before(async () => {
    const port = await proxy.listen();
    broker = await startBroker({
      config: { 'num.partitions': '1', 'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}` },
    });
    proxy.forwardTo(broker.bootstrap);
    kafka = new Kafka({ bootstrapServers: `127.0.0.1:${port}`, clientId: 'strom-idempotence-test' });
  });
  after(async () => {
    await broker.close();
    await proxy.close();
  });

  it('is on by default: a batch whose acknowledgement was lost is retried and written once', async () => {
    const topic = uniqueTopic('idem');
    const producer = kafka.producer({ lingerMs: 0 });
    assert.equal(producer.idempotent, true);
    try {
      assert.equal((await producer.send(topic, { value: 'warm-up' })).offset, 0n);
      proxy.dropProduceResponses = 1;
      const meta = await producer.sendBatch(topic, [{ value: 'a' }, { value: 'b' }]);
      assert.equal(proxy.dropped, 1);
      assert.deepEqual(
        meta.map((m) => m.offset),
        [1n, 2n],
      );
      assert.equal((await producer.send(topic, { value: 'c' })).offset, 3n);
    } finally {
      await producer.close();
    }
    const log = await logOf(broker.bootstrap, topic);
    assert.equal(log.recordCount, 4);
    assert.ok(log.producerIds.every((id) => id >= 0n && id === log.producerIds[0]));
  });

  it('without idempotence the same lost acknowledgement writes the batch twice', async () => {
    const topic = uniqueTopic('plain');
    const producer = kafka.producer({ lingerMs: 0, idempotent: false });
    proxy.dropped = 0;
    try {
      await producer.send(topic, { value: 'warm-up' });
      proxy.dropProduceResponses = 1;
      await producer.send(topic, { value: 'a' });
      assert.equal(proxy.dropped, 1);
    } finally {
      await producer.close();
    }
    const log = await logOf(broker.bootstrap, topic);
    assert.equal(log.recordCount, 3);
    assert.deepEqual(log.producerIds, [-1n, -1n, -1n]);
  });

  it("refuses settings idempotence cannot work with when asked for, and is off when they are set, as Java's producer", async () => {
    for (const config of [{ acks: 1 as const }, { maxInFlightRequestsPerConnection: 6 }]) {
      assert.throws(
        () => kafka.producer({ ...config, idempotent: true }),
        (e: unknown) =>
          e instanceof ClientError && e.code === 'INVALID_ARGUMENT' && /idempotent producer/.test(e.message),
      );
      const producer = kafka.producer(config);
      assert.equal(producer.idempotent, false);
      await producer.close();
    }
  });

  it('goes on without idempotence when no broker serves InitProducerId, unless it was asked for', async () => {
    // A client that cannot use InitProducerId sees the broker as a pre-0.11 one would be seen.
    const old = new Kafka({
      bootstrapServers: broker.bootstrap,
      clientId: 'strom-idempotence-test',
      maxApiVersions: { [ApiKey.InitProducerId]: -1 },
    });
    const topic = uniqueTopic('old');
    const byDefault = old.producer({ lingerMs: 0 });
    try {
      assert.equal((await byDefault.send(topic, { value: 'a' })).offset, 0n);
      assert.equal(byDefault.idempotent, false);
    } finally {
      await byDefault.close();
    }
    const asked = old.producer({ lingerMs: 0, idempotent: true });
    try {
      await assert.rejects(asked.send(topic, { value: 'b' }), { code: 'UNSUPPORTED_API' });
    } finally {
      await asked.close();
    }
    assert.deepEqual((await logOf(broker.bootstrap, topic)).producerIds, [-1n]);
  });
});
