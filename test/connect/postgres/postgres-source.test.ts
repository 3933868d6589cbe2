import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import type { SourceMap, SourceRecord } from '../../../src/connect/api/connect-record.js';
import { DecimalValue } from '../../../src/connect/data/schema.js';
import type { Struct } from '../../../src/connect/data/struct.js';
import { PostgresSourceTask } from '../../../src/connect/postgres/postgres-source-task.js';
import { PostgresServer } from '../../helpers/postgres-server.js';

/** A source task with the offsets a worker would have stored, kept in memory. */
function newTask(stored: { offset: SourceMap | null }): PostgresSourceTask {
  const task = new PostgresSourceTask();
  task.initialize({
    configs: () => ({}),
    offsetStorageReader: () => ({
      offset: async () => stored.offset,
      offsets: async (ps) => new Map(ps.map((p) => [p, stored.offset])),
    }),
  });
  return task;
}

async function pollUntil(task: PostgresSourceTask, n: number, timeoutMs = 20_000): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n) {
    if (Date.now() > deadline) throw new Error(`got ${out.length} of ${n} records`);
    out.push(...((await task.poll()) ?? []));
  }
  return out;
}

const value = (r: SourceRecord): Struct => r.value as Struct;
const after_ = (r: SourceRecord): Struct => value(r).getStruct('after')!;

