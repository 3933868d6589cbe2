import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type StartedBroker, startBroker } from '../../src/broker/start-broker.js';
import { Kafka } from '../../src/client/index.js';
import {
  KafkaStreams,
  QueryableStoreTypes,
  Serdes,
  StoreQueryParameters,
  StreamsBuilder,
  type Topology,
  type ValueAndTimestamp,
} from '../../src/streams/index.js';
import { LmdbKeyValueBytesStore } from '../../src/streams/state/lmdb-key-value-bytes-store.js';

const b = (s: string): Buffer => Buffer.from(s);
const text = (entries: [Buffer, Buffer][]): string[] => entries.map(([k, v]) => `${k}=${v}`);

async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('LmdbKeyValueBytesStore', () => {
  it('reads its unflushed changes over what is on disk, in key order, and keeps what was flushed across a reopen', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strom-lmdb-'));
    try {
      const store = new LmdbKeyValueBytesStore('s');
      store.open(dir);
      for (const k of ['b', 'd', 'f']) store.put(b(k), b(`${k}1`));
      store.flush();
      store.put(b('a'), b('a2'));
      store.put(b('d'), null);
      store.put(b('e'), b('e2'));
      store.put(b('f'), b('f2'));
      assert.deepEqual(text(store.range(null, null)), ['a=a2', 'b=b1', 'e=e2', 'f=f2']);
      assert.deepEqual(text(store.range(b('b'), b('e'))), ['b=b1', 'e=e2']);
      assert.equal(store.get(b('d')), null);
      assert.equal(store.size(), 4);
      store.discard();
      assert.deepEqual(
        text(store.range(null, null)),
        ['b=b1', 'd=d1', 'f=f1'],
        'a dirty close forgets what was not flushed',
      );
      store.put(b('z'), b('z1'));
      store.close();
      const again = new LmdbKeyValueBytesStore('s');
      again.open(dir);
      assert.deepEqual(text(again.range(null, null)), ['b=b1', 'd=d1', 'f=f1', 'z=z1'], 'close flushes');
      again.wipe();
      assert.equal(again.size(), 0);
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('persistent stores of a running application', () => {
  let broker: StartedBroker;
  let kafka: Kafka;
  let stateDir: string;
  before(async () => {
    broker = await startBroker();
    kafka = new Kafka({ bootstrapServers: broker.bootstrap, clientId: 'persistent-test' });
    stateDir = mkdtempSync(join(tmpdir(), 'strom-state-'));
    const admin = kafka.admin();
    await admin.createTopics([
      { topic: 'p-in', numPartitions: 1 },
      { topic: 'p-out', numPartitions: 1 },
      { topic: 'e-in', numPartitions: 1 },
      { topic: 'e-out', numPartitions: 1 },
    ]);
    await admin.close();
  });
  after(async () => {
    await broker.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** Counts per key (the DSL's default store: persistent). */
  function counting(input: string, output: string): Topology {
    const builder = new StreamsBuilder();
    builder
      .stream(input, { key: Serdes.String, value: Serdes.String })
      .groupByKey()
      .count({ name: 'counts' })
      .toStream()
      .to(output, { key: Serdes.String, value: Serdes.Long });
    return builder.build();
  }

  async function produce(topic: string, keys: string[]): Promise<void> {
    const producer = kafka.producer();
    await producer.sendBatch(
      topic,
      keys.map((key) => ({ key, value: 'x' })),
    );
    await producer.close();
  }

  /** Runs the application until its store has counted `total` records, then closes it. */
  async function run(
    applicationId: string,
    input: string,
    output: string,
    total: number,
    processingGuarantee: 'at_least_once' | 'exactly_once_v2' = 'at_least_once',
  ): Promise<KafkaStreams> {
    const streams = new KafkaStreams(counting(input, output), {
      applicationId,
      bootstrapServers: broker.bootstrap,
      commitIntervalMs: 100,
      stateDir,
      processingGuarantee,
    });
    await streams.start();
    try {
      await waitFor('the store counted every record', () => {
        if (streams.state !== 'RUNNING') return false;
        const all = streams.store<string, number>('counts').all();
        return all.reduce((n, e) => n + e.value, 0) === total;
      });
      // Interactive queries through Kafka's StoreQueryParameters, plain and timestamped, by partition.
      const plainStore = streams.store<string, number>(
        StoreQueryParameters.fromNameAndType('counts', QueryableStoreTypes.keyValueStore<string, number>()),
      );
      const withTime = streams.store<string, ValueAndTimestamp<number>>(
        StoreQueryParameters.fromNameAndType(
          'counts',
          QueryableStoreTypes.timestampedKeyValueStore<string, number>(),
        ).withPartition(0),
      );
      assert.equal(withTime.get('k1')?.value, plainStore.get('k1'));
      assert.ok((withTime.get('k1')?.timestamp ?? 0) > 0);
      assert.equal(
        streams
          .store<string, number>(
            StoreQueryParameters.fromNameAndType('counts', QueryableStoreTypes.keyValueStore()).withPartition(
              1,
            ),
          )
          .get('k1'),
        null,
        'no local task of partition 1',
      );
      assert.throws(() => streams.store('no-such-store'), /no such store/);
      if (processingGuarantee === 'exactly_once_v2')
        assert.ok(
          !existsSync(join(stateDir, applicationId, '0_0', '.checkpoint')),
          'no checkpoint while running under exactly-once',
        );
    } finally {
      await streams.close();
    }
    return streams;
  }

  const keys = (n: number, prefix = 'k'): string[] =>
    Array.from({ length: n }, (_, i) => `${prefix}${i % 50}`);

  it('a restart restores from the checkpoint on; without a checkpoint (a crash) it restores the whole changelog', async () => {
    await produce('p-in', keys(300));
    const first = await run('persist-app', 'p-in', 'p-out', 300);
    assert.equal(first.restoredRecords, 0);
    const checkpoint = join(stateDir, 'persist-app', '0_0', '.checkpoint');
    // Kafka's format: version, entry count, "<topic> <partition> <offset>"; the changelog holds 300 records.
    assert.equal(readFileSync(checkpoint, 'utf8'), '0\n1\npersist-app-counts-changelog 0 299\n');
    assert.ok(existsSync(join(stateDir, 'persist-app', '0_0', 'lmdb', 'counts')));

    await produce('p-in', keys(100));
    const second = await run('persist-app', 'p-in', 'p-out', 400);
    assert.equal(
      second.restoredRecords,
      0,
      'the store is on disk: nothing before the checkpoint is replayed',
    );

    // Another instance wrote 100 more changelog records since this one's checkpoint: only they are replayed.
    const other = join(tmpdir(), `strom-state-other-${process.pid}`);
    try {
      const elsewhere = new KafkaStreams(counting('p-in', 'p-out'), {
        applicationId: 'persist-app',
        bootstrapServers: broker.bootstrap,
        commitIntervalMs: 100,
        stateDir: other,
      });
      await produce('p-in', keys(100));
      await elsewhere.start();
      await waitFor(
        'the other instance counted',
        () =>
          elsewhere.state === 'RUNNING' &&
          elsewhere
            .store<string, number>('counts')
            .all()
            .reduce((n, e) => n + e.value, 0) === 500,
      );
      await elsewhere.close();
      assert.equal(
        elsewhere.restoredRecords,
        400,
        'an instance without local state restores the whole changelog',
      );
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
    const third = await run('persist-app', 'p-in', 'p-out', 500);
    assert.equal(third.restoredRecords, 100, 'only the changelog records after the checkpoint are replayed');

    rmSync(checkpoint);
    const fourth = await run('persist-app', 'p-in', 'p-out', 500);
    assert.equal(
      fourth.restoredRecords,
      500,
      'without a checkpoint the store is wiped and restored from the beginning',
    );
  });

  it('exactly_once_v2 keeps no checkpoint while running and writes one at a clean close; cleanUp removes the local state', async () => {
    await produce('e-in', keys(200));
    await run('persist-eos', 'e-in', 'e-out', 200, 'exactly_once_v2');
    assert.ok(existsSync(join(stateDir, 'persist-eos', '0_0', '.checkpoint')));
    const again = await run('persist-eos', 'e-in', 'e-out', 200, 'exactly_once_v2');
    assert.equal(again.restoredRecords, 0);
    again.cleanUp();
    assert.ok(!existsSync(join(stateDir, 'persist-eos')));
    const fresh = await run('persist-eos', 'e-in', 'e-out', 200, 'exactly_once_v2');
    assert.equal(fresh.restoredRecords, 200, 'after cleanUp every store is restored from its changelog');
  });
});
