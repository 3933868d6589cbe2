import { type FileHandle, open } from 'node:fs/promises';
import type { SinkRecord } from '../api/connect-record.js';
import { SinkTask } from '../api/task.js';
import { stringOf } from '../converters/string-converter.js';
import { BUILTIN_PLUGIN_VERSION } from '../plugins/plugin-version.js';

/**
 * Kafka's FileStreamSinkTask: appends each record's value, as its string form, as a line; flush
 * syncs the file, so offsets are committed only for lines on disk.
 */
export class FileStreamSinkTask extends SinkTask {
  private file: FileHandle | null = null;
  private toStdout = true;

  version(): string {
    return BUILTIN_PLUGIN_VERSION;
  }

  async start(props: Readonly<Record<string, string>>): Promise<void> {
    const filename = props.file;
    if (filename) {
      this.file = await open(filename, 'a');
      this.toStdout = false;
    }
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    if (records.length === 0) return;
    let text = '';
    for (const r of records) text += `${stringOf(r.value)}\n`;
    if (this.toStdout) process.stdout.write(text);
    else await this.file!.write(text);
  }

  override async flush(): Promise<void> {
    await this.file?.sync();
  }

  async stop(): Promise<void> {
    const file = this.file;
    this.file = null;
    await file?.close();
  }
}
