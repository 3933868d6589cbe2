import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { transform } from 'esbuild';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { Kafka } from '../../src/client/index.js';

const PARTITIONS = 2;
const ROUND = 20;

/** docs/client.md's consume-transform-produce example: the ts block that sends offsets to a transaction. */
function exampleCode(): string {
  const doc = readFileSync('docs/client.md', 'utf8');
  const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const found = blocks.filter((b) => b.includes('sendOffsetsToTransaction('));
  assert.equal(found.length, 1, 'docs/client.md has one consume-transform-produce example');
  return found[0]!;
}

/** Polls `check` every 100 ms until it holds; fails after `ms` or when `failed` returns a reason. */
async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  failed: () => string | null,
  ms = 30_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const reason = failed();
    if (reason !== null) assert.fail(`${what}: ${reason}`);
    if (await check()) return;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('docs/client.md consume-transform-produce example', () => {
  let broker: StartedBroker;
  let kafka: Kafka;
  const dir = mkdtempSync(join(tmpdir(), 'strom-eos-example-'));
  before(async () => {
    broker = await startBroker({ config: { 'num.partitions': String(PARTITIONS) } });
    kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'eos-example-test' });
  });
  after(async () => {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs as written: each input record is in the output exactly once under read_committed and the group committed the end', async () => {
    const code = exampleCode();
    assert.match(code, /consumer\.subscribe\(/, 'the example subscribes');
    assert.match(code, /isolationLevel: 'read_committed'/);
    assert.match(code, /consumer\.groupMetadata\(\)/);
    // The example uses the client.md's opening `kafka` and an application's `enrich`; the test
    // supplies both and runs the example's code unchanged, with its types stripped.
    const { code: js } = await transform(code, { loader: 'ts', format: 'esm', target: 'node20' });
    const script = join(dir, 'example.mjs');
    const clientUrl = new URL('../../src/client/index.js', import.meta.url).href;
    writeFileSync(
      script,
      [
        `import { Kafka } from ${JSON.stringify(clientUrl)};`,
        `const kafka = new Kafka({ bootstrapServers: process.argv[2], clientId: 'billing' });`,
        "const enrich = (value) => 'enriched-' + String(value);",
        js,
      ].join('\n'),
    );

    const admin = kafka.admin();
    await admin.createTopics([
      { topic: 'orders', numPartitions: PARTITIONS },
      { topic: 'enriched', numPartitions: PARTITIONS },
    ]);
    const producer = kafka.producer({ lingerMs: 5 });
    const produce = (from: number) =>
      producer.sendBatch(
        'orders',
        Array.from({ length: ROUND }, (_, i) => ({
          key: `k${from + i}`,
          value: `order-${from + i}`,
          partition: (from + i) % PARTITIONS,
        })),
      );
    await produce(0);
    // The example's consumer starts where its group committed (auto.offset.reset is 'latest' by
    // default): the group starts at the beginning of the input, as an operator would set it.
    await admin.alterGroupOffsets(
      'enricher',
      Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: 'orders', partition, offset: 0n })),
    );

    const child = spawn(process.execPath, [script, broker.bootstrap], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.resume();
    let exited: string | null = null;
    child.on('exit', (code, signal) => {
      exited = `the example exited with ${code ?? signal}: ${stderr}`;
    });
    const committedTo = async (end: number) => {
      const offsets = await admin.listGroupOffsets('enricher', { topics: ['orders'] });
      // Every partition of the input got the same number of records.
      return offsets.length === PARTITIONS && offsets.every((o) => o.offset === BigInt(end / PARTITIONS));
    };
    try {
      await waitFor(
        'the group commits the first round',
        () => committedTo(ROUND),
        () => exited,
      );
      // A second round while the example runs: later transactions of the same loop.
      await produce(ROUND);
      await waitFor(
        'the group commits the second round',
        () => committedTo(2 * ROUND),
        () => exited,
      );
    } finally {
      child.kill('SIGKILL');
      await producer.close();
    }

    const ends = await admin.listOffsets(
      Array.from({ length: PARTITIONS }, (_, partition) => ({
        topic: 'enriched',
        partition,
        timestamp: 'latest' as const,
      })),
      { isolationLevel: 'read_committed' },
    );
    await admin.close();
    const consumer = kafka.consumer({ isolationLevel: 'read_committed', fetchMaxWaitMs: 50 });
    consumer.assign(ends.map((e) => ({ topic: 'enriched', partition: e.partition })));
    for (const e of ends) consumer.seek(e, 0n);
    const seen = new Map<string, number>();
    try {
      const deadline = Date.now() + 30_000;
      while (ends.some((e) => (consumer.position(e) ?? 0n) < e.offset)) {
        assert.ok(Date.now() < deadline, 'the output is read within 30 s');
        for (const r of await consumer.poll({ timeoutMs: 1000 })) {
          const v = r.value!.toString();
          seen.set(v, (seen.get(v) ?? 0) + 1);
        }
      }
    } finally {
      await consumer.close();
    }
    const expected = Array.from({ length: 2 * ROUND }, (_, i) => `enriched-order-${i}`);
    assert.deepEqual(
      expected.filter((v) => !seen.has(v)),
      [],
      'every input record is in the output',
    );
    assert.deepEqual(
      [...seen].filter(([, n]) => n > 1).map(([v]) => v),
      [],
      'no input record is in the output twice',
    );
    assert.equal(seen.size, 2 * ROUND);
  });
});
