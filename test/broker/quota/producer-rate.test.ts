import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../../src/broker/start-broker.js';
import { ApiKey } from '../../../src/protocol/generated/api-registry.js';
import { request } from '../../helpers/request.js';
import { produceUntil, QuotaTestClient } from './quota-test-client.js';

const QUOTA_BYTES_PER_S = 64 * 1024;
/** Rates are measured over at least (quota.window.num - 1) windows; the first of them allow a burst, left out of the measure. */
const WARM_UP_MS = 3000;
const MEASURED_MS = 4000;
const FREE_PACE = 8 * QUOTA_BYTES_PER_S;

/**
 * The check, short enough for CI: a producer over its producer_byte_rate gets that rate
 * within 10% over a measured window, while another client producing at the same time is not
 * throttled. Windows of 1 s, 3 of them, so the burst a fresh rate allows is over after 2 s
 * (`npm run bench:quotas` runs the same over 30 s with Kafka's default windows).
 */
describe('a producer over its byte rate', () => {
  let broker: StartedBroker;
  before(async () => {
    broker = await startBroker({ config: { 'quota.window.num': '3', 'quota.window.size.seconds': '1' } });
    await request(broker.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [{ name: 'rate-topic', numPartitions: 1, replicationFactor: 1 }],
      timeoutMs: 5000,
    });
    await request(broker.bootstrap, ApiKey.AlterClientQuotas, 1, {
      entries: [
        {
          entity: [{ entityType: 'client-id', entityName: 'limited' }],
          ops: [{ key: 'producer_byte_rate', value: QUOTA_BYTES_PER_S, remove: false }],
        },
      ],
      validateOnly: false,
    });
  });
  after(async () => {
    await broker?.close();
  });

  it('is throttled to within 10% of its rate over a measured window; another producer is not slowed', async () => {
    const limited = await QuotaTestClient.open(broker.bootstrap, 'limited');
    const free = await QuotaTestClient.open(broker.bootstrap, 'free');
    try {
      const start = performance.now();
      const from = start + WARM_UP_MS;
      const end = from + MEASURED_MS;
      const [l, f] = await Promise.all([
        produceUntil(limited, 'rate-topic', 4096, from, end),
        // Paced at 8x the quota: fast, without taking the whole machine from the other.
        produceUntil(free, 'rate-topic', 64 * 1024, from, end, FREE_PACE),
      ]);
      const rate = l.bytes / (MEASURED_MS / 1000);
      assert.ok(
        Math.abs(rate - QUOTA_BYTES_PER_S) <= 0.1 * QUOTA_BYTES_PER_S,
        `limited producer: ${Math.round(rate)} bytes/s for a quota of ${QUOTA_BYTES_PER_S}`,
      );
      assert.ok(l.throttled > 0);
      assert.equal(f.throttled, 0);
      // The other producer is never throttled and goes well past the quota (its pace is 8x;
      // a busy machine's round trips may keep it below that).
      assert.ok(f.bytes / (MEASURED_MS / 1000) > 2 * QUOTA_BYTES_PER_S, `free producer: ${f.bytes} bytes`);
    } finally {
      limited.close();
      free.close();
    }
  });
});
