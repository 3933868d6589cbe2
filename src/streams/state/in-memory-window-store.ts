import type {
  SessionBytesEntry,
  SessionBytesStore,
  WindowBytesEntry,
  WindowBytesStore,
} from './window-store.js';

const inRange = (k: Buffer, from: Buffer | null, to: Buffer | null): boolean =>
  (from === null || Buffer.compare(k, from) >= 0) && (to === null || Buffer.compare(k, to) <= 0);

/** Sorted numbers kept lazily: sorted again only when read after a new one arrived. */
class SortedTimes {
  private list: number[] | null = [];
  private readonly set = new Set<number>();
  add(t: number): void {
    if (!this.set.has(t)) {
      this.set.add(t);
      this.list = null;
    }
  }
  delete(t: number): void {
    if (this.set.delete(t)) this.list = null;
  }
  sorted(): number[] {
    if (this.list === null) this.list = [...this.set].sort((a, b) => a - b);
    return this.list;
  }
}

/**
 * Kafka's InMemoryWindowStore: a map per window start of key bytes to value bytes. Stream time
 * here is the largest window start put; windows starting at or before stream time minus the
 * retention period are dropped, and puts into them are refused ("Skipping record for expired
 * segment"). With duplicates retained each put gets its own entry under a sequence number.
 */
export class InMemoryWindowBytesStore implements WindowBytesStore {
  readonly persistent = false;
  /** Window start to key (latin1 of its bytes) to its entries: one, or every duplicate in put order. */
  private readonly segments = new Map<number, Map<string, WindowBytesEntry[]>>();
  private readonly starts = new SortedTimes();
  private observedStreamTimeMs = -1;
  private count = 0;

  constructor(
    readonly retentionPeriodMs: number,
    readonly windowSizeMs: number,
    readonly retainDuplicates: boolean,
  ) {}

  put(key: Buffer, value: Buffer | null, windowStartMs: number): boolean {
    this.removeExpired();
    this.observedStreamTimeMs = Math.max(this.observedStreamTimeMs, windowStartMs);
    if (windowStartMs <= this.observedStreamTimeMs - this.retentionPeriodMs) return false;
    const id = key.toString('latin1');
    if (value !== null) {
      let segment = this.segments.get(windowStartMs);
      if (!segment) {
        segment = new Map();
        this.segments.set(windowStartMs, segment);
        this.starts.add(windowStartMs);
      }
      const entry = { key: Buffer.from(key), windowStartMs, value: Buffer.from(value) };
      const list = segment.get(id);
      if (list && this.retainDuplicates) list.push(entry);
      else if (list) list[0] = entry;
      else segment.set(id, [entry]);
      if (!list || this.retainDuplicates) this.count++;
    } else if (!this.retainDuplicates) {
      // A delete among duplicates names no one entry: Kafka skips it too.
      const segment = this.segments.get(windowStartMs);
      if (segment?.delete(id)) {
        this.count--;
        if (segment.size === 0) this.dropSegment(windowStartMs);
      }
    }
    this.removeExpired();
    return true;
  }

  fetch(key: Buffer, windowStartMs: number): Buffer | null {
    if (windowStartMs <= this.observedStreamTimeMs - this.retentionPeriodMs) return null;
    return this.segments.get(windowStartMs)?.get(key.toString('latin1'))?.[0]?.value ?? null;
  }

  fetchRange(
    keyFrom: Buffer | null,
    keyTo: Buffer | null,
    timeFromMs: number,
    timeToMs: number,
  ): WindowBytesEntry[] {
    const minLive = this.observedStreamTimeMs - this.retentionPeriodMs + 1;
    const from = Math.max(timeFromMs, minLive);
    const single =
      keyFrom !== null && keyTo !== null && keyFrom.equals(keyTo) ? keyFrom.toString('latin1') : null;
    const out: WindowBytesEntry[] = [];
    for (const start of this.starts.sorted()) {
      if (start < from) continue;
      if (start > timeToMs) break;
      const segment = this.segments.get(start)!;
      if (single !== null) {
        out.push(...(segment.get(single) ?? []));
        continue;
      }
      // Kafka's skip-list orders a window's entries by key bytes (duplicates in put order).
      const lists = [...segment.values()].filter((l) => inRange(l[0]!.key, keyFrom, keyTo));
      lists.sort((a, b) => Buffer.compare(a[0]!.key, b[0]!.key));
      for (const l of lists) out.push(...l);
    }
    return out;
  }

