import * as fs from 'node:fs';
import type { FileHandleCache } from './file-handle-cache.js';
import { LogFile } from './file-handle-cache.js';

const PERSIST_BATCH_ENTRIES = 512;

/**
 * The part shared by the offset and time indexes: fixed-size big-endian entries, appended to the
 * file with positional writes and mirrored in memory. The memory copy is read from the file on first
 * use, so opening thousands of partitions reads no index. Unlike Kafka we do not preallocate the file
 * to segment.index.bytes, so its size is always a whole number of entries after a clean stop.
 */
export abstract class IndexFile {
  readonly baseOffset: number;
  readonly file: LogFile;
  protected readonly entryBytes: number;
  protected maxEntries: number;
  private mem: Buffer | null = null;
  private count = 0;
  /** Entries already written to the file; the rest are written in bulk (see persist). */
  private persisted = 0;

  constructor(
    cache: FileHandleCache,
    path: string,
    baseOffset: number,
    entryBytes: number,
    maxBytes: number,
  ) {
    this.file = new LogFile(cache, path);
    this.baseOffset = baseOffset;
    this.entryBytes = entryBytes;
    this.maxEntries = Math.max(1, Math.floor(maxBytes / entryBytes));
    this.missingAtOpen = !fs.existsSync(path);
    if (this.missingAtOpen) fs.writeFileSync(path, Buffer.alloc(0));
  }

  /** The file did not exist when opened (then the segment rebuilds it from the log). */
  readonly missingAtOpen: boolean;

  setMaxBytes(maxBytes: number): void {
    this.maxEntries = Math.max(1, Math.floor(maxBytes / this.entryBytes));
  }

  /** Whether the file holds whole entries; a cheap check that needs no read. */
  sizeLooksValid(): boolean {
    return fs.statSync(this.file.path).size % this.entryBytes === 0;
  }

  get entries(): number {
    this.load();
    return this.count;
  }

  isFull(): boolean {
    return this.entries >= this.maxEntries;
  }

  /** The entries as read from disk; the segment sanity-checks them before trusting them. */
  protected load(): Buffer {
    if (this.mem !== null) return this.mem;
    const size = this.file.size();
    const whole = size - (size % this.entryBytes);
    const buf = Buffer.alloc(Math.max(whole, this.entryBytes * 16));
    this.file.readInto(buf.subarray(0, whole), 0);
    this.mem = buf;
    this.count = whole / this.entryBytes;
    this.persisted = this.count;
    return buf;
  }

  protected entryAt(i: number): Buffer {
    const at = i * this.entryBytes;
    return this.load().subarray(at, at + this.entryBytes);
  }

  protected appendEntry(entry: Buffer): void {
    let mem = this.load();
    const at = this.count * this.entryBytes;
    if (at + this.entryBytes > mem.length) {
      const bigger = Buffer.alloc(mem.length * 2);
      mem.copy(bigger, 0, 0, at);
      this.mem = mem = bigger;
    }
    entry.copy(mem, at);
    this.count++;
    if (this.count - this.persisted >= PERSIST_BATCH_ENTRIES) this.persist();
  }

  /**
   * Writes entries not yet in the file. Kafka keeps indexes in mmap'd memory the OS writes back;
   * we keep them in memory and write them in bulk, at flush, roll, close and every
   * PERSIST_BATCH_ENTRIES. An index shorter than its log after a crash is still correct (lookups
   * scan forward from the last entry), and recovery rebuilds it anyway.
   */
  persist(): void {
    if (this.mem === null || this.persisted >= this.count) return;
    const from = this.persisted * this.entryBytes;
    this.file.writeAt(this.mem.subarray(from, this.count * this.entryBytes), from);
    this.persisted = this.count;
  }

  /** Largest i with key(i) <= target, or -1; keys are non-decreasing. */
  protected floorIndex(target: number, key: (i: number) => number): number {
    let lo = 0;
    let hi = this.entries - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (key(mid) <= target) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Keeps the first `n` entries. */
  protected truncateEntries(n: number): void {
    this.load();
    if (n >= this.count) return;
    this.count = n;
    if (this.persisted > n) {
      this.persisted = n;
      this.file.truncate(n * this.entryBytes);
    }
  }

  reset(): void {
    this.mem = Buffer.alloc(this.entryBytes * 16);
    this.count = 0;
    this.persisted = 0;
    this.file.truncate(0);
  }

  /** Drops the memory copy; the next use reads the file again. */
  unload(): void {
    this.persist();
    this.mem = null;
    this.count = 0;
  }

  /** Writes the memory copy to the file and fsyncs it, on the event loop. */
  writeAndSyncNow(): void {
    this.persist();
    this.file.syncNow();
  }

  /** Writes the memory copy to the file and fsyncs it off the event loop. */
  async writeAndSync(): Promise<void> {
    this.persist();
    await this.file.sync();
  }

  close(): void {
    this.persist();
    this.file.close();
  }

  delete(): void {
    this.file.delete();
  }

  deleteInBackground(): Promise<void> {
    return this.file.deleteInBackground();
  }
}

/** `.index`: relative offset int32 + position int32, mapping a batch's last offset to its position. */
export class OffsetIndex extends IndexFile {
  constructor(cache: FileHandleCache, path: string, baseOffset: number, maxBytes: number) {
    super(cache, path, baseOffset, 8, maxBytes);
  }

