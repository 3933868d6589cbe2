import type pg from 'pg';
import type { SourceRecord } from '../api/connect-record.js';
import { changeRecord, type SourceInfo } from './change-events.js';
import { capturedTables, quoteIdent, tableColumns } from './pg-session.js';
import type { PostgresSourceSettings } from './postgres-source-config.js';
import { TableSchema } from './table-schema.js';

/**
 * Reads every captured table in one REPEATABLE READ transaction (the slot's exported snapshot, so
 * that streaming starts exactly where the snapshot ends) through a cursor, snapshot.fetch.size
 * rows at a time, as `op: r` events. The last event is marked snapshot=last and its offset
 * last_snapshot_record=true: until that offset is stored, a restart takes the snapshot again.
 */
export class SnapshotReader {
  private tables: { schema: TableSchema; cursor: string }[] = [];
  private tableIndex = 0;
  private pending: { table: TableSchema; row: readonly (string | null)[] } | null = null;
  private startedMs = Date.now();
  private done = false;

  constructor(
    private readonly client: pg.Client,
    private readonly settings: PostgresSourceSettings,
    /** The slot's consistent point: where streaming continues after the snapshot. */
    private readonly lsn: number,
  ) {}

  /** Opens the transaction (importing an exported snapshot when given) and a cursor per table. */
  async open(exportedSnapshot: string | null): Promise<void> {
    await this.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    if (exportedSnapshot !== null)
      await this.client.query(`SET TRANSACTION SNAPSHOT '${exportedSnapshot.replaceAll("'", "''")}'`);
    this.startedMs = Date.now();
    const tables = await capturedTables(this.client, this.settings);
    for (const [i, t] of tables.entries()) {
      const columns = await tableColumns(this.client, t.oid);
      const schema = new TableSchema(
        this.settings.topicPrefix,
        t.schema,
        t.table,
        columns,
        this.settings.decimalHandlingMode,
      );
      const cursor = `strom_snapshot_${i}`;
      const list = columns.map((c) => quoteIdent(c.name)).join(', ');
      await this.client.query(
        `DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT ${list} FROM ${quoteIdent(t.schema)}.${quoteIdent(t.table)}`,
      );
      this.tables.push({ schema, cursor });
    }
  }

  isDone(): boolean {
    return this.done;
  }

  /** The next events, holding one back so that the very last can be marked; [] once done. */
  async next(): Promise<SourceRecord[]> {
    const out: SourceRecord[] = [];
    while (out.length === 0 && !this.done) {
      const current = this.tables[this.tableIndex];
      if (current === undefined) {
        if (this.pending) out.push(this.toRecord(this.pending.table, this.pending.row, true));
        this.pending = null;
        this.done = true;
        await this.client.query('COMMIT');
        break;
      }
      const res = await this.client.query<(string | null)[]>({
        text: `FETCH ${this.settings.snapshotFetchSize} FROM ${current.cursor}`,
        rowMode: 'array',
      });
      if (res.rows.length === 0) {
        this.tableIndex++;
        continue;
      }
      for (const row of res.rows) {
        if (this.pending) out.push(this.toRecord(this.pending.table, this.pending.row, false));
        this.pending = { table: current.schema, row };
      }
    }
    return out;
  }

  private toRecord(table: TableSchema, row: readonly (string | null)[], last: boolean): SourceRecord {
    const info: SourceInfo = {
      server: this.settings.topicPrefix,
      database: this.settings.database,
      tsMs: this.startedMs,
      snapshot: last ? 'last' : 'true',
      txId: null,
      lsn: this.lsn,
      sequence: null,
    };
    return changeRecord(table, 'r', null, table.row(row), info, {
      snapshot: true,
      last_snapshot_record: last,
      lsn: this.lsn,
      ts_usec: this.startedMs * 1000,
    });
  }

  async close(): Promise<void> {
    if (!this.done) await this.client.query('ROLLBACK').catch(() => {});
  }
}
