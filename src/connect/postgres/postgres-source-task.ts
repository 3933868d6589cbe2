import type pg from 'pg';
import { type Logger, noopLogger } from '../../common/logger.js';
import type { SourceMap, SourceRecord } from '../api/connect-record.js';
import { SourceTask } from '../api/task.js';
import { BUILTIN_PLUGIN_VERSION } from '../plugins/plugin-version.js';
import { sourcePartition } from './change-events.js';
import { ChangeStream, resumePointOf } from './change-stream.js';
import { parseLsn } from './lsn.js';
import { connect, createSlot, dropSlot, ensurePublication, quoteIdent, slotExists } from './pg-session.js';
import {
  POSTGRES_SOURCE_CONFIG,
  type PostgresSourceSettings,
  sourceSettings,
} from './postgres-source-config.js';
import { SnapshotReader } from './snapshot-reader.js';

/**
 * The PostgreSQL CDC source task (Debezium's PostgresConnectorTask): a snapshot when
 * snapshot.mode and the stored offsets call for one, then the slot's change stream.
 *
 * Delivery is at least once: the slot's confirmed flush position only moves once the worker has
 * stored the offsets of the records before it (commit()), so a restart, even after SIGKILL, gets
 * every change again from the slot and skips those whose offsets were stored; those sent but not
 * yet stored are sent again (duplicates, never gaps).
 */
export class PostgresSourceTask extends SourceTask {
  private settings: PostgresSourceSettings | null = null;
  private catalog: pg.Client | null = null;
  private snapshot: SnapshotReader | null = null;
  private stream: ChangeStream | null = null;
  private streamAfterSnapshot = true;
  private resume: SourceMap | null = null;
  private stopped = false;
  private readonly logger: Logger;

  constructor(logger: Logger = noopLogger) {
    super();
    this.logger = logger;
  }

  version(): string {
    return BUILTIN_PLUGIN_VERSION;
  }

  async start(props: Readonly<Record<string, string>>): Promise<void> {
    const settings = sourceSettings(POSTGRES_SOURCE_CONFIG().parse(props));
    this.settings = settings;
    const stored =
      (await this.context?.offsetStorageReader().offset(sourcePartition(settings.topicPrefix))) ?? null;
    this.catalog = await connect(settings);
    await ensurePublication(this.catalog, settings);
    const mode = settings.snapshotMode;
    const snapshotIncomplete =
      stored === null || (stored.snapshot === true && stored.last_snapshot_record !== true);
    const needsSnapshot =
      mode === 'always' || ((mode === 'initial' || mode === 'initial_only') && snapshotIncomplete);
    this.streamAfterSnapshot = mode !== 'initial_only';
    if (needsSnapshot) await this.startSnapshot();
    else {
      if (!(await slotExists(this.catalog, settings))) await createSlot(this.catalog, settings);
      this.resume = stored;
      this.startStream();
    }
  }

  /**
   * A snapshot consistent with the stream: the slot is (re)created with EXPORT_SNAPSHOT and the
   * tables are read in that snapshot, so streaming from the slot's consistent point misses and
   * repeats nothing. A slot left by an incomplete earlier snapshot is dropped first: its exported
   * snapshot is gone with the connection that made it.
   */
  private async startSnapshot(): Promise<void> {
    const settings = this.settings!;
    const catalog = this.catalog!;
    const reader = await connect(settings);
    if (!this.streamAfterSnapshot) {
      this.snapshot = new SnapshotReader(reader, settings, 0);
      await this.snapshot.open(null);
      return;
    }
    if (await slotExists(catalog, settings)) await dropSlot(catalog, settings);
    const replication = await connect(settings, true);
    try {
      const res = await replication.query<{ consistent_point: string; snapshot_name: string }>(
        `CREATE_REPLICATION_SLOT ${quoteIdent(settings.slotName)} LOGICAL pgoutput EXPORT_SNAPSHOT`,
      );
      const row = res.rows[0]!;
      this.snapshot = new SnapshotReader(reader, settings, parseLsn(row.consistent_point));
      // The exported snapshot lives until the creating connection runs another command: import it first.
      await this.snapshot.open(row.snapshot_name);
    } finally {
      await replication.end().catch(() => {});
    }
    this.logger.info({ slot: settings.slotName }, 'snapshot started');
  }

  private startStream(): void {
    this.stream = new ChangeStream(this.settings!, this.catalog!, resumePointOf(this.resume), this.logger);
    this.stream.start();
    this.logger.info({ slot: this.settings!.slotName }, 'streaming changes');
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.stopped) return null;
    const settings = this.settings!;
    if (this.snapshot) {
      const records = await this.snapshot.next();
      if (this.snapshot.isDone()) {
        this.snapshot = null;
        this.logger.info({}, 'snapshot completed');
        if (this.streamAfterSnapshot) this.startStream();
      }
      if (records.length > 0) return records;
    }
    if (!this.stream) {
      await new Promise((r) => setTimeout(r, settings.pollIntervalMs));
      return null;
    }
    const records = await this.stream.take(settings.maxBatchSize, settings.pollIntervalMs);
    return records.length > 0 ? records : null;
  }

  /** The worker stored offsets: the slot may now release what precedes the stored position. */
  override async commit(): Promise<void> {
    if (!this.stream || !this.settings) return;
    const stored = await this.context
      ?.offsetStorageReader()
      .offset(sourcePartition(this.settings.topicPrefix));
    const point = resumePointOf(stored ?? null);
    if (point) await this.stream.confirm(point.commitLsn);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.stream?.stop();
    await this.snapshot?.close();
    if (this.settings?.slotDropOnStop && this.catalog)
      await dropSlot(this.catalog, this.settings).catch(() => {});
    await this.catalog?.end().catch(() => {});
    this.stream = null;
    this.catalog = null;
  }
}
