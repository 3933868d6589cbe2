import {
  ConfigError,
  ConfigValidators,
  ConnectConfigDef,
  type ParsedConfig,
} from '../config/connect-config-def.js';
import type { PgConnectionSettings } from './pg-session.js';

export type InsertMode = 'insert' | 'upsert' | 'update';
export type PkMode = 'none' | 'kafka' | 'record_key' | 'record_value';

/** The keys of Confluent's JDBC sink connector that Strom's PostgreSQL sink reads (same names and defaults). */
export const POSTGRES_SINK_CONFIG = (): ConnectConfigDef =>
  new ConnectConfigDef([
    {
      name: 'connection.url',
      type: 'string',
      importance: 'HIGH',
      documentation:
        'JDBC connection URL, e.g. jdbc:postgresql://localhost:5432/mydb (user and password may be URL parameters).',
      validator: (key, v) => {
        if (typeof v === 'string') parseJdbcUrl(v, key);
      },
    },
    {
      name: 'connection.user',
      type: 'string',
      defaultValue: null,
      importance: 'HIGH',
      documentation: 'JDBC connection user.',
    },
    {
      name: 'connection.password',
      type: 'password',
      defaultValue: null,
      importance: 'HIGH',
      documentation: 'JDBC connection password.',
    },
    {
      name: 'insert.mode',
      type: 'string',
      defaultValue: 'insert',
      importance: 'HIGH',
      documentation:
        'The insertion mode to use: insert (INSERT), upsert (INSERT ... ON CONFLICT DO UPDATE), update (UPDATE).',
      validator: ConfigValidators.oneOfIgnoreCase('insert', 'upsert', 'update'),
    },
    {
      name: 'pk.mode',
      type: 'string',
      defaultValue: 'none',
      importance: 'HIGH',
      documentation:
        'The primary key mode: none, kafka (__connect_topic, __connect_partition, __connect_offset), record_key, record_value.',
      validator: ConfigValidators.oneOfIgnoreCase('none', 'kafka', 'record_key', 'record_value'),
    },
    {
      name: 'pk.fields',
      type: 'list',
      defaultValue: '',
      importance: 'MEDIUM',
      documentation: 'List of comma-separated primary key field names; their meaning depends on pk.mode.',
    },
    {
      name: 'fields.whitelist',
      type: 'list',
      defaultValue: '',
      importance: 'MEDIUM',
      documentation:
        'List of comma-separated record value field names. If empty, all fields from the record value are used.',
    },
    {
      name: 'auto.create',
      type: 'boolean',
      defaultValue: false,
      importance: 'MEDIUM',
      documentation:
        'Whether to automatically create the destination table based on record schema if it is found to be missing by issuing CREATE.',
    },
    {
      name: 'auto.evolve',
      type: 'boolean',
      defaultValue: false,
      importance: 'MEDIUM',
      documentation:
        'Whether to automatically add columns in the table schema when found to be missing relative to the record schema by issuing ALTER.',
    },
    {
      name: 'delete.enabled',
      type: 'boolean',
      defaultValue: false,
      importance: 'MEDIUM',
      documentation: 'Whether to treat null record values as deletes. Requires pk.mode to be record_key.',
    },
    {
      name: 'table.name.format',
      type: 'string',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the JDBC sink's placeholder, not a template
      defaultValue: '${topic}',
      importance: 'MEDIUM',
      documentation:
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the JDBC sink's placeholder, not a template
        "A format string for the destination table name, which may contain '${topic}' as a placeholder for the originating topic name.",
    },
    {
      name: 'batch.size',
      type: 'int',
      defaultValue: 3000,
      importance: 'MEDIUM',
      documentation:
        'Specifies how many records to attempt to batch together for insertion into the destination table, when possible.',
      validator: ConfigValidators.atLeast(0),
    },
    {
      name: 'max.retries',
      type: 'int',
      defaultValue: 10,
      importance: 'MEDIUM',
      documentation: 'The maximum number of times to retry on errors before failing the task.',
      validator: ConfigValidators.atLeast(0),
    },
    {
      name: 'retry.backoff.ms',
      type: 'int',
      defaultValue: 3000,
      importance: 'MEDIUM',
      documentation: 'The time in milliseconds to wait following an error before a retry attempt is made.',
      validator: ConfigValidators.atLeast(0),
    },
  ]);

/** jdbc:postgresql://host[:port]/database[?user=..&password=..]. */
export function parseJdbcUrl(
  url: string,
  key = 'connection.url',
): { host: string; port: number; database: string; params: URLSearchParams } {
  const m = /^jdbc:postgresql:\/\/([^/:?]+|\[[^\]]+\])(?::(\d+))?\/([^?]+)(?:\?(.*))?$/.exec(url.trim());
  if (!m) throw ConfigError.invalid(key, url, 'Expected jdbc:postgresql://host:port/database');
  return {
    host: m[1]!.replace(/^\[|\]$/g, ''),
    port: m[2] ? Number(m[2]) : 5432,
    database: decodeURIComponent(m[3]!),
    params: new URLSearchParams(m[4] ?? ''),
  };
}

export interface PostgresSinkSettings {
  readonly connection: PgConnectionSettings;
  readonly insertMode: InsertMode;
  readonly pkMode: PkMode;
  readonly pkFields: readonly string[];
  readonly fieldsWhitelist: readonly string[];
  readonly autoCreate: boolean;
  readonly autoEvolve: boolean;
  readonly deleteEnabled: boolean;
  readonly tableNameFormat: string;
  readonly batchSize: number;
  readonly maxRetries: number;
  readonly retryBackoffMs: number;
}

export function sinkSettings(parsed: ParsedConfig): PostgresSinkSettings {
  const url = parseJdbcUrl(parsed.getString('connection.url')!);
  const pkMode = parsed.getString('pk.mode')!.toLowerCase() as PkMode;
  const deleteEnabled = parsed.getBoolean('delete.enabled');
  // Confluent's JdbcSinkConfig: deletes need the key to find the row.
  if (deleteEnabled && pkMode !== 'record_key')
    throw new ConfigError(
      'delete.enabled',
      "Primary key mode must be 'record_key' when delete support is enabled",
    );
  return {
    connection: {
      host: url.host,
      port: url.port,
      database: url.database,
      user: parsed.getString('connection.user') ?? url.params.get('user') ?? 'postgres',
      password: parsed.getString('connection.password') ?? url.params.get('password'),
    },
    insertMode: parsed.getString('insert.mode')!.toLowerCase() as InsertMode,
    pkMode,
    pkFields: parsed.getList('pk.fields'),
    fieldsWhitelist: parsed.getList('fields.whitelist'),
    autoCreate: parsed.getBoolean('auto.create'),
    autoEvolve: parsed.getBoolean('auto.evolve'),
    deleteEnabled,
    tableNameFormat: parsed.getString('table.name.format')!,
    batchSize: Math.max(1, parsed.getInt('batch.size')),
    maxRetries: parsed.getInt('max.retries'),
    retryBackoffMs: parsed.getInt('retry.backoff.ms'),
  };
}
