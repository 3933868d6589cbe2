import { ConfigValidators, ConnectConfigDef, type ParsedConfig } from '../config/connect-config-def.js';
import type { DecimalHandlingMode } from './column-types.js';

export type SnapshotMode = 'initial' | 'never' | 'no_data' | 'initial_only' | 'always';
export type PublicationAutocreateMode = 'all_tables' | 'filtered' | 'disabled';

/** The keys of Debezium's PostgreSQL connector that Strom's CDC source reads (same names, same defaults). */
export const POSTGRES_SOURCE_CONFIG = (): ConnectConfigDef =>
  new ConnectConfigDef([
    key(
      'database.hostname',
      'string',
      undefined,
      'HIGH',
      'Resolvable hostname or IP address of the database server.',
    ),
    key('database.port', 'int', 5432, 'HIGH', 'Port of the database server.'),
    key(
      'database.user',
      'string',
      undefined,
      'HIGH',
      'Name of the database user to be used when connecting to the database.',
    ),
    key(
      'database.password',
      'password',
      null,
      'HIGH',
      'Password of the database user to be used when connecting to the database.',
    ),
    key(
      'database.dbname',
      'string',
      undefined,
      'HIGH',
      'The name of the database from which the connector should capture changes.',
    ),
    {
      ...key(
        'topic.prefix',
        'string',
        undefined,
        'HIGH',
        'Topic prefix that identifies and provides a namespace for the particular database server/cluster is capturing changes. The topic prefix should be unique across all other connectors, since it is used as a prefix for all Kafka topic names that receive events emitted by this connector.',
      ),
      validator: ConfigValidators.nonEmptyString(),
    },
    {
      ...key(
        'plugin.name',
        'string',
        'pgoutput',
        'MEDIUM',
        'The name of the Postgres logical decoding plugin installed on the server. Supported values: pgoutput.',
      ),
      validator: ConfigValidators.oneOf('pgoutput'),
    },
    key(
      'slot.name',
      'string',
      'debezium',
      'MEDIUM',
      'The name of the Postgres logical decoding slot created for streaming changes from a plugin.',
    ),
    key(
      'slot.drop.on.stop',
      'boolean',
      false,
      'MEDIUM',
      'Whether or not to drop the logical replication slot when the connector finishes orderly.',
    ),
    key(
      'publication.name',
      'string',
      'dbz_publication',
      'MEDIUM',
      'The name of the Postgres 10+ publication used for streaming changes from a plugin.',
    ),
    {
      ...key(
        'publication.autocreate.mode',
        'string',
        'all_tables',
        'MEDIUM',
        'Applies only when streaming changes using pgoutput. all_tables: creates a publication for all tables; filtered: creates (or updates) a publication for the tables of the include and exclude lists; disabled: the publication must exist.',
      ),
      validator: ConfigValidators.oneOfIgnoreCase('all_tables', 'filtered', 'disabled'),
    },
    {
      ...key(
        'snapshot.mode',
        'string',
        'initial',
        'MEDIUM',
        'The criteria for running a snapshot upon startup of the connector: initial (when no offsets exist), always, never or no_data (stream only), initial_only (snapshot, no streaming).',
      ),
      validator: ConfigValidators.oneOfIgnoreCase('initial', 'always', 'never', 'no_data', 'initial_only'),
    },
    key(
      'table.include.list',
      'list',
      null,
      'HIGH',
      'The tables for which changes are to be captured: regular expressions matched against schema.table.',
    ),
    key(
      'table.exclude.list',
      'list',
      null,
      'MEDIUM',
      'The tables for which changes are not to be captured: regular expressions matched against schema.table.',
    ),
    key(
      'schema.include.list',
      'list',
      null,
      'MEDIUM',
      'The schemas for which events should be captured: regular expressions.',
    ),
    key(
      'schema.exclude.list',
      'list',
      null,
      'MEDIUM',
      'The schemas for which events must not be captured: regular expressions.',
    ),
    key(
      'tombstones.on.delete',
      'boolean',
      true,
      'MEDIUM',
      'Whether delete operations should be represented by a delete event and a subsequent tombstone event (true) or only by a delete event (false).',
    ),
    {
      ...key(
        'decimal.handling.mode',
        'string',
        'precise',
        'MEDIUM',
        'Specify how DECIMAL and NUMERIC columns should be represented in change events: precise (java.math.BigDecimal, the Decimal logical type), string, double.',
      ),
      validator: ConfigValidators.oneOfIgnoreCase('precise', 'string', 'double'),
    },
    {
      ...key('max.batch.size', 'int', 2048, 'MEDIUM', 'Maximum size of each batch of source records.'),
      validator: ConfigValidators.atLeast(1),
    },
    {
      ...key(
        'max.queue.size',
        'int',
        8192,
        'MEDIUM',
        'Maximum size of the queue for change events read from the database log but not yet recorded or forwarded.',
      ),
      validator: ConfigValidators.atLeast(1),
    },
    {
      ...key(
        'poll.interval.ms',
        'long',
        500,
        'MEDIUM',
        'Time to wait for new change events to appear after receiving no events, given in milliseconds.',
      ),
      validator: ConfigValidators.atLeast(1),
    },
    {
      ...key(
        'snapshot.fetch.size',
        'int',
        10240,
        'MEDIUM',
        'The maximum number of records that should be loaded into memory while performing a snapshot.',
      ),
      validator: ConfigValidators.atLeast(1),
    },
  ]);

