import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { Kafka } from '../../src/client/index.js';
import {
  JoinWindows,
  KafkaStreams,
  Serdes,
  StreamsBuilder,
  TimeWindows,
  type Windowed,
  WindowedSerdes,
} from '../../src/streams/index.js';

const tw = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String, 1000);

/** Reads a topic's partitions 0..n-1 from the beginning to their current end. */
async function readAll(kafka: Kafka, topic: string, partitions: number) {
  const admin = kafka.admin();
  const ends = await admin.listOffsets(
    Array.from({ length: partitions }, (_, partition) => ({
      topic,
      partition,
      timestamp: 'latest' as const,
    })),
  );
  await admin.close();
  const consumer = kafka.consumer({ fetchMaxWaitMs: 50 });
  consumer.assign(ends.map((e) => ({ topic, partition: e.partition })));
  for (const e of ends) consumer.seek(e, 0n);
  const out: { key: Buffer | null; value: Buffer | null }[] = [];
  while (!ends.every((e) => (consumer.position(e) ?? 0n) >= e.offset))
    for (const r of await consumer.poll({ timeoutMs: 200 })) out.push({ key: r.key, value: r.value });
  await consumer.close();
  return out;
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('windows, joins and global tables of Strom Streams against a broker', () => {
  let broker: StartedBroker;
  let kafka: Kafka;
  before(async () => {
    broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': '0' } });
    kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'windowed-test' });
    const admin = kafka.admin();
    await admin.createTopics([
      { topic: 'clicks', numPartitions: 2 },
      { topic: 'clicks-per-second', numPartitions: 2 },
      { topic: 'orders', numPartitions: 2 },
      { topic: 'payments', numPartitions: 2 },
      { topic: 'paid-orders', numPartitions: 2 },
      { topic: 'users', numPartitions: 3 },
      { topic: 'purchases', numPartitions: 2 },
      { topic: 'purchases-by-name', numPartitions: 2 },
    ]);
    await admin.close();
  });
  after(async () => {
    await broker.close();
  });

  it('counts per key and tumbling window, writes windowed keys as Kafka does and logs the window store', async () => {
    const producer = kafka.producer();
    const at = [100, 200, 1100, 300, 2500]; // 300 is out of order, within grace
    for (const t of at) await producer.send('clicks', { key: 'page', value: 'x', timestamp: BigInt(t) });
    await producer.send('clicks', { key: 'home', value: 'x', timestamp: 150n });
    await producer.close();

    const builder = new StreamsBuilder();
    builder
      .stream('clicks', { key: Serdes.String, value: Serdes.String })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(1000, 5000))
      .count({ name: 'per-second' })
      .toStream()
      .to('clicks-per-second', { key: tw, value: Serdes.Long });
    const streams = new KafkaStreams(builder.build(), {
      applicationId: 'windowed-count',
      bootstrapServers: broker.bootstrap,
      commitIntervalMs: 100,
    });
    await streams.start();
    const latest = new Map<string, number>();
    try {
      await waitFor('the windowed counts', async () => {
        for (const r of await readAll(kafka, 'clicks-per-second', 2)) {
          const k = tw.deserialize('clicks-per-second', r.key) as Windowed<string>;
          latest.set(`${k.key}@${k.window.start}`, Number(r.value!.readBigInt64BE(0)));
        }
        return latest.get('page@0') === 3 && latest.get('page@2000') === 1;
      });
    } finally {
      await streams.close();
    }
    assert.deepEqual(Object.fromEntries([...latest].sort()), {
      'home@0': 1,
      'page@0': 3,
      'page@1000': 1,
      'page@2000': 1,
    });
    // The window store's changelog holds Kafka's keys: key bytes, 8-byte window start, 4-byte seq.
    const changelog = await readAll(kafka, 'windowed-count-per-second-changelog', 2);
    const keys = changelog.map(
      (r) =>
        `${r.key!.subarray(0, r.key!.length - 12).toString()}@${r.key!.readBigInt64BE(r.key!.length - 12)}/${r.key!.readInt32BE(r.key!.length - 4)}`,
    );
    assert.ok(keys.includes('page@1000/0'), keys.join(','));
    assert.ok(keys.includes('home@0/0'), keys.join(','));

    // A new instance restores the window store from that changelog: one more click in [0, 1000)
    // (still within grace of stream time 2500) makes its count 4, not 1.
    const restarted = new KafkaStreams(builder.build(), {
      applicationId: 'windowed-count',
      bootstrapServers: broker.bootstrap,
      commitIntervalMs: 100,
    });
    await restarted.start();
    try {
      const again = kafka.producer();
      await again.send('clicks', { key: 'page', value: 'x', timestamp: 900n });
      await again.close();
      await waitFor('the restored count', async () => {
        for (const r of await readAll(kafka, 'clicks-per-second', 2)) {
          const k = tw.deserialize('clicks-per-second', r.key) as Windowed<string>;
          latest.set(`${k.key}@${k.window.start}`, Number(r.value!.readBigInt64BE(0)));
        }
        return latest.get('page@0') !== 3;
      });
    } finally {
      await restarted.close();
    }
    assert.equal(latest.get('page@0'), 4);
  });

  it('joins two topics within a join window (left join: an unpaid order gets its null result once its window closed)', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream<string, string>('orders', { key: Serdes.String, value: Serdes.String })
      .leftJoin(
        builder.stream<string, string>('payments', { key: Serdes.String, value: Serdes.String }),
        (item, amount) => `${item}:${amount ?? 'unpaid'}`,
        JoinWindows.ofTimeDifferenceAndGrace(1000, 0),
      )
      .to('paid-orders', { key: Serdes.String, value: Serdes.String });
    const streams = new KafkaStreams(builder.build(), {
      applicationId: 'order-payments',
      bootstrapServers: broker.bootstrap,
      commitIntervalMs: 100,
    });
    await streams.start();
    const producer = kafka.producer();
    const send = (topic: string, key: string, value: string, t: number, partition?: number) =>
      producer.send(topic, {
        key,
        value,
        timestamp: BigInt(t),
        ...(partition === undefined ? {} : { partition }),
      });
    const results = async () =>
      (await readAll(kafka, 'paid-orders', 2)).map((r) => `${r.key}=${r.value}`).sort();
    try {
      await send('orders', 'o1', 'book', 1000);
      await send('orders', 'o2', 'pen', 1000);
      await send('orders', 'o3', 'ink', 1200);
      await send('payments', 'o1', '12.50', 1500);
      await send('payments', 'o9', '1.00', 1100); // no such order: an inner side, no result
      await waitFor('the paid order', async () => (await results()).length > 0);
      assert.deepEqual(await results(), ['o1=book:12.50']);
      // Later records on both partitions move stream time past the windows of o2 and o3.
      for (const p of [0, 1]) await send('orders', `tick${p}`, 'tick', 20_000, p);
      await send('payments', 'o3', '3.00', 5000); // too late for o3's window [200, 2200]
      await waitFor('the unpaid orders', async () => (await results()).length >= 3);
    } finally {
      await producer.close();
      await streams.close();
    }
    assert.deepEqual(await results(), ['o1=book:12.50', 'o2=pen:unpaid', 'o3=ink:unpaid']);
  });

  it('bootstraps a GlobalKTable from every partition of its topic before processing, and keeps it up to date', async () => {
    const producer = kafka.producer();
    for (let p = 0; p < 3; p++)
      await producer.send('users', { key: `u${p}`, value: `user${p}`, partition: p });
    const builder = new StreamsBuilder();
    const users = builder.globalTable<string, string>(
      'users',
      { key: Serdes.String, value: Serdes.String },
      { name: 'users' },
    );
    builder
      .stream<string, string>('purchases', { key: Serdes.String, value: Serdes.String })
      .leftJoin(
        users,
        (_k, userId) => userId,
        (userId, name) => `${userId}=${name ?? '?'}`,
      )
      .to('purchases-by-name', { key: Serdes.String, value: Serdes.String });
    const streams = new KafkaStreams(builder.build(), {
      applicationId: 'purchases',
      bootstrapServers: broker.bootstrap,
      commitIntervalMs: 100,
    });
    await streams.start();
    const results = async () =>
      (await readAll(kafka, 'purchases-by-name', 2)).map((r) => r.value!.toString()).sort();
    try {
      // Every user is in the store as soon as start() resolves, whichever partition holds it.
      assert.equal(streams.store<string, string>('users').get('u2'), 'user2');
      for (const u of ['u0', 'u1', 'u2', 'u7']) await producer.send('purchases', { key: `p-${u}`, value: u });
      await waitFor('the joined purchases', async () => (await results()).length === 4);
      assert.deepEqual(await results(), ['u0=user0', 'u1=user1', 'u2=user2', 'u7=?']);
      await producer.send('users', { key: 'u7', value: 'user7' });
      await waitFor('the new user', async () => streams.store<string, string>('users').get('u7') === 'user7');
      await producer.send('purchases', { key: 'p-u7-again', value: 'u7' });
      await waitFor('the purchase of the new user', async () => (await results()).includes('u7=user7'));
    } finally {
      await producer.close();
      await streams.close();
    }
  });
});
