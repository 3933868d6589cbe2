import type pg from 'pg';
import { type Logger, noopLogger } from '../../common/logger.js';
import type { SinkRecord } from '../api/connect-record.js';
import { SinkTask } from '../api/task.js';
import { ConnectError, RetriableError } from '../connect-error.js';
import { BUILTIN_PLUGIN_VERSION } from '../plugins/plugin-version.js';
import { connect } from './pg-session.js';
import { POSTGRES_SINK_CONFIG, type PostgresSinkSettings, sinkSettings } from './postgres-sink-config.js';
import { sinkRow } from './sink-fields.js';
import { type SinkOp, SinkTableWriter } from './sink-table-writer.js';

/**
 * Writes records into PostgreSQL tables (Confluent's JdbcSinkTask for PostgreSQL): each put is one
 * transaction, so the consumer offsets the worker commits after it always match rows that are in
 * the database; a failed put is rolled back and retried (max.retries, retry.backoff.ms) before
 * the task fails. Tombstones delete by key with delete.enabled. Replaying records after a crash
 * converges to the same rows with insert.mode=upsert (or update).
 */
export class PostgresSinkTask extends SinkTask {
  private settings: PostgresSinkSettings | null = null;
  private client: pg.Client | null = null;
  private writer: SinkTableWriter | null = null;
  private retriesLeft = 0;
  private readonly logger: Logger;

  constructor(logger: Logger = noopLogger) {
    super();
    this.logger = logger;
  }

  version(): string {
    return BUILTIN_PLUGIN_VERSION;
  }

  async start(props: Readonly<Record<string, string>>): Promise<void> {
    this.settings = sinkSettings(POSTGRES_SINK_CONFIG().parse(props));
    this.retriesLeft = this.settings.maxRetries;
    this.writer = new SinkTableWriter(this.settings, this.logger);
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    const settings = this.settings!;
    // Records to operations first: a record that cannot be written is the connector's error, not retried.
    const byTable: { table: string; ops: SinkOp[] }[] = [];
    for (const record of records) {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the JDBC sink's placeholder, not a template
      const table = settings.tableNameFormat.replaceAll('${topic}', record.topic);
      let op: SinkOp;
      if (record.value === null) {
        if (!settings.deleteEnabled) continue; // Confluent's sink ignores tombstones without delete.enabled.
        op = { kind: 'delete', row: sinkRow(record, settings, false) };
      } else op = { kind: 'write', row: sinkRow(record, settings, true) };
      const last = byTable[byTable.length - 1];
      if (last && last.table === table) last.ops.push(op);
      else byTable.push({ table, ops: [op] });
    }
    try {
      this.client ??= await connect(settings.connection);
      await this.client.query('BEGIN');
      for (const { table, ops } of byTable) await this.writer!.write(this.client, table, ops);
      await this.client.query('COMMIT');
      this.retriesLeft = settings.maxRetries;
    } catch (err) {
      await this.client?.query('ROLLBACK').catch(() => {});
      this.writer!.reset();
      // The writer's own refusals (a missing table without auto.create, a type without mapping) are final.
      if (err instanceof ConnectError && err.code === 'CONNECT_ERROR' && !(err.cause instanceof Error))
        throw err;
      // An SQL or connection error: the next attempt starts on a new connection.
      await this.client?.end().catch(() => {});
      this.client = null;
      const message = (err as Error).message;
      if (this.retriesLeft <= 0)
        throw new ConnectError(
          'CONNECT_ERROR',
          `Writing ${records.length} records to PostgreSQL failed: ${message}`,
          {
            cause: err,
          },
        );
      this.retriesLeft--;
      this.logger.warn({ err, retriesLeft: this.retriesLeft }, 'writing to PostgreSQL failed, retrying');
      this.context?.timeout(settings.retryBackoffMs);
      throw new RetriableError(message, { cause: err });
    }
  }

  async stop(): Promise<void> {
    await this.client?.end().catch(() => {});
    this.client = null;
  }
}