describe('PostgreSQL CDC source task', () => {
  let server: PostgresServer;
  let db: pg.Client;
  let props: Record<string, string>;

  before(async () => {
    server = await PostgresServer.start();
    db = await server.client();
    await db.query(`CREATE TABLE items (
      id int PRIMARY KEY, name text NOT NULL, price numeric(10,2), qty bigint, ok boolean,
      at timestamp, atz timestamptz, day date, doc jsonb, uid uuid, raw bytea, tags text[], amount numeric
    )`);
    await db.query(`INSERT INTO items VALUES
      (1, 'one', 12.50, 9007199254740993, true, '2024-03-01 10:11:12.123456', '2024-03-01 10:11:12.5+02',
       '2024-03-01', '{"a": 1}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x0102ff', '{x,"y z",NULL}', -3.14159),
      (2, 'two', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
    await db.query('CREATE TABLE other (k int PRIMARY KEY)');
    props = {
      'database.hostname': '127.0.0.1',
      'database.port': String(server.port),
      'database.user': 'postgres',
      'database.dbname': 'postgres',
      'topic.prefix': 'pg1',
      'table.include.list': 'public.items',
      'poll.interval.ms': '100',
    };
  });

  after(async () => {
    await db?.end();
    await server?.stop();
  });

  it('snapshots, streams inserts, updates and deletes in Debezium envelopes and resumes from stored offsets', async () => {
    const stored: { offset: SourceMap | null } = { offset: null };
    let task = newTask(stored);
    await task.start(props);
    const snapshot = await pollUntil(task, 2);
    assert.deepEqual(
      snapshot.map((r) => [r.topic, value(r).get('op'), value(r).getStruct('source')!.get('snapshot')]),
      [
        ['pg1.public.items', 'r', 'true'],
        ['pg1.public.items', 'r', 'last'],
      ],
    );
    const row = after_(snapshot[0]!);
    assert.equal(row.get('name'), 'one');
    assert.deepEqual(row.get('price'), new DecimalValue(1250n, 2));
    assert.equal(row.get('qty'), 9007199254740993n);
    assert.equal(row.get('ok'), true);
    assert.equal(row.get('at'), Date.UTC(2024, 2, 1, 10, 11, 12) * 1000 + 123456);
    assert.equal(row.get('atz'), '2024-03-01T08:11:12.5Z');
    assert.equal(row.get('day'), Date.UTC(2024, 2, 1) / 86_400_000);
    assert.equal(row.get('doc'), '{"a": 1}');
    assert.equal(row.get('uid'), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    assert.deepEqual(row.get('raw'), Buffer.from([1, 2, 0xff]));
    assert.deepEqual(row.get('tags'), ['x', 'y z', null]);
    const amount = row.getStruct('amount')!;
    assert.equal(amount.get('scale'), 5);
    assert.equal(row.schema.field('price')!.schema.name, 'org.apache.kafka.connect.data.Decimal');
    assert.equal(row.schema.field('at')!.schema.name, 'io.debezium.time.MicroTimestamp');
    assert.equal(snapshot[0]!.valueSchema!.name, 'pg1.public.items.Envelope');
    assert.equal(snapshot[0]!.keySchema!.name, 'pg1.public.items.Key');
    assert.equal((snapshot[0]!.key as Struct).get('id'), 1);
    assert.equal(snapshot[1]!.sourceOffset!.last_snapshot_record, true);
    stored.offset = snapshot[1]!.sourceOffset;

    await db.query('BEGIN');
    await db.query("INSERT INTO items (id, name) VALUES (3, 'three')");
    await db.query("UPDATE items SET name = 'uno' WHERE id = 1");
    await db.query('DELETE FROM items WHERE id = 2');
    await db.query('INSERT INTO other VALUES (1)');
    await db.query('COMMIT');
    await db.query('UPDATE items SET id = 4 WHERE id = 3');
    const changes = await pollUntil(task, 7);
    assert.deepEqual(
      changes.map((r) => [r.value === null ? 'tombstone' : value(r).get('op'), (r.key as Struct).get('id')]),
      [
        ['c', 3],
        ['u', 1],
        ['d', 2],
        ['tombstone', 2],
        ['d', 3],
        ['tombstone', 3],
        ['c', 4],
      ],
    );
    assert.equal(after_(changes[1]!).get('name'), 'uno');
    assert.equal(value(changes[1]!).get('before'), null, 'no before-image under REPLICA IDENTITY DEFAULT');
    const deleted = value(changes[2]!).getStruct('before')!;
    assert.equal(deleted.get('id'), 2);
    const source = value(changes[0]!).getStruct('source')!;
    assert.equal(source.get('connector'), 'postgresql');
    assert.equal(source.get('db'), 'postgres');
    assert.equal(source.get('table'), 'items');
    assert.equal(typeof source.get('txId'), 'number');
    assert.equal(typeof source.get('lsn'), 'number');

    // The worker stored the offsets through the update; the slot may release what precedes that transaction.
    stored.offset = changes[1]!.sourceOffset;
    await task.commit();
    const commitLsn = changes[1]!.sourceOffset!.lsn_commit as number;
    const confirmed = async (): Promise<number> => {
      const res = await db.query(
        "SELECT confirmed_flush_lsn::text AS l FROM pg_replication_slots WHERE slot_name = 'debezium'",
      );
      const [hi, lo] = (res.rows[0].l as string).split('/');
      return Number.parseInt(hi!, 16) * 2 ** 32 + Number.parseInt(lo!, 16);
    };
    const deadline = Date.now() + 10_000;
    while ((await confirmed()) < commitLsn && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    assert.equal(await confirmed(), commitLsn);
    // Idle past wal_sender_timeout (3 s in these tests): the stream is still served afterwards, and
    // the answers to the server's keepalives repeat the stored position without moving it.
    await new Promise((r) => setTimeout(r, 4000));
    await db.query("INSERT INTO items (id, name) VALUES (6, 'six')");
    const late = await pollUntil(task, 1);
    assert.equal((late[0]!.key as Struct).get('id'), 6);
    assert.equal(await confirmed(), commitLsn);
    await task.stop();

    // A restart (as after a crash) sends again exactly what follows the stored offset, then new changes.
    await db.query('ALTER TABLE items ADD COLUMN note varchar(20)');
    await db.query("INSERT INTO items (id, name, note) VALUES (5, 'five', 'added')");
    task = newTask(stored);
    await task.start(props);
    const resumed = await pollUntil(task, 7);
    assert.deepEqual(
      resumed.map((r) => [r.value === null ? 'tombstone' : value(r).get('op'), (r.key as Struct).get('id')]),
      [
        ['d', 2],
        ['tombstone', 2],
        ['d', 3],
        ['tombstone', 3],
        ['c', 4],
        ['c', 6],
        ['c', 5],
      ],
    );
    assert.equal(after_(resumed[6]!).get('note'), 'added');
    assert.equal(
      after_(resumed[5]!).schema.field('note'),
      null,
      'events before ALTER TABLE keep the old columns',
    );
    await task.stop();
  });
});