function key(
  name: string,
  type: 'string' | 'int' | 'long' | 'boolean' | 'list' | 'password',
  defaultValue: string | number | boolean | null | undefined,
  importance: 'HIGH' | 'MEDIUM' | 'LOW',
  documentation: string,
) {
  return { name, type, defaultValue, importance, documentation };
}

/** The source connector's settings, parsed. */
export interface PostgresSourceSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | null;
  readonly database: string;
  readonly topicPrefix: string;
  readonly slotName: string;
  readonly slotDropOnStop: boolean;
  readonly publicationName: string;
  readonly publicationAutocreateMode: PublicationAutocreateMode;
  readonly snapshotMode: SnapshotMode;
  readonly tombstonesOnDelete: boolean;
  readonly decimalHandlingMode: DecimalHandlingMode;
  readonly maxBatchSize: number;
  readonly maxQueueSize: number;
  readonly pollIntervalMs: number;
  readonly snapshotFetchSize: number;
  /** Whether a table (schema and name) is captured, by the include and exclude lists. */
  readonly captured: (schema: string, table: string) => boolean;
}

const anchored = (patterns: readonly string[]): RegExp[] =>
  patterns.map((p) => new RegExp(`^(?:${p})$`, 'i'));

export function sourceSettings(parsed: ParsedConfig): PostgresSourceSettings {
  const tableInclude = anchored(parsed.getList('table.include.list'));
  const tableExclude = anchored(parsed.getList('table.exclude.list'));
  const schemaInclude = anchored(parsed.getList('schema.include.list'));
  const schemaExclude = anchored(parsed.getList('schema.exclude.list'));
  return {
    host: parsed.getString('database.hostname')!,
    port: parsed.getInt('database.port'),
    user: parsed.getString('database.user')!,
    password: parsed.getString('database.password'),
    database: parsed.getString('database.dbname')!,
    topicPrefix: parsed.getString('topic.prefix')!,
    slotName: parsed.getString('slot.name')!,
    slotDropOnStop: parsed.getBoolean('slot.drop.on.stop'),
    publicationName: parsed.getString('publication.name')!,
    publicationAutocreateMode: parsed
      .getString('publication.autocreate.mode')!
      .toLowerCase() as PublicationAutocreateMode,
    snapshotMode: parsed.getString('snapshot.mode')!.toLowerCase() as SnapshotMode,
    tombstonesOnDelete: parsed.getBoolean('tombstones.on.delete'),
    decimalHandlingMode: parsed.getString('decimal.handling.mode')!.toLowerCase() as DecimalHandlingMode,
    maxBatchSize: parsed.getInt('max.batch.size'),
    maxQueueSize: parsed.getInt('max.queue.size'),
    pollIntervalMs: parsed.getLong('poll.interval.ms'),
    snapshotFetchSize: parsed.getInt('snapshot.fetch.size'),
    captured: (schema, table) => {
      if (schema === 'pg_catalog' || schema === 'information_schema') return false;
      if (schemaInclude.length > 0 && !schemaInclude.some((r) => r.test(schema))) return false;
      if (schemaExclude.some((r) => r.test(schema))) return false;
      const id = `${schema}.${table}`;
      if (tableInclude.length > 0 && !tableInclude.some((r) => r.test(id))) return false;
      return !tableExclude.some((r) => r.test(id));
    },
  };
}
