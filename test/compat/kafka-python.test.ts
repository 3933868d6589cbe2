import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BrokerProcess } from './helpers/broker-process.js';
import { assertConsumed } from './helpers/compat-records.js';
import { kcatConsume, kcatProduce, python } from './helpers/run-client.js';

/**
 * kafka-python (pure Python) against a real broker process: metadata, admin, a 10,000-record round
 * trip, the legacy message formats it can pin (api_version (0, 10) is magic 1 through Produce v2 and
 * Fetch v2; (0, 9) is magic 0 through Produce v1 and Fetch v1; (0, 8, 2) is Produce v0 and Fetch v0)
 * in both directions against kcat, and
 * ListOffsets by timestamp.
 */

const SCRIPT = 'kafka_python_compat.py';
const COUNT = 10_000;

describe('kafka-python', () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await BrokerProcess.start();
  });
  after(async () => {
    await broker.close();
  });

  test('metadata names this broker and the topic partition', async () => {
    await python(SCRIPT, ['produce', broker.bootstrap, 'kp-meta', 1, 'none', 'auto']);
    const meta = JSON.parse(await python(SCRIPT, ['metadata', broker.bootstrap, 'kp-meta']));
    assert.deepEqual(meta, { brokers: [1], partitions: [0] });
  });

  test('admin: create with a config, describe, describe configs, add partitions, delete', async () => {
    const out = JSON.parse(await python(SCRIPT, ['admin', broker.bootstrap, 'kp-admin']));
    assert.deepEqual(out, {
      listed: true,
      partitions: [0, 1, 2],
      'retention.ms': '3600000',
      grown: 5,
      after_delete: false,
    });
  });

  test('10,000 keyed records with headers and null values round-trip', async () => {
    await python(SCRIPT, ['produce', broker.bootstrap, 'kp-roundtrip', COUNT, 'none', 'auto']);
    const out = await python(SCRIPT, ['consume', broker.bootstrap, 'kp-roundtrip', COUNT, 'auto']);
    assertConsumed(out, COUNT, { headers: true, label: 'kafka-python' });
  });

  for (const api of ['0.10', '0.9', '0.8.2']) {
    const pinned = `(${api.split('.').join(', ')})`;
    test(`api_version=${pinned}: legacy produce read by kcat and by itself`, async () => {
      const topic = `kp-legacy-${api.replaceAll('.', '_')}`;
      await python(SCRIPT, ['produce', broker.bootstrap, topic, COUNT, 'gzip', api]);
      assertConsumed(await kcatConsume(broker.bootstrap, topic), COUNT, {
        headers: false,
        label: `kcat reading kafka-python ${api}`,
      });
      const out = await python(SCRIPT, ['consume', broker.bootstrap, topic, COUNT, api]);
      assertConsumed(out, COUNT, { headers: false, label: `kafka-python ${api}` });
    });

    test(`api_version=${pinned}: reads kcat's record batches down-converted`, async () => {
      const topic = `kp-down-${api.replaceAll('.', '_')}`;
      await kcatProduce(broker.bootstrap, topic, COUNT, 'snappy');
      const out = await python(SCRIPT, ['consume', broker.bootstrap, topic, COUNT, api]);
      // Message formats 0 and 1 have no headers: down-conversion drops them, as Kafka's does.
      assertConsumed(out, COUNT, { headers: false, label: `kafka-python ${api} reading kcat` });
    });
  }

  test('ListOffsets by timestamp: offsets_for_times and kcat -o s@<ts> agree', async () => {
    // An hour ago: old enough to be in the past, recent enough that retention.ms keeps it.
    const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    await python(SCRIPT, ['produce-timed', broker.bootstrap, 'kp-times', 20, base]);
    const at = async (ts: number) =>
      Number((await python(SCRIPT, ['offsets-for-times', broker.bootstrap, 'kp-times', ts])).trim());
    assert.equal(await at(base - 1), 0);
    assert.equal(await at(base + 5500), 6);
    assert.equal(await at(base + 19_000), 19);
    assert.equal(await at(base + 19_001), -1);
    const fromKcat = await kcatConsume(broker.bootstrap, 'kp-times', `s@${base + 12_000}`);
    assert.deepEqual(
      fromKcat
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => Number(l.split('\t')[0])),
      [12, 13, 14, 15, 16, 17, 18, 19],
    );
  });

  test('negotiated versions match the pinned api_version', (t) => {
    for (const api of ['auto', '0_10', '0_9', '0_8_2']) {
      t.diagnostic(`kafka-python ${api}: ${broker.describeVersions(`compat-kafka-python-${api}`)}`);
    }
    const v = (api: string, name: string) => broker.versionsUsedBy(`compat-kafka-python-${api}`).get(name);
    assert.deepEqual(v('0_10', 'Produce'), [2]);
    assert.deepEqual(v('0_10', 'Fetch'), [2]);
    assert.deepEqual(v('0_9', 'Produce'), [1]);
    assert.deepEqual(v('0_9', 'Fetch'), [1]);
    assert.deepEqual(v('0_8_2', 'Produce'), [0]);
    assert.deepEqual(v('0_8_2', 'Fetch'), [0]);
    assert.ok(Math.max(...(v('auto', 'Produce') ?? [0])) >= 3, 'auto negotiates record batches');
  });
});
