import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestCluster, type TestCluster } from '../client/client-helpers.js';
import { type ConnectProcess, readText, startConnectProcess, waitFor } from './connect-helpers.js';

const CONFIG = resolve(process.cwd(), 'config');

/**
 * Kafka's quickstart step "import/export your data as streams of events", with the connector
 * files Strom ships (config/connect-file-source.properties and connect-file-sink.properties,
 * Kafka's own, unchanged) run from the directory holding test.txt, as the quickstart does.
 */
describe('strom connect standalone: the file quickstart', () => {
  let cluster: TestCluster;
  let dir: string;
  const processes: ConnectProcess[] = [];

  before(async () => {
    cluster = await startTestCluster();
    dir = mkdtempSync(join(tmpdir(), 'strom-connect-quickstart-'));
    const worker = readText(join(CONFIG, 'connect-standalone.properties'))
      .replace(/^bootstrap\.servers=.*$/m, `bootstrap.servers=${cluster.broker.bootstrap}`)
      .replace(
        /^offset\.storage\.file\.filename=.*$/m,
        `offset.storage.file.filename=${join(dir, 'connect.offsets')}`,
      )
      .concat('\nlisteners=http://127.0.0.1:0\n');
    writeFileSync(join(dir, 'connect-standalone.properties'), worker);
  });

  after(async () => {
    for (const p of processes) p.kill();
    await cluster?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (): ConnectProcess => {
    const p = startConnectProcess(
      [
        'standalone',
        'connect-standalone.properties',
        join(CONFIG, 'connect-file-source.properties'),
        join(CONFIG, 'connect-file-sink.properties'),
      ],
      dir,
    );
    processes.push(p);
    return p;
  };

  it('copies test.txt into connect-test and into test.sink.txt, and resumes after a restart without duplicates', async () => {
    writeFileSync(join(dir, 'test.txt'), 'foo\nbar\n');
    const sink = join(dir, 'test.sink.txt');
    const first = run();
    await waitFor(
      () => readText(sink) === 'foo\nbar\n',
      () => `sink holds ${JSON.stringify(readText(sink))}; worker said:\n${first.output()}`,
    );

    // The topic holds JsonConverter's envelopes, as kafka-console-consumer shows them in Kafka's quickstart.
    const consumer = cluster.kafka.consumer({ groupId: 'quickstart-check', autoOffsetReset: 'earliest' });
    consumer.subscribe('connect-test');
    const values: string[] = [];
    const deadline = Date.now() + 20_000;
    while (values.length < 2 && Date.now() < deadline)
      for (const r of await consumer.poll({ timeoutMs: 500 })) values.push(r.value!.toString());
    await consumer.close();
    assert.deepEqual(values, [
      '{"schema":{"type":"string","optional":false},"payload":"foo"}',
      '{"schema":{"type":"string","optional":false},"payload":"bar"}',
    ]);

    // A line appended while the worker runs goes through too.
    appendFileSync(join(dir, 'test.txt'), 'Another line\n');
    await waitFor(
      () => readText(sink) === 'foo\nbar\nAnother line\n',
      () => `sink holds ${JSON.stringify(readText(sink))}`,
    );

    // A clean stop stores the source offset and commits the sink's; the next run carries on from them.
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0, first.output());
    appendFileSync(join(dir, 'test.txt'), 'after the restart\n');
    const second = run();
    await waitFor(
      () => readText(sink) === 'foo\nbar\nAnother line\nafter the restart\n',
      () => `sink holds ${JSON.stringify(readText(sink))}; worker said:\n${second.output()}`,
    );
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0, second.output());
    const stored = JSON.parse(readText(join(dir, 'connect.offsets'))) as { offsets: [string, string][] };
    assert.deepEqual(stored.offsets, [['["local-file-source",{"filename":"test.txt"}]', '{"position":39}']]);
  });
});
