import type {
  SessionBytesEntry,
  SessionBytesStore,
  WindowBytesEntry,
  WindowBytesStore,
} from './window-store.js';

const inRange = (k: Buffer, from: Buffer | null, to: Buffer | null): boolean =>
  (from === null || Buffer.compare(k, from) >= 0) && (to === null || Buffer.compare(k, to) <= 0);

/**
 * Times kept sorted as they arrive (a binary search and an insert, so a store of one window per
 * record, as a join's, costs no sort per record), with the first index at or after a time.
 */
class SortedTimes {
  private readonly list: number[] = [];

  add(t: number): void {
    const i = this.lowerBound(t);
    if (this.list[i] !== t) this.list.splice(i, 0, t);
  }

  isEmpty(): boolean {
    return this.list.length === 0;
  }

  delete(t: number): void {
    const i = this.lowerBound(t);
    if (this.list[i] === t) this.list.splice(i, 1);
  }

  /** The times from `from` to `to` inclusive, in order; nothing may be added or deleted meanwhile. */
  *between(from: number, to: number): Generator<number> {
    for (let i = this.lowerBound(from); i < this.list.length && this.list[i]! <= to; i++) yield this.list[i]!;
  }

  /** The times before `before`, in order (a copy). */
  before(before: number): number[] {
    return this.list.slice(0, this.lowerBound(before));
  }

  private lowerBound(t: number): number {
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.list[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
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
  /**
   * Each key's window starts, so a fetch of one key (every join lookup) reads its own windows
   * rather than every window in the time range.
   */
  private readonly startsByKey = new Map<string, SortedTimes>();
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
      else {
        segment.set(id, [entry]);
        let keyStarts = this.startsByKey.get(id);
        if (!keyStarts) {
          keyStarts = new SortedTimes();
          this.startsByKey.set(id, keyStarts);
        }
        keyStarts.add(windowStartMs);
      }
      if (!list || this.retainDuplicates) this.count++;
    } else if (!this.retainDuplicates) {
      // A delete among duplicates names no one entry: Kafka skips it too.
      const segment = this.segments.get(windowStartMs);
      if (segment?.delete(id)) {
        this.count--;
        this.forgetKeyStart(id, windowStartMs);
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
    if (single !== null) {
      for (const start of this.startsByKey.get(single)?.between(from, timeToMs) ?? [])
        out.push(...(this.segments.get(start)?.get(single) ?? []));
      return out;
    }
    for (const start of this.starts.between(from, timeToMs)) {
      const segment = this.segments.get(start)!;
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
    this.startsByKey.clear();
    this.count = 0;
  }

  private removeExpired(): void {
    const minLive = this.observedStreamTimeMs - this.retentionPeriodMs + 1;
    for (const start of this.starts.before(minLive)) this.dropSegment(start);
  }

  private dropSegment(start: number): void {
    for (const [id, l] of this.segments.get(start) ?? []) {
      this.count -= l.length;
      this.forgetKeyStart(id, start);
    }
    this.segments.delete(start);
    this.starts.delete(start);
  }

  private forgetKeyStart(id: string, start: number): void {
    const keyStarts = this.startsByKey.get(id);
    if (!keyStarts) return;
    keyStarts.delete(start);
    if (keyStarts.isEmpty()) this.startsByKey.delete(id);
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
    for (const end of this.ends.between(from, Number.MAX_SAFE_INTEGER)) {
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
    for (const end of this.ends.before(minLive)) {
      for (const starts of this.byEnd.get(end)!.values()) this.count -= starts.size;
      this.byEnd.delete(end);
      this.ends.delete(end);
    }
  }
}
