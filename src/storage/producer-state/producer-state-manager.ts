import * as fs from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../common/logger.js';
import type { AppendOrigin } from '../append-validator.js';
import { type BatchInfo, batchInfoAt } from '../batch-cursor.js';
import { StorageError } from '../storage-error.js';
import {
  type CompletedTxn,
  type ProducerAppendPlan,
  planProducerAppend,
  producerBatches,
} from './producer-append.js';
import {
  decodeProducerSnapshot,
  encodeProducerSnapshot,
  snapshotFileName,
  snapshotOffsetOf,
} from './producer-snapshot-file.js';
import type { ProducerStateEntry } from './producer-state-entry.js';
import { TxnTracker } from './txn-tracker.js';

/** A transaction a marker ended, with the last stable offset the transaction index records for it. */
export interface AppliedCompletedTxn extends CompletedTxn {
  readonly lastStableOffset: number;
}

/** producer.id.expiration.ms's default: a day. */
export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000;

/**
 * One partition's producer state (Kafka's ProducerStateManager): per producer id its epoch and last
 * five batches, which is what lets a retried batch be recognised and answered with its original
 * offsets. It lives in memory, is written to `<offset>.snapshot` files (Kafka's format) when a
 * segment rolls and when the log closes, and is rebuilt on open from the last snapshot at or below
 * the log end offset plus the batches after it. Producers idle for producer.id.expiration.ms
 * (measured by their last batch's timestamp, as in Kafka) are forgotten, which bounds the memory;
 * a producer with an open transaction is never forgotten. The transactions still open or not yet
 * below the high watermark are tracked for the last stable offset (`txns`).
 */
