import type { Logger } from '../../common/logger.js';
import type { MetadataRecord } from '../controller/metadata-record.js';
import { decodeMetadataBatch, encodeMetadataBatch } from '../metadata-batch-codec.js';
import {
  type MetadataBatch,
  type MetadataLog,
  MetadataLogMovedError,
  MetadataLogTruncatedError,
  MetadataWriterFencedError,
} from '../metadata-log.js';
import {
  type Compare,
  EtcdError,
  type EtcdKv,
  type EtcdWatch,
  type KeyValue,
  type TxnOp,
} from './etcd-kv.js';
import { EtcdMetadataKeys } from './etcd-metadata-keys.js';

const RECORDS_PER_SNAPSHOT_CHUNK = 1000;
/** Keys read per range request while replaying: bounds one answer's size. */
const KEYS_PER_PAGE = 256;
/** Snapshot chunks put per etcd transaction, so each request stays far below etcd's 1.5 MiB default. */
const SNAPSHOT_CHUNK_BYTES_PER_TXN = 512 * 1024;
const WATCH_RETRY_MS = 1000;

export interface EtcdMetadataLogOptions {
  readonly kv: EtcdKv;
  /** Every key lives under this prefix (`metadata.etcd.prefix`), so clusters can share an etcd. */
  readonly prefix: string;
  readonly logger: Logger;
  /**
   * Comparisons added to every append's transaction: the active controller's election key, so a
   * deposed controller's append fails in etcd itself instead of racing its successor.
   */
  readonly guard?: () => Compare[];
  readonly now?: () => number;
}

interface SnapshotPointer {
  readonly lastOffset: bigint;
  readonly chunks: number;
  readonly modRevision: bigint;
}

/**
 * The metadata log of a cluster, kept in etcd as one ordered log of Kafka record batches (one per
 * controller operation, the bytes the local log holds):
 *
 * - `<prefix>/metadata/head` holds the next offset; `<prefix>/metadata/log/<base offset>` a batch.
 *   An append is one etcd transaction that puts the batch and the new head only if the head still
 *   holds the offset this writer read, so two writers can never both append at one offset, and a
 *   writer that lost the race learns it (MetadataLogMovedError) and reads before deciding again.
 * - Readers watch the head key and read the batches after their offset; every broker applies the
 *   same batches in the same order.
 * - `<prefix>/metadata/snapshot` points at the newest snapshot (`snapshots/<last offset>/<chunk>`);
 *   writing one drops the batches that the previous snapshot covered, so a joining broker replays
 *   one snapshot and at most two snapshots' worth of batches, and a broker that lags by less than
 *   one snapshot interval still finds every batch it has not read.
 */
export class EtcdMetadataLog implements MetadataLog {
  bytesSinceSnapshot = 0;
  private nextOffset = 0n;
  private watcher: EtcdWatch | null = null;
  private watchRetry: NodeJS.Timeout | null = null;
  private lastSeenRevision = 0n;
  private closed = false;
  private readonly keys: EtcdMetadataKeys;
  private readonly kv: EtcdKv;
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(private readonly options: EtcdMetadataLogOptions) {
    this.kv = options.kv;
    this.keys = new EtcdMetadataKeys(options.prefix);
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
  }

  async append(records: readonly MetadataRecord[]): Promise<bigint> {
    const base = this.nextOffset;
    const batch = encodeMetadataBatch(records, base, this.now());
    const next = base + BigInt(records.length);
    const headIsOurs: Compare =
      base === 0n
        ? { key: this.keys.head, target: 'VERSION', result: 'EQUAL', revision: 0n }
        : { key: this.keys.head, target: 'VALUE', result: 'EQUAL', value: offsetValue(base) };
    const res = await this.kv.txn({
      compare: [headIsOurs, ...(this.options.guard?.() ?? [])],
      success: [
        { put: { key: this.keys.batch(base), value: batch } },
        { put: { key: this.keys.head, value: offsetValue(next) } },
      ],
    });
    if (!res.succeeded) {
      // The head or the guard failed; only a head that moved is worth deciding again.
      const head = await this.kv.range({ key: this.keys.head });
      const moved = base === 0n ? head.kvs.length > 0 : !head.kvs[0]?.value.equals(offsetValue(base));
      if (moved || !this.options.guard) throw new MetadataLogMovedError(base);
      throw new MetadataWriterFencedError();
    }
    this.nextOffset = next;
    this.lastSeenRevision = res.revision;
    this.bytesSinceSnapshot += batch.length;
    return next - 1n;
  }