  size(): number {
    return this.count;
  }

  flush(): void {}

  close(): void {
    this.segments.clear();
    this.count = 0;
  }

  private removeExpired(): void {
    const minLive = this.observedStreamTimeMs - this.retentionPeriodMs + 1;
    for (const start of this.starts.sorted()) {
      if (start >= minLive) break;
      this.dropSegment(start);
    }
  }

  private dropSegment(start: number): void {
    for (const l of this.segments.get(start)?.values() ?? []) this.count -= l.length;
    this.segments.delete(start);
    this.starts.delete(start);
  }
}

/**
 * Kafka's InMemorySessionStore: sessions by end time, then key, then start. Stream time is the
 * largest session end put; sessions ending at or before stream time minus the retention period
 * are dropped.
 */
export class InMemorySessionBytesStore implements SessionBytesStore {
  readonly persistent = false;
  private readonly byEnd = new Map<number, Map<string, Map<number, SessionBytesEntry>>>();
  private readonly ends = new SortedTimes();
  private observedStreamTimeMs = -1;
  private count = 0;

  constructor(readonly retentionPeriodMs: number) {}

  put(key: Buffer, startMs: number, endMs: number, value: Buffer | null): boolean {
    this.removeExpired();
    this.observedStreamTimeMs = Math.max(this.observedStreamTimeMs, endMs);
    if (endMs <= this.observedStreamTimeMs - this.retentionPeriodMs) return false;
    const id = key.toString('latin1');
    if (value === null) {
      const keys = this.byEnd.get(endMs);
      const starts = keys?.get(id);
      if (starts?.delete(startMs)) {
        this.count--;
        if (starts.size === 0) keys!.delete(id);
        if (keys!.size === 0) {
          this.byEnd.delete(endMs);
          this.ends.delete(endMs);
        }
      }
    } else {
      let keys = this.byEnd.get(endMs);
      if (!keys) {
        keys = new Map();
        this.byEnd.set(endMs, keys);
        this.ends.add(endMs);
      }
      let starts = keys.get(id);
      if (!starts) {
        starts = new Map();
        keys.set(id, starts);
      }
      if (!starts.has(startMs)) this.count++;
      starts.set(startMs, { key: Buffer.from(key), startMs, endMs, value: Buffer.from(value) });
    }
    this.removeExpired();
    return true;
  }

  fetchSession(key: Buffer, startMs: number, endMs: number): Buffer | null {
    if (endMs <= this.observedStreamTimeMs - this.retentionPeriodMs) return null;
    return this.byEnd.get(endMs)?.get(key.toString('latin1'))?.get(startMs)?.value ?? null;
  }

  findSessions(
    keyFrom: Buffer | null,
    keyTo: Buffer | null,
    earliestEndMs: number,
    latestStartMs: number,
  ): SessionBytesEntry[] {
    const from = Math.max(earliestEndMs, this.observedStreamTimeMs - this.retentionPeriodMs + 1);
    const out: SessionBytesEntry[] = [];
    for (const end of this.ends.sorted()) {
      if (end < from) continue;
      const keys = [...this.byEnd.get(end)!.values()]
        .map((starts) => [...starts.values()].sort((a, b) => a.startMs - b.startMs))
        .filter((s) => s.length > 0 && inRange(s[0]!.key, keyFrom, keyTo))
        .sort((a, b) => Buffer.compare(a[0]!.key, b[0]!.key));
      for (const sessions of keys) for (const s of sessions) if (s.startMs <= latestStartMs) out.push(s);
    }
    return out;
  }

  size(): number {
    return this.count;
  }

  flush(): void {}

  close(): void {
    this.byEnd.clear();
    this.count = 0;
  }

  private removeExpired(): void {
    const minLive = this.observedStreamTimeMs - this.retentionPeriodMs + 1;
    for (const end of this.ends.sorted()) {
      if (end >= minLive) break;
      for (const starts of this.byEnd.get(end)!.values()) this.count -= starts.size;
      this.byEnd.delete(end);
      this.ends.delete(end);
    }
  }
}
