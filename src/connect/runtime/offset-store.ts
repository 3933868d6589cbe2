import { open, readFile, rename } from 'node:fs/promises';
import type { SourceMap } from '../api/connect-record.js';
import type { OffsetStorageReader } from '../api/task.js';
import { ConnectError } from '../connect-error.js';
import { isJsonObject, type JsonNode, parseJson, writeJson } from '../converters/json-node.js';

/**
 * Where a worker keeps source offsets (Kafka's OffsetBackingStore): serialized key to serialized
 * value, a null value deleting the key.
 */
export interface OffsetBackingStore {
  start(): Promise<void>;
  stop(): Promise<void>;
  get(keys: readonly string[]): Promise<Map<string, string | null>>;
  set(entries: ReadonlyMap<string, string | null>): Promise<void>;
  /** Every stored key and value. */
  all(): Promise<Map<string, string>>;
}

/** A JSON object with its keys sorted, so equal maps serialize to equal keys. */
function canonical(map: SourceMap): JsonNode {
  const out: { [key: string]: JsonNode } = {};
  for (const key of Object.keys(map).sort()) out[key] = map[key] ?? null;
  return out;
}

/**
 * A source offset's key as Kafka's OffsetStorageWriter writes it: the JSON array
 * `["<connector>",{<source partition>}]` (Kafka's schemaless JsonConverter).
 */
export function offsetKey(connector: string, partition: SourceMap): string {
  return writeJson([connector, canonical(partition)]);
}

export function offsetValue(offset: SourceMap | null): string | null {
  return offset === null ? null : writeJson(canonical(offset));
}

/** Reads a stored key back: the connector and its source partition; null for what is not one. */
export function parseOffsetKey(key: string): { connector: string; partition: SourceMap } | null {
  try {
    const node = parseJson(key);
    if (!Array.isArray(node) || node.length !== 2 || typeof node[0] !== 'string' || !isJsonObject(node[1]))
      return null;
    return { connector: node[0], partition: node[1] as SourceMap };
  } catch {
    return null;
  }
}

export function parseOffsetValue(value: string | null): SourceMap | null {
  if (value === null) return null;
  const node = parseJson(value);
  if (!isJsonObject(node))
    throw new ConnectError('DATA_ERROR', `A stored source offset is not a JSON object: ${value}`);
  return node as SourceMap;
}

/**
 * The standalone worker's store (`offset.storage.file.filename`): every offset in one JSON file,
 * rewritten whole on each flush through a temporary file, fsync and rename, so a crash leaves the
 * previous flush or this one, never a torn file. Kafka's FileOffsetBackingStore keeps the same
 * entries in a Java-serialized map; Strom's file is JSON: `{"offsets":[[key, value], ...]}`.
 */
export class FileOffsetBackingStore implements OffsetBackingStore {
  private readonly data = new Map<string, string>();
  private writing: Promise<void> = Promise.resolve();

  constructor(readonly filename: string) {}

  async start(): Promise<void> {
    const text = await readFile(this.filename, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (text === null || text.trim() === '') return;
    const parsed = JSON.parse(text) as { offsets?: unknown };
    if (!Array.isArray(parsed.offsets))
      throw new ConnectError('CONFIG_ERROR', `${this.filename} is not an offsets file of Strom Connect`);
    for (const entry of parsed.offsets) {
      if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'string')
        this.data.set(entry[0], entry[1]);
    }
  }

  async stop(): Promise<void> {
    await this.writing;
  }

  async get(keys: readonly string[]): Promise<Map<string, string | null>> {
    return new Map(keys.map((k) => [k, this.data.get(k) ?? null]));
  }

  async all(): Promise<Map<string, string>> {
    return new Map(this.data);
  }

  set(entries: ReadonlyMap<string, string | null>): Promise<void> {
    for (const [k, v] of entries) {
      if (v === null) this.data.delete(k);
      else this.data.set(k, v);
    }
    // Writes run one after another; each writes the whole map as it is when it starts.
    this.writing = this.writing.catch(() => {}).then(() => this.save());
    return this.writing;
  }

  private async save(): Promise<void> {
    const tmp = `${this.filename}.tmp`;
    const file = await open(tmp, 'w');
    try {
      await file.writeFile(JSON.stringify({ offsets: [...this.data] }));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, this.filename);
  }
}

/** A connector's view of the store (Kafka's OffsetStorageReaderImpl). */
export class StoreOffsetReader implements OffsetStorageReader {
  constructor(
    private readonly store: OffsetBackingStore,
    private readonly connector: string,
  ) {}

  async offset(partition: SourceMap): Promise<SourceMap | null> {
    return (await this.offsets([partition])).get(partition) ?? null;
  }

  async offsets(partitions: readonly SourceMap[]): Promise<Map<SourceMap, SourceMap | null>> {
    const keys = partitions.map((p) => offsetKey(this.connector, p));
    const values = await this.store.get(keys);
    return new Map(partitions.map((p, i) => [p, parseOffsetValue(values.get(keys[i]!) ?? null)]));
  }
}
