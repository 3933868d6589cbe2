import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BrokerProcess } from './helpers/broker-process.js';
import { assertConsumed, kcatInput } from './helpers/compat-records.js';
import { kcat, kcatConsume, kcatProduce } from './helpers/run-client.js';

/**
 * kcat (librdkafka) against a real broker process: metadata, a 10,000-record keyed round trip with
 * headers and null values, and every codec. kcat has no admin API; topics are auto-created.
 */

const COUNT = 10_000;
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

describe('kcat (librdkafka)', () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await BrokerProcess.start();
  });
  after(async () => {
    await broker.close();
  });

  test('metadata lists this broker as the leader of an auto-created topic', async () => {
    await kcatProduce(broker.bootstrap, 'kcat-meta', 1, 'none');
    const meta = JSON.parse(await kcat(broker.bootstrap, ['-L', '-t', 'kcat-meta', '-J'])) as {
      brokers: { id: number; name: string }[];
      topics: { topic: string; error?: string; partitions: { partition: number; leader: number }[] }[];
    };
    assert.deepEqual(meta.brokers, [{ id: 1, name: broker.bootstrap }]);
    assert.equal(meta.topics[0]?.topic, 'kcat-meta');
    assert.deepEqual(meta.topics[0]?.partitions, [
      { partition: 0, leader: 1, replicas: [{ id: 1 }], isrs: [{ id: 1 }] },
    ]);
  });

  test('10,000 keyed records with headers and null values round-trip', async () => {
    await kcatProduce(broker.bootstrap, 'kcat-roundtrip', COUNT, 'none');
    assertConsumed(await kcatConsume(broker.bootstrap, 'kcat-roundtrip'), COUNT, {
      headers: true,
      label: 'kcat',
    });
  });

  for (const codec of CODECS) {
    test(`${codec}: produced and consumed by kcat`, async () => {
      await kcatProduce(broker.bootstrap, `kcat-${codec}`, 1000, codec);
      assertConsumed(await kcatConsume(broker.bootstrap, `kcat-${codec}`), 1000, {
        headers: true,
        label: `kcat ${codec}`,
      });
    });
  }

  test('a consumer waiting in a long poll receives records produced after it started', async () => {
    await kcatProduce(broker.bootstrap, 'kcat-long-poll', 1, 'none');
    // The consumer's second Fetch is the one that waits: the first returned record 0.
    let fetches = 0;
    const waiting = (async () => {
      while (fetches < 2) {
        await broker.nextRequest('compat-kcat-waiting', 'Fetch');
        fetches++;
      }
    })();
    const consumer = kcat(broker.bootstrap, [
      '-X',
      'client.id=compat-kcat-waiting',
      '-C',
      '-t',
      'kcat-long-poll',
      '-p',
      '0',
      '-o',
      'beginning',
      '-c',
      '1000',
      '-q',
      '-Z',
      '-f',
      '%o\t%k\t%s\t%h\n',
    ]);
    await waiting;
    const rest = kcatInput(1000).split('\n').slice(1).join('\n');
    await kcat(
      broker.bootstrap,
      ['-P', '-t', 'kcat-long-poll', '-p', '0', '-K', '\t', '-Z', '-H', 'trace=compat', '-H', 'lang=any'],
      rest,
    );
    assertConsumed(await consumer, 1000, { headers: true, label: 'kcat long poll' });
  });

  test('negotiated versions: librdkafka 2.0 uses record batches (Produce v7, Fetch v11)', (t) => {
    const used = broker.versionsUsedBy('compat-kcat');
    t.diagnostic(`kcat: ${broker.describeVersions('compat-kcat')}`);
    assert.deepEqual(used.get('ApiVersions'), [3]);
    assert.deepEqual(used.get('Produce'), [7]);
    assert.deepEqual(used.get('Fetch'), [11]);
  });
});
