/**
 * Bytes in, bytes out, ordered by the keys' bytes: the innermost layer of a key-value store, as
 * Kafka's KeyValueBytesStoreSupplier builds it. Strom's persistent store implements this too.
 */
export interface KeyValueBytesStore {
  readonly persistent: boolean;
  get(key: Buffer): Buffer | null;
  put(key: Buffer, value: Buffer | null): void;
  /** Entries with from <= key <= to (either bound may be null for open), ordered by key bytes. */
  range(from: Buffer | null, to: Buffer | null): [Buffer, Buffer][];
  size(): number;
  flush(): void;
  close(): void;
  /** A persistent store opens its files under the task's directory (Kafka's state.dir/<app>/<task>). */
  open?(taskDir: string): void;
  /** Deletes everything the store holds, before a restore from the changelog's beginning. */
  wipe?(): void;
  /** Forgets the changes not yet flushed: the task is closed dirty. */
  discard?(): void;
}

/**
 * Kafka's InMemoryKeyValueStore (a TreeMap of bytes): a Map keyed by the key's latin1 string,
 * whose code units compare as the bytes do, with a sorted key list rebuilt only when a range is
 * read after a new key arrived.
 */
export class InMemoryKeyValueBytesStore implements KeyValueBytesStore {
  readonly persistent = false;
  private readonly map = new Map<string, [Buffer, Buffer]>();
  private sorted: string[] | null = [];

  get(key: Buffer): Buffer | null {
    return this.map.get(key.toString('latin1'))?.[1] ?? null;
  }

  put(key: Buffer, value: Buffer | null): void {
    const k = key.toString('latin1');
    if (value === null) {
      if (this.map.delete(k)) this.sorted = null;
      return;
    }
    if (!this.map.has(k)) this.sorted = null;
    // Copies, so a caller reusing its buffers cannot change what the store holds.
    this.map.set(k, [Buffer.from(key), Buffer.from(value)]);
  }

  range(from: Buffer | null, to: Buffer | null): [Buffer, Buffer][] {
    if (this.sorted === null) this.sorted = [...this.map.keys()].sort();
    const lo = from === null ? null : from.toString('latin1');
    const hi = to === null ? null : to.toString('latin1');
    const out: [Buffer, Buffer][] = [];
    for (const k of this.sorted) {
      if (lo !== null && k < lo) continue;
      if (hi !== null && k > hi) break;
      const entry = this.map.get(k);
      if (entry) out.push(entry);
    }
    return out;
  }

  size(): number {
    return this.map.size;
  }

  flush(): void {}

  close(): void {
    this.map.clear();
    this.sorted = [];
  }
}
