import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { Kafka } from '../../src/client/index.js';
import {
  KafkaStreams,
  type KafkaStreamsState,
  LogAndContinueExceptionHandler,
  type ProductionExceptionHandler,
  Serdes,
  StreamsBuilder,
  type StreamsConfig,
} from '../../src/streams/index.js';

async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('KafkaStreams error handlers', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'strom-streams-state-'));
  let broker: StartedBroker;
  let kafka: Kafka;
  before(async () => {
    broker = await startBroker();
    kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'handlers-test' });
  });
  after(async () => {
    await broker.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function topics(...names: string[]): Promise<void> {
    const admin = kafka.admin();
    await admin.createTopics(
      names.map((topic) =>
        topic.endsWith('-small')
          ? { topic, numPartitions: 1, configs: { 'max.message.bytes': '200' } }
          : { topic, numPartitions: 1 },
      ),
    );
    await admin.close();
  }

  /** The topic's values up to its end now. */
  async function readAll(topic: string): Promise<string[]> {
    const admin = kafka.admin();
    const [end] = await admin.listOffsets([{ topic, partition: 0, timestamp: 'latest' }]);
    await admin.close();
    const consumer = kafka.consumer({ fetchMaxWaitMs: 50 });
    consumer.assign([{ topic, partition: 0 }]);
    consumer.seek({ topic, partition: 0 }, 0n);
    const out: string[] = [];
    while ((consumer.position({ topic, partition: 0 }) ?? 0n) < end!.offset)
      for (const r of await consumer.poll({ timeoutMs: 200 })) out.push(r.value!.toString());
    await consumer.close();
    return out;
  }

  /** The topic's values once it holds at least `count`. */
  async function values(topic: string, count: number): Promise<string[]> {
    let out: string[] = [];
    await waitFor(`${topic} holds ${count} records`, async () => {
      out = await readAll(topic);
      return out.length >= count;
    });
    return out;
  }

  async function committed(group: string, topic: string): Promise<bigint | undefined> {
    const admin = kafka.admin();
    const offsets = await admin.listGroupOffsets(group, { topics: [topic] });
    await admin.close();
    return offsets[0]?.offset;
  }

  const base = (applicationId: string): StreamsConfig => ({
    applicationId,
    bootstrapServers: broker.bootstrap,
    commitIntervalMs: 100,
    stateDir,
  });

  /** Longs in, their decimal text out. */
  function longsToText(input: string, output: string) {
    const builder = new StreamsBuilder();
    builder
      .stream(input, { key: Serdes.String, value: Serdes.Long })
      .mapValues((v) => String(v))
      .to(output, { key: Serdes.String, value: Serdes.String });
    return builder.build();
  }

  async function produceLongsWithAMalformedOne(topic: string): Promise<void> {
    const producer = kafka.producer();
    const long = (n: number) => {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(BigInt(n));
      return b;
    };
    await producer.sendBatch(topic, [
      { key: 'a', value: long(1) },
      { key: 'b', value: Buffer.from('abc') },
      { key: 'c', value: long(3) },
    ]);
    await producer.close();
  }

  it('LogAndContinue skips a record its serde cannot read and commits past it', async () => {
    await topics('deser-in', 'deser-out');
    await produceLongsWithAMalformedOne('deser-in');
    const streams = new KafkaStreams(longsToText('deser-in', 'deser-out'), {
      ...base('deser-continue'),
      defaultDeserializationExceptionHandler: new LogAndContinueExceptionHandler(),
    });
    await streams.start();
    try {
      assert.deepEqual(await values('deser-out', 2), ['1', '3']);
      await waitFor(
        'the offsets are committed past every record',
        async () => (await committed('deser-continue', 'deser-in')) === 3n,
      );
      assert.equal(streams.state, 'RUNNING');
    } finally {
      await streams.close();
    }
  });

  it('LogAndFail, the default, stops the instance in ERROR at the record it cannot read', async () => {
    await topics('deser-fail-in', 'deser-fail-out');
    await produceLongsWithAMalformedOne('deser-fail-in');
    const streams = new KafkaStreams(longsToText('deser-fail-in', 'deser-fail-out'), base('deser-fail'));
    await streams.start();
    try {
      await waitFor('the instance fails', () => streams.state === 'ERROR');
      assert.notEqual(
        await committed('deser-fail', 'deser-fail-in'),
        3n,
        'nothing is committed past the bad record',
      );
    } finally {
      await streams.close();
    }
  });

  it('a production exception handler may drop a record the broker refuses or the sink cannot serialize', async () => {
    await topics('prod-in', 'prod-out-small');
    const producer = kafka.producer();
    // The refused record goes alone: the broker refuses a whole batch that is too large.
    await producer.sendBatch('prod-in', [
      { key: 'b', value: 'x'.repeat(1000) },
      { key: 'c', value: 'not-json' },
    ]);
    const seen: string[] = [];
    const handler: ProductionExceptionHandler = {
      handle(_context, record, exception) {
        seen.push(`send ${record.topic}: ${exception.message.split(' ')[0]}`);
        return 'CONTINUE';
      },
      handleSerializationException(context, record, exception) {
        seen.push(
          `serialize ${context.processorNodeId} ${String(record.value)}: ${exception.message.split(' ')[0]}`,
        );
        return 'CONTINUE';
      },
    };
    const builder = new StreamsBuilder();
    builder.stream('prod-in', { key: Serdes.String, value: Serdes.String }).to('prod-out-small', {
      key: Serdes.String,
      value: {
        name: 'NoNotJson',
        serialize: (_t, v: string | null) => {
          if (v === 'not-json') throw new Error('refused');
          return v === null ? null : Buffer.from(v);
        },
        deserialize: (_t, b) => (b === null ? null : b.toString()),
      },
      name: 'out',
    });
    const streams = new KafkaStreams(builder.build(), {
      ...base('prod-continue'),
      defaultProductionExceptionHandler: handler,
    });
    await streams.start();
    try {
      await waitFor(
        'the offsets are committed past the dropped records',
        async () => (await committed('prod-continue', 'prod-in')) === 2n,
      );
      await producer.sendBatch('prod-in', [
        { key: 'a', value: 'small' },
        { key: 'd', value: 'last' },
      ]);
      await producer.close();
      assert.deepEqual(await values('prod-out-small', 2), ['small', 'last']);
      assert.deepEqual(seen.sort(), [
        'send prod-out-small: MESSAGE_TOO_LARGE',
        'serialize out not-json: sink',
      ]);
      assert.equal(streams.state, 'RUNNING');
    } finally {
      await streams.close();
    }
  });

  it('REPLACE_THREAD starts a new stream thread that processes the failed record again; SHUTDOWN_CLIENT stops in ERROR', async () => {
    await topics('replace-in', 'replace-out');
    let failures = 0;
    const builder = new StreamsBuilder();
    builder
      .stream('replace-in', { key: Serdes.String, value: Serdes.String })
      .mapValues((v) => {
        if (v === 'flaky' && failures++ === 0) throw new Error('first attempt fails');
        return v.toUpperCase();
      })
      .to('replace-out', { key: Serdes.String, value: Serdes.String });
    const streams = new KafkaStreams(builder.build(), base('replace-app'));
    const handled: string[] = [];
    streams.setUncaughtExceptionHandler((err) => {
      handled.push(err.message);
      return 'REPLACE_THREAD';
    });
    const states: KafkaStreamsState[] = [];
    streams.onStateChange((s) => states.push(s));
    const producer = kafka.producer();
    await producer.sendBatch('replace-in', [
      { key: 'a', value: 'one' },
      { key: 'b', value: 'flaky' },
      { key: 'c', value: 'three' },
    ]);
    await producer.close();
    await streams.start();
    try {
      // At least once: ONE may be written again by the new thread, before FLAKY and THREE.
      let out: string[] = [];
      await waitFor('the new thread processed the rest', async () => {
        out = await readAll('replace-out');
        return out.includes('THREE');
      });
      assert.deepEqual(out.slice(-2), ['FLAKY', 'THREE']);
      assert.deepEqual(handled, ['first attempt fails']);
      await waitFor('running again', () => streams.state === 'RUNNING');
      assert.ok(!states.includes('ERROR'));
      assert.throws(
        () => streams.setUncaughtExceptionHandler(() => 'SHUTDOWN_CLIENT'),
        /before calling start/,
      );
    } finally {
      await streams.close();
    }
  });
});
