import type pg from 'pg';
import type { Logger } from '../../common/logger.js';
import { ConnectError } from '../connect-error.js';
import { quoteIdent } from './pg-session.js';
import type { PostgresSinkSettings } from './postgres-sink-config.js';
import { type SinkColumn, type SinkRow, type SqlParam, sqlType } from './sink-fields.js';

/** PostgreSQL's limit of bind parameters in one statement. */
const PARAMS_MAX = 65_535;

/** A destination table: schema-qualified name and the columns it has (lower-cased lookup as PostgreSQL folds). */
interface TableInfo {
  readonly qualified: string;
  readonly columns: Set<string>;
}

/** One write to a table: an upsert or insert of a row, or a delete by key. */
export type SinkOp =
  | { readonly kind: 'write'; readonly row: SinkRow }
  | { readonly kind: 'delete'; readonly row: SinkRow };

/**
 * Writes rows into PostgreSQL tables as Confluent's JDBC sink does for PostgreSQL: creates a
 * missing table (auto.create) and adds missing columns (auto.evolve) from the record schemas, then
 * runs each run of consecutive writes or deletes of one table as multi-row statements of at most
 * batch.size rows. The caller holds the transaction.
 */
export class SinkTableWriter {
  private readonly tables = new Map<string, TableInfo>();

  constructor(
    private readonly settings: PostgresSinkSettings,
    private readonly logger: Logger,
  ) {}

  /** Forgets what is known of the tables (after a failed transaction, DDL may have been rolled back). */
  reset(): void {
    this.tables.clear();
  }

  async write(client: pg.Client, tableName: string, ops: readonly SinkOp[]): Promise<void> {
    let i = 0;
    while (i < ops.length) {
      const first = ops[i]!;
      let j = i + 1;
      const sameShape = (op: SinkOp): boolean =>
        op.kind === first.kind &&
        op.row.columns.length === first.row.columns.length &&
        op.row.columns.every((c, k) => c.name === first.row.columns[k]!.name);
      while (j < ops.length && j - i < this.settings.batchSize && sameShape(ops[j]!)) j++;
      const run = ops.slice(i, j);
      if (first.kind === 'delete') await this.deleteRows(client, tableName, run);
      else await this.writeRows(client, tableName, run);
      i = j;
    }
  }

  private async table(
    client: pg.Client,
    tableName: string,
    columns: readonly SinkColumn[],
  ): Promise<TableInfo> {
    let info = this.tables.get(tableName) ?? (await this.describe(client, tableName));
    if (info === null) {
      if (!this.settings.autoCreate)
        throw new ConnectError(
          'CONNECT_ERROR',
          `Table ${tableName} is missing and auto-creation is disabled`,
        );
      info = await this.create(client, tableName, columns);
    }
    const missing = columns.filter((c) => !info.columns.has(c.name));
    if (missing.length > 0) {
      if (!this.settings.autoEvolve)
        throw new ConnectError(
          'CONNECT_ERROR',
          `Table ${tableName} is missing fields (${missing.map((c) => c.name).join(', ')}) and auto-evolution is disabled`,
        );
      for (const c of missing) {
        // Added columns are nullable, as Confluent's: existing rows have no value for them.
        await client.query(
          `ALTER TABLE ${info.qualified} ADD COLUMN ${quoteIdent(c.name)} ${sqlType(c.schema)}`,
        );
        info.columns.add(c.name);
      }
      this.logger.info({ table: tableName, columns: missing.map((c) => c.name) }, 'sink table evolved');
    }
    this.tables.set(tableName, info);
    return info;
  }

  private qualify(tableName: string): { schema: string | null; table: string; qualified: string } {
    // table.name.format may name schema.table (or catalog.schema.table, the catalog being the database).
    const parts = tableName.split('.');
    const table = parts[parts.length - 1]!;
    const schema = parts.length > 1 ? parts[parts.length - 2]! : null;
    return {
      schema,
      table,
      qualified: schema ? `${quoteIdent(schema)}.${quoteIdent(table)}` : quoteIdent(table),
    };
  }

