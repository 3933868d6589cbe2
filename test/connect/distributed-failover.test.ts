import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kafka } from '../../src/client/index.js';
import { freePort, type ServerProcess, startServerProcess } from '../helpers/server-process.js';
import { type ConnectProcess, readText, startConnectProcess, waitFor } from './connect-helpers.js';

interface Status {
  connector: { state: string; worker_id: string };
  tasks: { id: number; state: string; worker_id: string }[];
}

async function rest(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? null : JSON.parse(text) };
}

const SOURCES = 3;
const LINES_BEFORE = 300;
const LINES_AFTER = 300;

/**
 * Three `strom connect distributed` workers against a broker process: three file sources (one task
 * each) and a file sink with three tasks spread over the workers; one worker is SIGKILLed, its
 * connectors and tasks resume on the others after the session timeout and the scheduled
 * rebalance delay, and every source line reaches the sink file (at least once).
 */
describe('strom connect distributed: three workers, one SIGKILLed', () => {
  let dir: string;
  let broker: ServerProcess;
  let kafka: Kafka;
  const workers: { process: ConnectProcess; url: string; id: string }[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strom-connect-distributed-'));
    const port = await freePort();
    broker = await startServerProcess(
      [
        '--override',
        `listeners=PLAINTEXT://127.0.0.1:${port}`,
        '--override',
        `log.dirs=${join(dir, 'broker')}`,
        '--override',
        'group.initial.rebalance.delay.ms=0',
        '--override',
        'group.min.session.timeout.ms=1000',
      ],
      port,
    );
    kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'distributed-test' });
    const admin = kafka.admin();
    await admin.createTopics([{ topic: 'lines', numPartitions: 3, replicationFactor: 1 }]);
    await admin.close();
    for (let i = 0; i < 3; i++) {
      const restPort = await freePort();
      const props = [
        `bootstrap.servers=${broker.bootstrap}`,
        'group.id=connect-test-cluster',
        'config.storage.topic=connect-configs',
        'offset.storage.topic=connect-offsets',
        'status.storage.topic=connect-status',
        'config.storage.replication.factor=1',
        'offset.storage.replication.factor=1',
        'status.storage.replication.factor=1',
        'offset.storage.partitions=5',
        'status.storage.partitions=2',
        'key.converter=org.apache.kafka.connect.storage.StringConverter',
        'value.converter=org.apache.kafka.connect.storage.StringConverter',
        'session.timeout.ms=3000',
        'heartbeat.interval.ms=500',
        'scheduled.rebalance.max.delay.ms=2000',
        'offset.flush.interval.ms=500',
        // The sink tasks' consumers leave their group as soon as their worker is gone.
        'consumer.session.timeout.ms=3000',
        'consumer.heartbeat.interval.ms=500',
        `listeners=http://127.0.0.1:${restPort}`,
        '',
      ].join('\n');
      writeFileSync(join(dir, `worker-${i}.properties`), props);
      const process = startConnectProcess(['distributed', `worker-${i}.properties`], dir);
      workers.push({ process, url: `http://127.0.0.1:${restPort}`, id: `127.0.0.1:${restPort}` });
    }
    for (const w of workers)
      await waitFor(
        () => w.process.output().includes('distributed worker started'),
        () => `worker did not start:\n${w.process.output()}`,
      );
  });

  after(async () => {
    for (const w of workers) w.process.kill();
    if (broker && broker.child.exitCode === null) {
      broker.child.kill('SIGTERM');
      await broker.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const outputs = (): string =>
    workers.map((w, i) => `--- worker ${i}\n${w.process.output().slice(-4000)}`).join('\n');

  it("moves a killed worker's connectors and tasks to the others without losing a line", async () => {
    const expected: string[] = [];
    const write = (source: number, from: number, count: number): void => {
      let text = '';
      for (let n = from; n < from + count; n++) {
        text += `s${source}-${n}\n`;
        expected.push(`s${source}-${n}`);
      }
      appendFileSync(join(dir, `source-${source}.txt`), text);
    };
    for (let s = 0; s < SOURCES; s++) write(s, 0, LINES_BEFORE);

    // Connectors are created through one worker (forwarded to the leader when it is not).
    const front = workers[0]!.url;
    const create = async (name: string, config: Record<string, string>): Promise<void> => {
      for (;;) {
        const res = await rest(front, 'POST', '/connectors', { name, config });
        if (res.status === 201) return;
        // 409 while the group's first rebalance runs (no leader known yet), as Kafka answers.
        assert.equal(res.status, 409, JSON.stringify(res.json));
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    for (let s = 0; s < SOURCES; s++)
      await create(`source-${s}`, {
        'connector.class': 'FileStreamSource',
        file: join(dir, `source-${s}.txt`),
        topic: 'lines',
      });
    await create('sink', {
      'connector.class': 'FileStreamSink',
      file: join(dir, 'sink.txt'),
      topics: 'lines',
      'tasks.max': '3',
    });
    assert.deepEqual((await rest(workers[1]!.url, 'GET', '/connectors')).json, [
      'sink',
      'source-0',
      'source-1',
      'source-2',
    ]);

    const statuses = async (base: string): Promise<Map<string, Status>> => {
      const out = new Map<string, Status>();
      for (const name of ['sink', 'source-0', 'source-1', 'source-2']) {
        const res = await rest(base, 'GET', `/connectors/${name}/status`);
        out.set(name, res.json as Status);
      }
      return out;
    };
    const allRunning = (m: Map<string, Status>, allowed: readonly string[]): boolean =>
      [...m.values()].every(
        (s) =>
          s.connector.state === 'RUNNING' &&
          allowed.includes(s.connector.worker_id) &&
          s.tasks.length > 0 &&
          s.tasks.every((t) => t.state === 'RUNNING' && allowed.includes(t.worker_id)),
      );
    let before = new Map<string, Status>();
    await waitFor(
      () =>
        allRunning(
          before,
          workers.map((w) => w.id),
        ) && new Set([...before.values()].flatMap((s) => s.tasks.map((t) => t.worker_id))).size === 3,
      () => `not all running on three workers: ${JSON.stringify([...before])}\n${outputs()}`,
      40_000,
      async () => {
        before = await statuses(workers[2]!.url);
      },
    );
    const sinkHas = (lines: readonly string[]): boolean => {
      const got = new Set(readText(join(dir, 'sink.txt')).split('\n'));
      return lines.every((l) => got.has(l));
    };
    await waitFor(
      () => sinkHas(expected),
      () => `sink misses lines before the kill\n${outputs()}`,
    );

    // Kill the worker that runs source-0's task.
    const victimId = before.get('source-0')!.tasks[0]!.worker_id;
    const victim = workers.find((w) => w.id === victimId)!;
    const survivors = workers.filter((w) => w !== victim);
    victim.process.child.kill('SIGKILL');
    await victim.process.exited;
    for (let s = 0; s < SOURCES; s++) write(s, LINES_BEFORE, LINES_AFTER);

    let afterKill = new Map<string, Status>();
    await waitFor(
      () =>
        allRunning(
          afterKill,
          survivors.map((w) => w.id),
        ),
      () => `work of ${victimId} not moved: ${JSON.stringify([...afterKill])}\n${outputs()}`,
      40_000,
      async () => {
        afterKill = await statuses(survivors[0]!.url);
      },
    );
    await waitFor(
      () => sinkHas(expected),
      () => {
        const got = new Set(readText(join(dir, 'sink.txt')).split('\n'));
        return `sink misses ${expected.filter((l) => !got.has(l)).length} lines\n${outputs()}`;
      },
      40_000,
    );
    // Every task of every connector is listed with the worker it now runs on.
    for (const s of afterKill.values()) for (const t of s.tasks) assert.notEqual(t.worker_id, victimId);
  });

  it('pauses, resumes, stops, reconfigures and deletes connectors through any worker, forwarded to the leader', async () => {
    const live = workers.filter(
      (w) => w.process.child.exitCode === null && w.process.child.signalCode === null,
    );
    const [one, two] = [live[0]!.url, live[1]!.url];
    const state = async (base: string, name: string): Promise<Status> =>
      (await rest(base, 'GET', `/connectors/${name}/status`)).json as Status;
    let seen: Status | null = null;
    const waitState = async (base: string, name: string, want: string, tasks: number | null): Promise<void> =>
      waitFor(
        () =>
          seen !== null &&
          seen.connector.state === want &&
          (tasks === null || seen.tasks.length === tasks) &&
          seen.tasks.every((t) => t.state === want),
        () => `${name} is not ${want}: ${JSON.stringify(seen)}\n${outputs()}`,
        30_000,
        async () => {
          seen = await state(base, name);
        },
      );

    assert.equal((await rest(one, 'PUT', '/connectors/source-1/pause')).status, 202);
    await waitState(two, 'source-1', 'PAUSED', 1);
    assert.equal((await rest(two, 'PUT', '/connectors/source-1/resume')).status, 202);
    await waitState(one, 'source-1', 'RUNNING', 1);

    assert.equal((await rest(two, 'PUT', '/connectors/sink/stop')).status, 204);
    await waitState(one, 'sink', 'STOPPED', 0);
    assert.deepEqual((await rest(one, 'GET', '/connectors/sink/tasks')).json, []);
    assert.equal((await rest(one, 'PUT', '/connectors/sink/resume')).status, 202);
    await waitState(two, 'sink', 'RUNNING', 3);

    // A new config restarts the connector and its tasks with it.
    const changed = await rest(one, 'PUT', '/connectors/source-2/config', {
      'connector.class': 'FileStreamSource',
      file: join(dir, 'source-2.txt'),
      topic: 'lines',
      'batch.size': '10',
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.json));
    let taskConfig: unknown = null;
    await waitFor(
      () => (taskConfig as { config?: Record<string, string> } | null)?.config?.['batch.size'] === '10',
      () => `task config not updated: ${JSON.stringify(taskConfig)}`,
      30_000,
      async () => {
        taskConfig = ((await rest(two, 'GET', '/connectors/source-2/tasks')).json as unknown[])[0] ?? null;
      },
    );
    await waitState(two, 'source-2', 'RUNNING', 1);

    const duplicate = await rest(two, 'POST', '/connectors', {
      name: 'source-2',
      config: { 'connector.class': 'FileStreamSource', topic: 'lines' },
    });
    assert.equal(duplicate.status, 409);
    assert.deepEqual(duplicate.json, { error_code: 409, message: 'Connector source-2 already exists' });

    assert.equal((await rest(one, 'DELETE', '/connectors/source-2')).status, 204);
    let listed: unknown = null;
    await waitFor(
      () => JSON.stringify(listed) === JSON.stringify(['sink', 'source-0', 'source-1']),
      () => `connectors: ${JSON.stringify(listed)}`,
      30_000,
      async () => {
        listed = (await rest(two, 'GET', '/connectors')).json;
      },
    );
    assert.equal((await rest(two, 'GET', '/connectors/source-2/status')).status, 404);

    // Source offsets come from the offset topic: source-0's position is past its last line.
    const offsets = (await rest(two, 'GET', '/connectors/source-0/offsets')).json as {
      offsets: { partition: { filename: string }; offset: { position: number } }[];
    };
    assert.equal(offsets.offsets.length, 1);
    assert.equal(offsets.offsets[0]!.partition.filename, join(dir, 'source-0.txt'));
    assert.ok(offsets.offsets[0]!.offset.position > 0);
  });
});
