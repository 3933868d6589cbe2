import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import type { FetchResponse } from '../../src/protocol/generated/messages/fetch-response.js';
import { readBatchHeader, splitBatches } from '../../src/protocol/records/record-batch-header.js';
import { request } from '../helpers/request.js';
import { BrokerProcess } from './helpers/broker-process.js';
import { assertConsumed } from './helpers/compat-records.js';
import { buildGo } from './helpers/go-build.js';
import { kafkajsProduce, platformaticProduce } from './helpers/js-clients.js';
import { kcatConsume, python, runOk } from './helpers/run-client.js';

/**
 * Idempotent producers of real clients, which all failed before the broker served InitProducerId:
 * each gets a producer id, sends batches carrying it with sequences from 0, and every record is
 * in the log exactly once.
 */

const COUNT = 2000;

/** Every batch of partition 0, read with a raw Fetch: producer id, epoch and sequence range. */
async function producerFields(bootstrap: string, topic: string) {
  const out: { producerId: bigint; producerEpoch: number; firstSeq: number; lastSeq: number }[] = [];
  let offset = 0n;
  for (let i = 0; i < 100; i++) {
    const f = await request<FetchResponse>(bootstrap, ApiKey.Fetch, 12, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 4 << 20,
      sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: 4 << 20 }] }],
    });
    const p = f.responses[0]!.partitions[0]!;
    assert.equal(p.errorCode, 0);
    const batches = p.records ? splitBatches(p.records).batches : [];
    if (batches.length === 0) break;
    for (const b of batches) {
      const h = readBatchHeader(b);
      out.push({
        producerId: h.producerId,
        producerEpoch: h.producerEpoch,
        firstSeq: h.baseSequence,
        lastSeq: h.baseSequence + h.lastOffsetDelta,
      });
      offset = h.baseOffset + BigInt(h.lastOffsetDelta) + 1n;
    }
  }
  return out;
}

/** One producer id at epoch 0, sequences from 0 without a gap or a repeat, COUNT records in all. */
async function assertIdempotentLog(bootstrap: string, topic: string, label: string): Promise<void> {
  const batches = await producerFields(bootstrap, topic);
  assert.ok(batches.length > 0, `${label}: no batch`);
  const ids = new Set(batches.map((b) => b.producerId));
  assert.equal(ids.size, 1, `${label}: producer ids ${[...ids]}`);
  assert.ok(batches[0]!.producerId >= 0n, `${label}: batches carry no producer id`);
  assert.deepEqual(new Set(batches.map((b) => b.producerEpoch)), new Set([0]), label);
  let next = 0;
  for (const b of batches) {
    assert.equal(b.firstSeq, next, `${label}: sequence ${b.firstSeq} where ${next} was next`);
    next = b.lastSeq + 1;
  }
  assert.equal(next, COUNT, label);
  assertConsumed(await kcatConsume(bootstrap, topic), COUNT, { headers: true, label });
}

/** The client asked for a producer id; the versions it used go to the test's diagnostics. */
function assertUsedInitProducerId(t: TestContext, broker: BrokerProcess, clientIdPrefix: string): void {
  const used = broker.versionsUsedBy(clientIdPrefix);
  assert.ok(used.has('InitProducerId'), `${clientIdPrefix} sent no InitProducerId`);
  t.diagnostic(
    `${clientIdPrefix}: InitProducerId v${used.get('InitProducerId')} Produce v${used.get('Produce')}`,
  );
}

describe('idempotent producers', () => {
  let broker: BrokerProcess;
  let binDir: string;
  let sarama: string;
  before(async () => {
    binDir = mkdtempSync(join(tmpdir(), 'strom-compat-idem-'));
    sarama = await buildGo(binDir, 'sarama-client');
    broker = await BrokerProcess.start();
  });
  after(async () => {
    rmSync(binDir, { recursive: true, force: true });
    await broker?.close();
  });

  test('confluent-kafka-python with enable.idempotence=true', async (t) => {
    await python('confluent_kafka_compat.py', [
      'produce',
      broker.bootstrap,
      'idem-confluent',
      COUNT,
      'none',
      'idempotent',
    ]);
    await assertIdempotentLog(broker.bootstrap, 'idem-confluent', 'confluent-kafka-python');
    assertUsedInitProducerId(t, broker, 'compat-confluent');
  });

  test('kafkajs with idempotent: true', async (t) => {
    await kafkajsProduce(broker.bootstrap, 'idem-kafkajs', COUNT, 'none', { idempotent: true });
    await assertIdempotentLog(broker.bootstrap, 'idem-kafkajs', 'kafkajs');
    assertUsedInitProducerId(t, broker, 'compat-kafkajs');
  });

  test('@platformatic/kafka with idempotent: true', async (t) => {
    await platformaticProduce(broker.bootstrap, 'idem-platformatic', COUNT, 'none', { idempotent: true });
    await assertIdempotentLog(broker.bootstrap, 'idem-platformatic', '@platformatic/kafka');
    assertUsedInitProducerId(t, broker, 'compat-platformatic');
  });

  test('sarama with Producer.Idempotent', async (t) => {
    await runOk(sarama, ['produce-idempotent', broker.bootstrap, 'idem-sarama', String(COUNT)]);
    await assertIdempotentLog(broker.bootstrap, 'idem-sarama', 'sarama');
    assertUsedInitProducerId(t, broker, 'compat-sarama');
  });
});