export class ProducerStateManager {
  private readonly producers = new Map<bigint, ProducerStateEntry>();
  readonly txns = new TxnTracker();

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
    public expirationMs = DEFAULT_PRODUCER_ID_EXPIRATION_MS,
  ) {}

  get producerCount(): number {
    return this.producers.size;
  }

  entry(producerId: bigint): ProducerStateEntry | undefined {
    return this.producers.get(producerId);
  }

  entries(): IterableIterator<ProducerStateEntry> {
    return this.producers.values();
  }

  /**
   * Checks an append's batches (already validated, offsets assigned). Null when no batch carries a
   * producer id: plain producers pay two integer reads per batch. Throws StorageError
   * (OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH, INVALID_RECORD).
   */
  plan(records: Buffer, batches: readonly BatchInfo[], origin: AppendOrigin): ProducerAppendPlan | null {
    const pb = producerBatches(records, batches);
    if (pb.length === 0) return null;
    return planProducerAppend(this.producers, pb, origin);
  }

  /**
   * Installs a plan's entries once its batches are in the log (Kafka's update and completeTxn):
   * the transactions it opens start holding the last stable offset back, those its markers end
   * wait for the high watermark. Returns the ended transactions, for the transaction index.
   */
  apply(plan: ProducerAppendPlan): readonly AppliedCompletedTxn[] {
    if (plan.kind !== 'update') return [];
    for (const [id, e] of plan.updates) this.producers.set(id, e);
    for (const t of plan.startedTxns) this.txns.begin(t);
    if (plan.completedTxns.length === 0) return [];
    const out: AppliedCompletedTxn[] = [];
    for (const c of plan.completedTxns) {
      out.push({ ...c, lastStableOffset: this.txns.lastStableOffsetAfter(c) });
      this.txns.complete(c);
    }
    return out;
  }

  /** Replays one batch read back from the log (loading): no checks, as for replicated batches. */
  replay(batch: Buffer): readonly AppliedCompletedTxn[] {
    const plan = this.plan(batch, [batchInfoAt(batch, 0, 0)], 'replication');
    return plan ? this.apply(plan) : [];
  }

  /** Forgets producers whose last batch is older than producer.id.expiration.ms. Returns how many. */
  removeExpiredProducers(nowMs: number): number {
    let n = 0;
    for (const [id, e] of this.producers) {
      if (e.currentTxnFirstOffset < 0 && nowMs - e.lastTimestamp >= this.expirationMs) {
        this.producers.delete(id);
        n++;
      }
    }
    return n;
  }

  clear(): void {
    this.producers.clear();
    this.txns.clear();
  }

  /** Installs an entry read from a snapshot (Kafka's loadProducerEntry): its open transaction is tracked again. */
  private loadEntry(e: ProducerStateEntry): void {
    this.producers.set(e.producerId, e);
    if (e.currentTxnFirstOffset >= 0)
      this.txns.begin({ producerId: e.producerId, firstOffset: e.currentTxnFirstOffset });
  }

  /**
   * Writes `<offset>.snapshot` with the current state (which must cover exactly the offsets below
   * it), renamed into place whole so a crash leaves the old file or the new one, never half of one.
   * The fsync runs off the event loop afterwards, as Kafka flushes a roll's snapshot with the
   * rolled segment: a snapshot lost or torn by a machine crash fails its CRC and the state is
   * rebuilt from the one before.
   */
  takeSnapshot(offset: number): void {
    const path = join(this.dir, snapshotFileName(offset));
    const tmp = `${path}.tmp`;
    fs.writeFileSync(tmp, encodeProducerSnapshot(this.producers.values()));
    fs.renameSync(tmp, path);
    fsyncInBackground(path).catch((err: unknown) => {
      // Deleted meanwhile (retention, truncation) is fine; anything else the next flush will meet.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.logger.warn({ err, snapshot: path }, 'could not fsync a producer state snapshot');
    });
  }

  /**
   * takeSnapshot with its fsync off the event loop (a clean close of many partitions must not
   * block on one fsync each).
   */
  async takeSnapshotAsync(offset: number): Promise<void> {
    const path = join(this.dir, snapshotFileName(offset));
    const tmp = `${path}.tmp`;
    const file = await fs.promises.open(tmp, 'w');
    try {
      await file.writeFile(encodeProducerSnapshot(this.producers.values()));
      await file.sync();
    } finally {
      await file.close();
    }
    await fs.promises.rename(tmp, path);
  }

  /** Offsets of the snapshot files in the directory, ascending. */
  snapshotOffsets(): number[] {
    const out: number[] = [];
    for (const name of fs.readdirSync(this.dir)) {
      if (name.endsWith('.snapshot.tmp')) fs.rmSync(join(this.dir, name), { force: true });
      const o = snapshotOffsetOf(name);
      if (o !== null) out.push(o);
    }
    return out.sort((a, b) => a - b);
  }

  /** Kafka's deleteSnapshotsBefore: snapshots below the log start offset describe nothing left. */
  deleteSnapshotsBefore(offset: number): void {
    for (const o of this.snapshotOffsets()) if (o < offset) this.deleteSnapshot(o);
  }

  /** Deletes every snapshot above `offset` (after truncation or a torn tail). */
  deleteSnapshotsAfter(offset: number): void {
    for (const o of this.snapshotOffsets()) if (o > offset) this.deleteSnapshot(o);
  }

  private deleteSnapshot(offset: number): void {
    fs.rmSync(join(this.dir, snapshotFileName(offset)), { force: true });
  }

  /**
   * Loads the latest readable snapshot at or below `logEndOffset` (Kafka's truncateAndReload),
   * or at or below `atMost` when that is lower (a replay must cover recovered segments), dropping
   * snapshots past the log end and corrupt ones, and the producers already expired. Returns the
   * offset from which the log must be replayed: the snapshot's, or 0 when there is none (the
   * caller starts at the log start offset).
   */
  load(logEndOffset: number, nowMs: number, atMost = logEndOffset): number {
    this.clear();
    this.deleteSnapshotsAfter(logEndOffset);
    const offsets = this.snapshotOffsets();
    for (let i = offsets.length - 1; i >= 0; i--) {
      const o = offsets[i]!;
      const name = snapshotFileName(o);
      try {
        const entries = decodeProducerSnapshot(fs.readFileSync(join(this.dir, name)), name);
        // Checked (a corrupt one is deleted all the same) but not used: the replay starts lower.
        if (o > atMost) continue;
        for (const e of entries) this.loadEntry(e);
        this.removeExpiredProducers(nowMs);
        return o;
      } catch (e) {
        if (!(e instanceof StorageError)) throw e;
        this.logger.warn({ err: e, snapshot: name }, 'deleting a corrupt producer state snapshot');
        this.clear();
        this.deleteSnapshot(o);
      }
    }
    return 0;
  }
}

async function fsyncInBackground(path: string): Promise<void> {
  const file = await fs.promises.open(path, 'r');
  try {
    await file.sync();
  } finally {
    await file.close();
  }
}