  async replay(apply: (record: MetadataRecord, offset: bigint) => void): Promise<void> {
    const pointerRes = await this.kv.range({ key: this.keys.snapshotPointer });
    // Every later read is as of this revision: one consistent state even while others append.
    const revision = pointerRes.revision;
    const pointer = parsePointer(pointerRes.kvs[0]);
    let after = -1n;
    if (pointer) {
      after = pointer.lastOffset;
      const prefix = this.keys.snapshotChunks(pointer.lastOffset);
      for await (const kv of this.scan(prefix.start, prefix.end, revision)) {
        for (const { record } of decodeMetadataBatch(kv.value)) apply(record, after);
      }
      this.logger.info(
        { offset: Number(after), chunks: pointer.chunks },
        'metadata snapshot loaded from etcd',
      );
    }
    this.nextOffset = after + 1n;
    const log = this.keys.batchesFrom(this.nextOffset);
    for await (const kv of this.scan(log.start, log.end, revision)) {
      this.bytesSinceSnapshot += kv.value.length;
      this.applyBatch(kv, apply);
    }
    this.lastSeenRevision = revision;
  }

  async readNew(): Promise<MetadataBatch[]> {
    const out: MetadataBatch[] = [];
    const log = this.keys.batchesFrom(this.nextOffset);
    for await (const kv of this.scan(log.start, log.end)) {
      const records: MetadataRecord[] = [];
      this.applyBatch(kv, (r) => records.push(r));
      this.bytesSinceSnapshot += kv.value.length;
      out.push({ records, lastOffset: this.nextOffset - 1n });
    }
    return out;
  }

  /** Checks that `kv` is the batch at the next offset, passes its records on and moves past it. */
  private applyBatch(kv: KeyValue, apply: (record: MetadataRecord, offset: bigint) => void): void {
    const base = this.keys.baseOffsetOf(kv.key);
    if (base !== this.nextOffset) throw new MetadataLogTruncatedError(this.nextOffset, base);
    const decoded = decodeMetadataBatch(kv.value);
    for (const { record, offset } of decoded) apply(record, offset);
    this.nextOffset = base + BigInt(decoded.length);
  }

  watch(onAppended: () => void): void {
    const start = (): void => {
      if (this.closed) return;
      this.watcher = this.kv.watch(
        { key: this.keys.head, startRevision: this.lastSeenRevision + 1n },
        (revision) => {
          if (revision > this.lastSeenRevision) this.lastSeenRevision = revision;
          onAppended();
        },
        (err) => {
          this.watcher = null;
          if (this.closed) return;
          // Whatever ended the watch, the reader may have missed appends: it reads again once
          // the watch is back. A compacted start revision only means "start from now".
          if (err.compacted) this.lastSeenRevision = 0n;
          this.logger.warn({ err: err.message }, 'etcd watch of the metadata log ended; watching again');
          this.watchRetry = setTimeout(() => {
            this.watchRetry = null;
            start();
            onAppended();
          }, WATCH_RETRY_MS);
          this.watchRetry.unref();
        },
      );
    };
    start();
  }

