import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import type { Consumer } from '../../../src/client/index.js';
import { startTestCluster, type TestCluster } from '../../client/client-helpers.js';
import { PostgresServer } from '../../helpers/postgres-server.js';
import { Prng } from '../../helpers/prng.js';
import { type ConnectProcess, startConnectProcess } from '../connect-helpers.js';

const TOPIC = 'crash.public.items';
const CHANGES = 10_000;
const TRANSACTIONS = 20;
const KEYS = 400;

interface Payload {
  before: { id: number; seq: number } | null;
  after: { id: number; seq: number } | null;
  op: string;
}

/**
 * The test: 10,000 inserts, updates and deletes in 20 transactions captured by a real
 * `strom connect standalone` process (the PostgreSQL source as Debezium's connector class, and the
 * JDBC sink with ExtractNewRecordState into a second database), SIGKILLed twice while it streams.
 * Every change must be in the topic in commit order for its key (a replayed suffix after a crash
 * is allowed: at least once), and the second database must end with the same rows as the first.
 */
describe('PostgreSQL CDC through SIGKILLs of the worker', () => {
  let server: PostgresServer;
  let cluster: TestCluster;
  let source: pg.Client;
  let replica: pg.Client;
  let dir: string;
  let consumer: Consumer;
  const processes: ConnectProcess[] = [];

  before(async () => {
    server = await PostgresServer.start();
    await server.createDatabase('replica');
    source = await server.client();
    replica = await server.client('replica');
    cluster = await startTestCluster({ 'num.partitions': '3' });
    dir = mkdtempSync(join(tmpdir(), 'strom-cdc-crash-'));
    const pgConn = { host: '127.0.0.1', port: String(server.port) };
    writeFileSync(
      join(dir, 'worker.properties'),
      [
        `bootstrap.servers=${cluster.broker.bootstrap}`,
        'key.converter=org.apache.kafka.connect.json.JsonConverter',
        'value.converter=org.apache.kafka.connect.json.JsonConverter',
        `offset.storage.file.filename=${join(dir, 'connect.offsets')}`,
        'offset.flush.interval.ms=300',
        'listeners=http://127.0.0.1:0',
        // The killed worker's sink consumer holds its partitions until its session times out.
        'consumer.session.timeout.ms=6000',
        'consumer.heartbeat.interval.ms=1000',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'source.properties'),
      [
        'name=pg-source',
        'connector.class=io.debezium.connector.postgresql.PostgresConnector',
        `database.hostname=${pgConn.host}`,
        `database.port=${pgConn.port}`,
        'database.user=postgres',
        'database.dbname=postgres',
        'topic.prefix=crash',
        'table.include.list=public.items',
        'plugin.name=pgoutput',
        'slot.name=crash',
        'publication.name=crash_publication',
        'publication.autocreate.mode=filtered',
        'poll.interval.ms=50',
        'max.batch.size=500',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'sink.properties'),
      [
        'name=pg-sink',
        'connector.class=io.confluent.connect.jdbc.JdbcSinkConnector',
        `topics=${TOPIC}`,
        `connection.url=jdbc:postgresql://${pgConn.host}:${pgConn.port}/replica`,
        'connection.user=postgres',
        'insert.mode=upsert',
        'pk.mode=record_key',
        'delete.enabled=true',
        'auto.create=true',
        'table.name.format=items',
        'transforms=unwrap',
        'transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState',
      ].join('\n'),
    );
    await source.query(`CREATE TABLE items (
      id int PRIMARY KEY, seq bigint NOT NULL, name text, amount numeric(12,2), updated timestamp)`);
    await source.query('ALTER TABLE items REPLICA IDENTITY FULL');
    const admin = cluster.kafka.admin();
    await admin.createTopics([{ topic: TOPIC, numPartitions: 3 }]);
    await admin.close();
    consumer = cluster.kafka.consumer({ groupId: 'cdc-crash-check', autoOffsetReset: 'earliest' });
    consumer.subscribe(TOPIC);
  });

  after(async () => {
    for (const p of processes) p.kill();
    await consumer?.close().catch(() => {});
    await source?.end().catch(() => {});
    await replica?.end().catch(() => {});
    await cluster?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const startWorker = (): ConnectProcess => {
    const p = startConnectProcess(
      ['standalone', 'worker.properties', 'source.properties', 'sink.properties'],
      dir,
    );
    processes.push(p);
    return p;
  };

  it('loses no change, keeps each key in commit order and the sink converges', async () => {
    const prng = new Prng(0x5eed);
    const expected = new Map<number, string[]>();
    const live = new Set<number>();
    let seq = 0;
    const note = (id: number, event: string): void => {
      const list = expected.get(id) ?? [];
      list.push(event);
      expected.set(id, list);
    };
    // Rows present before the connector starts reach the topic through the snapshot (op r).
    for (let id = 0; id < 50; id++) {
      seq++;
      await source.query('INSERT INTO items VALUES ($1, $2, $3, $4, $5)', [
        id,
        seq,
        `row ${id}`,
        '1.50',
        '2024-01-01 00:00:00',
      ]);
      live.add(id);
      note(id, `r:${seq}`);
    }
    const writeTransaction = async (): Promise<void> => {
      const statements: string[] = ['BEGIN'];
      for (let i = 0; i < CHANGES / TRANSACTIONS; i++) {
        const id = prng.int(KEYS);
        seq++;
        if (!live.has(id)) {
          statements.push(
            `INSERT INTO items VALUES (${id}, ${seq}, 'name ${seq}', ${seq % 1000}.${seq % 100}, TIMESTAMP '2024-01-01' + interval '${seq} seconds')`,
          );
          live.add(id);
          note(id, `c:${seq}`);
        } else if (prng.chance(0.65)) {
          statements.push(
            `UPDATE items SET seq = ${seq}, name = 'name ${seq}', amount = amount + 1 WHERE id = ${id}`,
          );
          note(id, `u:${seq}`);
        } else {
          statements.push(`DELETE FROM items WHERE id = ${id}`);
          live.delete(id);
          // The delete event's before-image (REPLICA IDENTITY FULL) carries the row's last seq.
          const last = expected.get(id)!.at(-1)!;
          note(id, `d:${last.split(':')[1]}`);
        }
      }
      statements.push('COMMIT');
      await source.query(statements.join(';\n'));
    };

    const seen = new Map<number, string[]>();
    const distinct = new Set<string>();
    let records = 0;
    const drain = async (): Promise<void> => {
      for (const r of await consumer.poll({ timeoutMs: 200 })) {
        records++;
        if (r.value === null) continue; // the tombstone after a delete
        const payload = (JSON.parse(r.value.toString()) as { payload: Payload }).payload;
        const row = payload.op === 'd' ? payload.before! : payload.after!;
        const event = `${payload.op}:${row.seq}`;
        const list = seen.get(row.id) ?? [];
        list.push(event);
        seen.set(row.id, list);
        distinct.add(`${row.id}/${event}`);
      }
    };
    const drainUntil = async (n: number, worker: ConnectProcess): Promise<void> => {
      const deadline = Date.now() + 40_000;
      while (distinct.size < n) {
        if (Date.now() > deadline) {
          const url = /"url":"([^"]+)"/.exec(worker.output())?.[1];
          const status = url ? await (await fetch(`${url}/connectors?expand=status`)).text() : '';
          const slot = (
            await source.query(
              'SELECT (SELECT count(*) FROM items) AS n, (SELECT max(seq) FROM items) AS m, pg_current_wal_lsn(), r.sent_lsn, r.write_lsn, r.flush_lsn, r.state, s.confirmed_flush_lsn FROM pg_stat_replication r, pg_replication_slots s',
            )
          ).rows;
          const admin = cluster.kafka.admin();
          const ends = await admin.listOffsets(
            [0, 1, 2].map((partition) => ({ topic: TOPIC, partition, timestamp: 'latest' as const })),
          );
          await admin.close();
          console.log(
            'ENDS',
            JSON.stringify(ends, (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
          );
          throw new Error(
            `saw ${distinct.size} of ${n} changes (${records} records); status ${status} slot ${JSON.stringify(slot)}; worker said:\n${worker.output()}`,
          );
        }
        await drain();
      }
    };

    const total = 50 + CHANGES;
    let worker = startWorker();
    // The changes are written once the snapshot is read: earlier ones would be in the snapshot's rows.
    await drainUntil(50, worker);
    for (let t = 0; t < 6; t++) await writeTransaction();
    await drainUntil(1500, worker);
    worker.child.kill('SIGKILL');
    await worker.exited;

    for (let t = 6; t < 13; t++) await writeTransaction();
    worker = startWorker();
    await drainUntil(5000, worker);
    worker.child.kill('SIGKILL');
    await worker.exited;

    for (let t = 13; t < TRANSACTIONS; t++) await writeTransaction();
    worker = startWorker();
    await drainUntil(total, worker);

    // Per key: the first time each event is seen is the commit order; later ones are replays.
    for (const [id, events] of expected) {
      const firsts = [...new Set(seen.get(id) ?? [])];
      assert.deepEqual(firsts, events, `key ${id}`);
    }
    assert.equal(distinct.size, total);

    const rows = (c: pg.Client) =>
      c
        .query(
          'SELECT id, seq, name, amount::text AS amount, updated::text AS updated FROM items ORDER BY id',
        )
        .then((r) => r.rows);
    const want = await rows(source);
    let got: unknown[] = [];
    const deadline = Date.now() + 40_000;
    while (JSON.stringify(got) !== JSON.stringify(want)) {
      if (Date.now() > deadline)
        assert.deepEqual(got, want, `the replica did not converge; worker said:\n${worker.output()}`);
      await new Promise((r) => setTimeout(r, 200));
      got = await rows(replica).catch(() => []);
    }
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0, worker.output());
    assert.ok(records >= total, `${records} records`);
  });
});
