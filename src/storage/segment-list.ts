import type { LogSegment } from './log-segment.js';

/**
 * A partition's segments in offset order, the last one active (Kafka's LogSegments). Never
 * empty once a log is open. A roll adds to the array; retention, truncation and the cleaner's
 * swap replace it, so a caller still iterating the previous `all` keeps a consistent view.
 */
export class SegmentList {
  private items: LogSegment[];

  constructor(segments: LogSegment[]) {
    this.items = segments;
  }

  get all(): readonly LogSegment[] {
    return this.items;
  }
  get count(): number {
    return this.items.length;
  }
  get first(): LogSegment {
    return this.items[0]!;
  }
  get active(): LogSegment {
    return this.items[this.items.length - 1]!;
  }
  /** Total bytes of all segments. */
  get sizeBytes(): number {
    let n = 0;
    for (const s of this.items) n += s.size;
    return n;
  }

  includes(segment: LogSegment): boolean {
    return this.items.includes(segment);
  }

  /** Index of the last segment whose base offset is <= offset (0 if none). */
  floorIndex(offset: number): number {
    const segs = this.items;
    let lo = 0;
    let hi = segs.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (segs[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** A roll: `next` becomes the active segment; an empty previous active segment is dropped (returned). */
  roll(next: LogSegment): LogSegment | null {
    const old = this.active;
    const dropped = old.size === 0 ? old : null;
    if (dropped) this.items.pop();
    this.items.push(next);
    return dropped;
  }

  /** Retention: the first `n` segments leave the list (returned, for their files to be deleted). */
  removeFirst(n: number): LogSegment[] {
    const removed = this.items.slice(0, n);
    this.items = this.items.slice(n);
    return removed;
  }

  /**
   * Truncation: keeps the segments whose base offset is <= `offset` (at least the first one) and
   * returns the others.
   */
  keepUpTo(offset: number): LogSegment[] {
    const keep = this.items.filter((s) => s.baseOffset <= offset);
    const drop = this.items.filter((s) => s.baseOffset > offset);
    this.items = keep.length > 0 ? keep : [this.first];
    return drop.filter((s) => s !== this.active);
  }

  /** Full truncation: `fresh` becomes the only segment. */
  replaceAll(fresh: LogSegment): void {
    this.items = [fresh];
  }

  /** The cleaner swaps a cleaned segment in place of an inactive one (same base offset). */
  replace(old: LogSegment, cleaned: LogSegment): void {
    const i = this.items.indexOf(old);
    if (i < 0 || old === this.active) throw new Error('replaceSegment: not an inactive segment of this log');
    this.items = [...this.items.slice(0, i), cleaned, ...this.items.slice(i + 1)];
  }
}