  async writeSnapshot(records: readonly MetadataRecord[], lastOffset: bigint): Promise<void> {
    const pointerRes = await this.kv.range({ key: this.keys.snapshotPointer });
    const previous = parsePointer(pointerRes.kvs[0]);
    if (previous && previous.lastOffset >= lastOffset) return;
    const chunks: Buffer[] = [];
    for (let i = 0; i < records.length; i += RECORDS_PER_SNAPSHOT_CHUNK) {
      chunks.push(
        encodeMetadataBatch(records.slice(i, i + RECORDS_PER_SNAPSHOT_CHUNK), BigInt(i), this.now()),
      );
    }
    let puts: TxnOp[] = [];
    let bytes = 0;
    const flush = async (): Promise<void> => {
      if (puts.length > 0) await this.kv.txn({ compare: [], success: puts });
      puts = [];
      bytes = 0;
    };
    for (const [i, chunk] of chunks.entries()) {
      if (bytes + chunk.length > SNAPSHOT_CHUNK_BYTES_PER_TXN) await flush();
      puts.push({ put: { key: this.keys.snapshotChunk(lastOffset, i), value: chunk } });
      bytes += chunk.length;
    }
    await flush();
    const dropped: TxnOp[] = [];
    if (previous) {
      // Keep the batches after the previous snapshot: a reader up to one snapshot interval behind
      // still reads on without reloading.
      dropped.push({
        deleteRange: { key: this.keys.batch(0n), rangeEnd: this.keys.batch(previous.lastOffset + 1n) },
      });
      const old = this.keys.snapshotChunks(previous.lastOffset);
      dropped.push({ deleteRange: { key: old.start, rangeEnd: old.end } });
    }
    const res = await this.kv.txn({
      compare: [
        {
          key: this.keys.snapshotPointer,
          target: 'MOD',
          result: 'EQUAL',
          revision: previous?.modRevision ?? 0n,
        },
        ...(this.options.guard?.() ?? []),
      ],
      success: [
        {
          put: {
            key: this.keys.snapshotPointer,
            value: Buffer.from(JSON.stringify({ lastOffset: lastOffset.toString(), chunks: chunks.length })),
          },
        },
        ...dropped,
      ],
    });
    if (!res.succeeded) {
      // Another writer's snapshot won; ours is garbage.
      const ours = this.keys.snapshotChunks(lastOffset);
      await this.kv.txn({ compare: [], success: [{ deleteRange: { key: ours.start, rangeEnd: ours.end } }] });
      return;
    }
    this.bytesSinceSnapshot = 0;
    this.logger.info(
      { offset: Number(lastOffset), records: records.length },
      'metadata snapshot written to etcd',
    );
  }

  /** Every key in `[start, end)`, in key order, a page at a time, as of `revision` when given. */
  private async *scan(start: Buffer, end: Buffer, revision?: bigint): AsyncGenerator<KeyValue> {
    let from = start;
    for (;;) {
      const page = await this.kv.range({
        key: from,
        rangeEnd: end,
        limit: KEYS_PER_PAGE,
        ...(revision ? { revision } : {}),
      });
      for (const kv of page.kvs) yield kv;
      if (!page.more || page.kvs.length === 0) return;
      from = Buffer.concat([page.kvs.at(-1)!.key, Buffer.from([0])]);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.cancel();
    if (this.watchRetry) clearTimeout(this.watchRetry);
    await this.kv.close();
  }
}

/** Offsets are stored as 20-digit decimals: compared as strings they order as numbers. */
function offsetValue(offset: bigint): Buffer {
  return Buffer.from(offset.toString().padStart(20, '0'));
}

function parsePointer(kv: KeyValue | undefined): SnapshotPointer | undefined {
  if (!kv) return undefined;
  let parsed: { lastOffset?: unknown; chunks?: unknown };
  try {
    parsed = JSON.parse(kv.value.toString('utf8')) as typeof parsed;
  } catch (err) {
    throw new EtcdError('the metadata snapshot pointer in etcd is not JSON', undefined, { cause: err });
  }
  if (typeof parsed.lastOffset !== 'string' || typeof parsed.chunks !== 'number')
    throw new EtcdError('the metadata snapshot pointer in etcd lacks lastOffset or chunks');
  return { lastOffset: BigInt(parsed.lastOffset), chunks: parsed.chunks, modRevision: kv.modRevision };
}
