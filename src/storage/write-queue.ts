import type { LogSegment } from './log-segment.js';
import type { QueuedWrites } from './write-scheduler.js';

/**
 * The bytes a partition's `append` queued and has not written yet: the segments holding them, in
 * order (the active one, and the one before it after a roll). The WriteScheduler writes it at the
 * end of the event-loop turn, or sooner once it holds enough (see write-scheduler.ts).
 */
export class WriteQueue implements QueuedWrites {
  private segments: LogSegment[] = [];

  /** `io` runs the writes, mapping an I/O error to the log's storage error. */
  constructor(private readonly io: (write: () => void) => void) {}

  /** `segment` now holds queued bytes. */
  add(segment: LogSegment): void {
    if (this.segments[this.segments.length - 1] !== segment) this.segments.push(segment);
  }

  get queuedBytes(): number {
    let n = 0;
    for (const s of this.segments) n += s.log.queuedBytes;
    return n;
  }

  writeQueued(): void {
    if (this.segments.length === 0) return;
    const segments = this.segments;
    this.segments = [];
    this.io(() => {
      for (const s of segments) s.log.writeQueued();
    });
  }
}
