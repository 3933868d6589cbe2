import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ProduceAcks, Producer } from '../peers/platformatic-kafka.js';
import { BrokerProcess } from './helpers/broker-process.js';
import { kafkajs, PLATFORMATIC_CLIENT_ID } from './helpers/js-clients.js';
import { kcatConsume, python, runClient } from './helpers/run-client.js';

/**
 * Record size limits with a broker whose message.max.bytes is 64 KiB: a topic that raises its
 * max.message.bytes takes a 1 MiB record, and every client sees MESSAGE_TOO_LARGE (error 10) when
 * a batch exceeds the limit. The clients' own size checks are raised above the batch size so that
 * the error can only come from the broker.
 */

const KP = 'kafka_python_compat.py';
const CF = 'confluent_kafka_compat.py';
const LIMIT = 65_536;
const MIB = 1024 * 1024;

/** @platformatic/kafka nests the broker's error (apiId, apiCode) inside aggregate errors. */
function hasApiError(err: unknown, apiId: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { apiId?: unknown; errors?: unknown };
  if (e.apiId === apiId) return true;
  return Array.isArray(e.errors) && e.errors.some((inner) => hasApiError(inner, apiId));
}

describe('record size limits', () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await BrokerProcess.start({ overrides: { 'message.max.bytes': String(LIMIT) } });
  });
  after(async () => {
    await broker.close();
  });

  test('a 1 MiB record on a topic with max.message.bytes=2 MiB: produced and read back', async () => {
    await python(KP, ['create', broker.bootstrap, 'limits-big', 1, `max.message.bytes=${2 * MIB}`]);
    assert.equal((await python(CF, ['produce-one', broker.bootstrap, 'limits-big', MIB])).trim(), 'OK');
    assert.equal(
      (await python(KP, ['produce-one', broker.bootstrap, 'limits-big', MIB, 4 * MIB])).trim(),
      'OK',
    );
    for (const [label, out] of [
      ['kcat', await kcatConsume(broker.bootstrap, 'limits-big')],
      ['kafka-python', await python(KP, ['consume', broker.bootstrap, 'limits-big', 2, 'auto'])],
    ] as const) {
      const lines = out.split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 2, `${label} read both records`);
      lines.forEach((l, i) => {
        const [offset, key, value] = l.split('\t');
        assert.equal(offset, String(i), label);
        assert.equal(key, 'big', label);
        assert.equal(value, 'b'.repeat(MIB), `${label}: 1 MiB value intact`);
      });
    }
  });

  test('kafka-python: MessageSizeTooLargeError from the broker', async () => {
    const out = await python(KP, ['produce-one', broker.bootstrap, 'limits-small', 100_000, 4 * MIB]);
    assert.equal(out.trim(), 'MessageSizeTooLargeError');
  });

  test('confluent-kafka-python: MSG_SIZE_TOO_LARGE', async () => {
    const out = await python(CF, ['produce-one', broker.bootstrap, 'limits-small', 100_000]);
    assert.equal(out.trim(), 'MSG_SIZE_TOO_LARGE');
  });

  test('kcat: delivery fails with "Message size too large"', async () => {
    const r = await runClient(
      'kcat',
      [
        '-b',
        broker.bootstrap,
        '-P',
        '-t',
        'limits-small',
        '-p',
        '0',
        '-X',
        'acks=all',
        '-X',
        'message.max.bytes=4000000',
        '-X',
        'client.id=compat-kcat',
      ],
      { stdin: `${'k'.repeat(100_000)}\n` },
    );
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Delivery failed for message: Broker: Message size too large/);
  });

  test('kafkajs: KafkaJSProtocolError MESSAGE_TOO_LARGE', async () => {
    const producer = kafkajs(broker.bootstrap).producer();
    await producer.connect();
    try {
      await assert.rejects(
        producer.send({
          topic: 'limits-small',
          acks: -1,
          messages: [{ key: 'big', value: 'k'.repeat(100_000), partition: 0 }],
        }),
        (err: Error & { type?: string }) => err.type === 'MESSAGE_TOO_LARGE',
      );
    } finally {
      await producer.disconnect();
    }
  });

  test('@platformatic/kafka: the produce fails with error code 10', async () => {
    const producer = new Producer({
      clientId: PLATFORMATIC_CLIENT_ID,
      bootstrapBrokers: [broker.bootstrap],
      autocreateTopics: true,
      retries: 0,
    });
    try {
      await assert.rejects(
        producer.send({
          acks: ProduceAcks.ALL,
          messages: [
            {
              topic: 'limits-small',
              partition: 0,
              key: Buffer.from('big'),
              value: Buffer.alloc(100_000, 107),
            },
          ],
        }),
        (err: Error) => hasApiError(err, 'MESSAGE_TOO_LARGE'),
      );
    } finally {
      await producer.close();
    }
  });

  test('none of the rejected records was stored', async () => {
    assert.equal(await kcatConsume(broker.bootstrap, 'limits-small'), '');
  });
});
