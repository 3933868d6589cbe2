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

  constructor(file: LogFile, position: number, length: number) {
    this.file = file;
    this.position = position;
    this.length = length;
  }

  /** The segment file's current path (it changes when the segment is swapped or deleted). */
  get path(): string {
    return this.file.path;
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
    return this.file.readInto(target.subarray(0, Math.min(target.length, this.length)), this.position);
  }
}
