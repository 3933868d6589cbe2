import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { Kafka } from '../../src/client/index.js';
import { KafkaStreams, Serdes, StreamsBuilder, type Topology } from '../../src/streams/index.js';

/** The word count, as docs/streams.md gives it. */
function wordCount(input = 'text-lines', output = 'word-count-output'): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream(input, { key: Serdes.String, value: Serdes.String })
    .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter(Boolean))
    .groupBy((_key, word) => word)
    .count({ name: 'word-counts' })
    .toStream()
    .to(output, { key: Serdes.String, value: Serdes.Long });
  return builder.build();
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The last count per word in the output, read from the beginning (under read_committed if asked). */
async function latestCounts(
  kafka: Kafka,
  topic = 'word-count-output',
  readCommitted = false,
): Promise<Map<string, number>> {
  const isolationLevel = readCommitted ? ('read_committed' as const) : ('read_uncommitted' as const);
  const admin = kafka.admin();
  const ends = await admin.listOffsets(
    [0, 1].map((partition) => ({ topic, partition, timestamp: 'latest' as const })),
    { isolationLevel },
  );
  await admin.close();
  const out = new Map<string, number>();
  const consumer = kafka.consumer({ fetchMaxWaitMs: 50, isolationLevel });
  consumer.assign(ends.map((e) => ({ topic, partition: e.partition })));
  for (const e of ends) consumer.seek(e, 0n);
  const done = () => ends.every((e) => (consumer.position(e) ?? 0n) >= e.offset);
  while (!done())
    for (const r of await consumer.poll({ timeoutMs: 200 }))
      out.set(r.key!.toString(), Number(r.value!.readBigInt64BE(0)));
  await consumer.close();
  return out;
}

function expectedCounts(lines: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of lines)
    for (const w of line.toLowerCase().split(/\W+/).filter(Boolean)) out.set(w, (out.get(w) ?? 0) + 1);
  return out;
}

