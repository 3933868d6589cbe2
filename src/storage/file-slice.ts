import type { LogFile } from './file-handle-cache.js';

/**
 * A byte range of a segment file, returned by reads so the broker can send log bytes as they are
 * stored, without decoding them. Like Kafka's FileRecords slices, the last batch may be cut short
 * by maxBytes; clients ignore a partial trailing batch.
 */
export class FileSlice {
  readonly file: LogFile;
  readonly position: number;
  readonly length: number;
  /**
   * Whether the bytes are in the active segment: just written, so almost surely in the page
   * cache, where a synchronous read costs less than a trip through the thread pool.
   */
  readonly recent: boolean;

  constructor(file: LogFile, position: number, length: number, recent = false) {
    this.file = file;
    this.position = position;
    this.length = length;
    this.recent = recent;
  }

  /** The segment file's current path (it changes when the segment is swapped or deleted). */
  get path(): string {
    return this.file.path;
  }

  /** Reads recent bytes at once and older ones off the event loop (which may wait for the disk). */
  readCached(): Buffer | Promise<Buffer> {
    return this.recent ? this.readSync() : this.read();
  }

  /** Reads the bytes off the event loop. Safe after the segment was deleted: the fd stays valid. */
  read(): Promise<Buffer> {
    return this.file.readAtAsync(this.position, this.length);
  }

  readSync(): Buffer {
    return this.file.readAt(this.position, this.length);
  }

  /** Reads into a caller's buffer (reused across fetches); returns the bytes read. */
  readInto(target: Buffer): number {
    return this.file.readInto(this.fit(target), this.position);
  }

  /** As readInto, off the event loop. */
  readIntoAsync(target: Buffer): Promise<number> {
    return this.file.readIntoAsync(this.fit(target), this.position);
  }

  /** readInto for recent bytes, readIntoAsync for older ones (see readCached). */
  readIntoCached(target: Buffer): number | Promise<number> {
    return this.recent ? this.readInto(target) : this.readIntoAsync(target);
  }

  /** The part of `target` this slice fills. */
  private fit(target: Buffer): Buffer {
    return target.subarray(0, Math.min(target.length, this.length));
  }
}
