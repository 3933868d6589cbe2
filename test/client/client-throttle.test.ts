import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FakeBroker, startFakeBroker } from '../../bench/fake-broker.js';
import { Kafka } from '../../src/client/index.js';
import { clientThrottleMs } from '../../src/client/network/client-throttle.js';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';

const THROTTLE_MS = 400;

/**
 * KIP-219: from CreatePartitions v1 a broker answers a client over its quota at once with
 * throttle_time_ms and mutes the connection; the client must send nothing more to that broker
 * until the time has passed. The fake broker throttles every CreatePartitions at v1 and above.
 */
describe('the client honours throttle_time_ms (KIP-219)', () => {
  let broker: FakeBroker;
  /** When each CreatePartitions request reached the broker. */
  const arrivals: { atMs: number }[] = [];

  before(async () => {
    broker = await startFakeBroker({
      clusterId: 'throttling',
      metadataMaxVersion: 12,
      apis: {
        [ApiKey.CreatePartitions]: {
          maxVersion: 3,
          answer: (body) => {
            arrivals.push({ atMs: Date.now() });
            const req = body as { topics: { name: string }[] };
            return {
              throttleTimeMs: THROTTLE_MS,
              results: req.topics.map((t) => ({ name: t.name, errorCode: 0, errorMessage: null })),
            };
          },
        },
      },
    });
  });
  after(async () => {
    await broker?.close();
  });

  it('sends nothing to a broker that throttled it until the throttle time has passed', async () => {
    const admin = new Kafka({ bootstrapServers: broker.bootstrap, retries: 0 }).admin();
    try {
      await admin.createPartitions([{ topic: 'a', count: 2 }]);
      await admin.createPartitions([{ topic: 'b', count: 2 }]);
    } finally {
      await admin.close();
    }
    assert.equal(arrivals.length, 2);
    // The answer left the broker after the first arrival, so the wait counts from later still.
    const gap = arrivals[1]!.atMs - arrivals[0]!.atMs;
    assert.ok(gap >= THROTTLE_MS, `second request ${gap} ms after the first`);
  });

  it("honours it only from each API's KIP-219 version, as Java's shouldClientThrottle", () => {
    assert.equal(clientThrottleMs(ApiKey.Produce, 5, { throttleTimeMs: 100 }), 0);
    assert.equal(clientThrottleMs(ApiKey.Produce, 6, { throttleTimeMs: 100 }), 100);
    assert.equal(clientThrottleMs(ApiKey.Fetch, 7, { throttleTimeMs: 100 }), 0);
    assert.equal(clientThrottleMs(ApiKey.Fetch, 8, { throttleTimeMs: 100 }), 100);
    assert.equal(clientThrottleMs(ApiKey.IncrementalAlterConfigs, 0, { throttleTimeMs: 5 }), 5);
    // DescribeCluster's responses carry the field but Kafka's broker throttles them itself.
    assert.equal(clientThrottleMs(ApiKey.DescribeCluster, 1, { throttleTimeMs: 100 }), 0);
    assert.equal(clientThrottleMs(ApiKey.Produce, 9, { throttleTimeMs: 0 }), 0);
  });
});
