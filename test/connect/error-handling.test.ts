import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { noopLogger } from '../../src/common/logger.js';
import { type StandaloneWorker, startStandalone } from '../../src/connect/runtime/standalone-worker.js';
import { startTestCluster, type TestCluster } from '../client/client-helpers.js';
import { readText, waitFor } from './connect-helpers.js';

/** errors.tolerance, the dead letter queue with its context headers, and transforms in a running sink. */
describe('Connect error handling', () => {
  let cluster: TestCluster;
  let dir: string;
  let worker: StandaloneWorker;

  before(async () => {
    cluster = await startTestCluster();
    dir = mkdtempSync(join(tmpdir(), 'strom-connect-errors-'));
    worker = await startStandalone({
      workerProps: {
        'bootstrap.servers': cluster.broker.bootstrap,
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter.schemas.enable': 'false',
        'offset.storage.file.filename': join(dir, 'offsets'),
        'offset.flush.interval.ms': '200',
        listeners: 'http://127.0.0.1:0',
      },
      logger: noopLogger,
    });
    const producer = cluster.kafka.producer();
    await producer.sendBatch('errors-in', [
      { value: '{"a":1}' },
      { value: 'not json' },
      { value: '{"b":2}' },
    ]);
    await producer.close();
  });

  after(async () => {
    await worker?.stop();
    await cluster?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('errors.tolerance=all skips a record the converter cannot read and sends it to the dead letter queue', async () => {
    const out = join(dir, 'tolerant.txt');
    await worker.herder.putConnectorConfig(
      'tolerant',
      {
        'connector.class': 'FileStreamSink',
        topics: 'errors-in',
        file: out,
        'errors.tolerance': 'all',
        'errors.log.enable': 'true',
        'errors.deadletterqueue.topic.name': 'errors-dlq',
        'errors.deadletterqueue.topic.replication.factor': '1',
        'errors.deadletterqueue.context.headers.enable': 'true',
        transforms: 'tag',
        'transforms.tag.type': 'org.apache.kafka.connect.transforms.InsertField$Value',
        'transforms.tag.topic.field': 'from',
      },
      false,
    );
    await waitFor(
      () => readText(out) === '{a=1, from=errors-in}\n{b=2, from=errors-in}\n',
      () => `${JSON.stringify(readText(out))} ${JSON.stringify(worker.herder.connectorStatus('tolerant'))}`,
    );
    const consumer = cluster.kafka.consumer({ groupId: 'dlq-check', autoOffsetReset: 'earliest' });
    consumer.subscribe('errors-dlq');
    const got = [];
    const deadline = Date.now() + 20_000;
    while (got.length < 1 && Date.now() < deadline) got.push(...(await consumer.poll({ timeoutMs: 500 })));
    await consumer.close();
    assert.equal(got.length, 1);
    assert.equal(got[0]!.value!.toString(), 'not json', 'the original bytes');
    const headers = Object.fromEntries(got[0]!.headers.map((h) => [h.key, h.value?.toString()]));
    assert.equal(headers['__connect.errors.topic'], 'errors-in');
    assert.equal(headers['__connect.errors.partition'], '0');
    assert.equal(headers['__connect.errors.offset'], '1');
    assert.equal(headers['__connect.errors.connector.name'], 'tolerant');
    assert.equal(headers['__connect.errors.task.id'], '0');
    assert.equal(headers['__connect.errors.stage'], 'VALUE_CONVERTER');
    assert.equal(headers['__connect.errors.class.name'], 'JsonConverter');
    assert.equal(headers['__connect.errors.exception.class.name'], 'DataError');
    assert.match(
      headers['__connect.errors.exception.message']!,
      /Converting byte\[\] to Kafka Connect data failed/,
    );
  });

  it('errors.tolerance=none (the default) fails the task, with the error as its trace', async () => {
    await worker.herder.putConnectorConfig(
      'strict',
      { 'connector.class': 'FileStreamSink', topics: 'errors-in', file: join(dir, 'strict.txt') },
      false,
    );
    await waitFor(
      () => worker.herder.connectorStatus('strict').tasks[0]?.state === 'FAILED',
      () => JSON.stringify(worker.herder.connectorStatus('strict')),
    );
    const task = worker.herder.connectorStatus('strict').tasks[0]!;
    assert.match(task.trace!, /Tolerance exceeded in error handler/);
    assert.match(task.trace!, /Caused by: DataError/);
    assert.equal(worker.herder.connectorStatus('strict').connector.state, 'RUNNING');
  });
});
