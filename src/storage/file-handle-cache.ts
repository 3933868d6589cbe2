import * as fs from 'node:fs';

/** Buffers queued for one writev at most: under the kernel's IOV_MAX (1024) with room to spare. */
const MAX_QUEUED_WRITES = 256;

/**
 * Bounds the number of open file descriptors across all partitions: files open on first use and
 * the least recently used idle ones close when the limit is reached. Files with an asynchronous
 * operation in flight (an fsync, a FileSlice read) are pinned and may exceed the bound briefly;
 * the excess closes when they finish. Every access goes through
 * positional reads and writes, so a file reopened later needs no seek state.
 */
export class FileHandleCache {
  readonly maxOpen: number;
  /** Map iteration order is insertion order: the first entry is the least recently used. */
  private readonly open = new Map<LogFile, number>();

  constructor(maxOpen = 1024) {
    this.maxOpen = Math.max(4, maxOpen);
  }

  get openCount(): number {
    return this.open.size;
  }

  /** @internal Returns an open fd for `file`, opening it (and evicting another) if needed. */
  acquire(file: LogFile): number {
    const fd = this.open.get(file);
    if (fd !== undefined) {
      this.open.delete(file);
      this.open.set(file, fd);
      return fd;
    }
    this.evict();
    const opened = fs.openSync(file.path, 'r+');
    this.open.set(file, opened);
    return opened;
  }

  /** @internal */
  release(file: LogFile): void {
    const fd = this.open.get(file);
    if (fd === undefined) return;
    this.open.delete(file);
    fs.closeSync(fd);
  }

  /** @internal Closes idle files beyond the bound (after pinned ones were released). */
  trim(): void {
    if (this.open.size <= this.maxOpen) return;
    for (const [f, fd] of this.open) {
      if (this.open.size <= this.maxOpen) return;
      if (f.pins > 0) continue;
      this.open.delete(f);
      fs.closeSync(fd);
    }
  }

  private evict(): void {
    if (this.open.size < this.maxOpen) return;
    for (const [f, fd] of this.open) {
      if (f.pins > 0) continue;
      this.open.delete(f);
      fs.closeSync(fd);
      if (this.open.size < this.maxOpen) return;
    }
  }
}

/**
 * One segment or index file. The fd comes from the shared cache; an asynchronous operation pins
 * the fd so eviction cannot close it underneath. Renames keep the fd valid, so readers that hold a
 * FileSlice of a segment being deleted or swapped still read the old bytes.
 */
export class LogFile {
  path: string;
  /** @internal Asynchronous operations in flight, and queued writes. */
  pins = 0;
  private readonly cache: FileHandleCache;
  /** Writes queued by `queueWrite`: contiguous bytes from `queuedFrom`, not in the file yet. */
  private queued: Uint8Array[] = [];
  private queuedLength = 0;
  private queuedFrom = 0;

  constructor(cache: FileHandleCache, path: string) {
    this.cache = cache;
    this.path = path;
  }

  /** Creates (or truncates) the file on disk and returns a handle to it. */
  static create(cache: FileHandleCache, path: string): LogFile {
    fs.closeSync(fs.openSync(path, 'w'));
    return new LogFile(cache, path);
  }

  size(): number {
    this.writeQueued();
    return fs.fstatSync(this.cache.acquire(this)).size;
  }

  /**
   * Queues `data` for `position`, written by the next `writeQueued()` (which every other operation
   * on this file runs first), so that appends of one turn of the event loop reach the kernel in one
   * writev: sixteen 16 KiB batches written at once cost about half the CPU of sixteen writes.
   */
  queueWrite(data: Uint8Array, position: number): void {
    if (this.queued.length > 0 && position !== this.queuedFrom + this.queuedLength) this.writeQueued();
    if (this.queued.length === 0) {
      this.queuedFrom = position;
      // Pinned: eviction must not close the fd while bytes wait for it.
      this.pins++;
    }
    this.queued.push(data);
    this.queuedLength += data.length;
    if (this.queued.length >= MAX_QUEUED_WRITES) this.writeQueued();
  }

  get hasQueuedWrites(): boolean {
    return this.queued.length > 0;
  }

  /**
   * Told, after a failed write of the queued bytes, the position they began at (where the file was
   * cut back to): the segment drops what it counted of them, so it describes the file again.
   */
  onQueuedWriteFailed: ((from: number) => void) | null = null;

  /** Bytes queued by `queueWrite` and not yet written. */
  get queuedBytes(): number {
    return this.queuedLength;
  }

