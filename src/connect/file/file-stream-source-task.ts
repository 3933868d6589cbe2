import { type FileHandle, open } from 'node:fs/promises';
import { SourceRecord } from '../api/connect-record.js';
import { SourceTask } from '../api/task.js';
import { ConnectError } from '../connect-error.js';
import { Schemas } from '../data/schema.js';
import { BUILTIN_PLUGIN_VERSION } from '../plugins/plugin-version.js';

const READ_CHUNK_BYTES = 64 * 1024;
/** How long poll waits for new data (or for the file to appear), as Kafka's task waits one second. */
const POLL_WAIT_MS = 1000;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Kafka's FileStreamSourceTask: reads lines from where the stored offset says (the byte position
 * after the last line sent), at most batch.size per poll; an incomplete last line waits for its
 * newline. Lines end with \n, \r\n or \r. Without a file it reads standard input, with no offsets.
 */
export class FileStreamSourceTask extends SourceTask {
  private filename: string | null = null;
  private topic = '';
  private batchSize = 2000;
  private file: FileHandle | null = null;
  private position = 0;
  private pending: Buffer = Buffer.alloc(0);
  private stdinChunks: Buffer[] = [];
  private stdinEnded = false;
  private wake: (() => void) | null = null;
  private stopped = false;

  version(): string {
    return BUILTIN_PLUGIN_VERSION;
  }

  start(props: Readonly<Record<string, string>>): void {
    this.filename = props.file || null;
    this.topic = props.topic ?? '';
    this.batchSize = Number(props['batch.size'] ?? 2000);
    if (this.topic === '')
      throw new ConnectError('CONFIG_ERROR', 'FileStreamSourceTask config missing topic setting');
    if (this.filename === null) {
      process.stdin.on('data', (chunk: Buffer) => {
        this.stdinChunks.push(chunk);
        this.notify();
      });
      process.stdin.on('end', () => {
        this.stdinEnded = true;
        this.notify();
      });
    }
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.stopped) return null;
    if (this.filename !== null && this.file === null && !(await this.openFile())) {
      await this.waitForData();
      return null;
    }
    const records = await this.readLines();
    if (records.length === 0) await this.waitForData();
    return records.length > 0 ? records : null;
  }

  private async openFile(): Promise<boolean> {
    try {
      this.file = await open(this.filename!, 'r');
    } catch (err) {
      // Kafka's task waits for the file to be created rather than failing.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return false;
    }
    const stored = await this.context?.offsetStorageReader().offset({ filename: this.filename! });
    const position = stored?.position;
    if (position !== undefined && position !== null) {
      if (typeof position !== 'number' && typeof position !== 'bigint')
        throw new ConnectError('CONNECT_ERROR', `Offset position is the incorrect type: ${typeof position}`);
      this.position = Number(position);
    }
    return true;
  }

  /** Reads what is there and cuts it into at most batch.size complete lines. */
  private async readLines(): Promise<SourceRecord[]> {
    const records: SourceRecord[] = [];
    for (;;) {
      while (records.length < this.batchSize) {
        const line = this.extractLine();
        if (line === null) break;
        records.push(line);
      }
      if (records.length >= this.batchSize) return records;
      const more = await this.readChunk();
      if (more === null || more.length === 0) return records;
      this.pending = this.pending.length === 0 ? more : Buffer.concat([this.pending, more]);
    }
  }

  private async readChunk(): Promise<Buffer | null> {
    if (this.filename === null) {
      const chunks = this.stdinChunks.splice(0);
      return chunks.length === 0 ? null : Buffer.concat(chunks);
    }
    const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    const { bytesRead } = await this.file!.read(
      buffer,
      0,
      buffer.length,
      this.position + this.pending.length,
    );
    return buffer.subarray(0, bytesRead);
  }

  private extractLine(): SourceRecord | null {
    const buf = this.pending;
    let end = -1;
    let skip = 0;
    for (let i = 0; i < buf.length; i++) {
      if (buf[i] === NEWLINE) {
        end = i;
        skip = 1;
        break;
      }
      if (buf[i] === CARRIAGE_RETURN) {
        // A \r at the end of what was read may be the first half of \r\n: wait for the next byte.
        if (i + 1 >= buf.length) return null;
        end = i;
        skip = buf[i + 1] === NEWLINE ? 2 : 1;
        break;
      }
    }
    if (end < 0) return null;
    const line = buf.toString('utf8', 0, end);
    this.pending = buf.subarray(end + skip);
    this.position += end + skip;
    return new SourceRecord({
      topic: this.topic,
      valueSchema: Schemas.STRING,
      value: line,
      timestamp: Date.now(),
      sourcePartition: this.filename === null ? null : { filename: this.filename },
      sourceOffset: this.filename === null ? null : { position: this.position },
    });
  }

  private waitForData(): Promise<void> {
    if (this.stdinEnded) return new Promise((resolve) => setTimeout(resolve, POLL_WAIT_MS));
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.notify(), POLL_WAIT_MS);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.notify();
    const file = this.file;
    this.file = null;
    await file?.close();
  }
}
