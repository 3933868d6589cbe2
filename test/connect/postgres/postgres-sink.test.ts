import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { SinkRecord } from '../../../src/connect/api/connect-record.js';
import { RetriableError } from '../../../src/connect/connect-error.js';
import { DecimalValue, Schemas } from '../../../src/connect/data/schema.js';
import { SchemaBuilder } from '../../../src/connect/data/schema-builder.js';
import { Struct } from '../../../src/connect/data/struct.js';
import { PostgresSinkTask } from '../../../src/connect/postgres/postgres-sink-task.js';
import { PostgresServer } from '../../helpers/postgres-server.js';

const keySchema = SchemaBuilder.struct().name('k').field('id', Schemas.INT32).build();
const valueSchema = SchemaBuilder.struct()
  .name('v')
  .field('id', Schemas.INT32)
  .field('name', Schemas.OPTIONAL_STRING)
  .field('price', SchemaBuilder.decimal(2).optional())
  .field('at', SchemaBuilder.int64().name('io.debezium.time.MicroTimestamp').optional())
  .field('big', Schemas.OPTIONAL_INT64)
  .field('ok', Schemas.BOOLEAN)
  .build();

let offset = 0n;
function record(
  id: number,
  name: string | null,
  extra?: { schema: typeof valueSchema; note: string },
): SinkRecord {
  const schema = extra?.schema ?? valueSchema;
  const value = new Struct(schema)
    .put('id', id)
    .put('name', name)
    .put('price', new DecimalValue(BigInt(id * 100 + 5), 2))
    .put('at', 1_700_000_000_123_456)
    .put('big', 2n ** 60n)
    .put('ok', id % 2 === 0);
  if (extra) value.put('note', extra.note);
  return new SinkRecord({
    topic: 'orders',
    keySchema,
    key: new Struct(keySchema).put('id', id),
    valueSchema: schema,
    value,
    kafkaOffset: offset++,
  });
}

function tombstone(id: number): SinkRecord {
  return new SinkRecord({
    topic: 'orders',
    keySchema,
    key: new Struct(keySchema).put('id', id),
    kafkaOffset: offset++,
  });
}

describe('PostgreSQL sink (JDBC sink keys)', () => {
  let server: PostgresServer;
  let db: pg.Client;
  let url: string;

  before(async () => {
    server = await PostgresServer.start();
    db = await server.client();
    url = `jdbc:postgresql://127.0.0.1:${server.port}/postgres`;
  });

  after(async () => {
    await db?.end();
    await server?.stop();
  });

  const rows = async (table: string) =>
    (
      await db.query(
        `SELECT id, name, price::text AS price, at::text AS at, big::text AS big, ok FROM ${table} ORDER BY id`,
      )
    ).rows;

  it('creates the table, upserts by key within and across puts, deletes on tombstones and evolves', async () => {
    const task = new PostgresSinkTask();
    await task.start({
      'connection.url': url,
      'connection.user': 'postgres',
      'insert.mode': 'upsert',
      'pk.mode': 'record_key',
      'delete.enabled': 'true',
      'auto.create': 'true',
      'auto.evolve': 'true',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the JDBC sink's placeholder, not a template
      'table.name.format': 'public.sink_${topic}',
      'batch.size': '2',
    });
    await task.put([
      record(1, 'a'),
      record(2, 'b'),
      record(1, 'a2'),
      record(3, 'c'),
      tombstone(2),
      record(4, null),
    ]);
    assert.deepEqual(await rows('sink_orders'), [
      {
        id: 1,
        name: 'a2',
        price: '1.05',
        at: '2023-11-14 22:13:20.123456',
        big: String(2n ** 60n),
        ok: false,
      },
      {
        id: 3,
        name: 'c',
        price: '3.05',
        at: '2023-11-14 22:13:20.123456',
        big: String(2n ** 60n),
        ok: false,
      },
      {
        id: 4,
        name: null,
        price: '4.05',
        at: '2023-11-14 22:13:20.123456',
        big: String(2n ** 60n),
        ok: true,
      },
    ]);
    const columns = await db.query(
      "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'sink_orders' ORDER BY ordinal_position",
    );
    assert.deepEqual(
      columns.rows.map((r) => `${r.column_name} ${r.data_type} ${r.is_nullable}`),
      [
        'id integer NO',
        'name text YES',
        'price numeric YES',
        'at timestamp without time zone YES',
        'big bigint YES',
        'ok boolean NO',
      ],
    );
    const evolved = SchemaBuilder.struct().name('v');
    for (const f of valueSchema.fields) evolved.field(f.name, f.schema);
    evolved.field('note', Schemas.OPTIONAL_STRING);
    await task.put([record(3, 'c2', { schema: evolved.build(), note: 'new column' }), tombstone(1)]);
    const after = await db.query('SELECT id, name, note FROM sink_orders ORDER BY id');
    assert.deepEqual(after.rows, [
      { id: 3, name: 'c2', note: 'new column' },
      { id: 4, name: null, note: null },
    ]);
    await task.stop();
  });

  it('insert mode fails on a duplicate key and retries, rolling the whole put back', async () => {
    const task = new PostgresSinkTask();
    await task.start({
      'connection.url': `${url}?user=postgres`,
      'pk.mode': 'record_value',
      'pk.fields': 'id',
      'auto.create': 'true',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the JDBC sink's placeholder, not a template
      'table.name.format': 'ins_${topic}',
      'max.retries': '1',
      'retry.backoff.ms': '0',
    });
    await task.put([record(1, 'a')]);
    await assert.rejects(task.put([record(2, 'b'), record(1, 'again')]), RetriableError);
    assert.deepEqual(
      (await rows('ins_orders')).map((r) => r.id),
      [1],
    );
    await assert.rejects(task.put([record(1, 'again')]), /Writing 1 records to PostgreSQL failed/);
    await task.stop();
  });

  it('refuses a missing table without auto.create and delete.enabled without pk.mode=record_key', async () => {
    const task = new PostgresSinkTask();
    await task.start({ 'connection.url': url });
    await assert.rejects(task.put([record(1, 'a')]), /Table orders is missing and auto-creation is disabled/);
    await task.stop();
    await assert.rejects(
      new PostgresSinkTask().start({ 'connection.url': url, 'delete.enabled': 'true' }),
      /Primary key mode must be 'record_key' when delete support is enabled/,
    );
  });
});
