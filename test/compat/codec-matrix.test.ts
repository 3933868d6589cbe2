import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ATTR_COMPRESSION_MASK,
  CompressionType,
  readBatchHeader,
  splitBatches,
} from '../../src/protocol/records/record-batch-header.js';
import { BrokerProcess } from './helpers/broker-process.js';
import { assertConsumed } from './helpers/compat-records.js';
import {
  kafkajsProduce,
  type PlatformaticCodec,
  platformaticConsume,
  platformaticProduce,
} from './helpers/js-clients.js';
import { kcatConsume, kcatProduce, python } from './helpers/run-client.js';

/**
 * Each compression codec written by one client and read by others, so that no client only ever
 * reads its own batches: librdkafka's framing of LZ4 and snappy differs from kafka-python's and the
 * JavaScript clients'. Also the broker's own recompression to a topic's compression.type.
 */

const COUNT = 2000;
const KP = 'kafka_python_compat.py';
const CF = 'confluent_kafka_compat.py';

describe('compression across clients', () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await BrokerProcess.start();
  });
  after(async () => {
    await broker.close();
  });

  const kafkaPythonReads = async (topic: string, label: string) =>
    assertConsumed(await python(KP, ['consume', broker.bootstrap, topic, COUNT, 'auto']), COUNT, {
      headers: true,
      label: `kafka-python reading ${label}`,
    });
  const confluentReads = async (topic: string, label: string) =>
    assertConsumed(await python(CF, ['consume', broker.bootstrap, topic, COUNT]), COUNT, {
      headers: true,
      label: `confluent-kafka-python reading ${label}`,
    });
  const kcatReads = async (topic: string, label: string) =>
    assertConsumed(await kcatConsume(broker.bootstrap, topic), COUNT, {
      headers: true,
      label: `kcat reading ${label}`,
    });
  const platformaticReads = async (topic: string, label: string) =>
    assertConsumed(await platformaticConsume(broker.bootstrap, topic, COUNT), COUNT, {
      headers: true,
      label: `@platformatic/kafka reading ${label}`,
    });

  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    test(`kcat ${codec} → kafka-python, confluent-kafka-python${codec === 'zstd' ? '' : ', @platformatic/kafka'}`, async () => {
      const topic = `matrix-kcat-${codec}`;
      await kcatProduce(broker.bootstrap, topic, COUNT, codec);
      await kafkaPythonReads(topic, `kcat ${codec}`);
      await confluentReads(topic, `kcat ${codec}`);
      // @platformatic/kafka decodes zstd only with node:zlib's zstd (Node 22.15+).
      if (codec !== 'zstd') await platformaticReads(topic, `kcat ${codec}`);
    });

    test(`kafka-python ${codec} → kcat, confluent-kafka-python`, async () => {
      const topic = `matrix-kp-${codec}`;
      await python(KP, ['produce', broker.bootstrap, topic, COUNT, codec, 'auto']);
      await kcatReads(topic, `kafka-python ${codec}`);
      await confluentReads(topic, `kafka-python ${codec}`);
    });
  }

  test('kafkajs gzip → confluent-kafka-python, kafka-python', async () => {
    await kafkajsProduce(broker.bootstrap, 'matrix-kafkajs-gzip', COUNT, 'gzip');
    await confluentReads('matrix-kafkajs-gzip', 'kafkajs gzip');
    await kafkaPythonReads('matrix-kafkajs-gzip', 'kafkajs gzip');
  });

  for (const codec of ['gzip', 'snappy', 'lz4'] satisfies PlatformaticCodec[]) {
    test(`@platformatic/kafka ${codec} → confluent-kafka-python, kafka-python`, async () => {
      const topic = `matrix-pk-${codec}`;
      await platformaticProduce(broker.bootstrap, topic, COUNT, codec);
      await confluentReads(topic, `@platformatic/kafka ${codec}`);
      await kafkaPythonReads(topic, `@platformatic/kafka ${codec}`);
    });
  }

  test('a topic with compression.type=zstd recompresses kafkajs batches; kcat and kafka-python read them', async () => {
    await python(KP, ['create', broker.bootstrap, 'matrix-recompress', 1, 'compression.type=zstd']);
    await kafkajsProduce(broker.bootstrap, 'matrix-recompress', COUNT, 'gzip');
    const segment = readFileSync(join(broker.logDir, 'matrix-recompress-0', '00000000000000000000.log'));
    const { batches } = splitBatches(segment);
    assert.ok(batches.length > 0);
    for (const b of batches) {
      assert.equal(readBatchHeader(b).attributes & ATTR_COMPRESSION_MASK, CompressionType.Zstd);
    }
    await kcatReads('matrix-recompress', 'recompressed zstd');
    await kafkaPythonReads('matrix-recompress', 'recompressed zstd');
  });
});
