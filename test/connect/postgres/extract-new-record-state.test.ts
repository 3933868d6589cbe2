import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SinkRecord } from '../../../src/connect/api/connect-record.js';
import { Struct } from '../../../src/connect/data/struct.js';
import { changeRecord, type Op, tombstoneRecord } from '../../../src/connect/postgres/change-events.js';
import { TableSchema } from '../../../src/connect/postgres/table-schema.js';
import { ExtractNewRecordState } from '../../../src/connect/transforms/extract-new-record-state.js';

const table = new TableSchema(
  'db',
  'public',
  't',
  [
    { name: 'id', typeOid: 23, typeMod: -1, notNull: true, primaryKey: true },
    { name: 'name', typeOid: 25, typeMod: -1, notNull: false, primaryKey: false },
  ],
  'precise',
);
const info = {
  server: 'db',
  database: 'd',
  tsMs: 1000,
  snapshot: 'false' as const,
  txId: 7,
  lsn: 99,
  sequence: null,
};

function event(op: Op, before: [number, string] | null, after: [number, string] | null): SinkRecord {
  const r = changeRecord(
    table,
    op,
    before && table.row([String(before[0]), before[1]]),
    after && table.row([String(after[0]), after[1]]),
    info,
    {},
  );
  return new SinkRecord({ ...r, kafkaOffset: 0n });
}

function smt(props: Record<string, string> = {}): ExtractNewRecordState {
  const t = new ExtractNewRecordState();
  t.configure(props);
  return t;
}

describe("Debezium's ExtractNewRecordState", () => {
  it('turns creates, reads and updates into the after row and keeps the key', () => {
    const out = smt().apply(event('u', null, [1, 'one']))!;
    assert.equal((out.value as Struct).get('name'), 'one');
    assert.equal(out.valueSchema!.name, 'db.public.t.Value');
    assert.equal((out.key as Struct).get('id'), 1);
  });

  it('by default drops the delete event and keeps the tombstone after it', () => {
    const t = smt();
    assert.equal(t.apply(event('d', [1, 'one'], null)), null);
    const before = table.row(['1', 'one']);
    const tombstone = new SinkRecord({ ...tombstoneRecord(table, before, info, {}), kafkaOffset: 1n });
    assert.equal(t.apply(tombstone), tombstone);
  });

  it('rewrite marks deletes with __deleted and drops tombstones; add.fields copies envelope and source fields', () => {
    const t = smt({ 'delete.tombstone.handling.mode': 'rewrite', 'add.fields': 'op,table,source.ts_ms' });
    const deleted = t.apply(event('d', [2, 'two'], null))!;
    const v = deleted.value as Struct;
    assert.deepEqual(
      [v.get('id'), v.get('name'), v.get('__deleted'), v.get('__op'), v.get('__table'), v.get('__ts_ms')],
      [2, 'two', 'true', 'd', 't', 1000],
    );
    assert.equal((t.apply(event('c', null, [3, 'x']))!.value as Struct).get('__deleted'), 'false');
    const tombstone = new SinkRecord({
      ...tombstoneRecord(table, table.row(['2', 'two']), info, {}),
      kafkaOffset: 1n,
    });
    assert.equal(t.apply(tombstone), null);
  });

  it('maps the older keys: drop.tombstones=false with delete.handling.mode=none keeps tombstones', () => {
    const t = smt({ 'drop.tombstones': 'false', 'delete.handling.mode': 'none' });
    const tombstone = new SinkRecord({
      ...tombstoneRecord(table, table.row(['2', 'two']), info, {}),
      kafkaOffset: 1n,
    });
    assert.equal(t.apply(tombstone), tombstone);
    assert.equal(smt({ 'delete.handling.mode': 'drop' }).apply(tombstone), null);
  });

  it('passes records that are not change events unchanged', () => {
    const plain = new SinkRecord({ topic: 'x', value: 'text', kafkaOffset: 0n });
    assert.equal(smt().apply(plain), plain);
    assert.ok(new Struct(table.rowSchema));
  });
});
