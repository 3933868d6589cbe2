import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { Kafka } from '../../src/client/index.js';

const CHILD = join(fileURLToPath(new URL('.', import.meta.url)), 'eos-crash-child.js');
const PARTITIONS = 2;
const COUNT = 400;

/**
 * Runs the consume-transform-produce child until it prints "done", or SIGKILLs it when it prints
 * its `killAtSent`-th "sent" (a transaction written and not yet committed). Resolves with how it
 * ended. Bounded: a child that neither finishes nor reaches the kill point in 60 s is killed and
 * the run fails.
 */
function runChild(args: string[], killAtSent: number | null): Promise<'killed' | 'done'> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let sent = 0;
    let out = '';
    let stderr = '';
    let done = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the child neither finished nor reached the kill point: ${out} ${stderr}`));
    }, 60_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) {
        if (line === 'done') done = true;
        if (line === 'sent' && ++sent === killAtSent) child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && killAtSent !== null) resolve('killed');
      else if (code === 0 && done) resolve('done');
      else reject(new Error(`child exited with ${code ?? signal}: ${stderr}`));
    });
  });
}

/** The output topic's values up to its end under `isolationLevel`, counted. */
async function readOutput(kafka: Kafka, isolationLevel: 'read_committed' | 'read_uncommitted') {
  const admin = kafka.admin();
  const ends = await admin.listOffsets(
    Array.from({ length: PARTITIONS }, (_, partition) => ({
      topic: 'eos-out',
      partition,
      timestamp: 'latest' as const,
    })),
    { isolationLevel },
  );
  await admin.close();
  const consumer = kafka.consumer({ isolationLevel, fetchMaxWaitMs: 50 });
  consumer.assign(ends.map((e) => ({ topic: 'eos-out', partition: e.partition })));
  for (const e of ends) consumer.seek(e, 0n);
  const seen = new Map<string, number>();
  try {
    while (ends.some((e) => (consumer.position(e) ?? 0n) < e.offset)) {
      for (const r of await consumer.poll({ timeoutMs: 2000 })) {
        const v = r.value!.toString();
        seen.set(v, (seen.get(v) ?? 0) + 1);
      }
    }
  } finally {
    await consumer.close();
  }
  return seen;
}

describe('exactly-once consume-transform-produce across a SIGKILL', () => {
  let broker: StartedBroker;
  let kafka: Kafka;
  before(async () => {
    broker = await startBroker({ config: { 'num.partitions': String(PARTITIONS) } });
    kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'eos-crash-test' });
  });
  after(async () => {
    await broker.close();
  });

  it('writes every input record to the output exactly once after the transforming process is killed mid-transaction and restarted', async () => {
    const producer = kafka.producer({ lingerMs: 5 });
    await producer.sendBatch(
      'eos-in',
      Array.from({ length: COUNT }, (_, i) => ({
        key: `k${i}`,
        value: `in-${i}`,
        partition: i % PARTITIONS,
      })),
    );
    await producer.close();
    const args = [broker.bootstrap, 'eos-in', 'eos-out', 'eos-group', 'eos-app', String(PARTITIONS)];
    // The third transaction is written, its offsets sent, and never committed: killed there.
    assert.equal(await runChild([...args, '3'], 3), 'killed');
    assert.equal(await runChild(args, null), 'done');

    const seen = await readOutput(kafka, 'read_committed');
    const missing = Array.from({ length: COUNT }, (_, i) => `out-in-${i}`).filter((v) => !seen.has(v));
    const twice = [...seen].filter(([, n]) => n > 1).map(([v]) => v);
    assert.deepEqual(missing, [], 'every input record is in the output');
    assert.deepEqual(twice, [], 'no input record is in the output twice');
    assert.equal(seen.size, COUNT);
    // The killed transaction's records are in the log: read_committed had some to leave out.
    const all = await readOutput(kafka, 'read_uncommitted');
    const total = [...all.values()].reduce((a, b) => a + b, 0);
    assert.ok(total > COUNT, `the aborted transaction's records are in the log (${total} records)`);
  });
});