  // Read in place, without a view per entry: every fetch runs a binary search here.
  private offsetAt(i: number): number {
    return this.baseOffset + this.load().readInt32BE(i * this.entryBytes);
  }

  private positionAt(i: number): number {
    return this.load().readInt32BE(i * this.entryBytes + 4);
  }

  lastOffset(): number {
    return this.entries === 0 ? this.baseOffset : this.offsetAt(this.entries - 1);
  }

  append(offset: number, position: number): void {
    if (this.entries > 0 && offset <= this.lastOffset()) return;
    const e = Buffer.allocUnsafe(8);
    e.writeInt32BE(offset - this.baseOffset, 0);
    e.writeInt32BE(position, 4);
    this.appendEntry(e);
  }

  /** The entry with the largest offset <= target; (baseOffset, 0) when there is none. */
  lookup(offset: number): { offset: number; position: number } {
    const i = this.floorIndex(offset, (j) => this.offsetAt(j));
    return i < 0
      ? { offset: this.baseOffset, position: 0 }
      : { offset: this.offsetAt(i), position: this.positionAt(i) };
  }

  /** Removes entries for offsets >= `offset`. */
  truncateTo(offset: number): void {
    this.truncateEntries(this.floorIndex(offset - 1, (j) => this.offsetAt(j)) + 1);
  }

  /** Offsets strictly increasing, positions non-decreasing and inside the log. */
  sanityCheck(logBytes: number): boolean {
    let prevOffset = -1;
    let prevPos = -1;
    for (let i = 0; i < this.entries; i++) {
      const o = this.entryAt(i).readInt32BE(0);
      const p = this.positionAt(i);
      if (o <= prevOffset || o < 0 || p < prevPos || p >= logBytes) return false;
      prevOffset = o;
      prevPos = p;
    }
    return true;
  }
}

/** `.timeindex`: timestamp int64 + relative offset int32 (KIP-33). */
export class TimeIndex extends IndexFile {
  constructor(cache: FileHandleCache, path: string, baseOffset: number, maxBytes: number) {
    super(cache, path, baseOffset, 12, maxBytes);
  }

  private timestampAt(i: number): number {
    return Number(this.entryAt(i).readBigInt64BE(0));
  }

  private offsetAt(i: number): number {
    return this.baseOffset + this.entryAt(i).readInt32BE(8);
  }

  lastEntry(): { timestamp: number; offset: number } {
    const n = this.entries;
    return n === 0
      ? { timestamp: -1, offset: this.baseOffset }
      : { timestamp: this.timestampAt(n - 1), offset: this.offsetAt(n - 1) };
  }

  /** Appends only when the timestamp grows, as Kafka's TimeIndex.maybeAppend. */
  maybeAppend(timestamp: number, offset: number): void {
    const last = this.lastEntry();
    if (this.entries > 0 && (timestamp <= last.timestamp || offset < last.offset)) return;
    const e = Buffer.allocUnsafe(12);
    e.writeBigInt64BE(BigInt(timestamp), 0);
    e.writeInt32BE(offset - this.baseOffset, 8);
    this.appendEntry(e);
  }

  /** The entry with the largest timestamp <= target; (-1, baseOffset) when there is none. */
  lookup(timestamp: number): { timestamp: number; offset: number } {
    const i = this.floorIndex(timestamp, (j) => this.timestampAt(j));
    return i < 0
      ? { timestamp: -1, offset: this.baseOffset }
      : { timestamp: this.timestampAt(i), offset: this.offsetAt(i) };
  }

  truncateTo(offset: number): void {
    let n = this.entries;
    while (n > 0 && this.offsetAt(n - 1) >= offset) n--;
    this.truncateEntries(n);
  }

  sanityCheck(): boolean {
    let prevTs = Number.NEGATIVE_INFINITY;
    let prevOffset = -1;
    for (let i = 0; i < this.entries; i++) {
      const t = this.timestampAt(i);
      const o = this.entryAt(i).readInt32BE(8);
      if (t < prevTs || o < prevOffset || o < 0) return false;
      prevTs = t;
      prevOffset = o;
    }
    return true;
  }
}
