import { type SourceMap, SourceRecord } from '../api/connect-record.js';
import { Struct } from '../data/struct.js';
import { BUILTIN_PLUGIN_VERSION } from '../plugins/plugin-version.js';
import { SOURCE_SCHEMA, type TableSchema } from './table-schema.js';

/** Debezium's op codes: create, update, delete, read (snapshot). */
export type Op = 'c' | 'u' | 'd' | 'r';

export interface SourceInfo {
  readonly server: string;
  readonly database: string;
  /** Commit time of the transaction (or the snapshot's start), milliseconds. */
  readonly tsMs: number;
  readonly snapshot: 'true' | 'last' | 'false';
  readonly txId: number | null;
  readonly lsn: number | null;
  readonly sequence: string | null;
}

/** The source partition of every record: Debezium's {server: topic.prefix}. */
export function sourcePartition(server: string): SourceMap {
  return { server };
}

function sourceStruct(table: TableSchema, info: SourceInfo): Struct {
  return new Struct(SOURCE_SCHEMA)
    .put('version', BUILTIN_PLUGIN_VERSION)
    .put('connector', 'postgresql')
    .put('name', info.server)
    .put('ts_ms', info.tsMs)
    .put('snapshot', info.snapshot)
    .put('db', info.database)
    .put('sequence', info.sequence)
    .put('schema', table.schemaName)
    .put('table', table.tableName)
    .put('txId', info.txId)
    .put('lsn', info.lsn);
}

/**
 * A change event in Debezium's envelope: key the primary key struct, value {before, after,
 * source, transaction, op, ts_ms}, topic <topic.prefix>.<schema>.<table>.
 */
export function changeRecord(
  table: TableSchema,
  op: Op,
  before: Struct | null,
  after: Struct | null,
  info: SourceInfo,
  offset: SourceMap,
): SourceRecord {
  const envelope = new Struct(table.envelopeSchema)
    .put('before', before)
    .put('after', after)
    .put('source', sourceStruct(table, info))
    .put('op', op)
    .put('ts_ms', Date.now());
  return new SourceRecord({
    topic: table.topic,
    keySchema: table.keySchema,
    key: table.key((after ?? before)!),
    valueSchema: table.envelopeSchema,
    value: envelope,
    timestamp: info.tsMs,
    sourcePartition: sourcePartition(info.server),
    sourceOffset: offset,
  });
}

/** The tombstone after a delete: same key, null value, so that compaction can drop the key. */
export function tombstoneRecord(
  table: TableSchema,
  before: Struct,
  info: SourceInfo,
  offset: SourceMap,
): SourceRecord {
  return new SourceRecord({
    topic: table.topic,
    keySchema: table.keySchema,
    key: table.key(before),
    valueSchema: null,
    value: null,
    timestamp: info.tsMs,
    sourcePartition: sourcePartition(info.server),
    sourceOffset: offset,
  });
}
