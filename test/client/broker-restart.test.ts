import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { Kafka } from '../../src/client/index.js';

describe('broker restart during produce', () => {
  it('loses no acknowledged record and does not hang', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strom-restart-'));
    let broker: StartedBroker | null = await startBroker({ logDir: dir, config: { 'num.partitions': '2' } });
    const bootstrap = broker.bootstrap;
    const port = bootstrap.split(':')[1]!;
    const kafka = new Kafka({
      bootstrapServers: bootstrap,
      retryBackoffMs: 20,
      retryBackoffMaxMs: 200,
      retries: 50,
    });
    const producer = kafka.producer({ acks: 'all', lingerMs: 1, deliveryTimeoutMs: 60_000 });
    const topic = 'restart';
    const acked: string[] = [];
    const failed: string[] = [];
    let restarted = false;
    try {
      for (let round = 0; round < 40; round++) {
        const values = Array.from({ length: 25 }, (_, i) => `${round}-${i}`);
        const sending = producer.sendBatch(
          topic,
          values.map((value) => ({ value })),
        );
        if (round === 15) {
          // Stop the broker while this batch is on its way, then bring it back on the same port.
          await broker!.close();
          broker = null;
          broker = await startBroker({
            logDir: dir,
            config: { 'num.partitions': '2', listeners: `PLAINTEXT://127.0.0.1:${port}` },
          });
          restarted = true;
        }
        try {
          await sending;
          acked.push(...values);
        } catch {
          failed.push(...values);
        }
      }
      await producer.close();
      assert.ok(restarted);
      assert.ok(acked.length >= 39 * 25, `acknowledged ${acked.length}, failed ${failed.length}`);
      const consumer = kafka.consumer({ autoOffsetReset: 'earliest' });
      consumer.assign([
        { topic, partition: 0 },
        { topic, partition: 1 },
      ]);
      const seen = new Set<string>();
      const wanted = new Set(acked);
      let missing = wanted.size;
      for (let i = 0; i < 200 && missing > 0; i++) {
        for (const r of await consumer.poll({ timeoutMs: 500 })) {
          const v = r.value!.toString();
          if (!seen.has(v)) {
            seen.add(v);
            if (wanted.has(v)) missing--;
          }
        }
      }
      await consumer.close();
      assert.equal(missing, 0, 'every acknowledged record is in the log');
    } finally {
      await broker?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
