import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { transform } from 'esbuild';
import { Kafka } from '../../src/client/index.js';
import { BrokerProcess } from './helpers/broker-process.js';
import { kcat } from './helpers/run-client.js';

/** docs/streams.md's word count: the ts block that starts a KafkaStreams. */
function exampleCode(): string {
  const doc = readFileSync('docs/streams.md', 'utf8');
  const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const found = blocks.filter((b) => b.includes('new KafkaStreams('));
  assert.equal(found.length, 1, 'docs/streams.md has one KafkaStreams example');
  return found[0]!;
}

const LINES = ['Hello Kafka Streams', 'All streams lead to Kafka', 'Join Kafka Summit', 'hello again'];

/**
 * The acceptance example: docs/streams.md's word count run as written (exactly_once_v2)
 * in its own process against a broker process, its output read by kcat (librdkafka) with
 * `-s value=Q`, which decodes Kafka's 8-byte big-endian longs.
 */
describe('Strom Streams word count read by kcat', () => {
  let broker: BrokerProcess;
  const dir = mkdtempSync(join(tmpdir(), 'strom-streams-example-'));
  before(async () => {
    broker = await BrokerProcess.start();
  });
  after(async () => {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs docs/streams.md as written; kcat reads the committed counts as big-endian longs', async () => {
    const { code: js } = await transform(exampleCode(), { loader: 'ts', format: 'esm', target: 'node20' });
    const streamsUrl = new URL('../../src/streams/index.js', import.meta.url).href;
    const script = join(dir, 'word-count.mjs');
    // The example's import and broker address, pointed at this checkout and this broker.
    writeFileSync(
      script,
      js
        .replace(/(['"])strom\/streams\1/, JSON.stringify(streamsUrl))
        .replace('localhost:9092', broker.bootstrap),
    );
    const kafka = new Kafka({ bootstrapServers: broker.bootstrap });
    const admin = kafka.admin();
    await admin.createTopics([
      { topic: 'text-lines', numPartitions: 2 },
      { topic: 'word-count-output', numPartitions: 2 },
    ]);
    const producer = kafka.producer();
    for (const line of LINES) await producer.send('text-lines', { key: null, value: line });
    await producer.close();

    // The example keeps its persistent store in the default state.dir under the OS temp dir: this
    // test's own directory, so no other run's state is read.
    const child = spawn(process.execPath, [script], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, TMPDIR: dir },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    let exited: string | null = null;
    child.on('exit', (code, signal) => {
      exited = `the example exited with ${code ?? signal}: ${stderr}`;
    });
    const expected = new Map<string, number>();
    for (const line of LINES)
      for (const w of line.toLowerCase().split(/\W+/).filter(Boolean))
        expected.set(w, (expected.get(w) ?? 0) + 1);
    const readOutput = async (): Promise<Map<string, number>> => {
      const out = await kcat(broker.bootstrap, [
        '-C',
        '-t',
        'word-count-output',
        '-o',
        'beginning',
        '-e',
        '-q',
        '-s',
        'value=Q',
        '-f',
        '%k %s\\n',
        '-X',
        'isolation.level=read_committed',
      ]);
      const latest = new Map<string, number>();
      for (const line of out.split('\n').filter(Boolean)) {
        const [word, count] = line.split(' ');
        latest.set(word!, Number(count));
      }
      return latest;
    };
    const same = (a: Map<string, number>) =>
      JSON.stringify([...a].sort()) === JSON.stringify([...expected].sort());
    let latest = new Map<string, number>();
    try {
      // The counts reach the output through the repartition topic, a commit interval or two later.
      const deadline = Date.now() + 60_000;
      for (;;) {
        latest = await readOutput();
        if (same(latest)) break;
        if (exited !== null) assert.fail(exited);
        if (Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      child.kill('SIGKILL');
      await admin.close();
    }
    assert.deepEqual([...latest].sort(), [...expected].sort());
  });
});
