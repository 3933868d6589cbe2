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

  // librdkafka without ApiVersions speaks the protocol of the broker version it is told:
  // 0.9.0 is Produce v1 and Fetch v1 (message format 0), 0.8.2 is Produce v0 and Fetch v0.
  for (const fallback of ['0.9.0', '0.8.2']) {
    const legacy = ['-X', 'api.version.request=false', '-X', `broker.version.fallback=${fallback}`];
    const id = ['-X', `client.id=compat-legacy-kcat-${fallback}`];
    for (const codec of ['gzip', 'snappy', 'lz4']) {
      test(`broker.version.fallback=${fallback}, ${codec}: legacy produce and consume, both ways`, async () => {
        const topic = `kcat-legacy-${fallback.replaceAll('.', '_')}-${codec}`;
        await kcat(
          broker.bootstrap,
          [...id, ...legacy, '-P', '-t', topic, '-p', '0', '-K', '\t', '-Z', '-z', codec],
          kcatInput(1000),
        );
        assertConsumed(await kcatConsume(broker.bootstrap, topic), 1000, {
          headers: false,
          label: `kcat reading legacy kcat ${fallback} ${codec}`,
        });
        await kcatProduce(broker.bootstrap, `${topic}-batches`, 1000, codec);
        const out = await kcat(broker.bootstrap, [
          ...id,
          ...legacy,
          '-C',
          '-t',
          `${topic}-batches`,
          '-p',
          '0',
          '-o',
          'beginning',
          '-e',
          '-q',
          '-Z',
          '-f',
          '%o\t%k\t%s\t%h\n',
        ]);
        assertConsumed(out, 1000, {
          headers: false,
          label: `legacy kcat ${fallback} reading ${codec} batches`,
        });
      });
    }
  }

  test('negotiated versions: librdkafka 2.0 uses record batches (Produce v7, Fetch v11)', (t) => {
    const used = broker.versionsUsedBy('compat-kcat');
    t.diagnostic(`kcat: ${broker.describeVersions('compat-kcat')}`);
    assert.deepEqual(used.get('ApiVersions'), [3]);
    assert.deepEqual(used.get('Produce'), [7]);
    assert.deepEqual(used.get('Fetch'), [11]);
    t.diagnostic(`kcat 0.9.0: ${broker.describeVersions('compat-legacy-kcat-0.9.0')}`);
    t.diagnostic(`kcat 0.8.2: ${broker.describeVersions('compat-legacy-kcat-0.8.2')}`);
    assert.deepEqual(broker.versionsUsedBy('compat-legacy-kcat-0.9.0').get('Produce'), [1]);
    assert.deepEqual(broker.versionsUsedBy('compat-legacy-kcat-0.9.0').get('Fetch'), [1]);
    assert.deepEqual(broker.versionsUsedBy('compat-legacy-kcat-0.8.2').get('Produce'), [0]);
    assert.deepEqual(broker.versionsUsedBy('compat-legacy-kcat-0.8.2').get('Fetch'), [0]);
  });
});
