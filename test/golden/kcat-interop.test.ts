import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiKey } from '../../src/protocol/generated/api-registry.js';
import { CaptureBroker } from './capture/capture-broker.js';
import { runCommand } from './capture/run-command.js';

/**
 * librdkafka (through kcat) produces to and consumes from the capture broker, whose responses are
 * encoded by the generated codecs: if librdkafka accepts them, so will other clients' parsers more
 * often than not. kcat is required: CI installs it (.ci/run), so its absence is a failure here.
 */

let broker: CaptureBroker;

before(async () => {
  broker = await CaptureBroker.start();
});

after(async () => {
  await broker.stop();
});

async function kcat(args: string[], stdin = ''): Promise<string> {
  try {
    return await runCommand(
      'kcat',
      ['-b', broker.bootstrap, '-X', 'client.id=strom-interop', ...args],
      stdin,
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      assert.fail('kcat is not installed; install the Debian package kcat (CI does, in .ci/run)');
    }
    throw err;
  }
}

test('kcat produces three keyed records with headers and consumes them back', async () => {
  await kcat(
    ['-P', '-t', 'interop', '-p', '0', '-K', ':', '-z', 'lz4', '-H', 'h=1'],
    'alpha:one\nbeta:two\ngamma:three\n',
  );
  const out = await kcat(['-C', '-t', 'interop', '-p', '0', '-o', 'beginning', '-e', '-f', '%k=%s %h %o\n']);
  assert.equal(out, 'alpha=one h=1 0\nbeta=two h=1 1\ngamma=three h=1 2\n');

  const apis = new Set(broker.takeFrames().map((f) => f.apiKey));
  for (const key of [ApiKey.ApiVersions, ApiKey.Metadata, ApiKey.Produce, ApiKey.Fetch]) {
    assert.ok(apis.has(key), `kcat sent api key ${key}`);
  }
});

test('kcat -L lists the topic with its partition led by the capture broker', async () => {
  const out = await kcat(['-L', '-t', 'interop', '-J']);
  const meta = JSON.parse(out) as {
    brokers: { id: number; name: string }[];
    topics: { topic: string; partitions: { partition: number; leader: number }[] }[];
  };
  assert.deepEqual(
    meta.brokers.map((b) => b.id),
    [broker.state.nodeId],
  );
  assert.equal(meta.topics[0]?.topic, 'interop');
  assert.deepEqual(
    meta.topics[0]?.partitions.map((p) => [p.partition, p.leader]),
    [[0, broker.state.nodeId]],
  );
});
