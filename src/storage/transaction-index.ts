import * as fs from 'node:fs';

export const TXN_INDEX_SUFFIX = '.txnindex';

/** Kafka's AbortedTxn entry: version int16, producerId int64, firstOffset, lastOffset, lastStableOffset int64. */
export const ABORTED_TXN_BYTES = 34;
const ABORTED_TXN_VERSION = 0;

/** One aborted transaction (Kafka's AbortedTxn): its producer, first offset, marker offset and the LSO when it ended. */
export interface AbortedTxn {
  readonly producerId: bigint;
  readonly firstOffset: number;
  /** The offset of the ABORT marker. */
  readonly lastOffset: number;
  /** The last stable offset once the marker was written: how far a reader must look for later aborts. */
  readonly lastStableOffset: number;
}

export function encodeAbortedTxn(t: AbortedTxn, into = Buffer.alloc(ABORTED_TXN_BYTES), at = 0): Buffer {
  into.writeInt16BE(ABORTED_TXN_VERSION, at);
  into.writeBigInt64BE(t.producerId, at + 2);
  into.writeBigInt64BE(BigInt(t.firstOffset), at + 10);
  into.writeBigInt64BE(BigInt(t.lastOffset), at + 18);
  into.writeBigInt64BE(BigInt(t.lastStableOffset), at + 26);
  return into;
}

/** Reads every whole entry of a .txnindex file's bytes (a torn trailing entry is ignored). */
export function decodeAbortedTxns(bytes: Buffer): AbortedTxn[] {
  const out: AbortedTxn[] = [];
  for (let at = 0; at + ABORTED_TXN_BYTES <= bytes.length; at += ABORTED_TXN_BYTES) {
    out.push({
      producerId: bytes.readBigInt64BE(at + 2),
      firstOffset: Number(bytes.readBigInt64BE(at + 10)),
      lastOffset: Number(bytes.readBigInt64BE(at + 18)),
      lastStableOffset: Number(bytes.readBigInt64BE(at + 26)),
    });
  }
  return out;
}

/**
 * A segment's aborted-transaction index, `<base>.txnindex` (Kafka's TransactionIndex): one entry
 * per transaction aborted by a marker in the segment, in marker order. Read_committed fetches
 * collect from it the aborted transactions their range overlaps. Aborts are rare, so the file
 * exists only once one is written, is read when asked, and is written with plain system calls.
 */
export class TransactionIndex {
  /** Bytes in the file; null until first needed (most segments have no file: one stat then). */
  private bytes: number | null = null;
  private lastOffset = -1;
  private dirty = false;

  constructor(public path: string) {}

  private size(): number {
    if (this.bytes === null) {
      try {
        this.bytes = fs.statSync(this.path).size;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        this.bytes = 0;
      }
      if (this.bytes > 0) this.lastOffset = this.all().at(-1)?.lastOffset ?? -1;
    }
    return this.bytes;
  }

  get isEmpty(): boolean {
    return this.size() < ABORTED_TXN_BYTES;
  }

  /** Appends an entry; its marker must come after the last one's (Kafka refuses otherwise too). */
  append(t: AbortedTxn): void {
    const size = this.size();
    if (t.lastOffset < this.lastOffset) {
      throw new Error(
        `aborted transaction ending at ${t.lastOffset} appended after one ending at ${this.lastOffset} in ${this.path}`,
      );
    }
    // A torn entry left by a crash is cut off first, so entries stay aligned.
    const whole = size - (size % ABORTED_TXN_BYTES);
    const fd = fs.openSync(this.path, fs.constants.O_WRONLY | fs.constants.O_CREAT);
    try {
      if (whole !== size) fs.ftruncateSync(fd, whole);
      fs.writeSync(fd, encodeAbortedTxn(t), 0, ABORTED_TXN_BYTES, whole);
    } finally {
      fs.closeSync(fd);
    }
    this.bytes = whole + ABORTED_TXN_BYTES;
    this.lastOffset = t.lastOffset;
    this.dirty = true;
  }

  /** Every entry, oldest first. */
  all(): AbortedTxn[] {
    if (this.bytes === 0) return [];
    try {
      return decodeAbortedTxns(fs.readFileSync(this.path));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  /**
   * The aborted transactions overlapping [fetchOffset, upperBoundOffset) (Kafka's
   * TransactionIndex.collectAbortedTxns), and whether the search is complete: an entry whose last
   * stable offset reaches the upper bound means no later segment can hold an abort that overlaps.
   */
  collect(fetchOffset: number, upperBoundOffset: number): { txns: AbortedTxn[]; complete: boolean } {
    const txns: AbortedTxn[] = [];
    if (this.isEmpty) return { txns, complete: false };
    for (const t of this.all()) {
      if (t.lastOffset >= fetchOffset && t.firstOffset < upperBoundOffset) txns.push(t);
      if (t.lastStableOffset >= upperBoundOffset) return { txns, complete: true };
    }
    return { txns, complete: false };
  }

  /** Removes the entries whose marker is at or after `offset` (the segment is truncated there). */
  truncateTo(offset: number): void {
    if (this.isEmpty) return;
    const entries = this.all();
    const keep = entries.findIndex((t) => t.lastOffset >= offset);
    if (keep < 0) return;
    fs.truncateSync(this.path, keep * ABORTED_TXN_BYTES);
    this.bytes = keep * ABORTED_TXN_BYTES;
    this.lastOffset = keep > 0 ? entries[keep - 1]!.lastOffset : -1;
    this.dirty = true;
  }

  /** Empties the index (its segment is recovered and the entries written again). */
  reset(): void {
    fs.rmSync(this.path, { force: true });
    this.bytes = 0;
    this.lastOffset = -1;
    this.dirty = false;
  }

  /** fsyncs the file if it changed since the last sync. */
  syncNow(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const fd = openIfExists(this.path);
    if (fd === null) return;
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  async sync(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    let file: fs.promises.FileHandle;
    try {
      file = await fs.promises.open(this.path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    try {
      await file.sync();
    } finally {
      await file.close();
    }
  }

  /** Renames the file, if there is one. */
  renameTo(path: string): void {
    try {
      fs.renameSync(this.path, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    this.path = path;
  }

  delete(): void {
    fs.rmSync(this.path, { force: true });
    this.bytes = 0;
  }

  async deleteInBackground(): Promise<void> {
    await fs.promises.rm(this.path, { force: true });
    this.bytes = 0;
  }
}

function openIfExists(path: string): number | null {
  try {
    return fs.openSync(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
