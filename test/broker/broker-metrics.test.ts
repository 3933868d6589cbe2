import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrokerMetrics } from '../../src/broker/broker-metrics.js';
import { startBroker } from '../../src/broker/start-broker.js';
import { Kafka } from '../../src/client/index.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';

/** Keeps what the broker reports. */
class RecordingMetrics implements BrokerMetrics {
  readonly requests: { apiKey: number; apiVersion: number; latencyMs: number }[] = [];
  readonly in = new Map<string, number>();
  readonly records = new Map<string, number>();
  readonly out = new Map<string, number>();
  requestCompleted(apiKey: number, apiVersion: number, latencyMs: number, queueTimeMs: number): void {
    assert.ok(queueTimeMs >= 0 && queueTimeMs <= latencyMs, 'the queue time is part of the total time');
    this.requests.push({ apiKey, apiVersion, latencyMs });
  }
  bytesIn(topic: string, partition: number, bytes: number, records: number): void {
    const k = `${topic}-${partition}`;
    this.in.set(k, (this.in.get(k) ?? 0) + bytes);
    this.records.set(k, (this.records.get(k) ?? 0) + records);
  }
  bytesOut(topic: string, partition: number, bytes: number): void {
    const k = `${topic}-${partition}`;
    this.out.set(k, (this.out.get(k) ?? 0) + bytes);
  }
}

describe('broker metrics', () => {
  it('reports each request by API with its latency, and the record bytes in and out per partition', async () => {
    const metrics = new RecordingMetrics();
    const broker = await startBroker({ metrics });
    try {
      const kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'metrics-test' });
      const producer = kafka.producer();
      await producer.sendBatch('measured', [{ value: 'a' }, { value: 'bb' }]);
      await producer.close();
      const consumer = kafka.consumer();
      try {
        consumer.assign([{ topic: 'measured', partition: 0 }]);
        consumer.seek({ topic: 'measured', partition: 0 }, 0n);
        let read = 0;
        for (let i = 0; i < 20 && read < 2; i++) read += (await consumer.poll({ timeoutMs: 1000 })).length;
        assert.equal(read, 2);
      } finally {
        await consumer.close();
      }
      const apis = new Set(metrics.requests.map((r) => r.apiKey));
      for (const api of [ApiKey.ApiVersions, ApiKey.Metadata, ApiKey.Produce, ApiKey.Fetch])
        assert.ok(apis.has(api), `no ${api} request reported`);
      assert.ok(metrics.requests.every((r) => r.latencyMs >= 0 && r.apiVersion >= 0));
      const bytesIn = metrics.in.get('measured-0') ?? 0;
      assert.ok(bytesIn > 0);
      assert.equal(metrics.records.get('measured-0'), 2);
      // The consumer read every byte produced, once.
      assert.equal(metrics.out.get('measured-0'), bytesIn);
    } finally {
      await broker.close();
    }
  });
});