  private async describe(client: pg.Client, tableName: string): Promise<TableInfo | null> {
    const { schema, table, qualified } = this.qualify(tableName);
    const res = await client.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns
       WHERE table_name = $1 AND table_schema = COALESCE($2, current_schema())`,
      [table, schema],
    );
    if (res.rowCount === 0) return null;
    return { qualified, columns: new Set(res.rows.map((r) => r.column_name)) };
  }

  private async create(
    client: pg.Client,
    tableName: string,
    columns: readonly SinkColumn[],
  ): Promise<TableInfo> {
    const { qualified } = this.qualify(tableName);
    const defs = columns.map(
      (c) =>
        `${quoteIdent(c.name)} ${sqlType(c.schema)}${c.schema.optional && !c.primaryKey ? '' : ' NOT NULL'}`,
    );
    const pk = columns.filter((c) => c.primaryKey).map((c) => quoteIdent(c.name));
    if (pk.length > 0) defs.push(`PRIMARY KEY(${pk.join(', ')})`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${qualified} (\n${defs.join(',\n')})`);
    this.logger.info({ table: tableName }, 'sink table created');
    return { qualified, columns: new Set(columns.map((c) => c.name)) };
  }

  private async writeRows(client: pg.Client, tableName: string, ops: readonly SinkOp[]): Promise<void> {
    const columns = ops[0]!.row.columns;
    const info = await this.table(client, tableName, columns);
    const names = columns.map((c) => quoteIdent(c.name));
    const keyNames = columns.filter((c) => c.primaryKey).map((c) => quoteIdent(c.name));
    const mode = this.settings.insertMode;
    if (mode === 'update') {
      const nonKey = columns.filter((c) => !c.primaryKey);
      for (const op of ops) {
        const params: SqlParam[] = [];
        const set = nonKey.map((c) => {
          params.push(op.row.values[columns.indexOf(c)]!);
          return `${quoteIdent(c.name)} = $${params.length}`;
        });
        const where = op.row.key.map((k, n) => {
          params.push(k);
          return `${keyNames[n]} = $${params.length}`;
        });
        if (set.length > 0 && where.length > 0)
          await client.query(
            `UPDATE ${info.qualified} SET ${set.join(', ')} WHERE ${where.join(' AND ')}`,
            params as unknown[],
          );
      }
      return;
    }
    let rows = ops.map((op) => op.row);
    if (mode === 'upsert') {
      if (keyNames.length === 0)
        throw new ConnectError(
          'CONNECT_ERROR',
          `Write to table '${tableName}' in UPSERT mode requires key field names to be known, check the primary key configuration`,
        );
      // One statement may not update a row twice: keep the last write of each key (the final state is the same).
      const last = new Map<string, SinkRow>();
      for (const row of rows) {
        const k = JSON.stringify(row.key, (_k, v) => (Buffer.isBuffer(v) ? v.toString('hex') : v));
        last.delete(k);
        last.set(k, row);
      }
      rows = [...last.values()];
    }
    const perStatement = Math.max(1, Math.floor(PARAMS_MAX / columns.length));
    for (let start = 0; start < rows.length; start += perStatement) {
      const chunk = rows.slice(start, start + perStatement);
      const params: SqlParam[] = [];
      const tuples = chunk.map((row) => `(${row.values.map((v) => `$${params.push(v)}`).join(', ')})`);
      let sql = `INSERT INTO ${info.qualified} (${names.join(', ')}) VALUES ${tuples.join(', ')}`;
      if (mode === 'upsert') {
        const nonKey = columns.filter((c) => !c.primaryKey).map((c) => quoteIdent(c.name));
        sql += ` ON CONFLICT (${keyNames.join(', ')}) ${
          nonKey.length > 0
            ? `DO UPDATE SET ${nonKey.map((n) => `${n} = EXCLUDED.${n}`).join(', ')}`
            : 'DO NOTHING'
        }`;
      }
      await client.query(sql, params as unknown[]);
    }
  }

  private async deleteRows(client: pg.Client, tableName: string, ops: readonly SinkOp[]): Promise<void> {
    const columns = ops[0]!.row.columns;
    const info = this.tables.get(tableName) ?? (await this.describe(client, tableName));
    // Deleting from a table that does not exist yet deletes nothing.
    if (info === null) return;
    this.tables.set(tableName, info);
    const keyNames = columns.filter((c) => c.primaryKey).map((c) => quoteIdent(c.name));
    const perStatement = Math.max(1, Math.floor(PARAMS_MAX / keyNames.length));
    for (let start = 0; start < ops.length; start += perStatement) {
      const chunk = ops.slice(start, start + perStatement);
      const params: SqlParam[] = [];
      const tuples = chunk.map((op) => `(${op.row.key.map((v) => `$${params.push(v)}`).join(', ')})`);
      await client.query(
        `DELETE FROM ${info.qualified} WHERE (${keyNames.join(', ')}) IN (${tuples.join(', ')})`,
        params as unknown[],
      );
    }
  }
}
