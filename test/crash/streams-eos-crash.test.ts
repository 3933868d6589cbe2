import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { Kafka } from '../../src/client/index.js';

const CHILD = join(fileURLToPath(new URL('.', import.meta.url)), 'streams-eos-child.js');
const PARTITIONS = 3;
const KEYS = 30;
/** sub-topology 0 (source, echo, repartition sink) and 1 (count) on each of the 3 partitions */
const ALL_TASKS = ['0_0', '0_1', '0_2', '1_0', '1_1', '1_2'];
const stateDirs: string[] = [];

async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One instance of the application as a child process, and what it printed. */
class AppProcess {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  exited = false;
  private partial = '';
  private stderr = '';

  constructor(config: Record<string, unknown>) {
    // Each instance keeps its persistent stores in its own directory, as on its own machine.
    const stateDir = mkdtempSync(join(tmpdir(), 'strom-streams-eos-'));
    stateDirs.push(stateDir);
    this.child = spawn(process.execPath, [CHILD, JSON.stringify({ ...config, stateDir })], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d: Buffer) => {
      const parts = (this.partial + d.toString()).split('\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts);
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.child.on('exit', () => {
      this.exited = true;
    });
  }

  /** The tasks it printed last time it ran. */
  get tasks(): string[] | null {
    const last = this.lines.findLast((l) => l.startsWith('tasks '));
    return last === undefined ? null : last.slice(6).split(',').filter(Boolean);
  }

  get processed(): number {
    const last = this.lines.findLast((l) => l.startsWith('processed '));
    return last === undefined ? 0 : Number(last.slice(10));
  }

  get states(): string[] {
    return this.lines.filter((l) => l.startsWith('state ')).map((l) => l.slice(6));
  }

  describe(): string {
    return `${this.lines.join('\n')}\n${this.stderr}`;
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  /** SIGTERM: the instance closes cleanly (bounded: SIGKILL after 30 s). */
  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    assert.ok(this.lines.includes('closed'), `the instance closed cleanly:\n${this.describe()}`);
  }
}

/**
 * Every record of the output topics up to their ends under read_committed, in offset order per
 * partition: the echo's values and, per key, the counts in the order they were written.
 */
async function readCommitted(kafka: Kafka, echo: string, counts: string) {
  const topics = [echo, counts];
  const admin = kafka.admin();
  const ends = await admin.listOffsets(
    topics.flatMap((topic) =>
      Array.from({ length: PARTITIONS }, (_, partition) => ({
        topic,
        partition,
        timestamp: 'latest' as const,
      })),
    ),
    { isolationLevel: 'read_committed' },
  );
  await admin.close();
  const consumer = kafka.consumer({ isolationLevel: 'read_committed', fetchMaxWaitMs: 50 });
  consumer.assign(ends.map((e) => ({ topic: e.topic, partition: e.partition })));
  for (const e of ends) consumer.seek(e, 0n);
  const echoed = new Map<string, number>();
  const countsByKey = new Map<string, number[]>();
  try {
    while (ends.some((e) => (consumer.position(e) ?? 0n) < e.offset)) {
      for (const r of await consumer.poll({ timeoutMs: 500 })) {
        if (r.topic === echo) {
          const v = r.value!.toString();
          echoed.set(v, (echoed.get(v) ?? 0) + 1);
        } else {
          const key = r.key!.toString();
          const list = countsByKey.get(key) ?? [];
          list.push(Number(r.value!.readBigInt64BE(0)));
          countsByKey.set(key, list);
        }
      }
    }
  } finally {
    await consumer.close();
  }
  return { echoed, countsByKey };
}

/** Checks the outputs record by record: each input echoed once, each key's counts 1..n in order. */
function checkExactlyOnce(out: Awaited<ReturnType<typeof readCommitted>>, total: number): void {
  const missing: number[] = [];
  const twice: number[] = [];
  for (let i = 0; i < total; i++) {
    const n = out.echoed.get(`out-${i}`) ?? 0;
    if (n === 0) missing.push(i);
    if (n > 1) twice.push(i);
  }
  assert.deepEqual(missing, [], 'no input record is missing from the echo');
  assert.deepEqual(twice, [], 'no input record is echoed twice');
  assert.equal(out.echoed.size, total);
  for (let k = 0; k < KEYS; k++) {
    const expected = Array.from(
      { length: Math.floor(total / KEYS) + (k < total % KEYS ? 1 : 0) },
      (_, i) => i + 1,
    );
    assert.deepEqual(
      out.countsByKey.get(`k${k}`) ?? [],
      expected,
      `the counts of k${k}: no duplicate, no gap`,
    );
  }
}

describe('Strom Streams exactly_once_v2 across a crash and a fenced thread', () => {
  let broker: StartedBroker;
  let kafka: Kafka;
  const apps: AppProcess[] = [];
  before(async () => {
    broker = await startBroker({
      config: {
        'group.min.session.timeout.ms': '500',
        'transaction.abort.timed.out.transaction.cleanup.interval.ms': '500',
      },
    });
    kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'streams-eos-test' });
  });
  after(async () => {
    for (const app of apps) app.kill();
    await broker.close();
    for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
  });

  async function createTopics(prefix: string): Promise<{ input: string; echo: string; counts: string }> {
    const names = { input: `${prefix}-in`, echo: `${prefix}-echo`, counts: `${prefix}-counts` };
    const admin = kafka.admin();
    await admin.createTopics(Object.values(names).map((topic) => ({ topic, numPartitions: PARTITIONS })));
    await admin.close();
    return names;
  }

  /** Input records `from` until `to`: key k<i mod KEYS>, value i, keyed to their partition. */
  async function produce(from: number, to: number, topic: string): Promise<void> {
    const producer = kafka.producer({ lingerMs: 5 });
    for (let start = from; start < to; start += 100) {
      const batch = [];
      for (let i = start; i < Math.min(to, start + 100); i++)
        batch.push({ key: `k${i % KEYS}`, value: String(i) });
      await producer.sendBatch(topic, batch);
      await new Promise((r) => setTimeout(r, 10));
    }
    await producer.close();
  }

  it('two instances share the tasks; one is SIGKILLed mid-stream, the other takes its tasks, and the output has no duplicate and no gap', async () => {
    const topics = await createTopics('crash');
    const config = {
      bootstrap: broker.bootstrap,
      applicationId: 'eos-crash-app',
      ...topics,
      sessionTimeoutMs: 2000,
      transactionTimeoutMs: 3000,
    };
    const a = new AppProcess(config);
    apps.push(a);
    await waitFor('the first instance runs', () => a.tasks?.length === ALL_TASKS.length);
    const b = new AppProcess(config);
    apps.push(b);
    await waitFor('the instances share the tasks', () => {
      const mine = a.tasks ?? [];
      const theirs = b.tasks ?? [];
      return (
        mine.length > 0 &&
        theirs.length > 0 &&
        [...mine, ...theirs].sort().join() === ALL_TASKS.join() &&
        a.states.at(-1) === 'RUNNING' &&
        b.states.at(-1) === 'RUNNING'
      );
    }).catch((err: Error) => assert.fail(`${err.message}\nA:\n${a.describe()}\nB:\n${b.describe()}`));

    const total = 3000;
    const producing = produce(0, total, topics.input);
    await waitFor('the first instance processed records', () => a.processed >= 300);
    a.kill();
    await producing;
    await waitFor('the survivor took every task', () => b.tasks?.join() === ALL_TASKS.join()).catch(
      (err: Error) => assert.fail(`${err.message}\nB:\n${b.describe()}`),
    );
    await waitFor('the survivor processed the rest', async () => {
      const out = await readCommitted(kafka, topics.echo, topics.counts);
      const counted = [...out.countsByKey.values()].reduce((n, l) => n + l.length, 0);
      return out.echoed.size >= total && counted >= total;
    }).catch((err: Error) => assert.fail(`${err.message}\nB:\n${b.describe()}`));
    await b.close();
    checkExactlyOnce(await readCommitted(kafka, topics.echo, topics.counts), total);
    assert.ok(!b.states.includes('ERROR'), b.describe());
  });

  it('a thread stalled past its session and transaction timeouts closes its tasks dirty, gets a new producer, rejoins and goes on exactly once', async () => {
    const topics = await createTopics('stall');
    const app = new AppProcess({
      bootstrap: broker.bootstrap,
      applicationId: 'eos-stall-app',
      ...topics,
      sessionTimeoutMs: 1000,
      transactionTimeoutMs: 1000,
      stallAt: 200,
      stallMs: 3000,
    });
    apps.push(app);
    await waitFor('the instance runs', () => app.tasks?.length === ALL_TASKS.length);
    const total = 1500;
    await produce(0, total, topics.input);
    await waitFor('the instance processed everything after the stall', async () => {
      const out = await readCommitted(kafka, topics.echo, topics.counts);
      const counted = [...out.countsByKey.values()].reduce((n, l) => n + l.length, 0);
      return out.echoed.size >= total && counted >= total;
    }).catch((err: Error) => assert.fail(`${err.message}\n${app.describe()}`));
    await app.close();
    checkExactlyOnce(await readCommitted(kafka, topics.echo, topics.counts), total);
    assert.ok(
      app.lines.some((l) => l.startsWith('log ') && l.includes('tasks migrated')),
      `the thread handled its tasks' migration:\n${app.describe()}`,
    );
    assert.ok(!app.states.includes('ERROR'), app.describe());
  });
});
