import pg from 'pg';
import { ConnectError } from '../connect-error.js';
import type { PostgresSourceSettings } from './postgres-source-config.js';
import type { ColumnDef } from './table-schema.js';

/**
 * Session settings that fix the text form of values, whatever the server's defaults: ISO dates,
 * times in UTC, every float digit, bytea in hex. They hold for replication connections too, whose
 * walsender runs the output functions pgoutput calls.
 */
const SESSION_OPTIONS =
  '-c DateStyle=ISO,MDY -c TimeZone=UTC -c IntervalStyle=postgres -c extra_float_digits=3 -c bytea_output=hex';

/** Every column as text: values are converted by column-types.ts, not by pg's parsers. */
const TEXT_TYPES = { getTypeParser: () => (value: string) => value };

export interface PgConnectionSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | null;
  readonly database: string;
}

export function clientConfig(s: PgConnectionSettings): pg.ClientConfig {
  return {
    host: s.host,
    port: s.port,
    user: s.user,
    ...(s.password !== null ? { password: s.password } : {}),
    database: s.database,
    options: SESSION_OPTIONS,
    types: TEXT_TYPES,
    application_name: 'strom-connect',
  };
}

export async function connect(s: PgConnectionSettings, replication = false): Promise<pg.Client> {
  const client = new pg.Client({ ...clientConfig(s), ...(replication ? { replication: 'database' } : {}) });
  // An error on an idle connection is reported by the next query; without a listener it would crash.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw new ConnectError(
      'CONNECT_ERROR',
      `Could not connect to PostgreSQL at ${s.host}:${s.port}/${s.database}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return client;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export interface CapturedTable {
  readonly oid: number;
  readonly schema: string;
  readonly table: string;
}

/** Ordinary and partitioned tables the include and exclude lists select. */
export async function capturedTables(
  client: pg.Client,
  settings: PostgresSourceSettings,
): Promise<CapturedTable[]> {
  const res = await client.query<{ oid: string; nspname: string; relname: string }>(
    `SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
       AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
     ORDER BY n.nspname, c.relname`,
  );
  return res.rows
    .filter((r) => settings.captured(r.nspname, r.relname))
    .map((r) => ({ oid: Number(r.oid), schema: r.nspname, table: r.relname }));
}

/** A table's columns from the catalog, in attribute order, with NOT NULL and primary key flags. */
export async function tableColumns(client: pg.Client, relationOid: number): Promise<ColumnDef[]> {
  const res = await client.query<{
    attname: string;
    atttypid: string;
    atttypmod: string;
    attnotnull: string;
    pk: string;
  }>(
    `SELECT a.attname, a.atttypid, a.atttypmod, a.attnotnull,
            EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary
                    AND a.attnum = ANY (i.indkey)) AS pk
     FROM pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [relationOid],
  );
  return res.rows.map((r) => ({
    name: r.attname,
    typeOid: Number(r.atttypid),
    typeMod: Number(r.atttypmod),
    notNull: r.attnotnull === 't',
    primaryKey: r.pk === 't',
  }));
}

/**
 * Makes sure the publication exists as publication.autocreate.mode says (Debezium's
 * PostgresReplicationConnection.initPublication): all_tables creates it FOR ALL TABLES (which
 * needs a superuser), filtered creates or resets it to the captured tables, disabled requires it.
 */
export async function ensurePublication(client: pg.Client, settings: PostgresSourceSettings): Promise<void> {
  const name = settings.publicationName;
  const exists =
    (await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [name])).rowCount! > 0;
  const mode = settings.publicationAutocreateMode;
  if (mode === 'disabled') {
    if (!exists)
      throw new ConnectError(
        'CONNECT_ERROR',
        `Publication '${name}' does not exist and publication.autocreate.mode is disabled`,
      );
    return;
  }
  if (mode === 'all_tables') {
    if (!exists) await client.query(`CREATE PUBLICATION ${quoteIdent(name)} FOR ALL TABLES`);
    return;
  }
  const tables = await capturedTables(client, settings);
  if (tables.length === 0)
    throw new ConnectError(
      'CONNECT_ERROR',
      `No table matches the include and exclude lists for publication '${name}'`,
    );
  const list = tables.map((t) => `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`).join(', ');
  await client.query(
    exists
      ? `ALTER PUBLICATION ${quoteIdent(name)} SET TABLE ${list}`
      : `CREATE PUBLICATION ${quoteIdent(name)} FOR TABLE ${list}`,
  );
}

/** Whether the slot exists in this database. */
export async function slotExists(client: pg.Client, settings: PostgresSourceSettings): Promise<boolean> {
  const res = await client.query(
    'SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND database = $2',
    [settings.slotName, settings.database],
  );
  return res.rowCount! > 0;
}

export async function createSlot(client: pg.Client, settings: PostgresSourceSettings): Promise<void> {
  await client.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [settings.slotName]);
}

export async function dropSlot(client: pg.Client, settings: PostgresSourceSettings): Promise<void> {
  await client.query('SELECT pg_drop_replication_slot($1)', [settings.slotName]);
}
