import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { StorageError } from './storage-error.js';

/**
 * Writes a file so that a crash leaves either the old or the new contents: write a temporary file,
 * fsync it, rename it over the target, fsync the directory (Kafka's CheckpointFile.write).
 */
export function writeFileAtomically(path: string, contents: string | Buffer): void {
  const tmp = join(dirname(path), `${basename(path)}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof contents === 'string' ? Buffer.from(contents, 'utf8') : contents);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path);
  syncDir(dirname(path));
}

/** writeFileAtomically with its fsyncs off the event loop, for periodic checkpoints under load. */
export async function writeFileAtomicallyAsync(path: string, contents: string | Buffer): Promise<void> {
  const tmp = join(dirname(path), `${basename(path)}.tmp`);
  const file = await fs.promises.open(tmp, 'w');
  try {
    await file.writeFile(typeof contents === 'string' ? Buffer.from(contents, 'utf8') : contents);
    await file.sync();
  } finally {
    await file.close();
  }
  await fs.promises.rename(tmp, path);
  const dir = await fs.promises.open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** A topic-partition as the checkpoint files name it. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

export function tpKey(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** Parses `<topic>-<partition>` (the directory name); topics may contain '-'. */
export function parseTpDirName(name: string): TopicPartition | null {
  const i = name.lastIndexOf('-');
  if (i <= 0) return null;
  const p = name.slice(i + 1);
  if (!/^\d+$/.test(p)) return null;
  return { topic: name.slice(0, i), partition: Number(p) };
}

/**
 * Kafka's offset checkpoint text format: a version line (0), a count line, then one
 * `topic partition offset` line per partition. Used for recovery-point-offset-checkpoint,
 * log-start-offset-checkpoint, replication-offset-checkpoint and cleaner-offset-checkpoint.
 */
export function formatOffsetCheckpoint(
  entries: ReadonlyMap<string, { tp: TopicPartition; offset: number }>,
): string {
  const lines = ['0', String(entries.size)];
  for (const { tp, offset } of entries.values()) lines.push(`${tp.topic} ${tp.partition} ${offset}`);
  return `${lines.join('\n')}\n`;
}

export function parseOffsetCheckpoint(
  text: string,
  path: string,
): Map<string, { tp: TopicPartition; offset: number }> {
  const bad = (why: string): never => {
    throw new StorageError('CORRUPT_CHECKPOINT', `${path}: ${why}`);
  };
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines[0] !== '0') bad(`unsupported version line "${lines[0] ?? ''}"`);
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count < 0 || lines.length !== count + 2)
    bad(`expected ${lines[1]} entries, found ${lines.length - 2}`);
  const out = new Map<string, { tp: TopicPartition; offset: number }>();
  for (const line of lines.slice(2)) {
    const parts = line.split(' ');
    const partition = Number(parts[1]);
    const offset = Number(parts[2]);
    if (parts.length !== 3 || !Number.isInteger(partition) || !Number.isSafeInteger(offset))
      bad(`malformed line "${line}"`);
    const tp = { topic: parts[0]!, partition };
    out.set(tpKey(tp), { tp, offset });
  }
  return out;
}

/** Reads an offset checkpoint; a missing file is an empty one. */
export function readOffsetCheckpoint(path: string): Map<string, { tp: TopicPartition; offset: number }> {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw e;
  }
  return parseOffsetCheckpoint(text, path);
}

export function writeOffsetCheckpoint(
  path: string,
  entries: ReadonlyMap<string, { tp: TopicPartition; offset: number }>,
): void {
  writeFileAtomically(path, formatOffsetCheckpoint(entries));
}

export function writeOffsetCheckpointAsync(
  path: string,
  entries: ReadonlyMap<string, { tp: TopicPartition; offset: number }>,
): Promise<void> {
  return writeFileAtomicallyAsync(path, formatOffsetCheckpoint(entries));
}
