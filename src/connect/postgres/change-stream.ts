import type pg from 'pg';
import plr from 'pg-logical-replication';
import type { Logger } from '../../common/logger.js';
import type { SourceMap, SourceRecord } from '../api/connect-record.js';
import { ConnectError } from '../connect-error.js';
import type { Struct } from '../data/struct.js';
import { changeRecord, type Op, type SourceInfo, tombstoneRecord } from './change-events.js';
import { formatLsn, type Lsn, parseLsn } from './lsn.js';
import { clientConfig, tableColumns } from './pg-session.js';
import {
  decodePgoutput,
  type PgoutputMessage,
  type RelationMessage,
  type TupleData,
} from './pgoutput-decoder.js';
import type { PostgresSourceSettings } from './postgres-source-config.js';
import { type ColumnDef, TableSchema } from './table-schema.js';

const { LogicalReplicationService, PgoutputPlugin } = plr;

/** pg-logical-replication's pgoutput plugin, with our decoder (values kept as PostgreSQL's text). */
class TextPgoutputPlugin extends PgoutputPlugin {
  override parse(buffer: Buffer): ReturnType<InstanceType<typeof PgoutputPlugin>['parse']> {
    return decodePgoutput(buffer) as unknown as ReturnType<InstanceType<typeof PgoutputPlugin>['parse']>;
  }
}

/**
 * Where a restart resumes inside the stream: the transaction whose commit LSN is `commitLsn` and
 * the number of its records already stored. Transactions that committed before it were stored
 * entirely; PostgreSQL sends each transaction whole, at its commit, in commit order.
 */
export interface ResumePoint {
  readonly commitLsn: Lsn;
  readonly recordIndex: number;
}

/** The resume point a stored offset gives, null for none (or a snapshot offset). */
export function resumePointOf(offset: SourceMap | null): ResumePoint | null {
  if (!offset || offset.snapshot === true) return null;
  const commit = offset.lsn_commit;
  const index = offset.event_index;
  if (typeof commit !== 'number' || typeof index !== 'number') return null;
  return { commitLsn: commit, recordIndex: index };
}

interface Transaction {
  readonly xid: number;
  readonly finalLsn: Lsn;
  readonly commitTimeUs: number;
  recordIndex: number;
}

/**
 * The streaming phase: START_REPLICATION on the slot with pgoutput (through pg-logical-replication,
 * which runs the replication protocol's COPY BOTH), decoded into change events queued for poll.
 * The queue is bounded (max.queue.size): when full, the stream's socket is paused. The server is
 * told a position is flushed only through `confirm`, which the task calls once the offsets up to
 * there are stored, so the slot keeps every change a restart could need.
 */
export class ChangeStream {
  private readonly service: InstanceType<typeof LogicalReplicationService>;
  private readonly relations = new Map<number, TableSchema | null>();
  private readonly queue: SourceRecord[] = [];
  private readonly spaceWaiters: (() => void)[] = [];
  private dataWaiter: (() => void) | null = null;
  private failure: Error | null = null;
  private txn: Transaction | null = null;
  private lastCommitLsn: Lsn | null = null;
  private confirmedLsn: Lsn = 0;
  private stopped = false;

  constructor(
    private readonly settings: PostgresSourceSettings,
    private readonly catalog: pg.Client,
    private resume: ResumePoint | null,
    private readonly logger: Logger,
  ) {
    this.service = new LogicalReplicationService(clientConfig(settings), {
      acknowledge: { auto: false, timeoutSeconds: 0 },
      flowControl: { enabled: true },
    });
    if (resume) this.confirmedLsn = resume.commitLsn;
  }

  start(): void {
    this.service.on('data', (lsn: string, msg: PgoutputMessage) => this.onMessage(parseLsn(lsn), msg));
    this.service.on('heartbeat', (_lsn: string, _ts: number, shouldRespond: boolean) => {
      // The server asks for a status before wal_sender_timeout: answer with what is stored, never more.
      if (shouldRespond) void this.sendConfirmed();
    });
    this.service.on('error', (err: Error) => this.fail(err));
    const plugin = new TextPgoutputPlugin({
      protoVersion: 1,
      publicationNames: [this.settings.publicationName],
    });
    // 0/0: the server starts at the slot's confirmed flush position.
    this.service.subscribe(plugin, this.settings.slotName, '0/0').then(
      () => {
        if (!this.stopped) this.fail(new Error('replication stream ended'));
      },
      (err: Error) => this.fail(err),
    );
  }