describe('KafkaStreams against a broker', () => {
  // The stores are persistent by default: this run's state stays apart from other runs'.
  const stateDir = mkdtempSync(join(tmpdir(), 'strom-streams-state-'));
  let broker: StartedBroker;
  let kafka: Kafka;
  before(async () => {
    broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': '0' } });
    kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'streams-test' });
    const admin = kafka.admin();
    await admin.createTopics([
      { topic: 'text-lines', numPartitions: 2 },
      { topic: 'word-count-output', numPartitions: 2 },
      { topic: 'eos-lines', numPartitions: 2 },
      { topic: 'eos-counts', numPartitions: 2 },
      { topic: 'fragile-in', numPartitions: 1 },
      { topic: 'fragile-out', numPartitions: 1 },
    ]);
    await admin.close();
  });
  after(async () => {
    await broker.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const lines = ['Hello Kafka Streams', 'All streams lead to Kafka', 'Join Kafka Summit', 'hello again'];
  const more = ['kafka streams restored', 'streams again'];
  const config = () => ({
    applicationId: 'word-count',
    stateDir,
    bootstrapServers: broker.bootstrap,
    commitIntervalMs: 100,
    sessionTimeoutMs: 6000,
    heartbeatIntervalMs: 500,
  });

  it("creates the internal topics, counts words and commits the group's offsets", async () => {
    const producer = kafka.producer();
    for (const [i, line] of lines.entries()) await producer.send('text-lines', { key: `k${i}`, value: line });
    const streams = new KafkaStreams(wordCount(), config());
    await streams.start();
    try {
      let seen = '';
      await waitFor('the output holds every count', async () => {
        seen = JSON.stringify([...(await latestCounts(kafka))].sort());
        return seen === JSON.stringify([...expectedCounts(lines)].sort());
      }).catch((err: Error) => assert.fail(`${err.message}; output: ${seen}`));
      assert.equal(streams.state, 'RUNNING');
      assert.deepEqual(streams.localTaskIds().sort(), ['0_0', '0_1', '1_0', '1_1']);
      assert.equal(streams.store<string, number>('word-counts').get('kafka'), 3);
      const admin = kafka.admin();
      const topics = await admin.describeTopics([
        'word-count-word-counts-repartition',
        'word-count-word-counts-changelog',
      ]);
      assert.deepEqual(
        topics.map((t) => [t.name, t.partitions.length]),
        [
          ['word-count-word-counts-repartition', 2],
          ['word-count-word-counts-changelog', 2],
        ],
      );
      const configs = await admin.describeConfigs([
        { type: 'topic', name: 'word-count-word-counts-changelog' },
      ]);
      assert.equal(configs[0]!.configs.find((e) => e.name === 'cleanup.policy')?.value, 'compact');
      await waitFor('the group committed the end of the input', async () => {
        const offsets = await admin.listGroupOffsets('word-count', { topics: ['text-lines'] });
        const ends = await admin.listOffsets(
          [0, 1].map((partition) => ({ topic: 'text-lines', partition, timestamp: 'latest' as const })),
        );
        return ends.every((e) => offsets.find((o) => o.partition === e.partition)?.offset === e.offset);
      });
      await admin.close();
    } finally {
      await streams.close();
      await producer.close();
    }
    assert.equal(streams.state, 'NOT_RUNNING');
  });

  it('restores the counts from the changelog when it starts again, then goes on counting', async () => {
    const producer = kafka.producer();
    for (const line of more) await producer.send('text-lines', { key: null, value: line });
    await producer.close();
    const streams = new KafkaStreams(wordCount(), config());
    await streams.start();
    try {
      const expected = expectedCounts([...lines, ...more]);
      await waitFor('the output holds the counts of both rounds', async () => {
        const counts = await latestCounts(kafka);
        return ['kafka', 'streams', 'restored', 'again'].every((w) => counts.get(w) === expected.get(w));
      });
      assert.equal(streams.store<string, number>('word-counts').get('hello'), 2);
    } finally {
      await streams.close();
    }
  });

  it('two instances share the tasks through the group', async () => {
    const a = new KafkaStreams(wordCount(), config());
    const b = new KafkaStreams(wordCount(), config());
    await a.start();
    await waitFor('instance a runs', () => a.state === 'RUNNING' && a.localTaskIds().length === 4);
    await b.start();
    try {
      await waitFor(
        'the tasks are split between the instances',
        () =>
          a.state === 'RUNNING' &&
          b.state === 'RUNNING' &&
          a.localTaskIds().length > 0 &&
          b.localTaskIds().length > 0 &&
          [...a.localTaskIds(), ...b.localTaskIds()].sort().join() === '0_0,0_1,1_0,1_1',
      );
      const producer = kafka.producer();
      await producer.send('text-lines', { key: null, value: 'shared work' });
      await producer.close();
      await waitFor(
        'the shared instances count the new line',
        async () => (await latestCounts(kafka)).get('shared') === 1,
      );
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('exactly_once_v2 writes the counts and the offsets in transactions that read_committed readers see', async () => {
    const producer = kafka.producer();
    for (const line of lines) await producer.send('eos-lines', { key: null, value: line });
    const streams = new KafkaStreams(wordCount('eos-lines', 'eos-counts'), {
      ...config(),
      applicationId: 'word-count-eos',
      processingGuarantee: 'exactly_once_v2',
    });
    await streams.start();
    try {
      await waitFor('the committed output holds every count', async () => {
        const counts = await latestCounts(kafka, 'eos-counts', true);
        return JSON.stringify([...counts].sort()) === JSON.stringify([...expectedCounts(lines)].sort());
      });
      const admin = kafka.admin();
      const transactions = await admin.listTransactions();
      assert.ok(
        transactions.some((t) => t.transactionalId.startsWith('word-count-eos-')),
        "the stream thread's producer is transactional, its id prefixed with the application id",
      );
      await waitFor('the group committed the end of the input inside the transactions', async () => {
        const offsets = await admin.listGroupOffsets('word-count-eos', { topics: ['eos-lines'] });
        return offsets.reduce((n, o) => n + Number(o.offset), 0) === lines.length;
      });
      await admin.close();
    } finally {
      await streams.close();
      await producer.close();
    }
  });

  it('a processor that throws stops the application in ERROR without committing past the failed record', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('fragile-in', { key: Serdes.String, value: Serdes.String })
      .mapValues((v) => {
        if (v === 'boom') throw new Error('cannot process boom');
        return v.toUpperCase();
      })
      .to('fragile-out', { key: Serdes.String, value: Serdes.String });
    const states: string[] = [];
    const streams = new KafkaStreams(builder.build(), { ...config(), applicationId: 'fragile' });
    streams.onStateChange((next) => states.push(next));
    const producer = kafka.producer();
    await producer.send('fragile-in', { key: 'a', value: 'ok' });
    await streams.start();
    const admin = kafka.admin();
    try {
      await waitFor('the first record is committed', async () => {
        const offsets = await admin.listGroupOffsets('fragile', { topics: ['fragile-in'] });
        return offsets[0]?.offset === 1n;
      });
      await producer.send('fragile-in', { key: 'b', value: 'boom' });
      await producer.send('fragile-in', { key: 'c', value: 'after' });
      await waitFor('the application fails', () => streams.state === 'ERROR');
      assert.deepEqual(states.slice(-2), ['PENDING_ERROR', 'ERROR']);
      const offsets = await admin.listGroupOffsets('fragile', { topics: ['fragile-in'] });
      assert.equal(offsets[0]?.offset, 1n, 'the failed record is processed again by the next owner');
    } finally {
      await streams.close();
      await producer.close();
      await admin.close();
    }
    assert.equal(streams.state, 'ERROR');
  });
});
