import { mkdirSync, rmSync } from 'node:fs';
import { open, type RootDatabase } from 'lmdb';
import { StreamsError } from '../streams-error.js';
import type { KeyValueBytesStore } from './in-memory-bytes-store.js';

/**
 * Strom's persistent key-value store, in the place of Kafka's RocksDBStore: an LMDB environment
 * in `<state.dir>/<application.id>/<task id>/lmdb/<store>`, keys ordered by their bytes as
 * RocksDB's default comparator orders them.
 *
 * Writes go to a dirty map first and reach LMDB in one transaction at flush (the task's commit),
 * so a record costs no disk write and a commit one: what a crash loses since the last flush is
 * what the changelog restores, as with RocksDB's memtable and disabled WAL in Kafka Streams.
 */
export class LmdbKeyValueBytesStore implements KeyValueBytesStore {
  readonly persistent = true;
  private db: RootDatabase<Buffer, Buffer> | null = null;
  private path: string | null = null;
  /** Changes since the last flush by the key's latin1 string (null: deleted). */
  private readonly dirty = new Map<string, [Buffer, Buffer | null]>();

  constructor(readonly name: string) {}

  /** Opens (or creates) the store's environment under the task's directory. */
  open(taskDir: string): void {
    if (this.db !== null) return;
    this.path = `${taskDir}/lmdb/${this.name}`;
    mkdirSync(this.path, { recursive: true });
    try {
      this.db = open<Buffer, Buffer>({
        path: this.path,
        keyEncoding: 'binary',
        encoding: 'binary',
        // One environment per store and task: no compression, no shared structures.
        compression: false,
      });
    } catch (cause) {
      throw new StreamsError(
        'STORE_UNAVAILABLE',
        `cannot open persistent store ${this.name} in ${this.path}`,
        {
          cause,
        },
      );
    }
  }

  /** Deletes everything the store holds on disk (a restore from the beginning follows). */
  wipe(): void {
    this.dirty.clear();
    if (this.db === null) return;
    this.db.clearSync();
  }

  private get store(): RootDatabase<Buffer, Buffer> {
    if (this.db === null)
      throw new StreamsError('STORE_UNAVAILABLE', `persistent store ${this.name} is not open`);
    return this.db;
  }

  get(key: Buffer): Buffer | null {
    const d = this.dirty.get(key.toString('latin1'));
    if (d !== undefined) return d[1];
    return this.store.getBinary(key) ?? null;
  }

  put(key: Buffer, value: Buffer | null): void {
    // Copies, so a caller reusing its buffers cannot change what the store will write.
    this.dirty.set(key.toString('latin1'), [Buffer.from(key), value === null ? null : Buffer.from(value)]);
  }

  range(from: Buffer | null, to: Buffer | null): [Buffer, Buffer][] {
    const lo = from === null ? null : from.toString('latin1');
    const hi = to === null ? null : to.toString('latin1');
    const overlay = [...this.dirty.entries()]
      .filter(([k]) => (lo === null || k >= lo) && (hi === null || k <= hi))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const out: [Buffer, Buffer][] = [];
    let i = 0;
    const emitOverlay = (): void => {
      const [key, value] = overlay[i++]![1];
      if (value !== null) out.push([key, value]);
    };
    for (const { key, value } of this.store.getRange(from === null ? {} : { start: from })) {
      const k = key.toString('latin1');
      if (hi !== null && k > hi) break;
      while (i < overlay.length && overlay[i]![0] < k) emitOverlay();
      // A key changed since the last flush is read from the overlay, not from disk.
      if (i < overlay.length && overlay[i]![0] === k) emitOverlay();
      else out.push([Buffer.from(key), Buffer.from(value)]);
    }
    while (i < overlay.length) emitOverlay();
    return out;
  }

  size(): number {
    let n = (this.store.getStats() as { entryCount: number }).entryCount;
    for (const [key, value] of this.dirty.values()) {
      const onDisk = this.store.doesExist(key);
      if (value === null && onDisk) n--;
      else if (value !== null && !onDisk) n++;
    }
    return n;
  }

  /** Forgets the changes since the last flush: the task is closed dirty. */
  discard(): void {
    this.dirty.clear();
  }

  /** Writes the changes since the last flush in one durable LMDB transaction. */
  flush(): void {
    if (this.dirty.size === 0 || this.db === null) return;
    const db = this.db;
    const changes = [...this.dirty.values()];
    db.transactionSync(() => {
      for (const [key, value] of changes) {
        if (value === null) db.removeSync(key);
        else db.putSync(key, value);
      }
    });
    this.dirty.clear();
  }

  /** Flushes and closes the environment; the data stays on disk. */
  close(): void {
    if (this.db === null) return;
    this.flush();
    const db = this.db;
    this.db = null;
    db.close().catch(() => {});
  }

  /** Closes without flushing (a task closed dirty) and removes the store's files. */
  destroy(): void {
    this.dirty.clear();
    if (this.db !== null) {
      const db = this.db;
      this.db = null;
      db.close().catch(() => {});
    }
    if (this.path !== null) rmSync(this.path, { recursive: true, force: true });
  }
}