  /** Up to `max` queued events, waiting up to `waitMs` for the first. */
  async take(max: number, waitMs: number): Promise<SourceRecord[]> {
    if (this.failure) throw this.failure;
    if (this.queue.length === 0)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.dataWaiter = null;
          resolve();
        }, waitMs);
        this.dataWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    if (this.failure) throw this.failure;
    const out = this.queue.splice(0, max);
    if (this.queue.length < this.settings.maxQueueSize)
      for (const wake of this.spaceWaiters.splice(0)) wake();
    return out;
  }

  /**
   * Tells the server that everything before the transaction committed at `commitLsn` is stored.
   * The transaction itself is sent again after a restart (PostgreSQL skips only those whose commit
   * LSN is below the confirmed position), and its stored records are skipped by their index.
   */
  async confirm(commitLsn: Lsn): Promise<void> {
    if (commitLsn <= this.confirmedLsn) return;
    this.confirmedLsn = commitLsn;
    await this.sendConfirmed();
  }

  private async sendConfirmed(): Promise<void> {
    // pg-logical-replication reports lsn + 1 as written, flushed and applied.
    if (this.confirmedLsn > 0)
      await this.service.acknowledge(formatLsn(this.confirmedLsn - 1)).catch(() => false);
  }

  private fail(err: Error): void {
    if (this.stopped || this.failure) return;
    this.logger.error({ err }, 'PostgreSQL replication stream failed');
    this.failure = new ConnectError('CONNECT_ERROR', `PostgreSQL replication stream failed: ${err.message}`, {
      cause: err,
    });
    this.wakeData();
  }

  private wakeData(): void {
    const wake = this.dataWaiter;
    this.dataWaiter = null;
    wake?.();
  }

  private async onMessage(lsn: Lsn, msg: PgoutputMessage): Promise<void> {
    try {
      switch (msg.tag) {
        case 'begin':
          this.txn = { xid: msg.xid, finalLsn: msg.finalLsn, commitTimeUs: msg.commitTimeUs, recordIndex: 0 };
          return;
        case 'commit':
          this.lastCommitLsn = msg.commitLsn;
          this.txn = null;
          return;
        case 'relation':
          await this.onRelation(msg);
          return;
        case 'insert':
          await this.emit(lsn, msg.relationId, 'c', null, msg.newTuple);
          return;
        case 'update':
          await this.emit(lsn, msg.relationId, 'u', msg.oldTuple, msg.newTuple);
          return;
        case 'delete':
          await this.emit(lsn, msg.relationId, 'd', msg.oldTuple, null);
          return;
        case 'truncate':
          // Debezium's default skipped.operations=t: truncates are not captured.
          return;
        default:
          return;
      }
    } catch (err) {
      this.fail(err as Error);
    }
  }

  /**
   * A Relation message comes before a table's first change in a session and after each change of
   * its columns (ALTER TABLE): the table's schemas are rebuilt from it, with NOT NULL and primary
   * key flags from the catalog.
   */
  private async onRelation(msg: RelationMessage): Promise<void> {
    if (!this.settings.captured(msg.schema, msg.table)) {
      this.relations.set(msg.relationId, null);
      return;
    }
    const catalog = new Map(
      (await tableColumns(this.catalog, msg.relationId).catch(() => [])).map((c) => [c.name, c]),
    );
    const hasPrimaryKey = [...catalog.values()].some((c) => c.primaryKey);
    const columns: ColumnDef[] = msg.columns.map((c) => ({
      name: c.name,
      typeOid: c.typeOid,
      typeMod: c.typeMod,
      notNull: catalog.get(c.name)?.notNull ?? false,
      primaryKey: hasPrimaryKey
        ? (catalog.get(c.name)?.primaryKey ?? false)
        : (c.flags & 1) === 1 && msg.replicaIdentity !== 'f',
    }));
    this.relations.set(
      msg.relationId,
      new TableSchema(
        this.settings.topicPrefix,
        msg.schema,
        msg.table,
        columns,
        this.settings.decimalHandlingMode,
      ),
    );
    this.logger.info(
      { table: `${msg.schema}.${msg.table}`, columns: columns.length },
      'table schema read from the replication stream',
    );
  }

  private async emit(
    lsn: Lsn,
    relationId: number,
    op: Op,
    oldTuple: TupleData | null,
    newTuple: TupleData | null,
  ): Promise<void> {
    const table = this.relations.get(relationId);
    const txn = this.txn;
    if (table === undefined) throw new Error(`change of relation ${relationId} before its Relation message`);
    if (table === null || txn === null) return;
    const before = oldTuple ? table.row(oldTuple) : null;
    const after = newTuple ? table.row(newTuple, before) : null;
    if (op === 'u' && before && after && table.keySchema && !table.key(before)!.equals(table.key(after))) {
      // A primary key change: Debezium emits a delete of the old key (and its tombstone) and a create.
      await this.push(lsn, table, txn, 'd', before, null);
      await this.push(lsn, table, txn, 'c', null, after);
      return;
    }
    await this.push(lsn, table, txn, op, before, after);
  }

  private async push(
    lsn: Lsn,
    table: TableSchema,
    txn: Transaction,
    op: Op,
    before: Struct | null,
    after: Struct | null,
  ): Promise<void> {
    const info: SourceInfo = {
      server: this.settings.topicPrefix,
      database: this.settings.database,
      tsMs: Math.floor(txn.commitTimeUs / 1000),
      snapshot: 'false',
      txId: txn.xid,
      lsn,
      sequence: JSON.stringify([
        this.lastCommitLsn === null ? null : String(this.lastCommitLsn),
        String(txn.finalLsn),
      ]),
    };
    const records = [changeRecord(table, op, before, after, info, this.offset(lsn, txn, ++txn.recordIndex))];
    if (op === 'd' && this.settings.tombstonesOnDelete && table.keySchema)
      records.push(tombstoneRecord(table, before!, info, this.offset(lsn, txn, ++txn.recordIndex)));
    for (const record of records) {
      const index = (record.sourceOffset as { event_index: number }).event_index;
      // Skip what the stored offsets say was sent before a restart.
      if (
        this.resume &&
        (txn.finalLsn < this.resume.commitLsn ||
          (txn.finalLsn === this.resume.commitLsn && index <= this.resume.recordIndex))
      )
        continue;
      while (this.queue.length >= this.settings.maxQueueSize && !this.stopped)
        await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
      this.queue.push(record);
    }
    if (this.resume && txn.finalLsn > this.resume.commitLsn) this.resume = null;
    this.wakeData();
  }

  private offset(lsn: Lsn, txn: Transaction, index: number): SourceMap {
    return {
      lsn,
      lsn_commit: txn.finalLsn,
      txId: txn.xid,
      ts_usec: txn.commitTimeUs,
      event_index: index,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.spaceWaiters.splice(0)) wake();
    this.wakeData();
    await this.service.destroy().catch(() => {});
  }
}
