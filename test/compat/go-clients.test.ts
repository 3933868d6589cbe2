import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BrokerProcess } from './helpers/broker-process.js';
import { assertConsumed } from './helpers/compat-records.js';
import { buildGo } from './helpers/go-build.js';
import { kcatConsume, kcatProduce, runClient, runOk } from './helpers/run-client.js';

/**
 * The Go clients Debian packages, Shopify/sarama and segmentio/kafka-go, built offline in GOPATH
 * mode from go/src/strom-compat against /usr/share/gocode (no module downloads): partition
 * producers and consumers, and each client's group consumer (sarama's ConsumerGroup, kafka-go's
 * Reader with a GroupID).
 */

const COUNT = 10_000;

describe('Go clients', () => {
  let broker: BrokerProcess;
  let binDir: string;
  let sarama: string;
  let kafkaGo: string;
  before(async () => {
    binDir = mkdtempSync(join(tmpdir(), 'strom-compat-go-'));
    sarama = await buildGo(binDir, 'sarama-client');
    kafkaGo = await buildGo(binDir, 'kafka-go-client');
    broker = await BrokerProcess.start({ overrides: { 'group.initial.rebalance.delay.ms': '0' } });
  });
  after(async () => {
    rmSync(binDir, { recursive: true, force: true });
    await broker?.close();
  });

  describe('Shopify/sarama (record batches: Produce v3, Fetch v4)', () => {
    test('10,000 keyed records with headers and null values round-trip', async () => {
      await runOk(sarama, ['produce', broker.bootstrap, 'go-sarama', COUNT, 'none'].map(String));
      const out = await runOk(sarama, ['consume', broker.bootstrap, 'go-sarama', COUNT].map(String));
      assertConsumed(out, COUNT, { headers: true, label: 'sarama' });
    });

    for (const codec of ['gzip', 'snappy', 'lz4']) {
      test(`${codec}: sarama produces, kcat reads; kcat produces, sarama reads`, async () => {
        await runOk(sarama, ['produce', broker.bootstrap, `go-sarama-${codec}`, 2000, codec].map(String));
        assertConsumed(await kcatConsume(broker.bootstrap, `go-sarama-${codec}`), 2000, {
          headers: true,
          label: `kcat reading sarama ${codec}`,
        });
        await kcatProduce(broker.bootstrap, `go-kcat-${codec}`, 2000, codec);
        const out = await runOk(sarama, ['consume', broker.bootstrap, `go-kcat-${codec}`, 2000].map(String));
        assertConsumed(out, 2000, { headers: true, label: `sarama reading kcat ${codec}` });
      });
    }

    test('zstd through Produce v3 is refused with UNSUPPORTED_COMPRESSION_TYPE (KIP-110)', async () => {
      const r = await runClient(sarama, ['produce', broker.bootstrap, 'go-sarama-zstd', '10', 'zstd']);
      assert.notEqual(r.code, 0);
      // sarama's text for error code 76.
      assert.match(r.stderr, /does not support the compression type/);
    });
  });

  describe('segmentio/kafka-go 0.2 (message format v1: Produce v2, Fetch v2)', () => {
    test('10,000 keyed records with null values round-trip (no headers in format v1)', async () => {
      await runOk(kafkaGo, ['produce', broker.bootstrap, 'go-kafka-go', COUNT, 'none'].map(String));
      const out = await runOk(kafkaGo, ['consume', broker.bootstrap, 'go-kafka-go', COUNT].map(String));
      assertConsumed(out, COUNT, { headers: false, label: 'kafka-go' });
      assertConsumed(await kcatConsume(broker.bootstrap, 'go-kafka-go'), COUNT, {
        headers: false,
        label: 'kcat reading kafka-go',
      });
    });

    for (const codec of ['gzip', 'snappy', 'lz4']) {
      test(`${codec}: kafka-go produces, kcat reads; kcat's batches down-converted for kafka-go`, async () => {
        await runOk(kafkaGo, ['produce', broker.bootstrap, `go-kafka-go-${codec}`, 2000, codec].map(String));
        assertConsumed(await kcatConsume(broker.bootstrap, `go-kafka-go-${codec}`), 2000, {
          headers: false,
          label: `kcat reading kafka-go ${codec}`,
        });
        await kcatProduce(broker.bootstrap, `go-kcat-kg-${codec}`, 2000, codec);
        const out = await runOk(
          kafkaGo,
          ['consume', broker.bootstrap, `go-kcat-kg-${codec}`, 2000].map(String),
        );
        assertConsumed(out, 2000, { headers: false, label: `kafka-go reading kcat ${codec}` });
      });
    }
  });

  for (const [name, headers] of [
    ['sarama', true],
    ['kafka-go', false],
  ] as const) {
    test(`${name} group consumer: reads from the earliest offset, commits, a new member resumes after it`, async () => {
      const program = name === 'sarama' ? sarama : kafkaGo;
      const topic = `go-group-${name}`;
      const read = () =>
        runOk(program, ['group-consume', broker.bootstrap, topic, '1000', `${topic}-members`]);
      await kcatProduce(broker.bootstrap, topic, 1000, 'gzip');
      assertConsumed(await read(), 1000, { headers, label: `${name}, first member` });
      await kcatProduce(broker.bootstrap, topic, 1000, 'gzip');
      assertConsumed(await read(), 1000, { headers, firstOffset: 1000, label: `${name}, resuming member` });
    });
  }

  test('negotiated versions', (t) => {
    t.diagnostic(`sarama: ${broker.describeVersions('compat-sarama')}`);
    t.diagnostic(`kafka-go: ${broker.describeVersions('compat-kafka-go')}`);
    assert.deepEqual(broker.versionsUsedBy('compat-sarama').get('Produce'), [3]);
    assert.deepEqual(broker.versionsUsedBy('compat-sarama').get('Fetch'), [4]);
    assert.deepEqual(broker.versionsUsedBy('compat-kafka-go').get('Produce'), [2]);
    assert.deepEqual(broker.versionsUsedBy('compat-kafka-go').get('Fetch'), [2]);
    for (const prefix of ['compat-sarama', 'compat-kafka-go']) {
      const used = broker.versionsUsedBy(prefix);
      for (const api of ['FindCoordinator', 'JoinGroup', 'SyncGroup', 'OffsetFetch', 'OffsetCommit']) {
        assert.ok(used.has(api), `${prefix} sent ${api}`);
      }
    }
    // kafka-go 0.2's Reader.Close sends no LeaveGroup here; sarama's ConsumerGroup.Close does.
    assert.ok(broker.versionsUsedBy('compat-sarama').has('LeaveGroup'));
  });
});