  /**
   * Writes what `queueWrite` queued. On failure the file is cut back to where the queued bytes
   * began, `onQueuedWriteFailed` is told, and the descriptor is closed (unless an operation in
   * flight holds it), so a retry after the disk was fixed opens the file afresh.
   */
  writeQueued(): void {
    if (this.queued.length === 0) return;
    const bufs = this.queued;
    const from = this.queuedFrom;
    const total = this.queuedLength;
    this.queued = [];
    this.queuedLength = 0;
    let fd = -1;
    try {
      fd = this.cache.acquire(this);
      let done = fs.writevSync(fd, bufs, from);
      if (done < total) {
        // A short write (rare for regular files): finish it from one joined copy.
        const all = Buffer.concat(bufs);
        while (done < total) done += fs.writeSync(fd, all, done, total - done, from + done);
      }
    } catch (e) {
      if (fd >= 0) {
        try {
          fs.ftruncateSync(fd, from);
        } catch {}
      }
      this.onQueuedWriteFailed?.(from);
      // Last: the segment may have read the file above (rescanning its timestamps).
      if (this.pins === 1) this.cache.release(this);
      throw e;
    } finally {
      this.unpin();
    }
  }

  /** Reads up to `length` bytes at `position`; fewer at the end of the file. */
  readAt(position: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    const n = this.readInto(buf, position);
    return n === length ? buf : buf.subarray(0, n);
  }

  readInto(buf: Buffer, position: number): number {
    this.writeQueued();
    const fd = this.cache.acquire(this);
    let done = 0;
    while (done < buf.length) {
      const n = fs.readSync(fd, buf, done, buf.length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  async readAtAsync(position: number, length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(length);
    const n = await this.readIntoAsync(buf, position);
    return n === length ? buf : buf.subarray(0, n);
  }

  /** Fills `buf` from `position` off the event loop; returns the bytes read (fewer at the end). */
  async readIntoAsync(buf: Buffer, position: number): Promise<number> {
    this.writeQueued();
    const fd = this.cache.acquire(this);
    this.pins++;
    try {
      let done = 0;
      while (done < buf.length) {
        const { bytesRead } = await readAsync(fd, buf, done, buf.length - done, position + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done;
    } finally {
      this.unpin();
    }
  }

  private unpin(): void {
    this.pins--;
    if (this.pins === 0) this.cache.trim();
  }

  writeAt(data: Uint8Array, position: number): void {
    this.writeQueued();
    const fd = this.cache.acquire(this);
    let done = 0;
    while (done < data.length) {
      done += fs.writeSync(fd, data, done, data.length - done, position + done);
    }
  }

  truncate(length: number): void {
    this.writeQueued();
    fs.ftruncateSync(this.cache.acquire(this), length);
  }

  syncNow(): void {
    this.writeQueued();
    fs.fdatasyncSync(this.cache.acquire(this));
  }

  /** fdatasync off the event loop, so appends can continue (and queue for the next group commit). */
  async sync(): Promise<void> {
    this.writeQueued();
    const fd = this.cache.acquire(this);
    this.pins++;
    try {
      await new Promise<void>((resolve, reject) => fs.fdatasync(fd, (e) => (e ? reject(e) : resolve())));
    } finally {
      this.unpin();
    }
  }

  renameTo(path: string): void {
    this.writeQueued();
    fs.renameSync(this.path, path);
    this.path = path;
  }

  close(): void {
    this.writeQueued();
    this.cache.release(this);
  }

  /** Closes and unlinks; a pinned fd stays usable until its operation ends (POSIX semantics). */
  delete(): void {
    this.discard();
    fs.rmSync(this.path, { force: true });
  }

  /**
   * Closes and unlinks off the event loop: unlinking a large file frees its blocks and cached
   * pages, which takes the kernel ~0.1 s per GB. For files already renamed to a name no new file
   * takes (`.deleted`), so the late unlink cannot hit a successor.
   */
  deleteInBackground(): Promise<void> {
    this.discard();
    return fs.promises.rm(this.path, { force: true });
  }

  private discard(): void {
    if (this.queued.length > 0) {
      this.queued = [];
      this.queuedLength = 0;
      this.pins--;
    }
    if (this.pins === 0) this.close();
  }
}

function readAsync(
  fd: number,
  buf: Buffer,
  offset: number,
  length: number,
  position: number,
): Promise<{ bytesRead: number }> {
  return new Promise((resolve, reject) =>
    fs.read(fd, buf, offset, length, position, (e, bytesRead) => (e ? reject(e) : resolve({ bytesRead }))),
  );
}
