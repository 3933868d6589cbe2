import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StreamsError } from '../streams-error.js';

/** The name of a task directory's checkpoint file, as Kafka Streams names it. */
export const CHECKPOINT_FILE = '.checkpoint';

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * Kafka's OffsetCheckpoint: per changelog partition, the offset of the last record the task's
 * persistent stores hold. The text format is Kafka's (version 0, the entry count, then
 * `<topic> <partition> <offset>` per line), written to a temporary file and renamed over the old
 * one so a crash leaves either the old checkpoint or the new, never half of one.
 */
export class OffsetCheckpoint {
  readonly path: string;

  constructor(readonly dir: string) {
    this.path = join(dir, CHECKPOINT_FILE);
  }

  /** The offsets, or an empty map when there is no checkpoint. */
  read(): Map<string, bigint> {
    if (!existsSync(this.path)) return new Map();
    const lines = readFileSync(this.path, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    if (lines[0] !== '0')
      throw new StreamsError('STORE_UNAVAILABLE', `unknown checkpoint version ${lines[0]} in ${this.path}`);
    const count = Number(lines[1]);
    const out = new Map<string, bigint>();
    for (const line of lines.slice(2)) {
      const parts = line.split(' ');
      if (parts.length !== 3 || !/^\d+$/.test(parts[1]!) || !/^-?\d+$/.test(parts[2]!))
        throw new StreamsError('STORE_UNAVAILABLE', `malformed checkpoint line '${line}' in ${this.path}`);
      out.set(key(parts[0]!, Number(parts[1])), BigInt(parts[2]!));
    }
    if (out.size !== count)
      throw new StreamsError(
        'STORE_UNAVAILABLE',
        `checkpoint ${this.path} holds ${out.size} entries, expected ${count}`,
      );
    return out;
  }

  write(offsets: ReadonlyMap<string, bigint>): void {
    mkdirSync(this.dir, { recursive: true });
    const lines = ['0', String(offsets.size)];
    for (const [k, offset] of offsets) {
      const [topic, partition] = k.split('\u0000');
      lines.push(`${topic} ${partition} ${offset}`);
    }
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, `${lines.join('\n')}\n`);
    renameSync(tmp, this.path);
  }

  delete(): void {
    rmSync(this.path, { force: true });
  }

  static key(topic: string, partition: number): string {
    return key(topic, partition);
  }
}
