import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kafka } from '../../src/client/index.js';
import { freePort, type ServerProcess, startServerProcess } from '../helpers/server-process.js';
import { type ConnectProcess, startConnectProcess, waitFor } from './connect-helpers.js';

const LINES = 40_000;
const TOPIC = 'eos-lines';

/**
 * Exactly-once source (KIP-618): a distributed worker with exactly.once.source.support=enabled
 * copies a file into a topic, one transaction per poll holding the records and their source
 * offset; it is SIGKILLed mid-stream and another worker takes the task over. A read_committed
 * consumer then reads every line exactly once, in order: the killed worker's open transaction
 * was aborted (records and offset together) when the new task's producer fenced it.
 */
describe('strom connect distributed: exactly-once source across a SIGKILL', () => {
  let dir: string;
  let broker: ServerProcess;
  let kafka: Kafka;
  const workers: ConnectProcess[] = [];

  const startWorker = async (name: string): Promise<{ process: ConnectProcess; url: string }> => {
    const restPort = await freePort();
    writeFileSync(
      join(dir, `${name}.properties`),
      [
        `bootstrap.servers=${broker.bootstrap}`,
        'group.id=eos-cluster',
        'config.storage.topic=eos-configs',
        'offset.storage.topic=eos-offsets',
        'status.storage.topic=eos-status',
        'config.storage.replication.factor=1',
        'offset.storage.replication.factor=1',
        'status.storage.replication.factor=1',
        'offset.storage.partitions=3',
        'status.storage.partitions=1',
        'key.converter=org.apache.kafka.connect.storage.StringConverter',
        'value.converter=org.apache.kafka.connect.storage.StringConverter',
        'exactly.once.source.support=enabled',
        'session.timeout.ms=3000',
        'heartbeat.interval.ms=500',
        'scheduled.rebalance.max.delay.ms=1000',
        `listeners=http://127.0.0.1:${restPort}`,
        '',
      ].join('\n'),
    );
    const process = startConnectProcess(['distributed', `${name}.properties`], dir);
    workers.push(process);
    await waitFor(
      () => process.output().includes('distributed worker started'),
      () => `worker did not start:\n${process.output()}`,
    );
    return { process, url: `http://127.0.0.1:${restPort}` };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strom-connect-eos-'));
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
    kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'eos-test' });
    const admin = kafka.admin();
    await admin.createTopics([{ topic: TOPIC, numPartitions: 1, replicationFactor: 1 }]);
    await admin.close();
  });

  after(async () => {
    for (const w of workers) w.kill();
    if (broker && broker.child.exitCode === null) {
      broker.child.kill('SIGTERM');
      await broker.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads every line exactly once under read_committed after the worker is killed mid-stream', async () => {
    let text = '';
    for (let n = 0; n < LINES; n++) text += `line-${n}\n`;
    writeFileSync(join(dir, 'source.txt'), text);
    const first = await startWorker('first');
    for (;;) {
      const res = await fetch(`${first.url}/connectors`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'eos-source',
          config: {
            'connector.class': 'FileStreamSource',
            file: join(dir, 'source.txt'),
            topic: TOPIC,
            // Small polls: many transactions, so the kill lands in the middle of the stream.
            'batch.size': '100',
            'transaction.boundary': 'poll',
          },
        }),
      });
      if (res.status === 201) break;
      assert.equal(res.status, 409, await res.text());
      await new Promise((r) => setTimeout(r, 200));
    }

    const committedEnd = async (): Promise<bigint> => {
      const admin = kafka.admin();
      try {
        const [answer] = await admin.listOffsets([{ topic: TOPIC, partition: 0, timestamp: 'latest' }], {
          isolationLevel: 'read_committed',
        });
        return answer!.offset;
      } finally {
        await admin.close();
      }
    };
    let end = 0n;
    await waitFor(
      () => end >= 3000n,
      () => `the source did not start: ${end}\n${first.process.output().slice(-3000)}`,
      30_000,
      async () => {
        end = await committedEnd();
      },
    );
    first.process.child.kill('SIGKILL');
    await first.process.exited;
    // Killed mid-stream: not everything was copied yet.
    assert.ok((await committedEnd()) < BigInt(LINES) + 1000n);

    const second = await startWorker('second');
    const consumer = kafka.consumer({ isolationLevel: 'read_committed', autoOffsetReset: 'earliest' });
    consumer.assign([{ topic: TOPIC, partition: 0 }]);
    const values: string[] = [];
    const distinct = new Set<string>();
    try {
      const deadline = Date.now() + 60_000;
      while (distinct.size < LINES) {
        assert.ok(
          Date.now() < deadline,
          `${distinct.size} of ${LINES} lines after the takeover\n${second.process.output().slice(-3000)}`,
        );
        for (const r of await consumer.poll({ timeoutMs: 500 })) {
          values.push(r.value!.toString());
          distinct.add(r.value!.toString());
        }
      }
      // Everything committed so far is read: no line twice, none missing, in the file's order.
      const stable = await committedEnd();
      while ((consumer.position({ topic: TOPIC, partition: 0 }) ?? 0n) < stable)
        for (const r of await consumer.poll({ timeoutMs: 500 })) values.push(r.value!.toString());
    } finally {
      await consumer.close();
    }
    assert.equal(values.length, LINES, 'a line was delivered twice');
    for (let n = 0; n < LINES; n++) if (values[n] !== `line-${n}`) assert.fail(`line ${n} is ${values[n]}`);
  });
});
