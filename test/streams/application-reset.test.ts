import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { isInternalTopic, parseResetPlan } from '../../src/cli/streams-application-reset-command.js';
import { Kafka } from '../../src/client/index.js';
import { KafkaStreams, Serdes, StreamsBuilder, type Topology } from '../../src/streams/index.js';
import { strom } from '../cli/cli-helpers.js';

const APP = 'reset-wc';

function wordCount(): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream('reset-lines', { key: Serdes.String, value: Serdes.String })
    .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter(Boolean))
    .groupBy((_key, word) => word)
    .count({ name: 'counts' })
    .toStream()
    .to('reset-output', { key: Serdes.String, value: Serdes.Long });
  return builder.build();
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('strom streams-application-reset', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'strom-streams-state-'));
  let broker: StartedBroker;
  let kafka: Kafka;
  before(async () => {
    broker = await startBroker();
    kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'reset-test' });
    const admin = kafka.admin();
    await admin.createTopics([
      { topic: 'reset-lines', numPartitions: 2 },
      { topic: 'reset-output', numPartitions: 2 },
    ]);
    await admin.close();
  });
  after(async () => {
    await broker.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** Every output record as "partition:key=count", in offset order per partition. */
  async function output(): Promise<string[][]> {
    const admin = kafka.admin();
    const ends = await admin.listOffsets(
      [0, 1].map((partition) => ({ topic: 'reset-output', partition, timestamp: 'latest' as const })),
    );
    await admin.close();
    const consumer = kafka.consumer({ fetchMaxWaitMs: 50 });
    consumer.assign(ends.map((e) => ({ topic: 'reset-output', partition: e.partition })));
    for (const e of ends) consumer.seek(e, 0n);
    const out: string[][] = [[], []];
    while (ends.some((e) => (consumer.position(e) ?? 0n) < e.offset))
      for (const r of await consumer.poll({ timeoutMs: 200 }))
        out[r.partition]!.push(`${r.key!.toString()}=${r.value!.readBigInt64BE(0)}`);
    await consumer.close();
    return out;
  }

  const lines = ['to be or not to be', 'that is the question', 'to sleep perchance to dream'];
  const words = lines.flatMap((l) => l.split(' ')).length;

  async function runOnce(): Promise<void> {
    const streams = new KafkaStreams(wordCount(), {
      applicationId: APP,
      bootstrapServers: broker.bootstrap,
      commitIntervalMs: 100,
      stateDir,
    });
    const before = (await output()).flat().length;
    await streams.start();
    try {
      await waitFor('every word is counted', async () => (await output()).flat().length >= before + words);
      const admin = kafka.admin();
      await waitFor('the input offsets are committed', async () => {
        const offsets = await admin.listGroupOffsets(APP, { topics: ['reset-lines'] });
        return offsets.reduce((n, o) => n + Number(o.offset), 0) === lines.length;
      });
      await admin.close();
    } finally {
      await streams.close();
    }
  }

  it('refuses while the application runs, then resets it so a second run reprocesses the input from offset 0 with the same output', async () => {
    const producer = kafka.producer();
    for (const [i, line] of lines.entries())
      await producer.send('reset-lines', { key: `k${i}`, value: line });
    await producer.close();
    await runOnce();
    const first = await output();
    assert.equal(first.flat().length, words);

    const streams = new KafkaStreams(wordCount(), {
      applicationId: APP,
      bootstrapServers: broker.bootstrap,
      stateDir,
    });
    await streams.start();
    await waitFor('the instance joined', () => streams.state === 'RUNNING');
    const refused = await strom([
      'streams-application-reset',
      '--bootstrap-server',
      broker.bootstrap,
      '--application-id',
      APP,
      '--input-topics',
      'reset-lines',
    ]);
    await streams.close();
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(
      refused.stderr,
      new RegExp(`Consumer group '${APP}' is still active and has following members`),
    );

    const dry = await strom([
      'streams-application-reset',
      '--bootstrap-server',
      broker.bootstrap,
      '--application-id',
      APP,
      '--input-topics',
      'reset-lines',
      '--dry-run',
    ]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(
      dry.stdout,
      [
        '----Dry run displays the actions which will be performed when running Streams Reset Tool----',
        'Reset-offsets for input topics [reset-lines]',
        `Following input topics offsets will be reset to (for consumer group ${APP})`,
        'Topic: reset-lines Partition: 0 Offset: 0',
        'Topic: reset-lines Partition: 1 Offset: 0',
        'Done.',
        `Deleting all internal/auto-created topics for application ${APP}`,
        `Topic: ${APP}-counts-changelog`,
        `Topic: ${APP}-counts-repartition`,
        'Done.',
        '',
      ].join('\n'),
    );
    const admin = kafka.admin();
    assert.equal(
      (await admin.listGroupOffsets(APP, { topics: ['reset-lines'] })).reduce(
        (n, o) => n + Number(o.offset),
        0,
      ),
      lines.length,
      'a dry run commits nothing',
    );

    const reset = await strom([
      'streams-application-reset',
      '--bootstrap-server',
      broker.bootstrap,
      '--application-id',
      APP,
      '--input-topics',
      'reset-lines',
    ]);
    assert.equal(reset.code, 0, reset.stderr);
    assert.ok(!reset.stdout.includes('Dry run'));
    assert.deepEqual(
      (await admin.listGroupOffsets(APP, { topics: ['reset-lines'] })).map((o) => o.offset),
      [0n, 0n],
    );
    const topics = await admin.listTopics();
    assert.ok(!topics.some((t) => t.startsWith(`${APP}-`)), `internal topics deleted: ${topics.join(', ')}`);
    assert.ok(topics.includes('reset-output') && topics.includes('reset-lines'), 'user topics are kept');
    await admin.close();

    // As Kafka's tool says, local state goes with cleanUp() (before the next start).
    new KafkaStreams(wordCount(), {
      applicationId: APP,
      bootstrapServers: broker.bootstrap,
      stateDir,
    }).cleanUp();
    await runOnce();
    const both = await output();
    for (const p of [0, 1]) {
      const n = first[p]!.length;
      assert.deepEqual(
        both[p]!.slice(n),
        first[p],
        `partition ${p}: the second run writes what the first did`,
      );
    }
  });

  it('--force removes the members of the group; missing input topics fail the run', async () => {
    const consumer = kafka.consumer({ groupId: 'reset-forced', sessionTimeoutMs: 30_000 });
    consumer.subscribe(['reset-lines']);
    await waitFor('the consumer joined', async () => {
      await consumer.poll({ timeoutMs: 100 });
      return consumer.assignment().length === 2;
    });
    const result = await strom([
      'streams-application-reset',
      '--bootstrap-server',
      broker.bootstrap,
      '--application-id',
      'reset-forced',
      '--input-topics',
      'reset-lines,no-such-topic',
      '--force',
      '--to-latest',
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^Force deleting all active members in the group: reset-forced\n/);
    assert.match(
      result.stdout,
      /Following input topics are not found, skipping them\nTopic: no-such-topic\n/,
    );
    const admin = kafka.admin();
    const [group] = await admin.describeGroups(['reset-forced']);
    assert.deepEqual(group?.members, []);
    await admin.close();
    await consumer.close();
  });

  it('knows internal topics by name and reads a reset plan file', () => {
    const user = new Set(['app-user-changelog']);
    assert.ok(isInternalTopic('app-store-changelog', 'app', user));
    assert.ok(isInternalTopic('app-KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition', 'app', user));
    assert.ok(!isInternalTopic('app-user-changelog', 'app', user), 'a topic named as input is never deleted');
    assert.ok(!isInternalTopic('other-store-changelog', 'app', user));
    assert.ok(!isInternalTopic('app-output', 'app', user));
    assert.deepEqual(
      parseResetPlan('t,0,5\nt,1,7\n'),
      new Map([
        ['t\u00000', 5n],
        ['t\u00001', 7n],
      ]),
    );
    assert.throws(() => parseResetPlan('t,0\n'), /TOPIC,PARTITION,OFFSET/);
  });
});
