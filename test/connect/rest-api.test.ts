import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { noopLogger } from '../../src/common/logger.js';
import { type StandaloneWorker, startStandalone } from '../../src/connect/runtime/standalone-worker.js';
import { startTestCluster, type TestCluster } from '../client/client-helpers.js';
import { readText, waitFor } from './connect-helpers.js';

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

/** Kafka Connect's REST API, endpoint by endpoint, with good and bad input, against a standalone worker. */
describe('Connect REST API', () => {
  let cluster: TestCluster;
  let dir: string;
  let worker: StandaloneWorker;
  let base: string;

  const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : JSON.parse(text), headers: res.headers };
  };

  const sourceConfig = (file: string, topic: string): Record<string, string> => ({
    'connector.class': 'FileStreamSource',
    'tasks.max': '1',
    file,
    topic,
  });

  before(async () => {
    cluster = await startTestCluster();
    dir = mkdtempSync(join(tmpdir(), 'strom-connect-rest-'));
    worker = await startStandalone({
      workerProps: {
        'bootstrap.servers': cluster.broker.bootstrap,
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'offset.storage.file.filename': join(dir, 'offsets'),
        'offset.flush.interval.ms': '200',
        listeners: 'http://127.0.0.1:0',
      },
      logger: noopLogger,
    });
    base = worker.restUrls[0]!;
  });

  after(async () => {
    await worker?.stop();
    await cluster?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('GET / names the version and the Kafka cluster', async () => {
    const { status, body } = await call('GET', '/');
    assert.equal(status, 200);
    const root = body as { version: string; commit: string; kafka_cluster_id: string };
    assert.equal(root.version, '3.9.0');
    assert.equal(typeof root.kafka_cluster_id, 'string');
  });

  it('GET /connector-plugins lists the file and PostgreSQL connectors, and converters with connectorsOnly=false', async () => {
    const { status, body } = await call('GET', '/connector-plugins');
    assert.equal(status, 200);
    assert.deepEqual(body, [
      { class: 'io.confluent.connect.jdbc.JdbcSinkConnector', type: 'sink', version: '3.9.0' },
      { class: 'io.debezium.connector.postgresql.PostgresConnector', type: 'source', version: '3.9.0' },
      { class: 'io.strom.connect.postgres.PostgresSinkConnector', type: 'sink', version: '3.9.0' },
      { class: 'io.strom.connect.postgres.PostgresSourceConnector', type: 'source', version: '3.9.0' },
      { class: 'org.apache.kafka.connect.file.FileStreamSinkConnector', type: 'sink', version: '3.9.0' },
      { class: 'org.apache.kafka.connect.file.FileStreamSourceConnector', type: 'source', version: '3.9.0' },
    ]);
    const all = (await call('GET', '/connector-plugins?connectorsOnly=false')).body as { class: string }[];
    assert.ok(all.some((p) => p.class === 'org.apache.kafka.connect.json.JsonConverter'));
    const config = await call('GET', '/connector-plugins/FileStreamSource/config');
    assert.deepEqual(
      (config.body as { name: string }[]).map((k) => k.name),
      ['file', 'topic', 'batch.size'],
    );
    assert.equal((await call('GET', '/connector-plugins/Nope/config')).status, 404);
  });

  it('PUT /connector-plugins/{plugin}/config/validate answers ConfigInfos with the errors', async () => {
    const { status, body } = await call('PUT', '/connector-plugins/FileStreamSinkConnector/config/validate', {
      'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector',
      name: 'x',
      'tasks.max': 'many',
    });
    assert.equal(status, 200);
    const infos = body as {
      name: string;
      error_count: number;
      configs: { value: { name: string; errors: string[] } }[];
    };
    assert.equal(infos.name, 'org.apache.kafka.connect.file.FileStreamSinkConnector');
    assert.equal(infos.error_count, 3);
    const errors = Object.fromEntries(
      infos.configs.filter((c) => c.value.errors.length > 0).map((c) => [c.value.name, c.value.errors]),
    );
    assert.deepEqual(errors['tasks.max'], [
      'Invalid value many for configuration tasks.max: Not a number of type INT',
    ]);
    assert.deepEqual(errors.topics, ['Must configure one of topics or topics.regex']);
    const mismatch = await call('PUT', '/connector-plugins/FileStreamSource/config/validate', {
      'connector.class': 'FileStreamSink',
    });
    assert.deepEqual(mismatch, {
      status: 400,
      body: {
        error_code: 400,
        message: 'Included connector type FileStreamSink does not match request type FileStreamSource',
      },
      headers: mismatch.headers,
    });
    const unknown = await call('PUT', '/connector-plugins/com.example.Nope/config/validate', {});
    assert.equal(unknown.status, 400);
    assert.match(
      (unknown.body as { message: string }).message,
      /Failed to find any class that implements Connector/,
    );
  });

  it('POST /connectors creates (201), refuses a second of the same name (409), an unknown class and an invalid config (400)', async () => {
    writeFileSync(join(dir, 'in.txt'), 'one\ntwo\n');
    const created = await call('POST', '/connectors', {
      name: 'src',
      config: sourceConfig(join(dir, 'in.txt'), 'rest-src'),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.headers.get('location'), '/connectors/src');
    assert.deepEqual(created.body, {
      name: 'src',
      config: { ...sourceConfig(join(dir, 'in.txt'), 'rest-src'), name: 'src' },
      tasks: [{ connector: 'src', task: 0 }],
      type: 'source',
    });
    const again = await call('POST', '/connectors', {
      name: 'src',
      config: sourceConfig(join(dir, 'in.txt'), 'rest-src'),
    });
    assert.deepEqual(again.body, { error_code: 409, message: 'Connector src already exists' });
    assert.equal(again.status, 409);
    const unknown = await call('POST', '/connectors', {
      name: 'u',
      config: { 'connector.class': 'com.example.Nope' },
    });
    assert.equal(unknown.status, 400);
    assert.match(
      (unknown.body as { message: string }).message,
      /Failed to find any class that implements Connector and which name matches com.example.Nope/,
    );
    const invalid = await call('POST', '/connectors', {
      name: 'bad',
      config: { 'connector.class': 'FileStreamSource' },
    });
    assert.equal(invalid.status, 400);
    assert.equal(
      (invalid.body as { message: string }).message,
      'Connector configuration is invalid and contains the following 1 error(s):\n' +
        'Missing required configuration "topic" which has no default value.\n' +
        'You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`',
    );
    const mismatch = await call('POST', '/connectors', {
      name: 'a',
      config: { ...sourceConfig('x', 't'), name: 'b' },
    });
    assert.equal(mismatch.status, 400);
    assert.equal((await call('POST', '/connectors', '{"name": ')).status, 400, 'malformed JSON');
    assert.equal(
      (await call('POST', '/connectors', { config: { 'connector.class': 'FileStreamSource' } })).status,
      400,
    );
    assert.deepEqual((await call('GET', '/connectors')).body, ['src']);
  });

  it('GET a connector, its config, status, tasks and task status; 404 for an unknown one', async () => {
    assert.equal((await call('GET', '/connectors/src')).status, 200);
    assert.equal(
      ((await call('GET', '/connectors/src/config')).body as Record<string, string>).topic,
      'rest-src',
    );
    let status: {
      connector: { state: string; worker_id: string };
      tasks: { id: number; state: string }[];
    } | null = null;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      status = (await call('GET', '/connectors/src/status')).body as typeof status;
      if (status!.tasks[0]?.state === 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status!.connector.state, 'RUNNING');
    assert.deepEqual(
      status!.tasks.map((t) => [t.id, t.state]),
      [[0, 'RUNNING']],
    );
    assert.equal(status!.connector.worker_id, worker.workerId);
    const tasks = (await call('GET', '/connectors/src/tasks')).body as {
      id: unknown;
      config: Record<string, string>;
    }[];
    assert.deepEqual(tasks[0]!.id, { connector: 'src', task: 0 });
    assert.equal(tasks[0]!.config.topic, 'rest-src');
    assert.equal(tasks[0]!.config['task.class'], 'FileStreamSourceTask');
    assert.deepEqual((await call('GET', '/connectors/src/tasks/0/status')).body, {
      id: 0,
      state: 'RUNNING',
      worker_id: worker.workerId,
    });
    assert.equal((await call('GET', '/connectors/src/tasks/7/status')).status, 404);
    for (const path of [
      '/connectors/nope',
      '/connectors/nope/config',
      '/connectors/nope/status',
      '/connectors/nope/tasks',
      '/connectors/nope/offsets',
    ]) {
      const answer = await call('GET', path);
      assert.deepEqual(
        [answer.status, answer.body],
        [404, { error_code: 404, message: 'Connector nope not found' }],
        path,
      );
    }
    assert.deepEqual((await call('GET', '/no/such/path')).body, {
      error_code: 404,
      message: 'HTTP 404 Not Found',
    });
  });

  it('GET /connectors?expand=status&expand=info', async () => {
    const { body } = await call('GET', '/connectors?expand=status&expand=info');
    const src = (body as Record<string, { status: { name: string }; info: { type: string } }>).src!;
    assert.equal(src.status.name, 'src');
    assert.equal(src.info.type, 'source');
  });

  it('PUT and PATCH /connectors/{name}/config update (200) or create (201); a bad config is 400', async () => {
    const created = await call('PUT', '/connectors/sink/config', {
      'connector.class': 'FileStreamSink',
      topics: 'rest-src',
      file: join(dir, 'out.txt'),
    });
    assert.equal(created.status, 201);
    await waitFor(
      () => readText(join(dir, 'out.txt')) === 'one\ntwo\n',
      () => readText(join(dir, 'out.txt')),
    );
    const updated = await call('PUT', '/connectors/sink/config', {
      'connector.class': 'FileStreamSink',
      topics: 'rest-src',
      file: join(dir, 'out.txt'),
      'tasks.max': '2',
    });
    assert.equal(updated.status, 200);
    assert.equal((updated.body as { tasks: unknown[] }).tasks.length, 2);
    const patched = await call('PATCH', '/connectors/sink/config', {
      'tasks.max': '1',
      'errors.log.enable': 'true',
    });
    assert.equal(patched.status, 200);
    assert.equal((patched.body as { config: Record<string, string> }).config['errors.log.enable'], 'true');
    const removed = await call('PATCH', '/connectors/sink/config', { 'errors.log.enable': null });
    assert.equal((removed.body as { config: Record<string, string> }).config['errors.log.enable'], undefined);
    const bad = await call('PUT', '/connectors/sink/config', {
      'connector.class': 'FileStreamSink',
      topics: 'a',
      'topics.regex': 'b.*',
    });
    assert.equal(bad.status, 400);
    assert.match((bad.body as { message: string }).message, /topics and topics.regex are mutually exclusive/);
    assert.equal((await call('PATCH', '/connectors/nope/config', {})).status, 404);
  });

  it('pause (202), resume (202), restart (204, or 202 with includeTasks/onlyFailed) and task restart', async () => {
    assert.equal((await call('PUT', '/connectors/src/pause')).status, 202);
    const paused = (await call('GET', '/connectors/src/status')).body as {
      connector: { state: string };
      tasks: { state: string }[];
    };
    assert.equal(paused.connector.state, 'PAUSED');
    assert.equal(paused.tasks[0]!.state, 'PAUSED');
    assert.equal((await call('PUT', '/connectors/src/resume')).status, 202);
    assert.equal(
      ((await call('GET', '/connectors/src/status')).body as { connector: { state: string } }).connector
        .state,
      'RUNNING',
    );
    const plain = await call('POST', '/connectors/src/restart');
    assert.deepEqual([plain.status, plain.body], [204, null]);
    const withTasks = await call('POST', '/connectors/src/restart?includeTasks=true&onlyFailed=false');
    assert.equal(withTasks.status, 202);
    const restarting = withTasks.body as { connector: { state: string }; tasks: { state: string }[] };
    assert.equal(restarting.connector.state, 'RESTARTING');
    assert.equal(restarting.tasks[0]!.state, 'RESTARTING');
    const onlyFailed = await call('POST', '/connectors/src/restart?includeTasks=true&onlyFailed=true');
    assert.equal(onlyFailed.status, 202);
    assert.notEqual(
      (onlyFailed.body as { connector: { state: string } }).connector.state,
      'RESTARTING',
      'nothing failed',
    );
    assert.equal((await call('POST', '/connectors/src/tasks/0/restart')).status, 204);
    assert.equal((await call('POST', '/connectors/src/tasks/9/restart')).status, 404);
    assert.equal((await call('PUT', '/connectors/nope/pause')).status, 404);
    assert.equal((await call('POST', '/connectors/nope/restart')).status, 404);
  });

  it('offsets: GET, then PATCH and DELETE only once the connector is STOPPED', async () => {
    const file = join(dir, 'in.txt');
    let offsets: unknown = null;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      offsets = (await call('GET', '/connectors/src/offsets')).body;
      if (JSON.stringify(offsets).includes('"position":8')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(offsets, { offsets: [{ partition: { filename: file }, offset: { position: 8 } }] });
    const early = await call('PATCH', '/connectors/src/offsets', {
      offsets: [{ partition: { filename: file }, offset: { position: 0 } }],
    });
    assert.equal(early.status, 400);
    assert.match((early.body as { message: string }).message, /must be in the STOPPED state/);
    assert.equal((await call('PUT', '/connectors/src/stop')).status, 204);
    const stopped = (await call('GET', '/connectors/src/status')).body as {
      connector: { state: string };
      tasks: unknown[];
    };
    assert.deepEqual([stopped.connector.state, stopped.tasks], ['STOPPED', []]);
    const wrongShape = await call('PATCH', '/connectors/src/offsets', {
      offsets: [{ partition: { filename: file }, offset: { pos: 1 } }],
    });
    assert.equal(wrongShape.status, 400);
    assert.equal((await call('PATCH', '/connectors/src/offsets', {})).status, 400);
    const altered = await call('PATCH', '/connectors/src/offsets', {
      offsets: [{ partition: { filename: file }, offset: { position: 4 } }],
    });
    assert.deepEqual(
      [altered.status, altered.body],
      [200, { message: 'The offsets for this connector have been altered successfully' }],
    );
    assert.deepEqual((await call('GET', '/connectors/src/offsets')).body, {
      offsets: [{ partition: { filename: file }, offset: { position: 4 } }],
    });
    const reset = await call('DELETE', '/connectors/src/offsets');
    assert.deepEqual(reset.body, { message: 'The offsets for this connector have been reset successfully' });
    assert.deepEqual((await call('GET', '/connectors/src/offsets')).body, { offsets: [] });

    // The sink's offsets are its consumer group's.
    assert.equal((await call('PUT', '/connectors/sink/stop')).status, 204);
    const sinkOffsets = (await call('GET', '/connectors/sink/offsets')).body as { offsets: unknown[] };
    assert.deepEqual(sinkOffsets, {
      offsets: [{ partition: { kafka_topic: 'rest-src', kafka_partition: 0 }, offset: { kafka_offset: 2 } }],
    });
    const sinkAltered = await call('PATCH', '/connectors/sink/offsets', {
      offsets: [{ partition: { kafka_topic: 'rest-src', kafka_partition: 0 }, offset: { kafka_offset: 1 } }],
    });
    assert.equal(sinkAltered.status, 200, JSON.stringify(sinkAltered.body));
    assert.deepEqual((await call('GET', '/connectors/sink/offsets')).body, {
      offsets: [{ partition: { kafka_topic: 'rest-src', kafka_partition: 0 }, offset: { kafka_offset: 1 } }],
    });
    // Resumed, the sink reads again from offset 1: "two" a second time.
    assert.equal((await call('PUT', '/connectors/sink/resume')).status, 202);
    await waitFor(
      () => readText(join(dir, 'out.txt')) === 'one\ntwo\ntwo\n',
      () => readText(join(dir, 'out.txt')),
    );
  });

  it('DELETE /connectors/{name} removes it (204), then 404', async () => {
    assert.equal((await call('DELETE', '/connectors/src')).status, 204);
    assert.equal((await call('DELETE', '/connectors/src')).status, 404);
    assert.deepEqual((await call('GET', '/connectors')).body, ['sink']);
  });
});
