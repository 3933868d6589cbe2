import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { strom } from '../cli/cli-helpers.js';
import { BrokerProcess } from './helpers/broker-process.js';
import { python } from './helpers/run-client.js';

/**
 * Client quotas with a real client: confluent-kafka-python (librdkafka, which honours
 * throttle_time_ms as KIP-219 asks) produces under a producer_byte_rate set with `strom configs`
 * and is held near that rate over a measured window, with Kafka's default quota windows, while a
 * second producer with another client id, at the same time, is never throttled.
 *
 * The band is wider than the 10% that test/broker/quota/producer-rate.test.ts checks with a
 * producer of small requests: librdkafka batches what accumulates while it is throttled, and
 * Kafka's windowed rate lets a producer send a burst each time the samples of an earlier burst
 * expire, so over tens of seconds it gets somewhat less or more than its quota depending on where
 * the bursts fall. With librdkafka's queue kept small (32 KiB, batches of 16 KiB) it stayed under
 * its quota: 0.67x to 0.81x in value bytes in four runs of 20 and 30 s; with a queue of 256 KiB
 * it went from 0.65x to 1.44x.
 */

const SCRIPT = 'confluent_kafka_compat.py';
const QUOTA = 100_000;
/** Past the first quota window (10 s minimum) and the expiry of its first burst. */
const WARM_S = 15;
const MEASURE_S = 20;

describe('client quotas with confluent-kafka-python', () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await BrokerProcess.start();
  });
  after(async () => {
    await broker.close();
  });

  test('a producer over producer_byte_rate is held to it; another client is not slowed', async () => {
    const set = await strom([
      'configs',
      '--alter',
      '--entity-type',
      'clients',
      '--entity-name',
      'quota-limited',
      '--add-config',
      `producer_byte_rate=${QUOTA}`,
      '--bootstrap-server',
      broker.bootstrap,
    ]);
    assert.equal(set.code, 0, set.stderr);
    const described = await strom([
      'configs',
      '--describe',
      '--entity-type',
      'clients',
      '--bootstrap-server',
      broker.bootstrap,
    ]);
    assert.equal(
      described.stdout,
      `Quota configs for client-id 'quota-limited' are producer_byte_rate=${QUOTA}.0\n`,
    );
    // The other producer is paced at 5x the quota, so that it does not take the whole machine
    // (and the limited producer's round trips) for itself.
    const run = (clientId: string, pace = 0) =>
      python(
        SCRIPT,
        ['quota-produce', broker.bootstrap, `quota-${clientId}`, clientId, 1000, WARM_S, MEASURE_S, pace],
        120_000,
      );
    const [limited, free] = (await Promise.all([run('quota-limited'), run('quota-free', 5 * QUOTA)])).map(
      (out) => JSON.parse(out) as { bytes: number; throttles: number },
    );
    // The quota counts whole requests; values are ~95% of a request of 1 KB records, so the
    // value rate sits a little under the quota.
    const rate = limited!.bytes / MEASURE_S;
    assert.ok(
      rate >= 0.5 * QUOTA && rate <= 1.2 * QUOTA,
      `limited: ${Math.round(rate)} value bytes/s, quota ${QUOTA}`,
    );
    assert.ok(limited!.throttles > 0, 'librdkafka reported no throttle');
    assert.equal(free!.throttles, 0);
    assert.ok(free!.bytes / MEASURE_S > 4.5 * QUOTA, `free: ${Math.round(free!.bytes / MEASURE_S)} bytes/s`);
  });
});
