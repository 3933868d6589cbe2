/**
 * Keyed timers for the coordinator core, which owns no real timers: `schedule` replaces any timer
 * with the same key (as Kafka's coordinator timer does), and `runDue(now)` fires what is due in
 * deadline order (ties in scheduling order). A binary heap with lazy deletion keeps both cheap
 * with many thousands of members.
 */
export class TimerQueue {
  private readonly byKey = new Map<string, TimerEntry>();
  private heap: TimerEntry[] = [];
  private seq = 0;

  get size(): number {
    return this.byKey.size;
  }

  schedule(key: string, deadlineMs: number, fn: () => void): void {
    this.cancel(key);
    const entry: TimerEntry = { key, deadlineMs, seq: this.seq++, fn, cancelled: false };
    this.byKey.set(key, entry);
    this.push(entry);
  }

  cancel(key: string): void {
    const entry = this.byKey.get(key);
    if (!entry) return;
    entry.cancelled = true;
    this.byKey.delete(key);
    // Lazy deletion leaves cancelled entries in the heap; rebuild when they dominate it.
    if (this.heap.length > 64 && this.heap.length > 4 * this.byKey.size) this.compact();
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  deadlineOf(key: string): number | undefined {
    return this.byKey.get(key)?.deadlineMs;
  }

  /** The earliest pending deadline, for the shell's single real timer. */
  nextDeadlineMs(): number | null {
    this.dropCancelledTop();
    return this.heap[0]?.deadlineMs ?? null;
  }

  /**
   * Fires every timer due at or before `nowMs`, including ones scheduled by the timers it fires.
   * `onFire` hears each timer's deadline just before it runs.
   */
  runDue(nowMs: number, onFire?: (deadlineMs: number) => void): void {
    for (;;) {
      this.dropCancelledTop();
      const top = this.heap[0];
      if (!top || top.deadlineMs > nowMs) return;
      this.pop();
      this.byKey.delete(top.key);
      top.cancelled = true;
      onFire?.(top.deadlineMs);
      top.fn();
    }
  }

  /** Drops every timer whose key starts with `prefix` (a group's timers when it is unloaded). */
  cancelPrefix(prefix: string): void {
    for (const key of [...this.byKey.keys()]) if (key.startsWith(prefix)) this.cancel(key);
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
  }

  private compact(): void {
    this.heap = this.heap.filter((e) => !e.cancelled);
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private push(e: TimerEntry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    this.down(0);
  }

  private down(start: number): void {
    const h = this.heap;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

interface TimerEntry {
  readonly key: string;
  readonly deadlineMs: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.deadlineMs < b.deadlineMs || (a.deadlineMs === b.deadlineMs && a.seq < b.seq);
}
